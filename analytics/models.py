"""Analytics' own tables: the population entered per period and the frozen publications.

Analytics reads the survey's responses through `analytics.data` and writes only these tables.
"""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.directory import Unit
from app.extensions import db
from survey.questionnaire import ELEMENTS
from survey.stuffing import FLAG_LABELS


def _now() -> datetime:
    return datetime.now(UTC)


class SurveyPopulation(db.Model):
    """The number of service recipients a unit served in a period (for the minimum sample)."""

    __tablename__ = "survey_populations"
    __table_args__ = (sa.UniqueConstraint("unit_id", "period_key", name="uq_survey_populations_unit_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(sa.String(30))  # "2026-03", "2026-Q1", "2026", ...
    population: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now, onupdate=_now)


# Only one publication of a unit's period is in force at a time; withdrawn ones stay as the record.
_CURRENT = sa.text("withdrawn_at IS NULL")
# The index's PostgreSQL predicate is added when a PostgreSQL schema is created (_partial_on_postgresql below), not
# here: a `postgresql_where=` argument makes SQLAlchemy import its whole PostgreSQL dialect (~2.3 MB, ~25 ms) in
# every process, on SQLite too. The migration (4c1d7e2a9b10) writes both predicates itself.
_CURRENT_INDEX = sa.Index(
    "uq_publications_current_unit_period", "unit_id", "period_key", unique=True, sqlite_where=_CURRENT
)


class Publication(db.Model):
    """Frozen, published SKM results of a unit for a period: the numbers never drift afterwards.

    `snapshot` is the JSON form of `analytics.snapshot.Snapshot` (read it only through that class): the
    figures and the watermark that fixes the respondent set. The rendered poster is kept so the public page
    serves it without recomputing anything. A withdrawal keeps the row, with who, when and why.
    """

    __tablename__ = "publications"
    __table_args__ = (_CURRENT_INDEX,)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), index=True)
    period_key: Mapped[str] = mapped_column(sa.String(30))
    period_start: Mapped[date]
    snapshot: Mapped[dict] = mapped_column(sa.JSON)
    poster_png: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    poster_pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    published_by: Mapped[str] = mapped_column(sa.String(80), default="")
    published_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)
    withdrawn_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(sa.String(80))
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text)

    unit: Mapped[Unit] = relationship()

    @property
    def in_force(self) -> bool:
        """True until the publication is withdrawn."""
        return self.withdrawn_at is None


@sa.event.listens_for(Publication.__table__, "before_create")
def _partial_on_postgresql(_table: sa.Table, connection: sa.Connection, **_kw) -> None:
    """Give the index its PostgreSQL predicate before create_all() makes it there (the dialect is loaded by then)."""
    if connection.dialect.name == "postgresql":
        _CURRENT_INDEX.dialect_kwargs["postgresql_where"] = _CURRENT


# --- the daily roll-up (analytics.rollup writes it, analytics.rolled reads it) ---------------------------------


def _tally_columns(*, flags: bool = True) -> type:
    """Per element of the questionnaire, the answered count and the sum of scores; per anti-stuffing flag, a count."""
    columns = {}
    for element in ELEMENTS:
        columns[f"{element.code.lower()}_n"] = mapped_column(sa.Integer, nullable=False, default=0)
        columns[f"{element.code.lower()}_sum"] = mapped_column(sa.Integer, nullable=False, default=0)
    for code in FLAG_LABELS if flags else ():
        columns[f"flag_{code}"] = mapped_column(sa.Integer, nullable=False, default=0)
    return type("TallyColumns", (), columns)


class DailyTally(_tally_columns(), db.Model):
    """Exact integer tallies of the responses of one unit, day, service, counter and channel.

    Derived from `responses` and never edited by hand: `analytics.rollup` writes every day before
    `RollupState.through`, and readers read the later days raw. `max_response_id` lets a reader see whether a
    published period's watermark splits the day (then that day is read raw).
    """

    __tablename__ = "analytics_daily_tallies"
    __table_args__ = (sa.Index("ix_analytics_daily_tallies_unit_day", "unit_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))
    day: Mapped[date]
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id", ondelete="CASCADE"), index=True)
    # A deleted counter becomes NULL here as it does in `responses`, so the sums still match.
    counter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("counters.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(20))
    respondents: Mapped[int]
    flagged: Mapped[int] = mapped_column(default=0)
    assisted: Mapped[int] = mapped_column(default=0)
    max_response_id: Mapped[int]


class DailyUnitTally(_tally_columns(flags=False), db.Model):
    """The answers of one unit and day, all services, counters and channels together: `DailyTally` summed per unit
    and day (a few hundred rows a year instead of thousands), for trends and whole-unit figures.

    Written with `DailyTally`, from it, in the same statements' transaction; `max_response_id` as there.
    """

    __tablename__ = "analytics_daily_unit_tallies"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    respondents: Mapped[int]
    max_response_id: Mapped[int]


class DailyProfile(db.Model):
    """How many respondents of one unit and day gave each value of a profile question (marginals, not joint).

    Values are stored as the readers group them ("Tidak diisi" for a blank, the age band's label for ages).
    """

    __tablename__ = "analytics_daily_profiles"
    __table_args__ = (sa.Index("ix_analytics_daily_profiles_unit_day", "unit_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))
    day: Mapped[date]
    dimension: Mapped[str] = mapped_column(sa.String(12))  # gender, age_band, education, occupation
    value: Mapped[str] = mapped_column(sa.String(20))
    respondents: Mapped[int]


class RollupState(db.Model):
    """How far the roll-up reaches: every response dated before `through` is in it (one row, id 1).

    Its row is locked by every writer of the roll-up, so a roll, a rebuild and a refresh after an import never
    interleave, on one host or several.
    """

    __tablename__ = "analytics_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    through: Mapped[date | None]
