"""The one office clock: today, period boundaries and working days on the office's own calendar.

Everything reads the Flask config of the active app through ``current_app``:

* ``OFFICE_TIMEZONE``: IANA name such as "Asia/Makassar" (WITA, UTC+8). Dates, periods and
  deadlines follow this zone, never the server's.
* ``OFFICE_EXTRA_HOLIDAYS`` (optional): local non-working days on top of the national calendar, as an
  iterable of ISO date strings ("2026-04-12") or ``date`` objects, a mapping of those to a name, or one
  comma-separated string. Missing means none.
* The office's own days off kept in the database (``app.office_calendar.OfficeDay``, added with
  ``flask calendar add-day``) also count; they are read once per app context (cached on ``flask.g``).

There is deliberately no fallback to the machine's clock: outside an app context every function that needs
the office zone raises :class:`ClockError` (a ``RuntimeError``).

Working days (hari kerja, as SP4N-LAPOR! counts them) exclude Saturdays, Sundays, Indonesian public holidays
and cuti bersama, taken from the ``holidays`` package (imported lazily: only code that computes deadlines pays
for it). The package only knows cuti bersama for years whose joint decree (SKB) it has; for later years add
them through ``OFFICE_EXTRA_HOLIDAYS``. Islamic holidays of years not yet decreed are estimates ("perkiraan").
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

from app.periods import Period, period_of

LOCAL_HOLIDAY_NAME = "Libur lokal"
_HOLIDAY_CATEGORIES = ("public", "government")  # government = cuti bersama in the ID calendar


class ClockError(RuntimeError):
    """The office clock cannot be read: no app context, or a bad OFFICE_TIMEZONE/OFFICE_EXTRA_HOLIDAYS."""


def _config() -> Mapping:
    """Return the active app's config, or raise ClockError outside an app context."""
    if not has_app_context():
        raise ClockError(
            "The office clock needs a Flask app context (it reads OFFICE_TIMEZONE from current_app.config); "
            "it never falls back to the machine's date. Use `with app.app_context():`."
        )
    return current_app.config


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    """Return the ZoneInfo for an IANA name, or raise ClockError when the name is not a known zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ClockError(
            f"OFFICE_TIMEZONE {name!r} is not a valid IANA time zone name (e.g. 'Asia/Makassar', 'Asia/Jakarta')."
        ) from exc


def office_tz() -> ZoneInfo:
    """Return the office time zone named by OFFICE_TIMEZONE."""
    name = _config().get("OFFICE_TIMEZONE")
    if not isinstance(name, str) or not name.strip():
        raise ClockError(f"OFFICE_TIMEZONE must be an IANA time zone name such as 'Asia/Makassar', got {name!r}.")
    return _zone(name.strip())


def local_datetime(moment: datetime) -> datetime:
    """Convert a moment to the office time zone; a naive datetime is taken as UTC (as SQLite returns it)."""
    if not isinstance(moment, datetime):
        raise TypeError(f"local_datetime() needs a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(office_tz())


def local_date(moment: datetime) -> date:
    """Return the office date of a moment; a naive datetime is taken as UTC."""
    return local_datetime(moment).date()


def now(*, at: datetime | None = None) -> datetime:
    """Return the current aware datetime in the office zone (or `at` converted to it, for tests)."""
    if at is not None:
        return local_datetime(at)
    return datetime.now(office_tz())


def utc_now() -> datetime:
    """Return the current moment in UTC, the form to store (SQLite keeps no offset and is read back as UTC)."""
    return now().astimezone(UTC)


def today(*, at: datetime | None = None) -> date:
    """Return today's date on the office clock (or the office date of `at`)."""
    return now(at=at).date()


def current_period(kind: str, *, at: datetime | None = None) -> Period:
    """Return the month/quarter/semester/year period that contains the office's today."""
    return period_of(today(at=at), kind)


def is_current_or_future(period: Period, *, at: datetime | None = None) -> bool:
    """Return True while the period has not ended yet on the office clock (period.end > today)."""
    return period.end > today(at=at)


# --- Working days -------------------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _national_holidays(year: int) -> Mapping[date, str]:
    """Return the Indonesian public holidays and cuti bersama of one year, read-only, in Indonesian."""
    import holidays  # lazy: web workers that never compute deadlines do not load it

    calendar = holidays.country_holidays("ID", categories=_HOLIDAY_CATEGORIES, language="id", years=year)
    return MappingProxyType(dict(calendar))  # a plain copy: HolidayBase grows itself on lookups of other years


def _parse_extra_day(item: object) -> date:
    """Read one OFFICE_EXTRA_HOLIDAYS entry (ISO string or date) as a date, or raise ClockError."""
    if isinstance(item, date) and not isinstance(item, datetime):
        return item
    if isinstance(item, str):
        try:
            return date.fromisoformat(item.strip())
        except ValueError:
            pass
    raise ClockError(f"OFFICE_EXTRA_HOLIDAYS entry {item!r} is not a date or an ISO date string (YYYY-MM-DD).")


@lru_cache(maxsize=16)
def _parse_extra_days(entries: tuple[tuple[object, str], ...]) -> Mapping[date, str]:
    """Turn (entry, name) pairs from OFFICE_EXTRA_HOLIDAYS into a read-only date -> name mapping."""
    return MappingProxyType({_parse_extra_day(item): name for item, name in entries})


def _extra_days() -> Mapping[date, str]:
    """Return the local non-working days configured in OFFICE_EXTRA_HOLIDAYS (none when the key is missing)."""
    raw = _config().get("OFFICE_EXTRA_HOLIDAYS")
    if not raw:
        return MappingProxyType({})
    if isinstance(raw, str):
        raw = [part for part in raw.replace(";", ",").split(",") if part.strip()]
    if isinstance(raw, Mapping):
        entries = tuple((item, str(name or LOCAL_HOLIDAY_NAME)) for item, name in raw.items())
    elif isinstance(raw, Iterable):
        entries = tuple((item, LOCAL_HOLIDAY_NAME) for item in raw)
    else:
        raise ClockError(f"OFFICE_EXTRA_HOLIDAYS must be an iterable of ISO dates, got {type(raw).__name__}.")
    try:
        return _parse_extra_days(entries)
    except TypeError:  # an unhashable entry: parse without the cache, it raises the clear error
        return _parse_extra_days.__wrapped__(entries)


_OFFICE_DAYS = "_office_days"  # flask.g attribute: the OfficeDay rows, read once per app context


def _office_days() -> Mapping[date, str]:
    """Return the office's own days off kept in the database (OfficeDay), read once per app context."""
    from flask import g

    cached = g.get(_OFFICE_DAYS)
    if cached is None:
        import sqlalchemy as sa

        from app.extensions import db
        from app.office_calendar import OfficeDay

        rows = db.session.execute(sa.select(OfficeDay.day, OfficeDay.reason)).all()
        cached = MappingProxyType({day: reason or LOCAL_HOLIDAY_NAME for day, reason in rows})
        setattr(g, _OFFICE_DAYS, cached)
    return cached


def forget_office_days() -> None:
    """Drop the cached OfficeDay rows (after the office added or removed a day)."""
    from flask import g

    g.pop(_OFFICE_DAYS, None)


def _as_day(day: date) -> date:
    """Check that `day` is a plain date (a datetime must go through local_date() first)."""
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a date, got {type(day).__name__}; convert moments with clock.local_date()")
    return day


def holiday_name(day: date) -> str | None:
    """Return the national or local holiday name of `day` (cuti bersama included), or None."""
    day = _as_day(day)
    sources = (_national_holidays(day.year), _extra_days(), _office_days())
    names = list(dict.fromkeys(name for name in (source.get(day) for source in sources) if name))
    return "; ".join(names) if names else None


def is_working_day(day: date) -> bool:
    """Return True for a Monday-Friday that is neither a holiday, a cuti bersama nor a local day off."""
    return _as_day(day).weekday() < 5 and holiday_name(day) is None


def add_working_days(start: date, days: int) -> date:
    """Return the date `days` working days after `start` (start not counted; 0 returns start)."""
    start = _as_day(start)
    if not isinstance(days, int) or days < 0:
        raise ValueError(f"days must be a non-negative integer, got {days!r}")
    day = start
    while days:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Count the working days in (start, end]; 0 when end is not after start."""
    start, end = _as_day(start), _as_day(end)
    return sum(is_working_day(start + timedelta(days=offset)) for offset in range(1, (end - start).days + 1))
