"""Read side of the analytics: with `analytics.rolled` (the daily roll-up), the only analytics modules that query
the database.

Sums and counts are aggregated in SQL, one row per (day, group...), so the web process never loads raw
responses; the day-level rows are folded into months, quarters or years in Python with exact integer
arithmetic. The days the roll-up holds are summed from it, the others from the raw rows (`analytics.rolled`
decides which); a respondent group (gender, age, ...) is always read raw. Grouping and filtering use a fixed
allow-list of columns, never user text in SQL.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm

from analytics import rolled as rolled_up
from analytics.ikm import Tally
from analytics.models import Publication, SurveyPopulation
from analytics.selection import AGE_BANDS as AGE_BANDS  # re-exported: callers read these through analytics.data
from analytics.selection import GROUPS as GROUPS
from analytics.selection import NOT_FILLED as NOT_FILLED
from analytics.selection import Cutoff as Cutoff
from analytics.selection import Selection, answer_aggregates, flag_aggregates, group_expr
from app import periods
from app.directory import Counter, Service, Unit
from app.extensions import db
from app.periods import Period
from survey.models import Response
from survey.questionnaire import ELEMENTS


@functools.cache
def _tally_columns() -> tuple:
    """Built once: SQL expressions are immutable and may serve every statement (a dashboard runs dozens)."""
    return (sa.func.count().label("n"), *answer_aggregates())


_MEMO: ContextVar[dict | None] = ContextVar("analytics_data_memo", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """Answer identical reads once inside this block: the roll-up's reach and plans, and each selection's
    per-group frame, which serves its grouped tallies and flag counts together. Only around reads (a dashboard):
    nothing written inside the block is seen by a read already answered."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _memo(key: tuple, compute: Callable):
    memo = _MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _plan(selection: Selection) -> rolled_up.Plan | None:
    through = _memo(("through",), rolled_up.through)
    return _memo(("plan", selection), lambda: rolled_up.plan(selection, reach=through))


def _raw_where(selection: Selection, rolled: rolled_up.Plan | None) -> list:
    """The raw rows of a selection that the roll-up does not answer (all of them without a plan)."""
    return rolled.raw_where(selection) if rolled is not None else selection.where()


def _merge(*parts: dict) -> dict:
    merged: dict = {}
    for part in parts:
        for key, value in part.items():
            merged[key] = merged[key] + value if key in merged else value
    return merged


def tally(selection: Selection) -> Tally:
    """Return the tally of every response in a selection (the roll-up's days plus one raw aggregate)."""
    rolled = _plan(selection)
    row = db.session.execute(sa.select(*_tally_columns()).where(*_raw_where(selection, rolled))).one()
    raw = Tally.of_sums(tuple(row))
    return raw if rolled is None else raw + rolled_up.tally(rolled, selection)


def daily_tallies(selection: Selection, by: tuple[str, ...] = ()) -> dict[tuple, Tally]:
    """Return {(day, *group values): Tally} for a selection, grouped by day and the given keys."""
    return _tallies(selection, by, per_day=True)


def grouped_tallies(selection: Selection, by: tuple[str, ...]) -> dict[tuple, Tally]:
    """Return {(group values...): Tally} without the day dimension (small result, SQL GROUP BY)."""
    if set(by) <= set(FRAME):  # summed from the selection's frame (read once per `batch`)
        indexes = [FRAME.index(name) for name in by]
        grouped: dict[tuple, Tally] = {}
        for key, cell in _frame(selection).items():
            group = tuple(key[i] for i in indexes)
            grouped[group] = grouped[group] + cell.tally if group in grouped else cell.tally
        return grouped
    return _tallies(selection, by, per_day=False)


def _tallies(selection: Selection, by: tuple[str, ...], *, per_day: bool) -> dict[tuple, Tally]:
    keys = [group_expr(name).label(name) for name in by]
    rolled = _plan(selection) if set(by) <= set(rolled_up.KEYS) else None
    if per_day:
        keys.insert(0, Response.survey_date)
    stmt = sa.select(*keys, *_tally_columns()).where(*_raw_where(selection, rolled)).group_by(*keys)
    raw = {}
    for row in db.session.execute(stmt):
        values = tuple(row)
        key = tuple(_plain(v) for v in values[: len(keys)])
        if per_day and isinstance(key[0], str):  # SQLite without type affinity on raw expressions
            key = (date.fromisoformat(key[0]), *key[1:])
        raw[key] = Tally.of_sums(values[len(keys) :])
    return raw if rolled is None else _merge(raw, rolled_up.tallies(rolled, selection, by, per_day=per_day))


FRAME = ("unit", "service", "counter", "channel")  # the keys of a selection's frame (all of `rolled_up.KEYS`)


def _frame(selection: Selection) -> dict[tuple, rolled_up.Cell]:
    """{(unit, service, counter, channel): Cell} of a selection: the roll-up's days plus one raw aggregate."""
    return _memo(("frame", selection), lambda: _read_frame(selection))


@functools.cache
def _frame_columns() -> tuple:
    return (*(group_expr(name) for name in FRAME), *_tally_columns(), *flag_aggregates())


def _read_frame(selection: Selection) -> dict[tuple, rolled_up.Cell]:
    rolled = _plan(selection)
    columns = _frame_columns()
    stmt = sa.select(*columns).where(*_raw_where(selection, rolled)).group_by(*columns[: len(FRAME)])
    size = 1 + 2 * len(ELEMENTS)  # respondents, then per element count and sum
    raw = {}
    for row in db.session.execute(stmt):
        values = tuple(row)
        key = tuple(_plain(v) for v in values[: len(FRAME)])
        counts = values[len(FRAME) :]
        raw[key] = rolled_up.Cell(Tally.of_sums(counts[:size]), tuple(int(v) for v in counts[size:]))
    return raw if rolled is None else _merge(raw, rolled_up.frame(rolled, selection))


def _plain(value):
    return getattr(value, "value", value)  # enum members -> their stored value


def profile_marginals(selection: Selection, dimensions: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Return {profile question: {value: respondents}} ("Tidak diisi" for blanks) for each of `dimensions`."""
    rolled = _plan(selection) if rolled_up.profiles_usable(selection) else None
    keys = [group_expr(name).label(name) for name in dimensions]
    stmt = sa.select(*keys, sa.func.count()).where(*_raw_where(selection, rolled)).group_by(*keys)
    result: dict[str, dict[str, int]] = {name: {} for name in dimensions}
    for row in db.session.execute(stmt):  # one joint GROUP BY over the raw rows, folded into marginals
        for name, value in zip(dimensions, row[:-1], strict=True):
            result[name][value] = result[name].get(value, 0) + int(row[-1])
    if rolled is not None:
        for name, counts in rolled_up.profile_totals(rolled, selection).items():
            if name in result:
                result[name] = _merge(result[name], counts)
    return result


@dataclass(frozen=True)
class FlagCounts:
    """How many responses in a selection carry anti-stuffing flags or were officer-assisted."""

    total: int
    flagged: int
    assisted: int
    paper: int
    by_flag: dict[str, int]


def flag_counts(selection: Selection) -> FlagCounts:
    """Count flagged, assisted and paper responses in a selection (summed from its frame)."""
    from survey.stuffing import FLAG_LABELS

    total = paper = 0
    flags = [0] * (2 + len(FLAG_LABELS))  # flagged, assisted, then each flag (flag_aggregates' order)
    for key, cell in _frame(selection).items():
        total += cell.tally.respondents
        paper += cell.tally.respondents if key[FRAME.index("channel")] == "paper" else 0
        flags = [a + b for a, b in zip(flags, cell.flags, strict=True)]
    return FlagCounts(total, flags[0], flags[1], paper, dict(zip(FLAG_LABELS, flags[2:], strict=True)))


def iter_responses(selection: Selection, batch: int = 2000) -> Iterator[Response]:
    """Stream the responses of a selection in id order, `batch` rows at a time (for exports)."""
    stmt = sa.select(Response).where(*selection.where()).order_by(Response.id).execution_options(yield_per=batch)
    result = db.session.scalars(stmt)
    try:
        yield from result
    finally:  # a consumer that stops early must not leave a server-side cursor open (PostgreSQL)
        result.close()


def first_response_date(selection: Selection) -> date | None:
    """Return the earliest survey date in a selection, or None."""
    return db.session.scalar(sa.select(sa.func.min(Response.survey_date)).where(*selection.where()))


def names(model, ids) -> dict[int, str]:
    """Return {id: name} for services or counters."""
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(model.id, model.name).where(model.id.in_(ids))).all())


def service_names(ids) -> dict[int, str]:
    return names(Service, ids)


def counter_names(ids) -> dict[int, str]:
    return names(Counter, ids)


# Public lists read only the columns they show, never a poster. On SQLite a row keeps its columns in order and its
# posters (about 300 KB together) spill into a chain of overflow pages that is read page by page to reach any column
# stored after them (published_by, published_at, the withdrawal's): a list reads those only if it shows them.
POSTERS = {"png": Publication.poster_png, "pdf": Publication.poster_pdf}


def publications(unit_id: int | None = None) -> list[Publication]:
    """Return the publications in force, newest period first, with their period and snapshot loaded (no poster)."""
    stmt = (
        sa.select(Publication)
        .options(orm.load_only(Publication.unit_id, Publication.period_key, Publication.period_start,
                               Publication.snapshot))
        .where(Publication.withdrawn_at.is_(None))
        .order_by(Publication.period_start.desc(), Publication.id.desc())
    )  # fmt: skip
    if unit_id is not None:
        stmt = stmt.where(Publication.unit_id == unit_id)
    return list(db.session.scalars(stmt))


def latest_publications() -> list[sa.Row]:
    """Each unit's newest publication in force, by unit: (unit_slug, unit_name, period_key, snapshot), one statement.

    For each unit, a correlated subquery picks its newest publication in force (newest period first; of periods
    starting the same day, the smallest key) and only that one's snapshot is read, with the unit's slug and name.
    It reads each publication's period start (with an index on (unit_id, period_start) over the publications in
    force it would read one index entry per unit).
    """
    other = orm.aliased(Publication)
    newest = (
        sa.select(other.id)
        .where(other.unit_id == Unit.id, other.withdrawn_at.is_(None))
        .order_by(other.period_start.desc(), other.period_key)
        .limit(1)
        .correlate(Unit)
        .scalar_subquery()
    )
    stmt = (
        sa.select(Unit.slug.label("unit_slug"), Unit.name.label("unit_name"), Publication.period_key,
                  Publication.snapshot)
        .select_from(Unit)
        .join(Publication, Publication.id == newest)
        .order_by(Unit.id)
    )  # fmt: skip
    return list(db.session.execute(stmt))


def unit_publications(unit_id: int) -> list[sa.Row]:
    """A unit's publications in force, newest period first: (period_key, snapshot, published_at), no poster."""
    stmt = (
        sa.select(Publication.period_key, Publication.snapshot, Publication.published_at)
        .where(Publication.unit_id == unit_id, Publication.withdrawn_at.is_(None))
        .order_by(Publication.period_start.desc(), Publication.id.desc())
    )
    return list(db.session.execute(stmt))


def unit_periods(unit_id: int) -> list[Period]:
    """The periods of a unit's publications in force, newest first (a key that no longer parses left out); reads
    the keys only."""
    keys = db.session.scalars(
        sa.select(Publication.period_key)
        .where(Publication.unit_id == unit_id, Publication.withdrawn_at.is_(None))
        .order_by(Publication.period_start.desc(), Publication.id.desc())
    )
    found = []
    for key in keys:
        try:
            found.append(periods.parse_period(key))
        except periods.PeriodError:
            continue
    return found


def poster_publication(unit_slug: str, period_key: str) -> int | None:
    """The id of the publication in force of a unit's period (the poster's version), or None; reads no poster."""
    return db.session.scalar(
        sa.select(Publication.id)
        .join(Unit, Unit.id == Publication.unit_id)
        .where(Unit.slug == unit_slug, Publication.period_key == period_key, Publication.withdrawn_at.is_(None))
    )


def poster_bytes(publication_id: int, fmt: str) -> bytes | None:
    """The bytes of one of a publication's posters ("png" or "pdf"): what the poster URLs serve, and nothing else."""
    return db.session.scalar(sa.select(POSTERS[fmt]).where(Publication.id == publication_id))


def publication(unit_id: int, period_key: str) -> Publication | None:
    """Return the publication in force of a unit's period, or None."""
    return db.session.scalar(
        sa.select(Publication).where(
            Publication.unit_id == unit_id, Publication.period_key == period_key, Publication.withdrawn_at.is_(None)
        )
    )


def publication_history(unit_id: int, period_key: str) -> list[Publication]:
    """Return every publication of a unit's period, withdrawn ones included, oldest first."""
    stmt = (
        sa.select(Publication)
        .where(Publication.unit_id == unit_id, Publication.period_key == period_key)
        .order_by(Publication.published_at, Publication.id)
    )
    return list(db.session.scalars(stmt))


def publications_overlapping(unit_id: int, start: date, end: date) -> list[Publication]:
    """Return the publications in force of a unit whose period overlaps [start, end)."""
    from app.periods import PeriodError, parse_period

    stmt = sa.select(Publication).where(
        Publication.unit_id == unit_id, Publication.withdrawn_at.is_(None), Publication.period_start < end
    )
    found = []
    for record in db.session.scalars(stmt):
        try:
            if parse_period(record.period_key).end > start:
                found.append(record)
        except PeriodError:
            continue
    return found


SUMMED_KINDS = ("quarter", "semester", "year")  # periods whose population may be the sum of their months'


def period_population(unit_id: int, period: Period) -> tuple[int | None, tuple[tuple[str, int], ...]]:
    """The population entered for a period; for a quarter, semester or year without one, the sum of its months'
    when the office entered every month, with the parts ((month key, population), ...). (None, ()) otherwise."""
    months = []
    if period.kind in SUMMED_KINDS:
        month = periods.month(period.start.year, period.start.month)
        while month.start < period.end:
            months.append(month.key)
            month = periods.month(month.end.year, month.end.month)
    stmt = sa.select(SurveyPopulation.period_key, SurveyPopulation.population).where(
        SurveyPopulation.unit_id == unit_id, SurveyPopulation.period_key.in_([period.key, *months])
    )
    entered = dict(db.session.execute(stmt).all())
    if period.key in entered:
        return entered[period.key], ()
    if months and all(key in entered for key in months):
        return sum(entered[key] for key in months), tuple((key, entered[key]) for key in months)
    return None, ()
