"""Staff pages: ask for a unit's Zona Integritas evidence pack of a year, follow its building, download it.

The pack is built outside the request by `flask evidence --queued` (cron): a year of reports takes longer than a
web request should. It holds no personal data, so everyone who reads the results may ask for and download it.
"""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired

from analytics.evidence.items import ITEMS
from analytics.evidence.pack import missing_items
from analytics.evidence.queue import PackError, ready_content, recent_packs, request_pack
from app import audit, clock
from app.audit import Action
from app.auth import Permission, abort_unless_unit_in_scope, permission_required
from app.directory import Unit, list_units
from app.errors import flash_errors
from app.extensions import db

bp = Blueprint("analytics_evidence", __name__, url_prefix="/analitik/bukti-zi")


@bp.before_request
@permission_required(Permission.VIEW_RESULTS)
def require_results_reader() -> None:
    """Those who read the results, for units their account covers (404 otherwise)."""
    abort_unless_unit_in_scope()


class PackForm(FlaskForm):
    year = IntegerField(validators=[InputRequired()])


@bp.route("/")
def index():
    """The first unit the account covers."""
    units = [u for u in list_units() if current_user.covers_unit(u.id)]
    if not units:
        abort(404)
    return redirect(url_for(".unit_packs", unit_id=units[0].id))


@bp.route("/units/<int:unit_id>", methods=["GET"])
def unit_packs(unit_id: int):
    """The unit's packs and the form to ask for one."""
    return _page(db.get_or_404(Unit, unit_id), PackForm(year=clock.today().year))


def _page(unit: Unit, form: PackForm, status: int = 200):
    units = [u for u in list_units() if current_user.covers_unit(u.id)]
    this_year = clock.today().year
    packs = recent_packs(unit.id)
    return render_template("analytics/evidence.html", unit=unit, units=units, form=form, packs=packs,
                           missing={p.id: missing_items(p.manifest) for p in packs},
                           years=range(this_year, this_year - 4, -1), items=ITEMS), status  # fmt: skip


@bp.route("/units/<int:unit_id>", methods=["POST"])
def ask(unit_id: int):
    """Queue a pack of the chosen year (or point to the one already waiting)."""
    unit = db.get_or_404(Unit, unit_id)
    form = PackForm()
    if not form.validate_on_submit():
        flash(_("Pilih tahun paket bukti."), "error")
        return _page(unit, form, 400)
    try:
        _pack, new = request_pack(unit=unit, year=form.year.data, requested_by=current_user.username,
                                  this_year=clock.today().year)  # fmt: skip
    except PackError as exc:
        db.session.rollback()
        flash_errors(exc)
        return _page(unit, form, 400)
    db.session.commit()
    if new:
        flash(_("Paket bukti %(year)d diminta; tugas terjadwal membuatnya dalam beberapa menit.", year=form.year.data),
              "success")  # fmt: skip
    else:
        flash(_("Paket bukti %(year)d sudah diminta dan sedang menunggu dibuat.", year=form.year.data), "success")
    return redirect(url_for(".unit_packs", unit_id=unit.id), code=303)


@bp.route("/units/<int:unit_id>/<int:pack_id>.zip")
def download(unit_id: int, pack_id: int):
    """A ready pack as a ZIP download (audited)."""
    unit = db.get_or_404(Unit, unit_id)
    found = ready_content(pack_id, unit.id)
    if found is None:
        abort(404)
    year, content = found
    audit.record(Action.EXPORT, actor=current_user, object_type="evidence_pack", object_id=pack_id, unit_id=unit.id,
                 detail=f"zip {year}")  # fmt: skip
    db.session.commit()
    headers = {"Content-Disposition": f'attachment; filename="bukti-zi-{unit.slug}-{year}.zip"',
               "Cache-Control": "no-store"}  # fmt: skip
    return Response(content, mimetype="application/zip", headers=headers)
