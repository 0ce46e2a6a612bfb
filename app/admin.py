"""Administration pages of the shell: the organisation directory (units, services, counters)."""

from collections.abc import Callable

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app import directory, unit_settings
from app.auth import Permission, home_url
from app.directory import AccessMode, Counter, DirectoryError, Service, ServiceKind, Unit
from app.errors import show_errors
from app.extensions import db
from app.links import survey_url

bp = Blueprint("admin", __name__, url_prefix="/admin")

SLUG_HELP = _l("huruf kecil, angka, tanda hubung; dipakai di tautan QR dan tidak dapat diubah")
MODE_LABELS = {
    AccessMode.STATIC: _l("QR tetap (cookie perangkat; lonjakan ditandai)"),
    AccessMode.TOKEN: _l("Token sekali pakai (dicetak di struk/tiket antrean)"),
    AccessMode.ASSISTED: _l("Dibantu petugas (petugas masuk, jawaban ditandai)"),
}
KIND_LABELS = {
    ServiceKind.PERIZINAN: _l("Perizinan"),
    ServiceKind.NONPERIZINAN: _l("Nonperizinan"),
    ServiceKind.LAINNYA: _l("Lainnya"),
}


# The counter list is for counter staff; every other page here edits the directory.
ENDPOINT_PERMISSIONS = {"admin.counters": Permission.COUNTER_WORK}


@bp.before_request
@login_required
def require_permission():
    """Directory pages need MANAGE_DIRECTORY; the directory home sends other staff to their own home page."""
    permission = ENDPOINT_PERMISSIONS.get(request.endpoint or "", Permission.MANAGE_DIRECTORY)
    if current_user.can(permission):
        return None
    if request.endpoint == "admin.index":
        return redirect(home_url(current_user))
    abort(403)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UnitForm(FlaskForm):
    name = StringField(_l("Nama unit"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Kode"), validators=[Optional(), Length(max=60), Regexp(directory.SLUG_RE.pattern)], description=SLUG_HELP
    )
    address = StringField(_l("Alamat"), validators=[Optional(), Length(max=300)])


class ReportSettingsForm(FlaskForm):
    head_name = StringField(_l("Nama kepala unit"), validators=[Optional(), Length(max=200)])
    head_nip = StringField(_l("NIP kepala unit"), validators=[Optional(), Length(max=40)], description=_l("18 angka"))
    head_position = StringField(
        _l("Jabatan"), validators=[Optional(), Length(max=200)], description=_l("misalnya Kepala Dinas")
    )
    city = StringField(_l("Kota tempat penandatanganan"), validators=[Optional(), Length(max=100)])
    logo = FileField(_l("Logo (PNG atau JPEG, paling besar 1 MB)"))
    remove_logo = BooleanField(_l("Hapus logo"))


class ServiceForm(FlaskForm):
    name = StringField(_l("Nama layanan"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Jenis"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()])
    active = BooleanField(_l("Aktif"), default=True)


class CounterForm(FlaskForm):
    name = StringField(_l("Nama loket"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Kode"), validators=[Optional(), Length(max=60), Regexp(directory.SLUG_RE.pattern)], description=SLUG_HELP
    )
    services = MultiCheckboxField(_l("Layanan (kosong = semua layanan unit)"), coerce=int)
    access_mode = SelectField(
        _l("Perlindungan dari pengisian berulang"), choices=[SelectChoice(m.value, v) for m, v in MODE_LABELS.items()]
    )
    active = BooleanField(_l("Aktif"), default=True)


def _get(model, ident: int):
    return db.get_or_404(model, ident)


def _form_page(form, title: str, save: Callable[[], object], saved: str):
    """Validate a directory form, run `save` and commit, or show the form again with its errors (400)."""
    if form.validate_on_submit():
        try:
            save()
        except DirectoryError as exc:
            db.session.rollback()
            show_errors(exc, form)
            return render_template("admin/form.html", form=form, title=title), 400
        db.session.commit()
        flash(saved, "success")
        return redirect(url_for("admin.index"))
    return render_template("admin/form.html", form=form, title=title), 400 if form.is_submitted() else 200


@bp.route("/")
def index():
    """Show every unit with its services and counters."""
    return render_template(
        "admin/index.html",
        units=directory.list_units(),
        mode_labels=MODE_LABELS,
        kind_labels=KIND_LABELS,
        survey_url=survey_url,
    )


@bp.route("/loket")
def counters():
    """The counters of the units this account covers, with their survey links, posters, tokens and paper import."""
    units = [unit for unit in directory.list_units() if current_user.covers_unit(unit.id)]
    return render_template("admin/counters.html", units=units, mode_labels=MODE_LABELS, survey_url=survey_url)


@bp.route("/units/new", methods=["GET", "POST"])
def unit_new():
    """Add a unit."""
    form = UnitForm()
    save = lambda: directory.create_unit(  # noqa: E731
        name=form.name.data, slug=form.slug.data or None, address=form.address.data or ""
    )
    return _form_page(form, _("Unit baru"), save, _("Unit disimpan."))


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
def unit_edit(unit_id: int):
    """Rename a unit or change its address."""
    unit = _get(Unit, unit_id)
    form = UnitForm(obj=unit)
    del form.slug
    save = lambda: directory.update_unit(unit, name=form.name.data, address=form.address.data or "")  # noqa: E731
    return _form_page(form, unit.name, save, _("Unit disimpan."))


@bp.route("/units/<int:unit_id>/services/new", methods=["GET", "POST"])
def service_new(unit_id: int):
    """Add a service to a unit."""
    unit = _get(Unit, unit_id)
    form = ServiceForm()
    save = lambda: directory.create_service(unit=unit, name=form.name.data, kind=form.kind.data)  # noqa: E731
    return _form_page(form, _("Layanan baru: %(unit)s", unit=unit.name), save, _("Layanan disimpan."))


@bp.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
def service_edit(service_id: int):
    """Rename, reclassify or deactivate a service."""
    service = _get(Service, service_id)
    form = ServiceForm(obj=service, kind=service.kind.value)
    save = lambda: directory.update_service(  # noqa: E731
        service, name=form.name.data, kind=form.kind.data, active=form.active.data
    )
    return _form_page(form, service.name, save, _("Layanan disimpan."))


def _counter_form(unit: Unit, counter: Counter | None = None) -> CounterForm:
    if counter is None:
        form = CounterForm()
    else:
        form = CounterForm(obj=counter, access_mode=counter.access_mode.value)
        if not form.is_submitted():
            form.services.data = [s.id for s in counter.services]
    form.services.choices = [SelectChoice(s.id, s.name) for s in unit.services]
    return form


def _chosen_services(unit: Unit, ids: list[int]) -> list[Service]:
    by_id = {s.id: s for s in unit.services}
    return [by_id[i] for i in ids if i in by_id]


@bp.route("/units/<int:unit_id>/counters/new", methods=["GET", "POST"])
def counter_new(unit_id: int):
    """Add a counter to a unit."""
    unit = _get(Unit, unit_id)
    form = _counter_form(unit)

    def save():
        directory.create_counter(
            unit=unit,
            name=form.name.data,
            slug=form.slug.data or None,
            services=_chosen_services(unit, form.services.data),
            access_mode=form.access_mode.data,
        )

    return _form_page(form, _("Loket baru: %(unit)s", unit=unit.name), save, _("Loket disimpan."))


@bp.route("/counters/<int:counter_id>/edit", methods=["GET", "POST"])
def counter_edit(counter_id: int):
    """Change a counter's name, services, access mode or status."""
    counter = _get(Counter, counter_id)
    form = _counter_form(counter.unit, counter)
    del form.slug

    def save():
        directory.update_counter(
            counter,
            name=form.name.data,
            services=_chosen_services(counter.unit, form.services.data),
            access_mode=form.access_mode.data,
            active=form.active.data,
        )

    return _form_page(form, counter.name, save, _("Loket disimpan."))


@bp.route("/units/<int:unit_id>/laporan", methods=["GET", "POST"])
def unit_report_settings(unit_id: int):
    """The unit's report settings: logo, the office head's name, NIP and position, the signature line's city."""
    unit = _get(Unit, unit_id)
    current = unit_settings.report_settings(unit.id, with_logo=False)
    form = ReportSettingsForm(obj=current)
    title = _("Pengaturan laporan: %(unit)s", unit=unit.name)
    if form.validate_on_submit():
        upload = form.logo.data
        try:
            unit_settings.save_report_settings(
                unit_id=unit.id,
                head_name=form.head_name.data or "",
                head_nip=form.head_nip.data or "",
                head_position=form.head_position.data or "",
                city=form.city.data or "",
                logo=upload.read() if upload and upload.filename else None,
                remove_logo=form.remove_logo.data,
            )
        except unit_settings.SettingsError as exc:
            db.session.rollback()
            show_errors(exc, form)
            return _settings_page(form, title, unit), 400
        db.session.commit()
        flash(_("Pengaturan laporan disimpan."), "success")
        return redirect(url_for("admin.index"))
    return _settings_page(form, title, unit), 400 if form.is_submitted() else 200


def _settings_page(form: ReportSettingsForm, title: str, unit: Unit) -> str:
    has_logo = unit_settings.report_settings(unit.id).logo_png is not None
    return render_template("admin/report_settings.html", form=form, title=title, unit=unit, has_logo=has_logo)


@bp.route("/units/<int:unit_id>/logo.png")
def unit_logo(unit_id: int):
    """The unit's stored (cleaned) logo."""
    logo = unit_settings.report_settings(_get(Unit, unit_id).id).logo_png
    if logo is None:
        abort(404)
    return Response(logo, mimetype="image/png", headers={"Cache-Control": "no-store"})
