"""Staff pages of the survey: a counter's QR poster, one-time codes, and paper questionnaire imports."""

from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, Length, NumberRange, Regexp

from app import clock
from app.auth import Permission, permission_required
from app.directory import AccessMode, Counter, Service, Unit
from app.extensions import db
from app.periods import frozen_periods, frozen_periods_of
from app.text import clean

bp = Blueprint("survey_staff", __name__, url_prefix="/admin")


@bp.before_request
@permission_required(Permission.COUNTER_WORK)
def require_counter_work() -> None:
    """Counter staff (and administrators) only, and only for counters and units their account covers (404)."""
    args = request.view_args or {}
    if "counter_id" in args:
        counter = db.get_or_404(Counter, args["counter_id"])
        if not current_user.covers_unit(counter.unit_id):
            abort(404)
    if "unit_id" in args and not current_user.covers_unit(args["unit_id"]):
        abort(404)


# The most slips one web download draws: 30 A4 pages, about ten seconds on a 2-core machine. A larger PDF would
# outlast a worker's timeout (gunicorn's default is 30 s) after its codes were stored, so they would never be handed
# out. `flask survey tokens --format pdf` draws a whole batch (up to 5000).
PDF_MAX_ON_THE_WEB = 630


class TokenForm(FlaskForm):
    count = IntegerField(_l("Jumlah kode"), default=63, validators=[DataRequired(), NumberRange(1, 5000)])
    fmt = RadioField(
        _l("Bentuk unduhan"),
        choices=[
            SelectChoice("pdf", _l("Lembar potong A4 (PDF)")),
            SelectChoice("csv", _l("CSV untuk sistem antrean")),
        ],
        default="pdf",
    )

    def validate_count(self, field) -> None:
        if self.fmt.data == "pdf" and field.data and field.data > PDF_MAX_ON_THE_WEB:
            raise ValidationError(
                _l(
                    "Lembar PDF paling banyak %(n)d kode sekali unduh; untuk lebih banyak, unduh lagi atau pilih CSV.",
                    n=PDF_MAX_ON_THE_WEB,
                )
            )


class ImportForm(FlaskForm):
    service = SelectField(_l("Layanan"), coerce=int)
    period = StringField(_l("Periode (YYYY-MM)"), validators=[DataRequired(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$")])
    file = FileField(_l("Berkas CSV atau XLSX"), validators=[FileRequired()])
    into_published = BooleanField(
        _l("Saya mengerti periode ini sudah dipublikasikan: impor ini tidak mengubah angka publikasi.")
    )
    u8_facilities = BooleanField(_l("Kolom U8 berkas ini Sarana dan U9 Pengaduan (urutan contoh kuesioner Permen)"))


class KioskForm(FlaskForm):
    label = StringField(
        _l("Nama perangkat"),
        default=lambda: _("Tablet loket"),
        validators=[DataRequired(), Length(max=80)],
        filters=[clean],
    )


def _download(body, mimetype: str, filename: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(body, mimetype=mimetype, headers=headers)


@bp.route("/counters/<int:counter_id>/poster.<fmt>")
def counter_poster(counter_id: int, fmt: str):
    """Download a counter's A4 QR poster as PDF or PNG."""
    from survey.counter_poster import poster_of

    if fmt not in ("pdf", "png"):
        abort(404)
    counter = db.get_or_404(Counter, counter_id)
    data = poster_of(counter, fmt=fmt)
    mimetype = "application/pdf" if fmt == "pdf" else "image/png"
    return _download(data, mimetype, f"poster-qr-{counter.unit.slug}-{counter.slug}.{fmt}")


@bp.route("/counters/<int:counter_id>/tokens", methods=["GET", "POST"])
def counter_tokens(counter_id: int):
    """Issue one-time codes for a token counter and hand them out, once, as cut-out slips (PDF) or CSV."""
    from survey import slips
    from survey.tokens import issue_tokens

    counter = db.get_or_404(Counter, counter_id)
    if counter.access_mode != AccessMode.TOKEN:
        abort(404)
    form = TokenForm()
    if form.validate_on_submit():
        issued = issue_tokens(counter=counter, count=form.count.data)
        db.session.commit()  # before drawing: slips take seconds, and must not hold the database's write lock
        if form.fmt.data == "csv":
            return _download(slips.token_csv(issued), "text/csv", slips.filename(issued, "csv"))
        return _download(slips.token_slips(issued), "application/pdf", slips.filename(issued, "pdf"))
    days = current_app.config["SURVEY_TOKEN_MAX_AGE_DAYS"]
    valid_until = clock.today() + timedelta(days=days)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "survey/staff/tokens.html", form=form, counter=counter, valid_until=valid_until, days=days
    ), status


@bp.route("/units/<int:unit_id>/import", methods=["GET", "POST"])
def import_responses(unit_id: int):
    """Import paper questionnaires for a unit, service and month; all rows or none."""
    from survey.importer import ImportRejected, import_file

    unit = db.get_or_404(Unit, unit_id)
    form = ImportForm()
    form.service.choices = [SelectChoice(s.id, s.name) for s in unit.services]
    errors, notes = [], []
    frozen = frozen_periods_of(unit.id, form.period.data or "") if form.is_submitted() else []
    if form.validate_on_submit() and (not frozen or form.into_published.data):
        service = db.get_or_404(Service, form.service.data)
        upload = form.file.data
        try:
            batch = import_file(unit=unit, service=service, period=form.period.data, filename=upload.filename or "",
                                content=upload.read(), imported_by=current_user.username, notes=notes,
                                u8_facilities=form.u8_facilities.data)  # fmt: skip
        except ImportRejected as exc:
            db.session.rollback()
            errors = exc.messages
        else:
            db.session.commit()
            flash(_("%(n)d respons diimpor (batch #%(id)d).", n=batch.row_count, id=batch.id), "success")
            for note in notes:  # which sheet was read, which rows were left out and why
                flash(_("Catatan: %(note)s", note=str(note)), "note")
            for period in frozen_periods_of(unit.id, form.period.data):  # read back after the import: unchanged
                flash(_("%(period)s sudah dipublikasikan; angka publikasi tidak berubah: %(summary)s. Data baru "
                        "tampil sebagai angka sementara.", period=period.label, summary=str(period.summary)),
                      "success")  # fmt: skip
            return redirect(url_for("admin.index"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "survey/staff/import.html",
        form=form,
        unit=unit,
        errors=errors,
        notes=notes,
        frozen=frozen,
        published=frozen_periods(unit.id)[:24],
    ), status


@bp.route("/counters/<int:counter_id>/kiosks", methods=["GET", "POST"])
def counter_kiosks(counter_id: int):
    """A counter's kiosks. Registering one turns the browser that sends the form into that kiosk and logs its
    officer out there: the tablet is left showing the survey, with no staff account open on it."""
    from survey import kiosks

    counter = db.get_or_404(Counter, counter_id)
    if counter.access_mode == AccessMode.ASSISTED:
        abort(404)  # an assisted counter's form needs an officer logged in; a kiosk has none
    form = KioskForm()
    if form.validate_on_submit():
        kiosk = kiosks.register(counter, label=form.label.data, actor=current_user)
        db.session.commit()
        logout_user()
        session.clear()
        target = url_for("survey.form", unit_slug=counter.unit.slug, counter_slug=counter.slug)
        return kiosks.set_cookie(redirect(target, code=303), kiosk)
    return render_template(
        "survey/staff/kiosks.html", form=form, counter=counter, kiosks=kiosks.counter_kiosks(counter),
        switch_off=FlaskForm(),
    ), 400 if form.is_submitted() else 200  # fmt: skip


@bp.route("/counters/<int:counter_id>/kiosks/<int:kiosk_id>/off", methods=["POST"])
def switch_off_kiosk(counter_id: int, kiosk_id: int):
    """Switch a kiosk off: that tablet shows the ordinary survey from its next page."""
    from survey import kiosks
    from survey.models import Kiosk

    kiosk = db.get_or_404(Kiosk, kiosk_id)
    if kiosk.counter_id != counter_id:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if kiosk.active:
        kiosks.switch_off(kiosk, actor=current_user)
        db.session.commit()
    flash(_("Kios “%(label)s” dimatikan.", label=kiosk.label), "success")
    return redirect(url_for("survey_staff.counter_kiosks", counter_id=counter_id))
