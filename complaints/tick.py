"""The cron work (`flask complaints tick`): close unanswered responses, escalate overdue steps, remind due-soon ones.

Safe to run twice and on two hosts at once. Each complaint is taken with SELECT ... FOR UPDATE SKIP LOCKED on
PostgreSQL (a complaint another run is handling is skipped; SQLite ignores the clause and serialises writers),
re-read, re-checked, and the change itself is a conditional UPDATE (status, deadline and escalated step must
still be those read), so whichever run comes second finds nothing left to do.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app import audit, clock
from app.extensions import db
from app.i18n import N_
from complaints import deadlines, notify
from complaints.handling import SYSTEM, add_event, claim, move, record_audit
from complaints.models import Complaint, ComplaintEvent, EventKind, Status
from complaints.workflow import OPEN

AUTO_CLOSED = N_("Ditutup otomatis: tidak ada tanggapan pelapor sampai batas waktu.")


@dataclass
class TickReport:
    """What one tick did."""

    today: date
    auto_closed: int = 0
    escalated: int = 0
    reminded: int = 0
    emails: int = 0

    def __str__(self) -> str:
        return (
            f"Tick {self.today.isoformat()}: {self.auto_closed} closed automatically (Selesai), "
            f"{self.escalated} escalated, {self.reminded} due-soon reminders, {self.emails} staff e-mails queued."
        )


def _ids(*conditions) -> list[int]:
    """The ids of the complaints matching `conditions`, in id order."""
    return list(db.session.scalars(sa.select(Complaint.id).where(*conditions).order_by(Complaint.id)))


def _take(complaint_id: int) -> Complaint | None:
    """Lock and re-read one complaint, or None when another run holds it (PostgreSQL)."""
    query = (
        sa.select(Complaint)
        .where(Complaint.id == complaint_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(query)


def _auto_close(today: date, report: TickReport) -> None:
    """Ditindaklanjuti -> Selesai once the reporter's answer window has passed."""
    for complaint_id in _ids(Complaint.status == Status.FOLLOWED_UP, Complaint.reply_due < today):
        c = _take(complaint_id)
        if c is None or c.status != Status.FOLLOWED_UP or c.reply_due is None or c.reply_due >= today:
            continue
        if move(c, Status.DONE, by=None, body=AUTO_CLOSED, quiet=True, actor_name=SYSTEM, done_at=clock.utc_now()):
            report.auto_closed += 1


def _owed(c: Complaint | None) -> bool:
    """Whether the complaint is open with an office deadline (the reporter's window is not the office's)."""
    return c is not None and c.status in OPEN and c.due_on is not None and c.due_step != deadlines.REPORTER_REPLY


def _escalate(today: date, report: TickReport) -> None:
    """Escalate each overdue step once to the supervisors."""
    candidates = _ids(
        Complaint.status.in_(OPEN),
        deadlines.overdue_clause(today),
        Complaint.due_step != deadlines.REPORTER_REPLY,
        Complaint.escalated_step != Complaint.due_step,
    )
    for complaint_id in candidates:
        c = _take(complaint_id)
        if not _owed(c) or c.due_on >= today or c.escalated_step == c.due_step:
            continue
        step, moment = c.due_step, clock.utc_now()
        if not claim(c, Complaint.escalated_step != step, escalated_step=step, escalated_at=moment):
            continue
        c.escalated_step, c.escalated_at = step, moment
        add_event(c, EventKind.ESCALATION, body=step)
        record_audit(audit.Action.COMPLAINT_ESCALATED, c, by=None, detail=step)
        report.escalated += 1
        report.emails += notify.escalated(c, deadlines.STEP_LABELS[step])


def _remind(today: date, report: TickReport) -> None:
    """Remind the handlers once per step and day while the deadline owed now is near."""
    candidates = _ids(
        Complaint.status.in_(OPEN), deadlines.due_soon_clause(today), Complaint.due_step != deadlines.REPORTER_REPLY
    )
    limit = deadlines.soon_limit(today)
    for complaint_id in candidates:
        c = _take(complaint_id)
        if not _owed(c) or not today <= c.due_on <= limit:
            continue
        key = f"{c.due_step}:{today.isoformat()}"
        sent = sa.select(ComplaintEvent.id).where(
            ComplaintEvent.complaint_id == c.id, ComplaintEvent.kind == EventKind.REMINDER, ComplaintEvent.body == key
        )
        if db.session.scalar(sent.limit(1)) is not None:
            continue
        add_event(c, EventKind.REMINDER, body=key)
        report.reminded += 1
        report.emails += notify.reminder(c, deadlines.STEP_LABELS[c.due_step], today.isoformat())


def tick(*, today: date | None = None) -> TickReport:
    """Do the time-based work for `today` (the office's today by default). Flushes; the caller commits."""
    today = today or clock.today()
    report = TickReport(today=today)
    _auto_close(today, report)
    _escalate(today, report)
    _remind(today, report)
    db.session.flush()
    return report
