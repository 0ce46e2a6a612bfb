"""Analytics' own tables: the population entered per period and the frozen publications.

Analytics reads the survey's responses through `analytics.data` and writes only these tables.
"""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.directory import Unit
from app.extensions import db


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


class Publication(db.Model):
    """Frozen, published SKM results of a unit for a period: the numbers never drift afterwards.

    `snapshot` is the JSON form of `analytics.snapshot.Snapshot` (read it only through that class): the
    figures and the watermark that fixes the respondent set. The rendered poster is kept so the public page
    serves it without recomputing anything. A withdrawal keeps the row, with who, when and why.
    """

    __tablename__ = "publications"
    __table_args__ = (
        sa.Index(
            "uq_publications_current_unit_period",
            "unit_id",
            "period_key",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )

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
