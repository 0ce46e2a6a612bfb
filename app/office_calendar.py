"""The office's own non-working days (beyond national holidays and cuti bersama), kept in the database.

`flask calendar due DATE N` prints the deadline N working days after DATE; `flask calendar add-day DATE REASON`
adds a day off (idempotent, audited); `flask calendar list YEAR` prints the year's national holidays, cuti
bersama and the office's own days.
"""

import unicodedata
from datetime import UTC, date, datetime

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from sqlalchemy.orm import Mapped, mapped_column

from app.errors import DomainError
from app.extensions import db
from app.i18n import N_

MAX_REASON = 200


class OfficeDay(db.Model):
    """A local non-working day the office added (a regional holiday, an office closure)."""

    __tablename__ = "office_days"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    reason: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=lambda: datetime.now(UTC))
    created_by: Mapped[str] = mapped_column(sa.String(80), default="")


class CalendarError(DomainError):
    """A calendar change that breaks a rule; nothing was written."""


def add_day(*, day: date, reason: str, by=None, by_name: str = "") -> tuple[OfficeDay, bool]:
    """Add an office day off (or return the one already there) and whether it was new. Audited. Flushes."""
    from app import audit, clock

    reason = "".join(ch for ch in str(reason or "") if unicodedata.category(ch) != "Cc").strip()
    if not reason or len(reason) > MAX_REASON:
        raise CalendarError({"reason": N_("Alasan wajib diisi (maks. %(limit)d karakter).")}, limit=MAX_REASON)
    if not isinstance(day, date) or isinstance(day, datetime):
        raise CalendarError({"day": N_("Tanggal tidak sah.")})
    existing = db.session.get(OfficeDay, day)
    if existing is not None:
        return existing, False
    name = (getattr(by, "username", None) or by_name)[:80]
    office_day = OfficeDay(day=day, reason=reason, created_by=name)
    db.session.add(office_day)
    db.session.flush()
    audit.record(audit.Action.OFFICE_DAY_ADDED, actor=by, actor_name=by_name, object_type="office_day",
                 detail=day.isoformat())  # fmt: skip
    clock.forget_office_days()
    return office_day, True


def remove_day(*, day: date) -> bool:
    """Remove an office day off; True when there was one. Flushes."""
    from app import clock

    office_day = db.session.get(OfficeDay, day)
    if office_day is None:
        return False
    db.session.delete(office_day)
    db.session.flush()
    clock.forget_office_days()
    return True


NATIONAL = "libur nasional"
JOINT_LEAVE = "cuti bersama"
LOCAL = "libur kantor"


def year_days(year: int) -> list[tuple[date, str, str]]:
    """The year's days off as (date, kind, name): national holidays, cuti bersama, and the office's own."""
    import holidays

    from app import clock

    found: list[tuple[date, str, str]] = []
    for kind, category in ((NATIONAL, "public"), (JOINT_LEAVE, "government")):
        calendar = holidays.country_holidays("ID", categories=(category,), language="id", years=year)
        found += [(day, kind, name) for day, name in calendar.items()]
    extra = clock._extra_days()  # OFFICE_EXTRA_HOLIDAYS from the configuration
    found += [(day, LOCAL, name) for day, name in extra.items() if day.year == year]
    rows = db.session.execute(
        sa.select(OfficeDay.day, OfficeDay.reason).where(OfficeDay.day.between(date(year, 1, 1), date(year, 12, 31)))
    )
    found += [(day, LOCAL, reason) for day, reason in rows]
    return sorted(found)


calendar_cli = AppGroup("calendar", help="Working days: deadlines and the office's own days off.")


def _parse_day(value: str) -> date:
    """An ISO date from the command line, or a usage error."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2026-03-19.") from None


@calendar_cli.command("due")
@click.argument("day", metavar="DATE")
@click.argument("days", metavar="N", type=click.IntRange(min=0))
def due_command(day: str, days: int) -> None:
    """Print the date N working days after DATE (ISO), the end of a deadline counted from DATE."""
    from app import clock

    click.echo(clock.add_working_days(_parse_day(day), days).isoformat())


@calendar_cli.command("add-day")
@click.argument("day", metavar="DATE")
@click.argument("reason", nargs=-1, required=True)
def add_day_command(day: str, reason: tuple[str, ...]) -> None:
    """Add an office day off (not a working day for any deadline); running it again changes nothing."""
    try:
        office_day, created = add_day(day=_parse_day(day), reason=" ".join(reason), by_name="cli")
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    if created:
        click.echo(f"Added {office_day.day.isoformat()}: {office_day.reason}")
    else:
        click.echo(f"{office_day.day.isoformat()} is already an office day off: {office_day.reason}")


@calendar_cli.command("list")
@click.argument("year", type=click.IntRange(1900, 2200))
def list_command(year: int) -> None:
    """Print the national holidays, cuti bersama and office days off of YEAR, one per line."""
    for day, kind, name in year_days(year):
        click.echo(f"{day.isoformat()}  {kind:<14}  {name}")


def register(app) -> None:
    """Install `flask calendar` (due, add-day, list)."""
    app.cli.add_command(calendar_cli)
