"""Staff pages of the publication log: list a unit's period entries, add one (link and/or photo), remove one.

Reading needs VIEW_RESULTS, adding and removing PUBLISH_RESULTS; a unit-scoped account sees only its unit (404).
"""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Optional

from analytics import publication_log
from analytics.models import PublicationMedium
from app import clock
from app.auth import Permission, permission_required
from app.directory import Unit, list_units
from app.errors import DomainError
from app.extensions import db
from app.periods import PeriodError, parse_period

bp = Blueprint("publication_log", __name__, url_prefix="/analitik/log-publikasi")
MEDIUM_LABELS = {
    PublicationMedium.NOTICE_BOARD: _l("Papan pengumuman"),
    PublicationMedium.WEBSITE: _l("Situs web"),
    PublicationMedium.SOCIAL_MEDIA: _l("Media sosial"),
    PublicationMedium.OTHER: _l("Lainnya"),
}
WRITING = frozenset({"publication_log.add", "publication_log.remove"})


class EntryForm(FlaskForm):
    """One publication; the service checks the medium, the date, the link and the photo."""

    medium = SelectField(_l("Media"), choices=[SelectChoice(m.value, label) for m, label in MEDIUM_LABELS.items()])
    published_on = DateField(_l("Tanggal publikasi"), validators=[Optional()])
    url = StringField(_l("Tautan (situs web atau media sosial)"))
    note = StringField(_l("Catatan"))


@bp.before_request
@permission_required(Permission.VIEW_RESULTS)
def require_results_reader() -> None:
    if request.endpoint in WRITING and not current_user.can(Permission.PUBLISH_RESULTS):
        abort(403)


def _unit_and_period(period_errors: list[str] | None = None) -> tuple[list[Unit], Unit, object]:
    """The units the account covers, the chosen unit and period (404 on an unknown unit; a period that cannot be read
    is a 400, or, given `period_errors`, the current month with the error added there)."""
    units = [u for u in list_units() if current_user.covers_unit(u.id)]
    slug = request.values.get("unit") or (units[0].slug if units else None)
    unit = next((u for u in units if u.slug == slug), None)
    if unit is None:
        abort(404)
    key = request.values.get("periode", "")[:40]
    try:
        return units, unit, parse_period(key) if key else clock.current_period("month")
    except PeriodError as exc:
        if period_errors is None:
            abort(400)
        period_errors.append(str(exc.messages[0]))
        return units, unit, clock.current_period("month")


def _page(units, unit, period, form, errors=(), status=200, period_error=None):
    return render_template(
        "analytics/publication_log.html", units=units, unit=unit, period=period, form=form, errors=errors,
        period_error=period_error,
        entries=publication_log.entries(unit_id=unit.id, period_key=period.key), labels=MEDIUM_LABELS,
        grade=publication_log.openness_grade(unit_id=unit.id, year=period.start.year),
    ), status  # fmt: skip


def _back(unit: Unit, period):
    return redirect(url_for(".index", unit=unit.slug, periode=period.key), 303)


@bp.route("/")
def index():
    """The period's publication entries, the year's LKE VI.iv.b grade, and the form to add one."""
    period_errors: list[str] = []
    units, unit, period = _unit_and_period(period_errors)
    if period_errors:
        return _page(units, unit, period, EntryForm(), status=400, period_error=period_errors[0])
    return _page(units, unit, period, EntryForm())


def _photo_upload() -> bytes | None:
    """The uploaded photo's bytes (at most the limit plus one, so the cleaner can refuse it), or None."""
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return None
    return upload.read(current_app.config["COMPLAINT_ATTACHMENT_MAX_BYTES"] + 1) or b""


@bp.route("/", methods=["POST"])
def add():
    """Log one publication of the period's results (a link and/or a photo)."""
    units, unit, period = _unit_and_period()
    form = EntryForm()
    if not form.validate_on_submit():
        errors = [f"{form[name].label.text}: {' '.join(map(str, msgs))}" for name, msgs in form.errors.items()]
        return _page(units, unit, period, form, errors, 400)
    try:
        publication_log.add_entry(
            unit_id=unit.id, period=period, medium=form.medium.data, published_on=form.published_on.data,
            url=form.url.data or "", photo=_photo_upload(), note=form.note.data or "", by=current_user.username,
        )  # fmt: skip
    except DomainError as exc:
        db.session.rollback()
        return _page(units, unit, period, form, [str(message) for message in exc.messages], 400)
    db.session.commit()
    flash(_("Publikasi dicatat."), "success")
    return _back(unit, period)


@bp.route("/<int:entry_id>/hapus", methods=["POST"])
def remove(entry_id: int):
    """Remove one entry of the unit."""
    _units, unit, period = _unit_and_period()
    if not publication_log.remove_entry(unit_id=unit.id, entry_id=entry_id):
        abort(404)
    db.session.commit()
    flash(_("Catatan publikasi dihapus."), "success")
    return _back(unit, period)


@bp.route("/<int:entry_id>/foto")
def photo(entry_id: int):
    """Serve an entry's photo (re-encoded at upload, so safe to show inline)."""
    _units, unit, _period = _unit_and_period()
    found = publication_log.photo(unit_id=unit.id, entry_id=entry_id)
    if found is None:
        abort(404)
    body, mimetype = found
    return Response(body, mimetype=mimetype, headers={"Cache-Control": "private, no-store"})
