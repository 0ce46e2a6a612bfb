"""Complaint handling: the one write API for complaints and WBS reports (keyword-only, flush-only, never commits).

Every function raises ComplaintError (a DomainError) on bad input or an illegal transition and then writes
nothing; every change appends a ComplaintEvent, staff actions are audited, and notifications are queued in the
outbox. Who may call which function on which complaint is decided by complaints.access, not here.

Intake and look-up live in complaints.intake and the reporter's own actions in complaints.citizen; they are
re-exported here so callers import one module. The cron work is complaints.tick, imported by its command only (a web
worker does not need it).
"""

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import audit, clock
from app.auth import Permission, User
from app.directory import Unit
from app.errors import DomainError
from app.extensions import db
from app.i18n import N_
from app.periods import Period
from app.text import clean
from app.uploads import CleanFile
from complaints import deadlines, monitoring, notify
from complaints.citizen import citizen_add_info, citizen_reply, rate
from complaints.handling import (
    MAX_BODY,
    ComplaintError,
    Problems,
    add_event,
    body_text,
    check_files,
    checked,
    claim,
    record_audit,
    refresh_due,
    store_files,
)
from complaints.handling import move as _move
from complaints.intake import file_complaint, find_by_code
from complaints.models import Complaint, EventKind, MonitoringRecord, Reporter, Status, Stream

__all__ = [
    "MAX_BODY", "ComplaintError", "add_note", "archive", "citizen_add_info", "citizen_reply", "close",
    "file_complaint", "find_by_code", "mark_duplicate", "rate", "reject", "respond", "reveal_identity", "route",
    "verify",
]  # fmt: skip

MAX_REASON = 500
DUPLICATE_REASON = N_("Laporan ini sama dengan laporan lain yang sudah ditangani; ikuti perkembangannya di sana.")


def verify(c: Complaint, *, by: User) -> Complaint:
    """Belum Terverifikasi -> Terverifikasi: the file is complete; the 60-day completion clock starts today."""
    today = clock.today()
    _move(
        c,
        Status.VERIFIED,
        by=by,
        verified_at=clock.utc_now(),
        complete_on=today,
        completion_due=deadlines.completion_due(today),
    )
    return c


def reject(c: Complaint, *, by: User, reason: str) -> Complaint:
    """-> Ditolak with a reason the reporter sees (out of scope, unclear, ...)."""
    problems = Problems()
    reason = checked(problems, "reason", reason, limit=MAX_REASON, required=True, multiline=True)
    problems.raise_any()
    _move(c, Status.REJECTED, by=by, body=reason, rejection_reason=reason, done_at=clock.utc_now())
    return c


def mark_duplicate(c: Complaint, *, by: User, original: Complaint) -> Complaint:
    """-> Ditolak as a duplicate of `original` (another, non-duplicate report of the same stream)."""
    if original is None or original.id == c.id or original.stream != c.stream:
        raise ComplaintError({"original": N_("Pilih laporan asli yang lain pada kanal yang sama.")})
    if original.duplicate_of_id is not None:
        raise ComplaintError({"original": N_("Laporan asli itu sendiri duplikat; pilih laporan aslinya.")})
    if db.session.scalar(sa.select(Complaint.id).where(Complaint.duplicate_of_id == c.id).limit(1)):
        raise ComplaintError({"original": N_("Laporan lain sudah ditandai sebagai duplikat laporan ini.")})
    _move(
        c,
        Status.REJECTED,
        by=by,
        body=DUPLICATE_REASON,
        rejection_reason=DUPLICATE_REASON,
        duplicate_of_id=original.id,
        done_at=clock.utc_now(),
    )
    record_audit(audit.Action.COMPLAINT_LINKED, c, by=by, detail=f"duplicate of {original.id}")
    return c


def _check_assignee(c: Complaint, unit_id: int, user_id: int | None) -> str:
    """Check the unit and the officer (active, covering the unit, able to answer); return who it goes to."""
    unit = db.session.get(Unit, unit_id) if _is_id(unit_id) else None
    if unit is None:
        raise ComplaintError({"unit_id": N_("Pilih unit tujuan disposisi.")})
    if user_id is None:
        return unit.name
    user = db.session.get(User, user_id) if _is_id(user_id) else None
    needed = Permission.WBS_HANDLE if c.stream == Stream.WBS else Permission.COMPLAINTS_ANSWER
    if user is None or not user.active or not user.can(needed) or not user.covers_unit(unit_id):
        raise ComplaintError({"user_id": N_("Petugas ini tidak dapat menangani laporan unit tersebut.")})
    return f"{unit.name} / {user.full_name or user.username}"


def _is_id(value: object) -> bool:
    """Whether `value` can be a row id (an int, not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def route(c: Complaint, *, by: User, unit_id: int, user_id: int | None = None) -> Complaint:
    """-> Didisposisikan to a unit (and optionally an officer); the first follow-up is due in N working days."""
    assignee = _check_assignee(c, unit_id, user_id)
    today = clock.today()
    _move(
        c,
        Status.ROUTED,
        by=by,
        routed_at=clock.utc_now(),
        assigned_unit_id=unit_id,
        assigned_user_id=user_id,
        followup_due=deadlines.followup_due(today),
        reply_due=None,
    )
    add_event(c, EventKind.ASSIGNMENT, by=by, body=assignee)  # internal history: to whom
    record_audit(audit.Action.COMPLAINT_ASSIGNED, c, by=by, detail=assignee)
    notify.assigned(c)
    return c


def respond(c: Complaint, *, by: User, body: str, attachments: Sequence[CleanFile] = ()) -> Complaint:
    """Post a public response: Didisposisikan -> Ditindaklanjuti (or a further response), opening the reply window."""
    text = body_text(body)
    problems = Problems()
    check_files(list(attachments), problems)
    problems.raise_any()
    today = clock.today()
    if c.status == Status.FOLLOWED_UP:
        if not claim(c, status=c.status):
            raise ComplaintError(N_("Laporan ini baru saja diubah orang lain. Muat ulang halaman lalu coba lagi."))
        c.reply_due = deadlines.reply_due(today)
        refresh_due(c)
    else:
        _move(c, Status.FOLLOWED_UP, by=by, announce=False, reply_due=deadlines.reply_due(today))
    c.responded_at = clock.utc_now()
    event = add_event(c, EventKind.RESPONSE, by=by, body=text, public=True)
    store_files(c, list(attachments), event=event, by_staff=True)
    record_audit(audit.Action.COMPLAINT_RESPONDED, c, by=by)
    notify.responded(c)
    return c


def add_note(c: Complaint, *, by: User, body: str) -> Complaint:
    """Add an internal note (staff only, never public)."""
    add_event(c, EventKind.NOTE, by=by, body=body_text(body), public=False)
    record_audit(audit.Action.COMPLAINT_NOTE, c, by=by)
    return c


def close(c: Complaint, *, by: User) -> Complaint:
    """Ditindaklanjuti -> Selesai before the reply window ends (the answer settled it)."""
    _move(c, Status.DONE, by=by, done_at=clock.utc_now())
    return c


def archive(c: Complaint, *, by: User) -> Complaint:
    """Ditolak or Selesai -> Diarsipkan."""
    _move(c, Status.ARCHIVED, by=by, archived_at=clock.utc_now())
    return c


def reveal_identity(c: Complaint, *, by: User) -> Reporter | None:
    """The reporter's identity for an allowed viewer (audited); None when anonymous or none was given."""
    if c.anonymous or c.reporter is None or not (c.reporter.name or c.reporter.phone or c.reporter.email):
        return None
    record_audit(audit.Action.IDENTITY_REVEALED, c, by=by)
    return c.reporter


def completion_days_left(c: Complaint) -> int | None:
    """Calendar days left until the 60-day completion limit (negative when passed), or None."""
    if c.completion_due is None:
        return None
    return (c.completion_due - clock.today()) // timedelta(days=1)


# --- Monitoring and evaluation of the handling (LKE V.iii.c-d, V.iv.b-c) ------------------------------------------


class MonitoringError(DomainError):
    """A monitoring record that breaks a rule; nothing was written."""


def _monitoring_text(value: object, field: str, errors: dict) -> str:
    text = clean(value, multiline=True)
    if len(text) > monitoring.MAX_TEXT:
        errors[field] = N_("Teks terlalu panjang (maks. %(limit)d karakter).")
    return text


def save_monitoring_record(
    *,
    unit_id: int,
    period: Period,
    stream: Stream,
    findings: str,
    follow_up: str,
    follow_up_done: bool,
    follow_up_done_on: date | None,
    by: User,
) -> MonitoringRecord:
    """Create or update the record of a unit, period and stream; refuses users who may not write it. Audited
    (MONITORING_SAVED). Flushes."""
    if not monitoring.can_write(by, stream, unit_id):
        raise MonitoringError(N_("Anda tidak berhak mengisi catatan monitoring ini."))
    errors: dict = {}
    findings_text = _monitoring_text(findings, "findings", errors)
    follow_up_text = _monitoring_text(follow_up, "follow_up", errors)
    if not findings_text:
        errors["findings"] = N_("Temuan wajib diisi.")
    if follow_up_done and follow_up_done_on is None:
        errors["follow_up_done_on"] = N_("Isi tanggal tindak lanjut dilaksanakan.")
    if follow_up_done and not follow_up_text:
        errors["follow_up"] = N_("Tindak lanjut yang dilaksanakan wajib diuraikan.")
    if follow_up_done_on is not None and follow_up_done_on > clock.today():
        errors["follow_up_done_on"] = N_("Tanggal tindak lanjut tidak boleh di masa depan.")
    if errors:
        raise MonitoringError(errors, limit=monitoring.MAX_TEXT)
    record = monitoring.get_record(unit_id=unit_id, period_key=period.key, stream=stream)
    created = record is None
    if record is None:
        try:
            with db.session.begin_nested():  # two first saves at once: the second updates the first's row
                record = MonitoringRecord(unit_id=unit_id, period_key=period.key, period_start=period.start,
                                          stream=Stream(stream), created_by=by.username)  # fmt: skip
                db.session.add(record)
        except IntegrityError:
            created = False  # the other save's row, updated by this one
            record = monitoring.get_record(unit_id=unit_id, period_key=period.key, stream=stream)
    done_on = follow_up_done_on if follow_up_done else None
    changes = _monitoring_changes(None if created else record, findings_text, follow_up_text, done_on, follow_up_done)
    record.findings, record.follow_up = findings_text, follow_up_text
    record.follow_up_done = bool(follow_up_done)
    record.follow_up_done_on = done_on
    record.updated_by, record.updated_at = by.username, clock.utc_now()
    db.session.flush()
    _audit_monitoring(record, period=period, by=by, changes=changes)
    return record


def _monitoring_changes(
    record: MonitoringRecord | None, findings: str, follow_up: str, done_on: date | None, done: bool
) -> str:
    """What a save does, for the audit log: "created; done: no", or "updated: findings, done: no -> yes" (the
    fields' names, never their text)."""
    if record is None:
        return f"created; done: {'yes' if done else 'no'}"
    fields = (("findings", record.findings, findings), ("follow-up", record.follow_up, follow_up))
    changes = [name for name, old, new in fields if old != new]
    if bool(record.follow_up_done) != bool(done):
        changes.append("done: no -> yes" if done else "done: yes -> no")
    elif record.follow_up_done_on != done_on:
        changes.append("done on")
    return "updated: " + (", ".join(changes) or "unchanged")


def _audit_monitoring(record: MonitoringRecord, *, period: Period, by: User, changes: str) -> None:
    """Audit a saved record: "<stream> <period>; <changes>".

    A WBS record's entry is a WBS entry (shown to WBS handlers only) without a unit, as a report's are; its unit is
    named in the detail instead, and it has no object id (a "wbs" object id names a report, whose history it would
    join).
    """
    detail = f"{record.stream} {period.key}; {changes}"
    if record.stream == Stream.WBS:
        audit.record(audit.Action.MONITORING_SAVED, actor=by, object_type=audit.WBS_OBJECT,
                     detail=f"{detail}; unit {record.unit_id}")  # fmt: skip
    else:
        audit.record(audit.Action.MONITORING_SAVED, actor=by, object_type="monitoring_record", object_id=record.id,
                     unit_id=record.unit_id, detail=detail)  # fmt: skip
