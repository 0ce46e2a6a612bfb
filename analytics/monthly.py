"""The monthly job for cron: `flask monthly --unit SLUG [--month YYYY-MM]`, run early each month.

For a closed month it publishes and freezes the month when the office chose automatic publication (the
publication renders the notice-board poster), proposes follow-up actions for the weakest elements of a published
month, records the month's complaint recap, and e-mails the office heads
(pimpinan accounts with an address) when SMTP is configured. It is written once per unit and month
(`MonthlyRun`): the row is inserted first, so of two runs (twice from cron, or two hosts at once) the second waits
for the first and then finds every step done. Each step is idempotent on its own as well: a published month
stays published (the partial unique index decides a race), the recap is kept as first recorded, the e-mail is
queued once.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from analytics import data
from analytics.complaints import complaint_stats
from analytics.followup import propose_actions
from analytics.models import MonthlyRun, PublishingSettings
from analytics.publishing import PublishingError, publish_period
from analytics.selection import Selection
from analytics.snapshot import Headline
from app import clock, outbox
from app.auth import Role, role_users
from app.directory import Unit
from app.errors import DomainError
from app.extensions import db, upsert
from app.i18n import N_
from app.links import public_url
from app.periods import Period, PeriodError, parse_period, period_of

PUBLISHED, ALREADY, MANUAL, NO_DATA = "published", "already", "manual", "no data"
JOB = "monthly"  # who published and proposed, in the rows and in the audit log


class MonthlyError(DomainError):
    """A month the job cannot run for."""


@dataclass(frozen=True)
class MonthlyOutcome:
    month: Period
    first_run: bool
    publication: str  # PUBLISHED, ALREADY, MANUAL or NO_DATA
    recap: dict
    emailed_to: int
    proposed: int  # follow-up actions this run proposed for the month's weakest elements


def closed_month(key: str | None) -> Period:
    """The month to run for: `key` (YYYY-MM, before the current month) or, by default, the previous month."""
    current = clock.current_period("month")
    if key is None:
        return period_of(current.start - timedelta(days=1), "month")
    try:
        month = parse_period(key)
    except PeriodError as exc:
        raise MonthlyError(*exc.messages) from None
    if month.kind != "month" or month.start >= current.start:
        raise MonthlyError(N_("Bulan harus berbentuk YYYY-MM dan sudah berakhir."))
    return month


def auto_publish(unit_id: int) -> bool:
    """Whether the office chose to have each closed month published by the monthly job."""
    settings = db.session.get(PublishingSettings, unit_id)
    return settings is not None and settings.auto_publish


def run_monthly(*, unit: Unit, month: Period) -> MonthlyOutcome:
    """Run every step for a closed month; flushes, the command commits."""
    run, first = _claim(unit, month)
    if run.publication in ("", MANUAL, NO_DATA):
        outcome = _publish(unit, month)
        if outcome != run.publication:
            _set_once(run, "publication", outcome, unless=(PUBLISHED, ALREADY))
    proposed = 0
    if data.publication(unit.id, month.key) is not None:  # idempotent: an element proposed once is never again
        proposed = len(propose_actions(unit=unit, period=month, by=JOB))  # each audited as by the job
    if run.recap is None:
        _set_once(run, "recap", _recap(unit, month))
    db.session.refresh(run)  # what this run or an earlier one recorded
    if run.emailed_at is None and current_app.config.get("SMTP_HOST") and _set_once(run, "emailed_at", _utc()):
        _set_once(run, "emailed_to", _email_heads(unit, month, run), unless=None)
    db.session.flush()
    db.session.refresh(run)
    return MonthlyOutcome(month, first, run.publication, run.recap, run.emailed_to, proposed)


def _utc() -> datetime:
    return datetime.now(UTC)


def _set_once(run: MonthlyRun, field: str, value, *, unless: tuple | None = ()) -> bool:
    """Write `value` into the run's `field` only if no other run wrote it first (a conditional UPDATE, decided
    by the database under its write lock); return whether this run did. `unless`: the values that must not be
    overwritten (default: any value but NULL; None: always write)."""
    column = getattr(MonthlyRun, field)
    stmt = sa.update(MonthlyRun).where(MonthlyRun.id == run.id).values({field: value})
    if unless == ():
        stmt = stmt.where(column.is_(None))
    elif unless is not None:
        stmt = stmt.where(column.not_in(unless))
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount == 1


def _claim(unit: Unit, month: Period) -> tuple[MonthlyRun, bool]:
    """The month's run row, inserted by the first run (ON CONFLICT DO NOTHING: one statement, no savepoint), then
    locked (PostgreSQL), so a concurrent run waits for the first and sees what it did."""
    result = db.session.execute(
        upsert()(MonthlyRun)
        .values(unit_id=unit.id, month_key=month.key, started_at=_utc(), publication="", emailed_to=0)
        .on_conflict_do_nothing(index_elements=["unit_id", "month_key"])
        .returning(MonthlyRun.id)
    )
    # The id comes back only when this run inserted the row. On a conflict, SQLite's driver may report no result
    # columns at all (the suite caught it under load), which means the same: another run was first.
    try:
        inserted = result.first()
    except sa.exc.ResourceClosedError:
        inserted = None
    stmt = sa.select(MonthlyRun).where(MonthlyRun.unit_id == unit.id, MonthlyRun.month_key == month.key)
    run = db.session.scalar(stmt.with_for_update().execution_options(populate_existing=True))
    return run, inserted is not None


def _publish(unit: Unit, month: Period) -> str:
    if data.publication(unit.id, month.key) is not None:
        return ALREADY
    if not auto_publish(unit.id):
        return MANUAL
    if not data.tally(Selection(unit_id=unit.id).within(month.start, month.end)).respondents:
        return NO_DATA
    try:
        with db.session.begin_nested():
            publish_period(unit=unit, period=month, published_by=JOB)  # audited as by the job
    except PublishingError:  # another host published it a moment ago
        return ALREADY
    return PUBLISHED


def _recap(unit: Unit, month: Period) -> dict:
    stats = complaint_stats(period=month, unit_id=unit.id)
    return {"received": stats.total, "to_handle": stats.to_handle, "in_progress": stats.in_progress,
            "handled": stats.handled, "handled_percent": None if stats.handled_percent is None
            else str(stats.handled_percent), "on_time": stats.on_time}  # fmt: skip


def _email_heads(unit: Unit, month: Period, run: MonthlyRun) -> int:
    addresses = dict.fromkeys(u.email.strip() for u in role_users(Role.PIMPINAN, unit.id) if (u.email or "").strip())
    if not addresses:
        return 0
    body = _body(unit, month, run)
    for address in addresses:
        outbox.enqueue(recipient=address, subject=f"Hasil SKM dan pengaduan {month.label}: {unit.name}"[:200],
                       body=body, topic=f"monthly:{unit.id}:{month.key}")  # fmt: skip
    return len(addresses)


def _body(unit: Unit, month: Period, run: MonthlyRun) -> str:
    record = data.publication(unit.id, month.key)
    if record is not None:
        head = Headline.from_json(record.snapshot)
        nik = "-" if head.nik is None else f"{head.nik:.2f}".replace(".", ",")
        survey = f"IKM {nik} ({head.mutu or '-'}), {head.respondents} responden; hasil sudah dipublikasikan."
    else:
        survey = "Hasil bulan ini belum dipublikasikan; periksa dan publikasikan di halaman IKM."
    recap = run.recap or {}
    percent = recap.get("handled_percent")
    lines = [
        f"{unit.name}, {month.label}",
        "",
        f"SKM: {survey}",
        f"Pengaduan: {recap.get('received', 0)} diterima, {recap.get('to_handle', 0)} harus ditindaklanjuti, "
        f"{recap.get('in_progress', 0)} sedang diproses, {recap.get('handled', 0)} selesai"
        + (f" ({percent} %)." if percent is not None else "."),
        "",
        "Dasbor IKM: " + public_url("analytics.dashboard", unit=unit.slug, periode=month.key),
        "Paket bukti Zona Integritas: " + public_url("analytics_evidence.unit_packs", unit_id=unit.id),
    ]
    return "\n".join(lines) + "\n"
