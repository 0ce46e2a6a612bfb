"""Staff pages of the paper import: upload, preview, confirm, history, cancel, templates (on `survey.staff.bp`,
whose guard admits counter staff and administrators for the units their account covers).

An upload is validated and kept as a pending batch in the database (`survey.import_batches`); the preview page
reads it back, and only its confirmation stores responses.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from app.directory import Service, Unit
from app.extensions import db
from app.periods import frozen_periods, frozen_periods_of
from app.text import clean
from survey import import_batches
from survey.import_batches import BatchError
from survey.importer import ImportPreview, ImportRejected, duplicate_message, read_import
from survey.models import BatchStatus, ImportBatch
from survey.staff import _download, bp

INTO_PUBLISHED = _l("Saya mengerti periode ini sudah dipublikasikan: impor ini tidak mengubah angka publikasi.")
ALLOW_DUPLICATE = _l("Saya tahu jawaban yang sama sudah diimpor; tetap impor berkas ini.")


class ImportForm(FlaskForm):
    service = SelectField(_l("Layanan"), coerce=int)
    period = StringField(_l("Periode (YYYY-MM)"), validators=[DataRequired(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$")])
    file = FileField(_l("Berkas CSV atau XLSX"), validators=[FileRequired()])
    u8_facilities = BooleanField(_l("Kolom U8 berkas ini Sarana dan U9 Pengaduan (urutan contoh kuesioner Permen)"))
    service_column = BooleanField(
        _l("Layanan dibaca per baris dari kolom \u201clayanan\u201d (kosong: layanan yang dipilih di atas)")
    )


class ConfirmForm(FlaskForm):
    into_published = BooleanField(INTO_PUBLISHED)
    allow_duplicate = BooleanField(ALLOW_DUPLICATE)


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Alasan pembatalan"), validators=[DataRequired(), Length(max=500)], filters=[clean])


def _upload_form(unit: Unit) -> ImportForm:
    form = ImportForm()
    form.service.choices = [SelectChoice(s.id, s.name) for s in unit.services]
    return form


def _upload_page(unit: Unit, form: ImportForm, errors=(), notes=(), status: int = 200):
    return render_template("survey/staff/import.html", form=form, unit=unit, errors=errors, notes=notes,
                           published=frozen_periods(unit.id)[:24]), status  # fmt: skip


@bp.route("/units/<int:unit_id>/import", methods=["GET", "POST"])
def import_responses(unit_id: int):
    """Upload a file of paper questionnaires for a unit, service and month: checked and kept for the preview."""
    unit = db.get_or_404(Unit, unit_id)
    form = _upload_form(unit)
    if not form.validate_on_submit():
        return _upload_page(unit, form, status=400 if form.is_submitted() else 200)
    service = db.get_or_404(Service, form.service.data)
    upload = form.file.data
    content = upload.read()
    try:
        preview = read_import(unit=unit, service=service, period=form.period.data, filename=upload.filename or "",
                              content=content, u8_facilities=form.u8_facilities.data,
                              service_column=form.service_column.data)  # fmt: skip
    except ImportRejected as exc:
        return _upload_page(unit, form, exc.messages, exc.notes, 400)
    batch = import_batches.stage_upload(preview=preview, content=content, uploaded_by=current_user.username)
    db.session.commit()
    return redirect(url_for("survey_staff.import_preview", unit_id=unit.id, batch_id=batch.id), code=303)


def _preview_page(unit: Unit, batch: ImportBatch, preview: ImportPreview, form: ConfirmForm, errors=(), status=200):
    return render_template("survey/staff/import_preview.html", unit=unit, batch=batch, preview=preview, form=form,
                           errors=errors, duplicate=duplicate_message(preview.duplicates),
                           discard=FlaskForm()), status  # fmt: skip


@bp.route("/units/<int:unit_id>/import/<int:batch_id>", methods=["GET", "POST"])
def import_preview(unit_id: int, batch_id: int):
    """What the upload would store; confirming it (with the ticks its warnings ask for) stores it."""
    unit = db.get_or_404(Unit, unit_id)
    try:
        batch = import_batches.pending_upload(unit=unit, batch_id=batch_id)
        preview = import_batches.preview_of(batch)
    except (BatchError, ImportRejected) as exc:  # expired, confirmed already, or no longer valid: upload again
        return _upload_page(unit, _upload_form(unit), exc.messages, status=410)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _preview_page(unit, batch, preview, form, status=400 if form.is_submitted() else 200)
    errors = []
    if preview.duplicates and not form.allow_duplicate.data:
        errors.append(_("Centang konfirmasi impor ulang: jawaban yang sama sudah diimpor."))
    if preview.frozen and not form.into_published.data:
        errors.append(_("Centang konfirmasi periode yang sudah dipublikasikan."))
    if errors:
        return _preview_page(unit, batch, preview, form, errors, 400)
    stored = import_batches.confirm_upload(batch=batch, preview=preview, confirmed_by=current_user.username,
                                           allow_duplicate=form.allow_duplicate.data)  # fmt: skip
    db.session.commit()
    flash(_("%(n)d respons diimpor (batch #%(id)d).", n=stored.row_count, id=stored.id), "success")
    for period in frozen_periods_of(unit.id, stored.period):  # read back after the import: unchanged
        flash(_("%(period)s sudah dipublikasikan; angka publikasi tidak berubah: %(summary)s. Data baru "
                "tampil sebagai angka sementara.", period=period.label, summary=str(period.summary)),
              "success")  # fmt: skip
    return redirect(url_for("survey_staff.import_history", unit_id=unit.id), code=303)


@bp.route("/units/<int:unit_id>/import/<int:batch_id>/discard", methods=["POST"])
def import_discard(unit_id: int, batch_id: int):
    """Forget a pending upload without importing it."""
    unit = db.get_or_404(Unit, unit_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        import_batches.discard_upload(import_batches.pending_upload(unit=unit, batch_id=batch_id))
    except BatchError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Unggahan dibuang; tidak ada yang diimpor."), "success")
    return redirect(url_for("survey_staff.import_responses", unit_id=unit.id), code=303)


@bp.route("/units/<int:unit_id>/imports")
def import_history(unit_id: int):
    """A unit's imports: who, when, which file (name and hash), how many rows, service, period, status."""
    unit = db.get_or_404(Unit, unit_id)
    return render_template("survey/staff/import_history.html", unit=unit,
                           batches=import_batches.unit_history(unit.id), stored=BatchStatus.STORED)  # fmt: skip


@bp.route("/units/<int:unit_id>/imports/<int:batch_id>/cancel", methods=["GET", "POST"])
def import_cancel(unit_id: int, batch_id: int):
    """Cancel a stored batch, with a reason: its responses are deleted and the cancellation recorded."""
    unit = db.get_or_404(Unit, unit_id)
    batch = db.get_or_404(ImportBatch, batch_id)
    if batch.unit_id != unit.id or batch.status == BatchStatus.PENDING:
        abort(404)
    form = CancelForm()
    errors = []
    if form.validate_on_submit():
        try:
            deleted = import_batches.cancel_batch(batch=batch, cancelled_by=current_user.username,
                                                  reason=form.reason.data)  # fmt: skip
        except BatchError as exc:
            db.session.rollback()
            errors = exc.messages
        else:
            db.session.commit()
            flash(_("Batch #%(id)d dibatalkan: %(n)d respons dihapus.", id=batch.id, n=deleted), "success")
            return redirect(url_for("survey_staff.import_history", unit_id=unit.id), code=303)
    refused = errors and not any(m.field == "reason" for m in errors)  # published, or not a stored batch
    status = (409 if refused else 400) if form.is_submitted() else 200
    return render_template("survey/staff/import_cancel.html", unit=unit, batch=batch, form=form, errors=errors,
                           frozen=frozen_periods_of(unit.id, batch.period)), status  # fmt: skip


@bp.route("/units/<int:unit_id>/import/template.<fmt>")
def import_template(unit_id: int, fmt: str):
    """The import template: XLSX ("Petunjuk" sheet, then the data sheet) or CSV."""
    from survey.import_template import template_csv, template_xlsx

    unit = db.get_or_404(Unit, unit_id)
    if fmt == "csv":
        return _download(template_csv(), "text/csv", f"templat-impor-{unit.slug}.csv")
    if fmt == "xlsx":
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return _download(template_xlsx(unit), mimetype, f"templat-impor-{unit.slug}.xlsx")
    abort(404)
