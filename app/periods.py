"""Survey periods: month, triwulan (quarter), semester, year, or a custom date range.

Periods are half-open date ranges [start, end) on the office's local calendar,
keyed by a short string: "2026-03", "2026-Q1", "2026-S2", "2026",
"2026-01-15..2026-02-14" (inclusive end in the key, as people write it).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from app.errors import DomainError
from app.i18n import N_

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "November", "Desember")  # fmt: skip
ROMAN = ("I", "II", "III", "IV")


class PeriodError(DomainError):
    """A period key that cannot be read."""


@dataclass(frozen=True, order=True)
class Period:
    """A half-open range of survey dates [start, end) with its kind and key."""

    start: date
    end: date
    kind: str  # month | quarter | semester | year | range
    key: str

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        """Indonesian label: "Maret 2026", "Triwulan I 2026", "Semester II 2026", "Tahun 2026"."""
        if self.kind == "month":
            return f"{MONTHS_ID[self.start.month - 1]} {self.start.year}"
        if self.kind == "quarter":
            return f"Triwulan {ROMAN[(self.start.month - 1) // 3]} {self.start.year}"
        if self.kind == "semester":
            return f"Semester {ROMAN[(self.start.month - 1) // 6]} {self.start.year}"
        if self.kind == "year":
            return f"Tahun {self.start.year}"
        return f"{self.start:%d-%m-%Y} s.d. {self.last_day:%d-%m-%Y}"

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month(year: int, month_number: int) -> Period:
    start = date(year, month_number, 1)
    return Period(start, _add_months(start, 1), "month", f"{year:04d}-{month_number:02d}")


def quarter(year: int, number: int) -> Period:
    start = date(year, 3 * (number - 1) + 1, 1)
    return Period(start, _add_months(start, 3), "quarter", f"{year:04d}-Q{number}")


def semester(year: int, number: int) -> Period:
    start = date(year, 6 * (number - 1) + 1, 1)
    return Period(start, _add_months(start, 6), "semester", f"{year:04d}-S{number}")


def year(year_number: int) -> Period:
    return Period(date(year_number, 1, 1), date(year_number + 1, 1, 1), "year", f"{year_number:04d}")


def date_range(first: date, last: date) -> Period:
    """A custom range from `first` to `last`, both inclusive."""
    if last < first:
        raise PeriodError(N_("Tanggal akhir sebelum tanggal awal."))
    return Period(first, last + timedelta(days=1), "range", f"{first.isoformat()}..{last.isoformat()}")


_PATTERNS = (
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), lambda m: month(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})-(?:Q|TW)([1-4])$", re.I), lambda m: quarter(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})-S([12])$", re.I), lambda m: semester(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})$"), lambda m: year(int(m[1]))),
    (
        re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$"),
        lambda m: date_range(date.fromisoformat(m[1]), date.fromisoformat(m[2])),
    ),
)


def parse_period(key: str) -> Period:
    """Read a period key ("2026-03", "2026-Q1", "2026-TW1", "2026-S2", "2026", "2026-01-01..2026-01-31")."""
    text = (key or "").strip()
    for pattern, build in _PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                period = build(match)
            except ValueError as exc:
                raise PeriodError(N_("Periode '%(key)s' tidak valid: %(reason)s"), key=text, reason=str(exc)) from None
            if not 2000 <= period.start.year <= 2100:
                raise PeriodError(N_("Periode '%(key)s' di luar rentang tahun 2000-2100."), key=text)
            return period
    raise PeriodError(
        N_(
            "Periode '%(key)s' tidak dikenal. Gunakan YYYY-MM, YYYY-Q1..Q4, YYYY-S1/S2, YYYY, "
            "atau YYYY-MM-DD..YYYY-MM-DD."
        ),
        key=text[:40],
    )


def months_in(period: Period) -> list[Period]:
    """Return the calendar months that overlap a period, in order."""
    result = []
    current = date(period.start.year, period.start.month, 1)
    while current < period.end:
        result.append(month(current.year, current.month))
        current = _add_months(current, 1)
    return result


def last_months(end_month: Period, count: int) -> list[Period]:
    """Return `count` consecutive months ending with `end_month`, oldest first."""
    start = _add_months(end_month.start, -(count - 1))
    return [month(d.year, d.month) for d in (_add_months(start, i) for i in range(count))]


def period_of(day: date, kind: str) -> Period:
    """Return the month/quarter/semester/year period that contains `day`."""
    if kind == "month":
        return month(day.year, day.month)
    if kind == "quarter":
        return quarter(day.year, (day.month - 1) // 3 + 1)
    if kind == "semester":
        return semester(day.year, (day.month - 1) // 6 + 1)
    if kind == "year":
        return year(day.year)
    raise PeriodError(N_("Jenis periode tidak dikenal: %(kind)s"), kind=kind)


# --- frozen periods --------------------------------------------------------------------------------------------
# Domains that write period data (the survey's paper import) must say when a period's figures are already
# published. Publishing lives in analytics, which the survey may not import, so analytics registers a lookup
# here when its blueprint is registered; without it no period is frozen.
FROZEN_LOOKUP = "skm.frozen_periods"


@dataclass(frozen=True)
class FrozenPeriod:
    """A unit's period whose figures were published and frozen, with the published headline."""

    key: str
    label: str
    summary: object  # a translatable Message: "IKM 79,56 (B), 45 responden"


def frozen_periods(unit_id: int, overlapping: Period | None = None) -> list[FrozenPeriod]:
    """Return the unit's published periods (those overlapping `overlapping`, when given), newest first."""
    from flask import current_app

    lookup = current_app.extensions.get(FROZEN_LOOKUP)
    return list(lookup(unit_id, overlapping)) if lookup else []


def frozen_periods_of(unit_id: int, key: str) -> list[FrozenPeriod]:
    """The unit's published periods overlapping the period named by `key` (none when the key cannot be read)."""
    try:
        return frozen_periods(unit_id, parse_period(key))
    except PeriodError:
        return []
