"""Staff page for the SKM report's foreword and closing text of a unit and period (PUBLISH_RESULTS)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from analytics import report_text
from app.auth import Permission, permission_required
from app.directory import Unit
from app.errors import show_errors
from app.extensions import db
from app.periods import PeriodError, parse_period

bp = Blueprint("report_text", __name__, url_prefix="/analitik/teks-laporan")


class ReportTextForm(FlaskForm):
    """Empty text means the report's default text; the length is checked by the service."""

    foreword = TextAreaField(_l("Kata pengantar"), render_kw={"rows": 10})
    closing = TextAreaField(_l("Penutup (akhir BAB V, sebelum tanda tangan)"), render_kw={"rows": 6})


@bp.before_request
@permission_required(Permission.PUBLISH_RESULTS)
def require_publisher() -> None:
    """Only those who publish results edit the report's texts; a unit-scoped account sees only its unit (404)."""
    unit_id = (request.view_args or {}).get("unit_id")
    if unit_id is not None and not current_user.covers_unit(unit_id):
        abort(404)


@bp.route("/<int:unit_id>", methods=["GET", "POST"])
def edit(unit_id: int):
    """Show and save the foreword and closing of the report of one period."""
    unit = db.get_or_404(Unit, unit_id)
    try:
        period = parse_period(request.args.get("periode", "")[:40])
    except PeriodError:
        abort(400)
    stored = report_text.stored_text(unit_id=unit.id, period_key=period.key)
    form = ReportTextForm(obj=stored)
    if form.validate_on_submit():
        try:
            report_text.save_report_text(unit_id=unit.id, period_key=period.key, foreword=form.foreword.data or "",
                                         closing=form.closing.data or "", updated_by=current_user.username)  # fmt: skip
        except report_text.ReportTextError as exc:
            db.session.rollback()
            show_errors(exc, form)
            return _page(form, unit, period), 400
        db.session.commit()
        flash(_("Teks laporan disimpan."), "success")
        return redirect(url_for(".edit", unit_id=unit.id, periode=period.key), 303)
    return _page(form, unit, period), 400 if form.is_submitted() else 200


def _page(form: ReportTextForm, unit: Unit, period) -> str:
    return render_template("analytics/report_text.html", form=form, unit=unit, period=period,
                           default_foreword=report_text.DEFAULT_FOREWORD.format(unit=unit.name, period=period.label),
                           default_closing=report_text.DEFAULT_CLOSING,
                           limit=report_text.TEXT_MAX_CHARS)  # fmt: skip
