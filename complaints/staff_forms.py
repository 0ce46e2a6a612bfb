"""Forms and labels of the complaint staff pages (the officers' inbox, registration and a report's actions)."""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.audit import Action as AuditAction
from app.uploads import AttachmentError, CleanFile, clean_upload
from complaints.deadlines import STEP_LABELS
from complaints.models import Channel, Classification, EventKind
from complaints.workflow import STATUS_LABELS
from survey.questionnaire import ELEMENT_CODES

CLASSIFICATION_LABELS = {
    Classification.COMPLAINT: _l("Pengaduan"),
    Classification.ASPIRATION: _l("Aspirasi"),
    Classification.INFORMATION: _l("Permintaan informasi"),
}
CHANNEL_LABELS = {
    Channel.WEB: _l("Formulir web"),
    Channel.COUNTER: _l("Loket"),
    Channel.PHONE: _l("Telepon"),
    Channel.EMAIL: _l("E-mail"),
    Channel.SUGGESTION_BOX: _l("Kotak saran"),
    Channel.SOCIAL_MEDIA: _l("Media sosial"),
    Channel.LAPOR: _l("SP4N-LAPOR!"),
}
EVENT_LABELS = {
    EventKind.TRANSITION: _l("Perubahan status"),
    EventKind.RESPONSE: _l("Tanggapan kepada pelapor"),
    EventKind.NOTE: _l("Catatan internal"),
    EventKind.ASSIGNMENT: _l("Disposisi"),
    EventKind.CITIZEN_INFO: _l("Tambahan informasi dari pelapor"),
    EventKind.CITIZEN_REPLY: _l("Jawaban pelapor"),
    EventKind.ESCALATION: _l("Eskalasi kepada pimpinan"),
    EventKind.REMINDER: _l("Pengingat tenggat"),
    EventKind.RATING: _l("Penilaian pelapor"),
}
AUDIT_LABELS = {
    AuditAction.COMPLAINT_CREATED: _l("Laporan dicatat"),
    AuditAction.COMPLAINT_TRANSITION: _l("Status diubah"),
    AuditAction.COMPLAINT_ASSIGNED: _l("Didisposisikan"),
    AuditAction.COMPLAINT_RESPONDED: _l("Ditanggapi"),
    AuditAction.COMPLAINT_NOTE: _l("Catatan internal"),
    AuditAction.COMPLAINT_LINKED: _l("Ditautkan sebagai duplikat"),
    AuditAction.COMPLAINT_ESCALATED: _l("Dieskalasi"),
    AuditAction.IDENTITY_REVEALED: _l("Identitas pelapor dibuka"),
    AuditAction.ATTACHMENT_VIEWED: _l("Lampiran dibuka"),
}
DEADLINE_FILTERS = {"overdue": _l("Lewat tenggat"), "due_soon": _l("Segera jatuh tempo")}


def _label(labels: dict, value) -> str:
    """The label of an enum value (translated), or the raw value when it has none."""
    label = labels.get(value)
    return str(value) if label is None else (_(label) if isinstance(label, str) else str(label))


def _labeller(labels: dict):
    """`_label` for one table, each value translated once per page however many rows show it."""
    cache: dict = {}

    def label(value) -> str:
        if value not in cache:
            cache[value] = _label(labels, value)
        return cache[value]

    return label


def template_labels() -> dict:
    """Label helpers for the staff templates (built per request: the language is the request's)."""
    return {
        "status_label": _labeller(STATUS_LABELS),
        "channel_label": _labeller(CHANNEL_LABELS),
        "classification_label": _labeller(CLASSIFICATION_LABELS),
        "step_label": _labeller(STEP_LABELS),
        "event_label": _labeller(EVENT_LABELS),
        "audit_label": _labeller(AUDIT_LABELS),
        "audit_detail": audit_detail,
    }


def audit_detail(entry) -> str:
    """An audit entry's detail for people: a status change with the statuses' names ("a -> b" is stored)."""
    if entry.action == AuditAction.COMPLAINT_TRANSITION and " -> " in entry.detail:
        return " → ".join(_label(STATUS_LABELS, part) for part in entry.detail.split(" -> ", 1))
    return entry.detail


TITLE_MAX = 200
EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
BAD = _l("Alamat e-mail tidak valid.")
ELEMENT_CHOICES = [SelectChoice("", _l("Tidak ada"))] + [SelectChoice(code, code) for code in ELEMENT_CODES]
TEXT_MAX = 10_000


def _choices(labels: dict, blank=None) -> list[SelectChoice]:
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(key.value if hasattr(key, "value") else key, label) for key, label in labels.items()]


class FilterForm(FlaskForm):
    """The inbox filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=_choices({k: _l(v) for k, v in STATUS_LABELS.items()}, _l("Semua")),
        validators=[Optional()],
    )
    unit = SelectField(_l("Unit"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    channel = SelectField(_l("Kanal"), choices=_choices(CHANNEL_LABELS, _l("Semua")), validators=[Optional()])
    classification = SelectField(
        _l("Klasifikasi"), choices=_choices(CLASSIFICATION_LABELS, _l("Semua")), validators=[Optional()]
    )
    deadline = SelectField(_l("Tenggat"), choices=_choices(DEADLINE_FILTERS, _l("Semua")), validators=[Optional()])
    q = StringField(_l("Cari judul"), validators=[Optional(), Length(max=100)])
    page = IntegerField(_l("Halaman"), default=1, validators=[Optional(), NumberRange(min=1, max=100_000)])


def upload_limit_text() -> str:
    """The attachment limits as the forms state them."""
    size = current_app.config["COMPLAINT_ATTACHMENT_MAX_BYTES"] / (1024 * 1024)
    count = current_app.config["COMPLAINT_MAX_ATTACHMENTS"]
    return str(_l("JPEG, PNG atau PDF; paling banyak %(count)d berkas, masing-masing paling besar %(size)s MB",
                  count=count, size=f"{size:g}"))  # fmt: skip


class AttachmentsField(MultipleFileField):
    """Up to COMPLAINT_MAX_ATTACHMENTS files, each checked by its bytes; `clean` holds what may be stored."""

    clean: tuple[CleanFile, ...] = ()

    def pre_validate(self, form) -> None:
        files = [f for f in (self.data or []) if getattr(f, "filename", "")]
        limit = current_app.config["COMPLAINT_MAX_ATTACHMENTS"]
        if len(files) > limit:
            raise ValidationError(_l("Paling banyak %(n)d berkas.", n=limit))
        max_bytes = current_app.config["COMPLAINT_ATTACHMENT_MAX_BYTES"]
        clean = []
        for upload in files:
            try:
                clean.append(clean_upload(upload.read(max_bytes + 1), max_bytes=max_bytes))
            except AttachmentError as exc:
                raise ValidationError(str(exc)) from exc
        self.clean = tuple(clean)


class RegisterForm(FlaskForm):
    """A report that came through another channel, registered by an officer."""

    channel = SelectField(_l("Kanal"), choices=_choices({k: v for k, v in CHANNEL_LABELS.items() if k != Channel.WEB}))
    lapor_id = StringField(_l("ID pelacakan SP4N-LAPOR!"), validators=[Length(max=40)],
                           description=_l("wajib untuk kanal SP4N-LAPOR!"))  # fmt: skip
    classification = SelectField(_l("Klasifikasi"), choices=_choices(CLASSIFICATION_LABELS))
    unit = SelectField(_l("Unit"), coerce=int)
    service = SelectField(_l("Layanan"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    element = SelectField(_l("Unsur SKM terkait"), choices=ELEMENT_CHOICES, validators=[Optional()])
    title = StringField(_l("Judul"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    description = TextAreaField(_l("Uraian"), validators=[DataRequired(), Length(max=TEXT_MAX)])
    event_date = DateField(_l("Tanggal kejadian"), validators=[Optional()])
    reported_party = StringField(_l("Pihak yang diadukan"), validators=[Optional(), Length(max=200)])
    requested_resolution = TextAreaField(_l("Permintaan penyelesaian"), validators=[Optional(), Length(max=TEXT_MAX)])
    anonymous = BooleanField(_l("Anonim (nama dan telepon pelapor tidak disimpan)"))
    confidential = BooleanField(_l("Rahasia (isi tidak pernah ditampilkan kepada publik)"))
    name = StringField(_l("Nama pelapor"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("E-mail pelapor"), validators=[Optional(), Length(max=254), Regexp(EMAIL_RE, message=BAD)])
    phone = StringField(_l("Telepon pelapor"), validators=[Optional(), Length(max=40)])
    attachments = AttachmentsField(_l("Lampiran"))

    def validate_lapor_id(self, field) -> None:
        if self.channel.data == Channel.LAPOR.value and not (field.data or "").strip():
            raise ValidationError(_l("ID pelacakan SP4N-LAPOR! wajib diisi untuk kanal SP4N-LAPOR!."))


class ConfirmForm(FlaskForm):
    """An action with nothing to fill in (verify, close, archive, reveal): only the CSRF token."""


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Alasan penolakan"), validators=[DataRequired(), Length(max=500)])


class DuplicateForm(FlaskForm):
    original = IntegerField(_l("Duplikat dari nomor"), validators=[DataRequired(), NumberRange(min=1)])


class RouteForm(FlaskForm):
    unit = SelectField(_l("Unit tujuan"), coerce=int)
    officer = SelectField(_l("Petugas (opsional)"), coerce=lambda v: int(v) if v else None, validators=[Optional()])


class RespondForm(FlaskForm):
    body = TextAreaField(_l("Tanggapan kepada pelapor (terlihat oleh pelapor)"),
                         validators=[DataRequired(), Length(max=TEXT_MAX)])  # fmt: skip
    attachments = AttachmentsField(_l("Lampiran"))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Catatan internal (tidak terlihat oleh pelapor)"),
                         validators=[DataRequired(), Length(max=TEXT_MAX)])  # fmt: skip


class MonitoringForm(FlaskForm):
    """The monitoring-and-evaluation record of a period (the service checks lengths and consistency)."""

    findings = TextAreaField(_l("Temuan monitoring dan evaluasi"))
    follow_up = TextAreaField(_l("Tindak lanjut yang diputuskan"))
    follow_up_done = BooleanField(_l("Tindak lanjut sudah dilaksanakan"))
    follow_up_done_on = DateField(_l("Tanggal dilaksanakan"), validators=[Optional()])
