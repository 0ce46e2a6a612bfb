"""Read side of the analytics: the only analytics module that queries the database.

Sums and counts are aggregated in SQL, one row per (day, group...), so the web
process never loads raw responses; the day-level rows are folded into months,
quarters or years in Python with exact integer arithmetic. Grouping and
filtering use a fixed allow-list of columns, never user text in SQL.
"""

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm

from analytics.ikm import Tally
from analytics.models import Publication, SurveyPopulation
from app.directory import Counter, Service, Unit
from app.extensions import db
from survey.models import Response
from survey.questionnaire import ELEMENTS

AGE_BANDS = ((None, 20, "< 20"), (20, 30, "20-29"), (30, 40, "30-39"), (40, 50, "40-49"), (50, 60, "50-59"),
             (60, None, ">= 60"))  # fmt: skip
NOT_FILLED = "Tidak diisi"


def _age_band():
    whens = []
    for low, high, label in AGE_BANDS:
        condition = sa.and_(
            *(c for c in ((Response.age >= low) if low is not None else None,
                          (Response.age < high) if high is not None else None) if c is not None)
        )  # fmt: skip
        whens.append((condition, label))
    return sa.case(*whens, else_=NOT_FILLED)


# Group keys a caller may ask for, mapped to SQL expressions (allow-list).
GROUPS = {
    "unit": Response.unit_id,
    "service": Response.service_id,
    "counter": Response.counter_id,
    "channel": Response.channel,
    "gender": sa.func.coalesce(Response.gender, NOT_FILLED),
    "education": sa.func.coalesce(Response.education, NOT_FILLED),
    "occupation": sa.func.coalesce(Response.occupation, NOT_FILLED),
    "age_band": None,  # built per query (a CASE expression)
}


@dataclass(frozen=True)
class Cutoff:
    """A published period's respondent set: of the responses dated in [start, end), those with id <= max_id."""

    start: date
    end: date
    max_id: int

    def clipped(self, start: date, end: date) -> "Cutoff | None":
        """The part of this cutoff inside [start, end), or None."""
        low, high = max(self.start, start), min(self.end, end)
        return Cutoff(low, high, self.max_id) if low < high else None

    def outside(self, start: date, end: date) -> tuple["Cutoff", ...]:
        """The parts of this cutoff outside [start, end) (none, one or two)."""
        parts = (Cutoff(self.start, min(self.end, start), self.max_id), Cutoff(max(self.start, end), self.end,
                                                                                self.max_id))  # fmt: skip
        return tuple(part for part in parts if part.start < part.end)


@dataclass(frozen=True)
class Selection:
    """Which responses to count: a unit, service, counter, date range and respondent group.

    `cutoffs` freeze published periods: a response dated in a cutoff's range counts only when it was in the
    published respondent set (id <= the watermark taken at publication).
    """

    unit_id: int | None = None
    service_id: int | None = None
    counter_id: int | None = None
    start: date | None = None  # inclusive
    end: date | None = None  # exclusive
    gender: str | None = None
    education: str | None = None
    occupation: str | None = None
    age_band: str | None = None
    channel: str | None = None
    cutoffs: tuple[Cutoff, ...] = ()

    FILTERS = ("service_id", "counter_id", "gender", "education", "occupation", "age_band", "channel")

    @property
    def filtered(self) -> bool:
        """True when the selection is narrower than a whole unit (a service, counter or respondent group)."""
        return any(getattr(self, name) is not None for name in self.FILTERS)

    def frozen_at(self, cutoffs: tuple[Cutoff, ...]) -> "Selection":
        return replace(self, cutoffs=cutoffs)

    def within(self, start: date, end: date) -> "Selection":
        return replace(self, start=start, end=end)

    def where(self) -> list:
        clauses = []
        for attr, column in (("unit_id", Response.unit_id), ("service_id", Response.service_id),
                             ("counter_id", Response.counter_id), ("gender", Response.gender),
                             ("education", Response.education), ("occupation", Response.occupation),
                             ("channel", Response.channel)):  # fmt: skip
            value = getattr(self, attr)
            if value is not None:
                clauses.append(column == value)
        if self.start is not None:
            clauses.append(Response.survey_date >= self.start)
        if self.end is not None:
            clauses.append(Response.survey_date < self.end)
        if self.age_band is not None:
            clauses.append(_age_band() == self.age_band)
        for cut in self.cutoffs:
            clauses.append(
                sa.or_(Response.survey_date < cut.start, Response.survey_date >= cut.end, Response.id <= cut.max_id)
            )
        return clauses


def _tally_columns() -> list:
    columns = [sa.func.count().label("n")]
    for element in ELEMENTS:
        column = getattr(Response, element.code.lower())
        columns += [sa.func.count(column), sa.func.coalesce(sa.func.sum(column), 0)]
    return columns


def _to_tally(values) -> Tally:
    respondents, rest = values[0], values[1:]
    elements = {e.code: (int(rest[2 * i]), int(rest[2 * i + 1])) for i, e in enumerate(ELEMENTS)}
    return Tally(int(respondents), elements)


def tally(selection: Selection) -> Tally:
    """Return the tally of every response in a selection (one SQL aggregate)."""
    row = db.session.execute(sa.select(*_tally_columns()).where(*selection.where())).one()
    return _to_tally(tuple(row))


def daily_tallies(selection: Selection, by: tuple[str, ...] = ()) -> dict[tuple, Tally]:
    """Return {(day, *group values): Tally} for a selection, grouped by day and the given keys."""
    keys = []
    for name in by:
        if name not in GROUPS:
            raise ValueError(f"unknown group {name!r}")
        keys.append((_age_band() if name == "age_band" else GROUPS[name]).label(name))
    stmt = (
        sa.select(Response.survey_date, *keys, *_tally_columns())
        .where(*selection.where())
        .group_by(Response.survey_date, *keys)
    )
    result = {}
    for row in db.session.execute(stmt):
        values = tuple(row)
        day = values[0]
        if isinstance(day, str):  # SQLite without type affinity on raw expressions
            day = date.fromisoformat(day)
        group = tuple(_plain(v) for v in values[1 : 1 + len(keys)])
        result[(day, *group)] = _to_tally(values[1 + len(keys) :])
    return result


def _plain(value):
    return getattr(value, "value", value)  # enum members -> their stored value


def grouped_tallies(selection: Selection, by: tuple[str, ...]) -> dict[tuple, Tally]:
    """Return {(group values...): Tally} without the day dimension (small result, SQL GROUP BY)."""
    keys = [(_age_band() if name == "age_band" else GROUPS[name]).label(name) for name in by]
    stmt = sa.select(*keys, *_tally_columns()).where(*selection.where()).group_by(*keys)
    return {
        tuple(_plain(v) for v in tuple(row)[: len(keys)]): _to_tally(tuple(row)[len(keys) :])
        for row in db.session.execute(stmt)
    }


def profile_counts(selection: Selection, by: tuple[str, ...]) -> dict[tuple, int]:
    """Return {(group values...): respondents} for several profile keys in one GROUP BY."""
    keys = [(_age_band() if name == "age_band" else GROUPS[name]).label(name) for name in by]
    stmt = sa.select(*keys, sa.func.count()).where(*selection.where()).group_by(*keys)
    return {tuple(_plain(v) for v in tuple(row)[:-1]): int(row[-1]) for row in db.session.execute(stmt)}


@dataclass(frozen=True)
class FlagCounts:
    """How many responses in a selection carry anti-stuffing flags or were officer-assisted."""

    total: int
    flagged: int
    assisted: int
    paper: int
    by_flag: dict[str, int]


def flag_counts(selection: Selection) -> FlagCounts:
    """Count flagged, assisted and paper responses in a selection (one SQL aggregate)."""
    from survey.stuffing import FLAG_LABELS

    def count_if(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    flag_columns = [count_if(Response.flags.contains(code)) for code in FLAG_LABELS]
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            count_if(Response.flags != ""),
            count_if(Response.assisted.is_(True)),
            count_if(Response.channel == "paper"),
            *flag_columns,
        ).where(*selection.where())
    ).one()
    values = [int(v) for v in row]
    return FlagCounts(values[0], values[1], values[2], values[3], dict(zip(FLAG_LABELS, values[4:], strict=True)))


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


def population(unit_id: int, period_key: str) -> int | None:
    """Return the population of service recipients the office entered for a period, or None."""
    return db.session.scalar(
        sa.select(SurveyPopulation.population).where(
            SurveyPopulation.unit_id == unit_id, SurveyPopulation.period_key == period_key
        )
    )
