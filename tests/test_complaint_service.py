"""The complaint service API: tracking codes, intake and its validation, staff actions, the reporter's actions.

Also holds the small helpers the other complaint test modules import (a frozen office clock, a filed complaint).
"""

from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from app import clock
from app.audit import AuditEntry
from app.extensions import db
from app.outbox import OutboxMessage
from app.uploads import CleanFile
from complaints import service, tracking
from complaints.models import Attachment, Complaint, ComplaintEvent, EventKind, Reporter, Status
from tests.factories import make_directory, make_user
from tests.test_tracking_codes import CODE_RE

# --- helpers shared with the other complaint test modules -------------------------------------------------


@pytest.fixture
def freeze(monkeypatch):
    """Fix the office clock: freeze(date) is 10:00 office time that day; freeze(datetime) that moment."""
    real_now = clock.now
    state: dict[str, date] = {}

    def fake_now(*, at: datetime | None = None) -> datetime:
        moment = state["moment"]
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, time(10, 0), clock.office_tz())
        return real_now(at=at if at is not None else moment)

    def set_moment(value: date | datetime) -> None:
        state["moment"] = value

    monkeypatch.setattr(clock, "now", fake_now)
    set_moment(date(2026, 3, 2))
    return set_moment


@pytest.fixture
def place(app):
    """The test unit and its services."""
    return make_directory()


def file(place, **fields):
    """File a web complaint with sensible defaults; returns (complaint, code). Commits."""
    values = {"stream": "pengaduan", "unit_id": place.unit.id, "title": "Antrean lama", "description": "Uraian"}
    values.update(fields)
    complaint, code = service.file_complaint(**values)
    db.session.commit()
    return complaint, code


def with_email(user, address: str):
    """Give a staff account an e-mail (the column app.auth adds; a plain attribute until it exists)."""
    user.email = address
    db.session.commit()
    return user


def outbox(**filters) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).filter_by(**filters).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


JPEG = CleanFile(data=b"\xff\xd8\xff\xe0 fake but already checked", mimetype="image/jpeg", extension="jpg")

# --- intake ------------------------------------------------------------------------------------------------


def test_filing_keeps_only_the_hash_and_starts_the_verification_clock(place, freeze):
    freeze(date(2026, 3, 2))  # Monday
    c, code = file(place, email="Warga@Example.org", name="Warga", phone="0812 3456 789")
    assert CODE_RE.match(code)
    assert c.tracking_hash == tracking.code_hash(code)
    assert c.status == Status.RECEIVED and c.received_on == date(2026, 3, 2)
    assert c.verify_due == date(2026, 3, 5) and (c.due_on, c.due_step) == (date(2026, 3, 5), "verifikasi")
    assert (c.reporter.name, c.reporter.email, c.reporter.phone) == ("Warga", "warga@example.org", "0812 3456 789")
    event = c.events[0]
    assert (event.kind, event.to_status, event.public) == (EventKind.TRANSITION, Status.RECEIVED, True)
    assert service.find_by_code(code.lower().replace("-", " "), stream="pengaduan") is c
    assert service.find_by_code(code, stream="wbs") is None
    assert service.find_by_code(tracking.new_code(), stream="pengaduan") is None
    _assert_code_stored_nowhere(code)


def _assert_code_stored_nowhere(code: str) -> None:
    compact = tracking.normalise(code)
    texts = [*db.session.scalars(sa.select(AuditEntry.detail)), *db.session.scalars(sa.select(OutboxMessage.body))]
    texts += [*db.session.scalars(sa.select(ComplaintEvent.body)), *db.session.scalars(sa.select(Complaint.title))]
    for text in texts:
        assert code not in text and compact not in text.replace("-", "")


def test_anonymous_reporter_keeps_only_an_email(place):
    c, _ = file(place, anonymous=True, name="Nama Asli", phone="08123456789", email="kabar@example.org")
    reporter = db.session.get(Reporter, c.id)
    assert (reporter.name, reporter.phone, reporter.email) == ("", "", "kabar@example.org")
    c2, _ = file(place, anonymous=True, name="Nama Asli", phone="08123456789")
    assert c2.reporter is None
    assert service.reveal_identity(c, by=make_user("pengaduan")) is None


def test_control_characters_are_stripped(place):
    c, _ = file(place, title="Antre\x00an\u202e lama\x1b", description="baris 1\r\nbaris\x07 2\u2066")
    assert c.title == "Antrean lama"
    assert c.description == "baris 1\nbaris 2"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": " \x00 "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 10_001}, "description"),
        ({"description": ""}, "description"),
        ({"email": "bukan-email"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"phone": "telepon saya"}, "phone"),
        ({"name": "n" * 201}, "name"),
        ({"element": "U10"}, "element"),
        ({"classification": "keluhan"}, "classification"),
        ({"stream": "rahasia"}, "stream"),
        ({"channel": "loket"}, "channel"),  # only officers register other channels
        ({"unit_id": 999}, "unit_id"),
        ({"event_date": date(2099, 1, 1)}, "event_date"),
        ({"attachments": [JPEG] * 4}, "attachments"),
        ({"attachments": [CleanFile(b"MZ", "application/x-msdownload", "exe")]}, "attachments"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(place, fields, field):
    with pytest.raises(service.ComplaintError) as caught:
        file(place, **fields)
    assert field in caught.value.by_field()
    db.session.rollback()
    assert count(Complaint) == 0 and count(Reporter) == 0 and count(OutboxMessage) == 0


def test_service_must_belong_to_the_unit(place):
    from app import directory

    other = directory.create_unit(name="Dinas Lain", slug="dinas-lain")
    foreign = directory.create_service(unit=other, name="Layanan lain")
    with pytest.raises(service.ComplaintError) as caught:
        file(place, service_id=foreign.id)
    assert "service_id" in caught.value.by_field()
    c, _ = file(place, service_id=place.izin.id, element="u3")
    assert (c.service_id, c.element) == (place.izin.id, "U3")


def test_all_problems_are_reported_at_once(place):
    with pytest.raises(service.ComplaintError) as caught:
        file(place, title="", description="", email="x")
    assert {"title", "description", "email"} <= set(caught.value.by_field())


def test_officer_registers_other_channels(place):
    officer = make_user("pengaduan")
    with pytest.raises(service.ComplaintError) as caught:
        file(place, channel="lapor", registered_by=officer)
    assert "lapor_id" in caught.value.by_field()
    c, _ = file(place, channel="lapor", lapor_id="LAPOR-123", registered_by=officer)
    assert (c.channel, c.lapor_id, c.registered_by_id) == ("lapor", "LAPOR-123", officer.id)
    c2, _ = file(place, channel="telepon", lapor_id="ignored", registered_by=officer)
    assert c2.lapor_id == ""
    created = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "complaint_created")).all()
    assert [entry.actor_id for entry in created] == [officer.id, officer.id]


def test_attachments_are_stored_with_generated_names(place):
    pdf = CleanFile(b"%PDF-1.7 checked", "application/pdf", "pdf")
    c, _ = file(place, attachments=[JPEG, pdf])
    assert [(a.filename, a.mimetype, a.size, a.by_staff) for a in c.attachments] == [
        ("lampiran-1.jpg", "image/jpeg", len(JPEG.data), False),
        ("lampiran-2.pdf", "application/pdf", len(pdf.data), False),
    ]
    assert {a.event_id for a in c.attachments} == {c.events[0].id}
    service.citizen_add_info(c, body="Foto tambahan", attachments=[JPEG])
    assert db.session.scalars(sa.select(Attachment.filename).order_by(Attachment.id)).all()[-1] == "lampiran-3.jpg"


# --- staff actions -----------------------------------------------------------------------------------------


def test_happy_path_and_audit(place, freeze):
    officer, unit_pj = make_user("pengaduan"), make_user("unit", unit=place.unit)
    freeze(date(2026, 3, 2))
    c, code = file(place, email="warga@example.org")
    service.verify(c, by=officer)
    assert (c.complete_on, c.completion_due) == (date(2026, 3, 2), date(2026, 5, 1))
    freeze(date(2026, 3, 3))
    service.route(c, by=officer, unit_id=place.unit.id, user_id=unit_pj.id)
    assert (c.followup_due, c.due_on, c.due_step) == (date(2026, 3, 10), date(2026, 3, 10), "tindak_lanjut")
    freeze(date(2026, 3, 5))
    service.add_note(c, by=unit_pj, body="Catatan internal")
    service.respond(c, by=unit_pj, body="Sudah kami perbaiki.")
    assert c.status == Status.FOLLOWED_UP
    assert (c.reply_due, c.due_step) == (date(2026, 3, 26), "tanggapan_pelapor")  # Nyepi and cuti bersama skipped
    service.close(c, by=officer)
    service.archive(c, by=officer)
    db.session.commit()
    assert (c.status, c.due_on, c.due_step) == (Status.ARCHIVED, None, "")
    kinds = [e.kind for e in c.events]
    assert kinds.count(EventKind.TRANSITION) == 6 and EventKind.ASSIGNMENT in kinds
    assignment = next(e for e in c.events if e.kind == EventKind.ASSIGNMENT)
    assert (assignment.body, assignment.public) == (f"{place.unit.name} / Petugas unit", False)
    note = next(e for e in c.events if e.kind == EventKind.NOTE)
    assert not note.public and next(e for e in c.events if e.kind == EventKind.RESPONSE).public
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_id == c.id)).all()
    assert actions.count("complaint_transition") == 5 and "complaint_assigned" in actions
    assert "complaint_note" in actions and "complaint_responded" in actions
    _assert_code_stored_nowhere(code)


def test_reporter_mail_has_no_text_and_no_code(place):
    officer = make_user("pengaduan")
    c, code = file(place, title="Judul rahasia", description="Uraian rahasia", email="warga@example.org")
    service.verify(c, by=officer)
    service.route(c, by=officer, unit_id=place.unit.id)
    service.respond(c, by=officer, body="Isi tanggapan rahasia")
    db.session.commit()
    messages = outbox(recipient="warga@example.org")
    topics = [m.topic.split(":", 2)[2] for m in messages]
    assert topics == ["status:belum_terverifikasi", "status:terverifikasi", "status:didisposisikan", "response"]
    for message in messages:
        text = message.subject + message.body
        assert "rahasia" not in text and tracking.normalise(code) not in text.replace("-", "")
        assert "https://skm.example.go.id/pengaduan/lacak" in message.body


def test_wbs_mail_says_nothing_of_the_report(place):
    handler = make_user("wbs")
    c, _ = file(place, stream="wbs", title="Pungli", description="Petugas X meminta uang", email="saksi@example.org")
    service.verify(c, by=handler)
    db.session.commit()
    for message in outbox(recipient="saksi@example.org"):
        assert "Pungli" not in message.body and "Petugas" not in message.body and "/wbs/lacak" in message.body
    audit = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_id == c.id)).all()
    assert {(entry.object_type, entry.unit_id) for entry in audit} == {("wbs", None)}


def test_assignment_mails_the_assigned_officer_or_the_unit_heads(place):
    officer = make_user("pengaduan")
    head = with_email(make_user("unit", unit=place.unit), "kepala@example.go.id")
    staff = with_email(make_user("unit", unit=place.unit, username="staf"), "staf@example.go.id")
    c, _ = file(place)
    service.verify(c, by=officer)
    service.route(c, by=officer, unit_id=place.unit.id)
    assert {m.recipient for m in outbox(topic=f"complaint:{c.id}:assigned")} == {head.email, staff.email}
    service.route(c, by=officer, unit_id=place.unit.id, user_id=staff.id)  # re-routed to one officer
    assert [m.recipient for m in outbox(topic=f"complaint:{c.id}:assigned")][-1] == staff.email
    assert "Antrean" not in outbox(topic=f"complaint:{c.id}:assigned")[-1].body


def test_route_checks_unit_and_officer(place):
    from app import directory

    officer = make_user("pengaduan")
    other = directory.create_unit(name="Dinas Lain", slug="dinas-lain")
    foreign_pj = make_user("unit", unit=other)
    c, _ = file(place)
    service.verify(c, by=officer)
    with pytest.raises(service.ComplaintError):
        service.route(c, by=officer, unit_id=999)
    with pytest.raises(service.ComplaintError):
        service.route(c, by=officer, unit_id=place.unit.id, user_id=foreign_pj.id)
    with pytest.raises(service.ComplaintError):
        service.route(c, by=officer, unit_id=place.unit.id, user_id=make_user("ppid").id)
    assert c.status == Status.VERIFIED


def test_reject_needs_a_reason_shown_to_the_reporter(place):
    officer = make_user("pengaduan")
    c, _ = file(place)
    with pytest.raises(service.ComplaintError):
        service.reject(c, by=officer, reason="  ")
    with pytest.raises(service.ComplaintError):
        service.reject(c, by=officer, reason="x" * 501)
    assert c.status == Status.RECEIVED
    service.reject(c, by=officer, reason="Di luar kewenangan.")
    assert (c.status, c.rejection_reason, c.due_on) == (Status.REJECTED, "Di luar kewenangan.", None)
    assert c.events[-1].public and c.events[-1].body == "Di luar kewenangan."


def test_mark_duplicate_rules(place):
    officer = make_user("pengaduan")
    original, _ = file(place)
    dup, _ = file(place)
    wbs, _ = file(place, stream="wbs")
    for bad in (dup, wbs, None):
        with pytest.raises(service.ComplaintError):
            service.mark_duplicate(dup, by=officer, original=bad)
    service.mark_duplicate(dup, by=officer, original=original)
    assert (dup.status, dup.duplicate_of_id) == (Status.REJECTED, original.id)
    third, _ = file(place)
    with pytest.raises(service.ComplaintError):  # the original of a duplicate must not itself be a duplicate
        service.mark_duplicate(third, by=officer, original=dup)
    with pytest.raises(service.ComplaintError):  # an original others point to cannot become a duplicate
        service.mark_duplicate(original, by=officer, original=third)
    assert "complaint_linked" in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_a_stale_page_cannot_overwrite_a_newer_change(place):
    officer = make_user("pengaduan")
    c, _ = file(place)
    db.session.execute(sa.update(Complaint).where(Complaint.id == c.id).values(status=Status.VERIFIED))
    with pytest.raises(service.ComplaintError, match="diubah"):
        service.verify(c, by=officer)  # the object still says Belum Terverifikasi
    db.session.rollback()


def test_reveal_identity_is_audited(place):
    officer = make_user("pengaduan")
    c, _ = file(place, name="Warga", email="warga@example.org")
    assert service.reveal_identity(c, by=officer).name == "Warga"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "identity_revealed")).one()
    assert (entry.actor_id, entry.object_id, entry.detail) == (officer.id, c.id, "")


# --- the reporter's actions --------------------------------------------------------------------------------


def test_citizen_information_only_while_open(place):
    officer = make_user("pengaduan")
    c, _ = file(place)
    service.citizen_add_info(c, body="Tambahan")
    assert c.events[-1].kind == EventKind.CITIZEN_INFO and not c.events[-1].public
    with pytest.raises(service.ComplaintError):
        service.citizen_add_info(c, body="   ")
    service.reject(c, by=officer, reason="Tidak jelas")
    with pytest.raises(service.ComplaintError):
        service.citizen_add_info(c, body="Tambahan lagi")


def test_citizen_reply_reopens_handling_within_the_window(place, freeze):
    officer = make_user("pengaduan")
    freeze(date(2026, 4, 1))
    c, _ = file(place)
    with pytest.raises(service.ComplaintError):
        service.citizen_reply(c, body="Belum ada tanggapan")
    service.verify(c, by=officer)
    service.route(c, by=officer, unit_id=place.unit.id)
    service.respond(c, by=officer, body="Jawaban")
    assert c.reply_due == date(2026, 4, 16)  # Good Friday 3 April skipped
    freeze(date(2026, 4, 16))
    service.citizen_reply(c, body="Masih belum beres")
    assert (c.status, c.reply_due, c.followup_due, c.due_step) == (
        Status.ROUTED, None, date(2026, 4, 23), "tindak_lanjut"
    )  # fmt: skip
    assert c.events[-1].kind == EventKind.CITIZEN_REPLY
    service.respond(c, by=officer, body="Jawaban kedua")
    freeze(date(2026, 5, 7))  # after the second window (30 April)
    with pytest.raises(service.ComplaintError):
        service.citizen_reply(c, body="Terlambat")


def test_rating_once_when_done(place):
    officer = make_user("pengaduan")
    c, _ = file(place)
    with pytest.raises(service.ComplaintError):
        service.rate(c, rating=4)
    service.verify(c, by=officer)
    service.route(c, by=officer, unit_id=place.unit.id)
    service.respond(c, by=officer, body="Jawaban")
    service.close(c, by=officer)
    for bad in (0, 5, True, "4", None):
        with pytest.raises(service.ComplaintError):
            service.rate(c, rating=bad)
    service.rate(c, rating=3)
    assert c.rating == 3 and c.rated_at is not None
    with pytest.raises(service.ComplaintError):
        service.rate(c, rating=4)
    db.session.commit()
    assert db.session.get(Complaint, c.id).rating == 3


def test_late_evening_receipt_keeps_its_office_date_and_time_after_a_round_trip(place, freeze):
    # 23:30 WITA is 15:30 UTC: stored as UTC, read back (SQLite keeps no offset) it is still 23:30 on the 5th.
    freeze(datetime(2026, 3, 5, 23, 30, tzinfo=clock.office_tz()))
    c, _code = file(place)
    db.session.commit()
    db.session.expire_all()
    c = db.session.get(Complaint, c.id)
    assert c.received_on == date(2026, 3, 5)
    local = clock.local_datetime(c.received_at)
    assert (local.date(), local.hour, local.minute) == (date(2026, 3, 5), 23, 30)
    event = c.events[0]
    assert clock.local_datetime(event.at).hour == 23
