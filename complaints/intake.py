"""Filing a complaint or WBS report (public form or an officer registering another channel), and finding one."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app import audit, clock
from app.directory import Service, Unit
from app.extensions import db
from app.i18n import N_
from app.uploads import CleanFile
from complaints import deadlines, notify, tracking
from complaints.handling import MAX_BODY, Problems, add_event, checked, clean, record_audit, refresh_due, store_files
from complaints.handling import check_files as _check_files
from complaints.models import Channel, Classification, Complaint, EventKind, Reporter, Status, Stream
from survey.questionnaire import ELEMENT_CODES

MAX_TITLE = 200
MAX_PARTY = 200
MAX_RESOLUTION = 2_000
MAX_NAME = 200
MAX_EMAIL = 254
MAX_PHONE = 40
MAX_LAPOR_ID = 40
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PHONE = re.compile(r"^\+?[0-9 ().\-]{6,40}$")


@dataclass
class _Fields:
    """The cleaned text fields of an intake."""

    title: str
    description: str
    reported_party: str
    requested_resolution: str
    name: str
    email: str
    phone: str
    lapor_id: str


def _enum(problems: Problems, field: str, cls, value):
    """The value as a member of `cls`, or None with a problem noted."""
    try:
        return cls(value)
    except ValueError:
        problems.add(field, N_("Pilihan tidak dikenal."))
        return None


def _texts(problems: Problems, raw: dict) -> _Fields:
    """Clean and length-check every text field."""
    email = checked(problems, "email", raw["email"], limit=MAX_EMAIL)
    if email and not _EMAIL.match(email):
        problems.add("email", N_("Alamat e-mail tidak sah."))
    phone = checked(problems, "phone", raw["phone"], limit=MAX_PHONE)
    if phone and not _PHONE.match(phone):
        problems.add("phone", N_("Nomor telepon hanya boleh berisi angka, spasi, +, -, dan tanda kurung."))
    return _Fields(
        title=checked(problems, "title", raw["title"], limit=MAX_TITLE, required=True),
        description=checked(problems, "description", raw["description"], limit=MAX_BODY, required=True, multiline=True),
        reported_party=checked(problems, "reported_party", raw["reported_party"], limit=MAX_PARTY),
        requested_resolution=checked(
            problems, "requested_resolution", raw["requested_resolution"], limit=MAX_RESOLUTION, multiline=True
        ),
        name=checked(problems, "name", raw["name"], limit=MAX_NAME),
        email=email.lower() if "@" in email else email,
        phone=phone,
        lapor_id=checked(problems, "lapor_id", raw["lapor_id"], limit=MAX_LAPOR_ID),
    )


def _is_id(value: object) -> bool:
    """Whether `value` can be a row id (an int, not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _check_place(problems: Problems, unit_id, service_id, element) -> None:
    """The unit must exist, the service must be one of that unit's, the element one of U1..U9."""
    unit = db.session.get(Unit, unit_id) if _is_id(unit_id) else None
    if unit is None:
        problems.add("unit_id", N_("Pilih unit yang dituju."))
    if service_id is not None:
        service = db.session.get(Service, service_id) if _is_id(service_id) else None
        if service is None or unit is None or service.unit_id != unit.id:
            problems.add("service_id", N_("Layanan tidak ditemukan pada unit ini."))
    if element is not None and element not in ELEMENT_CODES:
        problems.add("element", N_("Unsur SKM tidak dikenal."))


def _check_channel(problems: Problems, channel, registered_by, lapor_id: str, event_date) -> None:
    """Another channel than the web form is registered by an officer; SP4N-LAPOR! needs its tracking ID."""
    if channel is not None and channel != Channel.WEB and registered_by is None:
        problems.add("channel", N_("Kanal selain formulir web hanya dicatat oleh petugas."))
    if channel == Channel.LAPOR and not lapor_id:
        problems.add("lapor_id", N_("Isi nomor tracking SP4N-LAPOR!."))
    if event_date is not None and (not isinstance(event_date, date) or event_date > clock.today()):
        problems.add("event_date", N_("Tanggal kejadian tidak boleh setelah hari ini."))


def _new_hash() -> tuple[str, str]:
    """A fresh code and its hash, not used by any complaint yet."""
    while True:
        code = tracking.new_code()
        digest = tracking.code_hash(code)
        if not db.session.scalar(sa.select(Complaint.id).where(Complaint.tracking_hash == digest)):
            return code, digest


def _reporter(texts: _Fields, anonymous: bool) -> Reporter | None:
    """The contact to keep: nothing but an e-mail for news when anonymous, nothing at all when none given."""
    name, phone = ("", "") if anonymous else (texts.name, texts.phone)
    if not (name or phone or texts.email):
        return None
    return Reporter(name=name, email=texts.email, phone=phone)


def file_complaint(
    *,
    stream: Stream | str,
    unit_id: int,
    title: str,
    description: str,
    classification: Classification | str = Classification.COMPLAINT,
    channel: Channel | str = Channel.WEB,
    service_id: int | None = None,
    element: str | None = None,
    event_date: date | None = None,
    reported_party: str = "",
    requested_resolution: str = "",
    anonymous: bool = False,
    confidential: bool = False,
    name: str = "",
    email: str = "",
    phone: str = "",
    lapor_id: str = "",
    registered_by=None,
    attachments: Sequence[CleanFile] = (),
) -> tuple[Complaint, str]:
    """Record a new report as Belum Terverifikasi and return it with its tracking code (shown once). Flushes."""
    columns, reporter = _validated(dict(locals()))
    return _create(columns, reporter, registered_by=registered_by, files=list(attachments))


def _validated(raw: dict) -> tuple[dict, Reporter | None]:
    """Check and clean every input of file_complaint; the complaint's columns and the contact to keep."""
    problems = Problems()
    texts = _texts(problems, raw)
    stream = _enum(problems, "stream", Stream, raw["stream"])
    classification = _enum(problems, "classification", Classification, raw["classification"])
    channel = _enum(problems, "channel", Channel, raw["channel"])
    element = clean(raw["element"]).upper() or None
    _check_place(problems, raw["unit_id"], raw["service_id"], element)
    _check_channel(problems, channel, raw["registered_by"], texts.lapor_id, raw["event_date"])
    _check_files(list(raw["attachments"]), problems)
    problems.raise_any()
    columns = dict(
        stream=stream,
        classification=classification,
        channel=channel,
        lapor_id=texts.lapor_id if channel == Channel.LAPOR else "",
        unit_id=raw["unit_id"],
        service_id=raw["service_id"],
        element=element,
        title=texts.title,
        description=texts.description,
        reported_party=texts.reported_party,
        requested_resolution=texts.requested_resolution,
        event_date=raw["event_date"],
        anonymous=bool(raw["anonymous"]),
        confidential=bool(raw["confidential"]),
    )
    return columns, _reporter(texts, bool(raw["anonymous"]))


def _create(
    columns: dict, reporter: Reporter | None, *, registered_by, files: list[CleanFile]
) -> tuple[Complaint, str]:
    """Insert the checked complaint with a fresh code, its first event, files, audit entry and notice."""
    code, digest = _new_hash()
    moment = clock.utc_now()
    c = Complaint(
        **columns,
        tracking_hash=digest,
        status=Status.RECEIVED,
        received_at=moment,
        received_on=clock.local_date(moment),
        registered_by_id=getattr(registered_by, "id", None),
        verify_due=deadlines.verify_due(clock.local_date(moment)),
    )
    c.reporter = reporter
    refresh_due(c)
    db.session.add(c)
    db.session.flush()
    event = add_event(c, EventKind.TRANSITION, by=registered_by, public=True, to_status=Status.RECEIVED)
    store_files(c, files, event=event, by_staff=False)
    detail = f"{c.stream.value} {c.channel.value}"
    record_audit(audit.Action.COMPLAINT_CREATED, c, by=registered_by, detail=detail)
    notify.status_changed(c)
    return c, code


def find_by_code(code: str | None, *, stream: Stream | str) -> Complaint | None:
    """The complaint of a typed tracking code in that stream, or None (for every kind of miss alike)."""
    digest = tracking.code_hash(code)
    if digest is None:
        return None
    return db.session.scalar(
        sa.select(Complaint).where(Complaint.tracking_hash == digest, Complaint.stream == Stream(stream))
    )
