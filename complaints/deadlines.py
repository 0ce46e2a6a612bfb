"""Complaint clocks (product decision 7): each step's deadline, the one the office owes now, and its state.

A limit of N working days from an event ends at the end of the N-th working day after the event's office date
(the event's own day never counts); the 60-day completion limit counts calendar days from the day the file
became complete (verification). A deadline is overdue when today is later than it.

Which deadline the office owes now (``due_on``/``due_step``), by status:

* Belum Terverifikasi, Terverifikasi: ``verifikasi`` (SP4N-LAPOR! verifies *and forwards* within the limit, so a
  verified complaint that was not yet routed stays on the verification clock);
* Didisposisikan: ``tindak_lanjut`` (first follow-up after the disposition);
* Ditindaklanjuti: ``tanggapan_pelapor`` (the reporter's answer window; afterwards `tick` closes it as Selesai);
* in each of these the 60-day ``penyelesaian`` limit takes over when it falls earlier;
* Ditolak, Selesai, Diarsipkan: none.
"""

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from app import clock
from app.i18n import N_
from complaints.models import Complaint, Status

VERIFY = "verifikasi"
FOLLOWUP = "tindak_lanjut"
REPORTER_REPLY = "tanggapan_pelapor"
COMPLETION = "penyelesaian"

STEP_LABELS = {
    VERIFY: N_("Verifikasi"),
    FOLLOWUP: N_("Tindak lanjut"),
    REPORTER_REPLY: N_("Tanggapan pelapor"),
    COMPLETION: N_("Penyelesaian"),
}

OVERDUE = "overdue"
DUE_SOON = "due_soon"
OK = "ok"


def _days(key: str) -> int:
    """Read one COMPLAINT_*_DAYS setting as a non-negative integer."""
    value = int(current_app.config[key])
    if value < 0:
        raise ValueError(f"{key} must not be negative, got {value}")
    return value


def verify_due(received_on: date) -> date:
    """The verification deadline: COMPLAINT_VERIFY_DAYS working days after the office date of receipt."""
    return clock.add_working_days(received_on, _days("COMPLAINT_VERIFY_DAYS"))


def followup_due(routed_on: date) -> date:
    """The first follow-up deadline: COMPLAINT_FOLLOWUP_DAYS working days after the disposition (or a reply)."""
    return clock.add_working_days(routed_on, _days("COMPLAINT_FOLLOWUP_DAYS"))


def reply_due(responded_on: date) -> date:
    """The end of the reporter's answer window: COMPLAINT_REPLY_DAYS working days after a public response."""
    return clock.add_working_days(responded_on, _days("COMPLAINT_REPLY_DAYS"))


def completion_due(complete_on: date) -> date:
    """The completion limit: COMPLAINT_COMPLETION_DAYS calendar days after the file became complete."""
    return complete_on + timedelta(days=_days("COMPLAINT_COMPLETION_DAYS"))


def _earliest(*candidates: tuple[date | None, str]) -> tuple[date | None, str]:
    """The earliest (date, step) of those with a date; (None, "") when none has one."""
    dated = [(day, step) for day, step in candidates if day is not None]
    return min(dated, key=lambda item: item[0]) if dated else (None, "")


def current_due(c: Complaint) -> tuple[date | None, str]:
    """The deadline the office owes now and its step, from the complaint's status and dates."""
    status = Status(c.status)
    completion = (c.completion_due, COMPLETION)
    if status in (Status.RECEIVED, Status.VERIFIED):
        return _earliest((c.verify_due, VERIFY), completion)
    if status == Status.ROUTED:
        return _earliest((c.followup_due, FOLLOWUP), completion)
    if status == Status.FOLLOWED_UP:
        return _earliest((c.reply_due, REPORTER_REPLY), completion)
    return None, ""


def soon_limit(today: date) -> date:
    """The last date counted as due soon: COMPLAINT_DUE_SOON_DAYS working days after today."""
    return clock.add_working_days(today, _days("COMPLAINT_DUE_SOON_DAYS"))


def state(c: Complaint, today: date | None = None, *, soon: date | None = None) -> str | None:
    """'overdue', 'due_soon' or 'ok' for the deadline the office owes now; None when nothing is owed.

    A list passes `soon` (soon_limit(today)) once instead of recounting working days for every row."""
    if c.due_on is None:
        return None
    today = today or clock.today()
    if today > c.due_on:
        return OVERDUE
    if c.due_on <= (soon or soon_limit(today)):
        return DUE_SOON
    return OK


def overdue_clause(today: date | None = None) -> sa.ColumnElement[bool]:
    """SQL condition: the deadline owed now has passed (uses the (stream, due_on) index)."""
    today = today or clock.today()
    return sa.and_(Complaint.due_on.is_not(None), Complaint.due_on < today)


def due_soon_clause(today: date | None = None) -> sa.ColumnElement[bool]:
    """SQL condition: the deadline owed now falls between today and the due-soon limit."""
    today = today or clock.today()
    return Complaint.due_on.between(today, soon_limit(today))
