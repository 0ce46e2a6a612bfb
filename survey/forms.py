"""Survey form: CSRF protection plus reading the posted fields into plain values."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import Request, current_app
from werkzeug.datastructures import MultiDict

from app.errors import Message
from app.i18n import N_
from app.text import ascii_int, clean
from survey.questionnaire import ELEMENTS
from survey.service import Profile

CROSS_SITE = N_(
    "Isian yang dikirim dari situs lain tidak disimpan dan tidak ditampilkan. Jika Anda ingin mengisi survei, "
    "isilah formulir di bawah ini."
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def form_check_failure(request: Request) -> Message | None:
    """Refuse a survey POST that a browser says came from another site (CSRF); None when it may proceed.

    The survey needs no account and no session, so the proof is what the browser itself sends and no page can
    forge: Sec-Fetch-Site (every current browser), else Origin. Neither header means a very old browser or a
    program, which a cross-site page cannot make act for someone else. This is the approach of Go's
    http.CrossOriginProtection. Without a session token there is nothing to expire, so a citizen who takes an
    hour, clears cookies or refuses them still submits, and the page stays small.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return None if site == "same-origin" else Message(CROSS_SITE)
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    ours = {_origin(request.host_url), _origin(current_app.config.get("PUBLIC_BASE_URL") or request.host_url)}
    return None if origin.lower() in ours else Message(CROSS_SITE)


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
    value = form.get(name, "")
    if isinstance(value, str) and value.isascii() and value.isprintable():  # nothing for `clean` to remove: trim
        return value.strip() or None
    return clean(value, multiline=name == "saran") or None


def read_submission(form: MultiDict) -> Submission:
    """Read the posted fields; shape errors (a non-numeric age, no service) go in `errors`."""
    errors: dict[str, Message] = {}
    answers = {e.code: _text(form, e.code.lower()) for e in ELEMENTS}

    raw_age = _text(form, "usia")
    age = ascii_int(raw_age, max_digits=3)
    if raw_age is not None and age is None:
        errors["age"] = Message(N_("Usia harus berupa angka tahun."))

    raw_service = _text(form, "layanan")
    service_id = ascii_int(raw_service)
    if raw_service is None:
        errors["service"] = Message(N_("Pilih jenis layanan yang Anda terima."))
    elif service_id is None:
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


# Where each error's field is on the page (the id the summary links to), in page order, and how it is named.
_PROFILE_FIELDS = (
    ("age", "usia", N_("Usia")),
    ("gender", "jenis_kelamin", N_("Jenis kelamin")),
    ("education", "pendidikan", N_("Pendidikan terakhir")),
    ("occupation", "pekerjaan", N_("Pekerjaan")),
    ("occupation_other", "pekerjaan_lain", N_("Pekerjaan lainnya")),
    ("suggestion", "saran", N_("Kritik dan saran")),
)


@dataclass(frozen=True)
class SummaryItem:
    """One line of the error summary: the field's anchor (None when no field can be marked) and its message."""

    anchor: str | None
    label: str | None
    message: Message
    number: int | None = None  # the question's number, for an element
    name_en: str | None = None  # the element's English name


def error_summary(errors: dict[str, Message]) -> list[SummaryItem]:
    """Order the errors as the fields appear on the page, each with the id of the field to move to."""
    items = [SummaryItem(None, None, errors[key]) for key in ("form", "token", "counter") if key in errors]
    if "service" in errors:
        items.append(SummaryItem("layanan", N_("Layanan yang diterima"), errors["service"]))
    if "answers" in errors:
        items.append(SummaryItem("u1", None, errors["answers"]))
    for number, element in enumerate(ELEMENTS, start=1):
        if element.code in errors:
            anchor = element.code.lower()
            items.append(SummaryItem(anchor, element.name, errors[element.code], number, element.name_en))
    items += [SummaryItem(anchor, label, errors[key]) for key, anchor, label in _PROFILE_FIELDS if key in errors]
    return items
