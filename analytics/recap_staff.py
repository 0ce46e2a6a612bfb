"""Staff page of the complaint recap of a period beside its monitoring-and-evaluation record (pengaduan or WBS).

The page lives in analytics because it shows analytics' recap; the record belongs to complaints, which decides who
may read and write it and writes it (complaints.monitoring); this page only commits. The WBS page and its record
exist only for WBS handlers: anyone else gets a 404, as for every WBS page.
"""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from analytics.complaint_recap import complaint_recap, wbs_recap
from app import clock
from app.directory import list_units
from app.periods import PeriodError, parse_period
from complaints import monitoring
from complaints.models import Stream
from complaints.staff_forms import CHANNEL_LABELS, MonitoringForm

bp = Blueprint("complaint_recap", __name__, url_prefix="/analitik/rekap-pengaduan")
STREAMS = monitoring.STREAMS


@bp.before_request
@login_required
def require_login() -> None:
    """Staff only; each page then applies its stream's own rules (complaints.monitoring)."""


def _selection(stream_key: str):
    """The stream, the units the user may read, the chosen unit, the period and the period's error (404/403 on bad
    input; a period that cannot be read shows the current month with the error beside the field)."""
    stream = STREAMS.get(stream_key)
    if stream is None:
        abort(404)
    user = current_user._get_current_object()
    units = [u for u in list_units() if monitoring.can_read(user, stream, u.id)]
    if not units:
        abort(404 if stream is Stream.WBS else 403)
    slug = request.args.get("unit") or units[0].slug
    unit = next((u for u in units if u.slug == slug), None)
    if unit is None:
        abort(404)
    period = period_error = None
    try:
        period = parse_period(request.args.get("periode", "")[:40]) if request.args.get("periode") else None
    except PeriodError as exc:
        period_error = str(exc.messages[0])
    return stream, user, units, unit, period or clock.current_period("month"), period_error


@bp.route("/<stream_key>")
def page(stream_key: str):
    """Show the period's recap and its monitoring record (a handler of the stream gets the form, which posts to
    complaints' own route: the record is the complaints domain's table)."""
    stream, user, units, unit, period, period_error = _selection(stream_key)
    record = monitoring.get_record(unit_id=unit.id, period_key=period.key, stream=stream)
    recap = complaint_recap(period=period, unit_id=unit.id) if stream is Stream.COMPLAINT else None
    wbs = wbs_recap(period=period, unit_id=unit.id) if stream is Stream.WBS else None
    return render_template(
        "analytics/complaint_recap.html", stream_key=stream_key, units=units, unit=unit, period=period, recap=recap,
        wbs=wbs, record=record, form=MonitoringForm(obj=record), writable=monitoring.can_write(user, stream, unit.id),
        errors=[], channel_labels=CHANNEL_LABELS, period_error=period_error,
    ), 400 if period_error else 200  # fmt: skip
