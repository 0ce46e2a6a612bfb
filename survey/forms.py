"""Survey form: CSRF protection plus reading the posted fields into plain values."""

from dataclasses import dataclass, field

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from app.errors import Message
from app.i18n import N_
from survey.questionnaire import ELEMENTS
from survey.service import Profile


class SurveyForm(FlaskForm):
    """CSRF-protected survey form; the questions are rendered from the questionnaire data."""


@dataclass
class Submission:
    """The posted survey, read but not yet checked against the domain rules."""

    answers: dict[str, str | None]
    profile: Profile
    service_id: int | None
    token: str | None
    assisted: bool
    errors: dict[str, Message] = field(default_factory=dict)


def _text(form: MultiDict, name: str) -> str | None:
    value = form.get(name, "").strip()
    return value or None


def read_submission(form: MultiDict) -> Submission:
    """Read the posted fields; shape errors (a non-numeric age, no service) go in `errors`."""
    errors: dict[str, Message] = {}
    answers = {e.code: _text(form, e.code.lower()) for e in ELEMENTS}

    age = None
    raw_age = _text(form, "usia")
    if raw_age is not None:
        if raw_age.isascii() and raw_age.isdigit() and len(raw_age) <= 3:
            age = int(raw_age)
        else:
            errors["age"] = Message(N_("Usia harus berupa angka tahun."))

    service_id = None
    raw_service = _text(form, "layanan")
    if raw_service is None:
        errors["service"] = Message(N_("Pilih jenis layanan yang Anda terima."))
    elif raw_service.isascii() and raw_service.isdigit() and len(raw_service) <= 9:
        service_id = int(raw_service)
    else:
        errors["service"] = Message(N_("Jenis layanan tidak dikenal."))

    profile = Profile(
        gender=_text(form, "jenis_kelamin"),
        age=age,
        education=_text(form, "pendidikan"),
        occupation=_text(form, "pekerjaan"),
        occupation_other=_text(form, "pekerjaan_lain"),
        suggestion=_text(form, "saran"),
    )
    return Submission(
        answers=answers,
        profile=profile,
        service_id=service_id,
        token=_text(form, "t"),
        assisted=form.get("dibantu") == "1",
        errors=errors,
    )
