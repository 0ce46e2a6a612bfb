"""The forms of the follow-up (RTL) staff pages; every one carries a CSRF token (Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from analytics.followup import COMPLAINT_CATEGORIES, DESCRIPTION_MAX, OWNER_MAX
from analytics.followup_models import STATUS_LABELS, ActionStatus, Source


class PlainForm(FlaskForm):
    """A button that only needs its CSRF token (propose, unlink)."""


class PlanFields(FlaskForm):
    description = TextAreaField(_l("Uraian rencana tindak lanjut"), validators=[Length(max=DESCRIPTION_MAX)])
    owner = StringField(_l("Penanggung jawab (nama atau jabatan)"), validators=[Length(max=OWNER_MAX)])
    due_on = DateField(_l("Tenggat"), validators=[Optional()])


class AddForm(PlanFields):
    source = SelectField(
        _l("Sumber"),
        choices=[
            SelectChoice(Source.COMPLAINT.value, _l("Kategori pengaduan")),
            SelectChoice(Source.FREE.value, _l("Lainnya")),
        ],
    )
    category = SelectField(
        _l("Kategori pengaduan"),
        choices=[SelectChoice("", "-")]
        + [SelectChoice(code, _l(label)) for code, label in COMPLAINT_CATEGORIES.items()],
        validators=[Optional()],
    )


class StatusForm(FlaskForm):
    status = SelectField(_l("Status baru"), choices=[SelectChoice(s.value, _l(STATUS_LABELS[s])) for s in ActionStatus])
    done_on = DateField(_l("Tanggal selesai (kosong: hari ini)"), validators=[Optional()])


class EvidenceForm(FlaskForm):
    file = FileField(_l("Berkas bukti (JPEG, PNG atau PDF)"), validators=[FileRequired(_l("Pilih berkas bukti."))])


class LinkForm(FlaskForm):
    complaint = IntegerField(
        _l("Nomor pengaduan"), validators=[DataRequired(_l("Isi nomor pengaduan.")), NumberRange(min=1, max=2**31 - 1)]
    )
