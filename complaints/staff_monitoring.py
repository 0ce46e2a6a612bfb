"""Staff action: save a period's monitoring-and-evaluation record of complaint or WBS handling.

The record is the complaints domain's table, so it is written here; the page that shows it beside the period's
recap is analytics' (`/analitik/rekap-pengaduan/`), whose form posts to this route and to which it returns.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.directory import get_unit_by_slug
from app.errors import DomainError
from app.extensions import db
from app.periods import PeriodError, parse_period
from complaints import monitoring
from complaints.models import Stream
from complaints.service import save_monitoring_record
from complaints.staff_forms import MonitoringForm

bp = Blueprint("complaint_monitoring", __name__, url_prefix="/admin/monev")
STREAMS = monitoring.STREAMS


@bp.before_request
@login_required
def require_login() -> None:
    """Staff only; each page then applies its stream's own rules (complaints.monitoring)."""


@bp.route("/<stream_key>", methods=["POST"])
def save(stream_key: str):
    """Create or update the record of `?unit=SLUG&periode=KEY`; back to the recap page, or a 400 with the errors."""
    stream = STREAMS.get(stream_key)
    unit = get_unit_by_slug(request.args.get("unit", "")[:80])
    user = current_user._get_current_object()
    if stream is None or unit is None:
        abort(404)
    if not monitoring.can_write(user, stream, unit.id):
        # WBS records do not exist for anyone but WBS handlers; a complaint record's readers may not change it
        abort(403 if stream is Stream.COMPLAINT else 404)
    try:
        period = parse_period(request.args.get("periode", "")[:40])
    except PeriodError:
        abort(400)
    form = MonitoringForm()
    back = url_for("complaint_recap.page", stream_key=stream_key, unit=unit.slug, periode=period.key)
    if form.validate_on_submit():
        try:
            save_monitoring_record(unit_id=unit.id, period=period, stream=stream, findings=form.findings.data,
                                   follow_up=form.follow_up.data, follow_up_done=form.follow_up_done.data,
                                   follow_up_done_on=form.follow_up_done_on.data, by=user)  # fmt: skip
        except DomainError as exc:
            db.session.rollback()
            errors = [str(message) for message in exc.messages]
        else:
            db.session.commit()
            flash(_("Catatan monitoring dan evaluasi disimpan."), "success")
            return redirect(back, 303)
    else:
        errors = [f"{form[name].label.text}: {' '.join(map(str, messages))}" for name, messages in form.errors.items()]
    return render_template("complaints/staff/monitoring_form.html", form=form, errors=errors, back=back, unit=unit,
                           period=period, action=request.full_path), 400  # fmt: skip
