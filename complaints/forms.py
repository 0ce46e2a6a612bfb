"""Public complaint forms: intake (/pengaduan/, /wbs/) and the tracking page's forms, and reading their files.

The forms check the shape of what was typed (required fields, lengths, a date, choices that exist); the service
checks the rules again and has the last word. Every message is Indonesian, marked for translation.
"""

import re
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, MultipleFileField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Regexp, ValidationError

from app import clock
from app.directory import Service, Unit
from app.errors import Message
from app.extensions import db
from app.i18n import N_
from app.text import ascii_int
from app.uploads import AttachmentError, CleanFile, clean_upload
from complaints.models import Classification
from survey.questionnaire import ELEMENTS

CLASSIFICATIONS = (
    (Classification.COMPLAINT.value, _l("Pengaduan"), _l("Pelayanan tidak sesuai standar atau merugikan Anda.")),
    (Classification.ASPIRATION.value, _l("Aspirasi"), _l("Saran atau usulan untuk perbaikan pelayanan.")),
    (Classification.INFORMATION.value, _l("Permintaan informasi"), _l("Pertanyaan tentang layanan atau syaratnya.")),
)
RATINGS = ((4, _l("Sangat puas")), (3, _l("Puas")), (2, _l("Kurang puas")), (1, _l("Tidak puas")))
REQUIRED = _l("Isian ini wajib diisi.")
# Lengths as the service keeps them (complaints/intake.py); the service checks them again after cleaning.
MAX_TITLE, MAX_BODY, MAX_RESOLUTION, MAX_PARTY, MAX_PLACE = 200, 10_000, 2_000, 200, 300
MAX_NAME, MAX_EMAIL, MAX_PHONE = 200, 254, 40
_DATE_FORMATS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})$"),
)


# The same shapes the service accepts (complaints/intake.py), checked here so every problem shows at once.
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$", message=_l("Alamat e-mail tidak sah."))
PHONE = Regexp(
    r"^\+?[0-9 ().\-]{6,40}$", message=_l("Nomor telepon hanya boleh berisi angka, spasi, +, -, dan tanda kurung.")
)


def _optional(validator):
    """Apply `validator` only to a non-blank value."""

    def check(form, field) -> None:
        if field.data:
            validator(form, field)

    return check


def _too_long(limit: int):
    return Length(max=limit, message=_l("Isian terlalu panjang (maksimal %(max)d karakter)."))


def _strip(value) -> str:
    """Typed text, trimmed; anything else a hostile client sends in its place (a file, nothing) is blank."""
    return value.strip() if isinstance(value, str) else ""


def _number(value) -> int | None:
    """A posted id as an int, or None unless it is a short run of ASCII digits."""
    return ascii_int(value)


def parse_date(text: str | None) -> date | None:
    """A date typed as 2026-03-19 (a date picker) or 19-03-2026 / 19/03/2026 (by hand); None when blank.

    :raise ValueError: anything else, or a day that does not exist.
    """
    text = (text or "").strip()
    if not text:
        return None
    for pattern in _DATE_FORMATS:
        match = pattern.match(text)
        if match:
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
    raise ValueError(text)


class DateText(StringField):
    """A date as text (input type=date where the browser has one); `.day` holds the parsed value."""

    day: date | None = None

    def pre_validate(self, form) -> None:
        try:
            self.day = parse_date(self.data)
        except ValueError:
            self.day = None
            raise ValidationError(_l("Tanggal tidak dikenal. Tulis seperti 19-03-2026.")) from None
        if self.day is not None and self.day > clock.today():
            raise ValidationError(_l("Tanggal kejadian tidak boleh setelah hari ini."))
        if self.day is not None and self.day.year < 2000:
            raise ValidationError(_l("Tanggal kejadian terlalu lama."))


class _Identity:
    """Optional identity fields and the attachments, shared by both intake forms."""

    lampiran = MultipleFileField(_l("Lampiran (tidak wajib)"))
    nama = StringField(_l("Nama (tidak wajib)"), filters=[_strip], validators=[_too_long(MAX_NAME)])
    email = StringField(
        _l("E-mail (tidak wajib)"), filters=[_strip], validators=[_too_long(MAX_EMAIL), _optional(EMAIL)]
    )
    telepon = StringField(
        _l("Nomor telepon (tidak wajib)"), filters=[_strip], validators=[_too_long(MAX_PHONE), _optional(PHONE)]
    )
    anonim = BooleanField(_l("Anonim"))


class _UnitChoice:
    """The unit the report is about: one of the directory's units."""

    unit = SelectField(_l("Unit yang dituju"), validate_choice=False)

    def fill_units(self, units: list[Unit], wanted: str | None) -> None:
        """Offer `units`; pre-select the only one, or the one whose slug the link named (?unit=slug)."""
        self.unit.choices = [SelectChoice("", _l("Pilih unit"))] + [SelectChoice(str(u.id), u.name) for u in units]
        if self.unit.data in (None, "", "None"):
            chosen = units[0] if len(units) == 1 else next((u for u in units if u.slug == wanted), None)
            self.unit.data = str(chosen.id) if chosen else ""

    def validate_unit(self, field) -> None:
        if self.unit_id is None:
            raise ValidationError(_l("Pilih unit yang dituju."))

    @property
    def unit_id(self) -> int | None:
        """The chosen unit's id, or None when no offered unit was chosen."""
        offered = {choice.value for choice in self.unit.choices or ()}
        return _number(self.unit.data) if self.unit.data in offered else None


class ComplaintForm(_UnitChoice, _Identity, FlaskForm):
    """The public complaint form at /pengaduan/."""

    klasifikasi = RadioField(
        _l("Klasifikasi"), choices=[SelectChoice(k, label) for k, label, _hint in CLASSIFICATIONS], default="pengaduan",
        validate_choice=False,
    )  # fmt: skip
    layanan = SelectField(_l("Jenis layanan (tidak wajib)"), validate_choice=False)
    unsur = SelectField(_l("Unsur pelayanan yang dikeluhkan (tidak wajib)"), validate_choice=False)
    judul = StringField(
        _l("Judul singkat"), filters=[_strip], validators=[InputRequired(REQUIRED), _too_long(MAX_TITLE)]
    )
    uraian = TextAreaField(_l("Uraian"), filters=[_strip], validators=[InputRequired(REQUIRED), _too_long(MAX_BODY)])
    tanggal = DateText(_l("Tanggal kejadian (tidak wajib)"), filters=[_strip])
    permintaan = TextAreaField(
        _l("Penyelesaian yang Anda harapkan (tidak wajib)"), filters=[_strip], validators=[_too_long(MAX_RESOLUTION)]
    )
    rahasia = BooleanField(_l("Rahasia"))

    def fill(self, units: list[Unit], wanted_unit: str | None) -> None:
        """Fill the choices from the directory and the questionnaire."""
        self.fill_units(units, wanted_unit)
        self.layanan.choices = [SelectChoice("", _l("Tidak memilih layanan"))] + [
            SelectChoice(str(s.id), s.name, optgroup=u.name) for u in units for s in u.services if s.active
        ]
        self.unsur.choices = [SelectChoice("", _l("Tidak memilih unsur"))] + [
            SelectChoice(e.code, f"{e.code} {e.name}") for e in ELEMENTS
        ]

    def validate_klasifikasi(self, field) -> None:
        if field.data not in {k for k, _label, _hint in CLASSIFICATIONS}:
            raise ValidationError(_l("Pilih klasifikasi laporan."))

    def validate_unsur(self, field) -> None:
        if field.data and field.data not in {e.code for e in ELEMENTS}:
            raise ValidationError(_l("Unsur pelayanan tidak dikenal."))

    def validate_layanan(self, field) -> None:
        if not field.data:
            return
        number = _number(field.data)
        service = db.session.get(Service, number) if number is not None else None
        if service is None or not service.active:
            raise ValidationError(_l("Jenis layanan tidak dikenal."))
        if self.unit_id is not None and service.unit_id != self.unit_id:
            unit = db.session.get(Unit, self.unit_id)
            raise ValidationError(
                _l(
                    "Layanan \u201c%(service)s\u201d bukan layanan %(unit)s. Pilih layanan unit itu, atau pilih "
                    "\u201cTidak memilih layanan\u201d.",
                    service=service.name,
                    unit=unit.name if unit else "",
                )
            )

    @property
    def service_id(self) -> int | None:
        """The chosen service's id, once validated."""
        return _number(self.layanan.data)


class WbsForm(_UnitChoice, _Identity, FlaskForm):
    """The whistle-blowing form at /wbs/: what, who, where, when, how; anonymous unless the reporter unticks it."""

    apa = StringField(
        _l("Apa yang terjadi?"), filters=[_strip], validators=[InputRequired(REQUIRED), _too_long(MAX_TITLE)]
    )
    siapa = StringField(_l("Siapa yang terlibat? (tidak wajib)"), filters=[_strip], validators=[_too_long(MAX_PARTY)])
    di_mana = StringField(_l("Di mana kejadiannya? (tidak wajib)"), filters=[_strip], validators=[_too_long(MAX_PLACE)])
    kapan = DateText(_l("Kapan kejadiannya? (tidak wajib)"), filters=[_strip])
    bagaimana = TextAreaField(
        _l("Bagaimana kejadiannya?"), filters=[_strip],
        validators=[InputRequired(REQUIRED), _too_long(MAX_BODY - MAX_PLACE - 40)],
    )  # fmt: skip
    anonim = BooleanField(_l("Anonim"), default=True)

    def description(self) -> str:
        """The report's description: how it happened, and where."""
        place = (self.di_mana.data or "").strip()
        how = (self.bagaimana.data or "").strip()
        return f"{how}\n\nTempat kejadian: {place}" if place else how


class CitizenTextForm(FlaskForm):
    """The reporter adds information, or answers the office's response, on the tracking page."""

    isi = TextAreaField(_l("Isi"), filters=[_strip], validators=[InputRequired(REQUIRED), _too_long(MAX_BODY)])
    lampiran = MultipleFileField(_l("Lampiran (tidak wajib)"))


class RatingForm(FlaskForm):
    """The reporter rates how the complaint was handled (1-4, like the SKM scale)."""

    nilai = RadioField(
        _l("Penilaian Anda"), choices=[SelectChoice(str(v), label) for v, label in RATINGS], validate_choice=False
    )

    def validate_nilai(self, field) -> None:
        if field.data not in {"1", "2", "3", "4"}:
            raise ValidationError(_l("Pilih salah satu penilaian."))


# Which form field shows a service message about which service argument.
SERVICE_FIELDS = {
    "unit_id": "unit",
    "service_id": "layanan",
    "element": "unsur",
    "classification": "klasifikasi",
    "title": "judul",
    "description": "uraian",
    "event_date": "tanggal",
    "requested_resolution": "permintaan",
    "reported_party": "siapa",
    "name": "nama",
    "email": "email",
    "phone": "telepon",
    "attachments": "lampiran",
    "body": "isi",
    "rating": "nilai",
}
WBS_FIELDS = {**SERVICE_FIELDS, "title": "apa", "description": "bagaimana", "event_date": "kapan"}


def read_files(files: list[FileStorage]) -> tuple[list[CleanFile], list[Message]]:
    """Check every chosen file; return the clean ones and one message per refused file (nothing is kept)."""
    config = current_app.config
    max_bytes, max_count = config["COMPLAINT_ATTACHMENT_MAX_BYTES"], config["COMPLAINT_MAX_ATTACHMENTS"]
    chosen = [f for f in files if isinstance(f, FileStorage) and (f.filename or f.content_length)]
    clean: list[CleanFile] = []
    problems: list[Message] = []
    if len(chosen) > max_count:
        problems.append(Message(N_("Paling banyak %(count)d lampiran."), {"count": max_count}))
        return [], problems
    for number, upload in enumerate(chosen, start=1):
        data = upload.stream.read(max_bytes + 1)
        try:
            clean.append(clean_upload(data, max_bytes=max_bytes))
        except AttachmentError as exc:
            name = (upload.filename or "")[:80] or str(number)
            problems += [
                Message(N_("Lampiran \u201c%(name)s\u201d: %(reason)s"), {"name": name, "reason": m})
                for m in exc.messages
            ]
    return clean, problems
