"""Staff page: the respondents' suggestions of a unit and period, what the report prints of each, and hiding one.

For those who prepare and publish the report (PPID, administrators): they read the raw text, see it as the
report will print it (personal data masked by ``app.redact``), and can keep a suggestion out of the report.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from app import audit, clock
from app.audit import Action
from app.auth import Permission, abort_unless_unit_in_scope, permission_required
from app.directory import Unit
from app.extensions import db
from app.periods import PeriodError, parse_period
from app.text import ascii_int, clean
from survey.models import Response
from survey.service import hide_suggestion, show_suggestion
from survey.suggestions import PAGE_SIZE, suggestions

bp = Blueprint("survey_suggestions", __name__, url_prefix="/admin")


@bp.before_request
@permission_required(Permission.PUBLISH_RESULTS)
def require_publishing() -> None:
    """Those who publish results, for units their account covers (404 otherwise)."""
    abort_unless_unit_in_scope()


class HideForm(FlaskForm):
    response = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,12}$")])
    action = HiddenField(validators=[DataRequired(), Regexp(r"^(hide|show)$")])
    reason = StringField(validators=[Length(max=200)], filters=[clean])


@bp.route("/units/<int:unit_id>/saran", methods=["GET"])
def review(unit_id: int):
    """A period's suggestions, newest first, a page at a time."""
    return _page(db.get_or_404(Unit, unit_id))


def _page(unit: Unit, error: str | None = None):
    """The review page of the period and page named in the query string (400 with the message on bad input)."""
    try:
        period = parse_period(request.args.get("periode") or clock.current_period("month").key)
    except PeriodError as exc:
        period, error = None, str(exc.messages[0])
    items, total, page = [], 0, ascii_int(request.args.get("hal")) or 1
    if period is not None:
        items, total = suggestions(unit_id=unit.id, first=period.start, last=period.last_day, page=page)
    pages = max(1, -(-total // PAGE_SIZE))
    page_html = render_template("survey/staff/suggestions.html", unit=unit, period=period, error=error, items=items,
                                total=total, page=page, pages=pages, form=HideForm())  # fmt: skip
    return page_html, 400 if error else 200


@bp.route("/units/<int:unit_id>/saran", methods=["POST"])
def hide_or_show(unit_id: int):
    """Hide a suggestion from the report, or let it appear again; recorded in the audit log."""
    unit = db.get_or_404(Unit, unit_id)
    form = HideForm()
    back = url_for(".review", unit_id=unit.id, periode=request.args.get("periode"), hal=request.args.get("hal"))
    if not form.validate_on_submit():
        return _page(unit, _("Permintaan tidak sah; muat ulang halaman lalu coba lagi."))
    response = db.session.get(Response, int(form.response.data))
    if response is None or response.unit_id != unit.id or not (response.suggestion or "").strip():
        abort(404)
    if form.action.data == "hide":
        hide_suggestion(response=response, hidden_by=current_user.username, reason=form.reason.data or "")
        flash(_("Saran responden #%(id)d tidak akan dimuat dalam laporan.", id=response.id), "success")
    else:
        show_suggestion(response=response)
        flash(_("Saran responden #%(id)d kembali dimuat dalam laporan.", id=response.id), "success")
    audit.record(Action.SUGGESTION_HIDDEN if form.action.data == "hide" else Action.SUGGESTION_SHOWN,
                 actor=current_user, object_type="response", object_id=response.id, unit_id=unit.id)  # fmt: skip
    db.session.commit()
    return redirect(back), 303
