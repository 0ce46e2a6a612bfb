"""Analytics' own tables: the population entered per period and the frozen publications.

Analytics reads the survey's responses through `analytics.data` and writes only these tables.
"""

import enum
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


class PackState(enum.StrEnum):
    QUEUED = "diminta"
    BUILDING = "dibuat"
    READY = "siap"
    FAILED = "gagal"


class EvidencePack(db.Model):
    """A Zona Integritas evidence pack of a unit and year, asked for on the web and built outside the request.

    `flask evidence --queued` (cron) claims a queued pack (or one whose builder vanished) with a conditional update,
    so two hosts never build the same row, and stores the ZIP here: nothing lives on a web server's disk.
    """

    __tablename__ = "analytics_evidence_packs"
    __table_args__ = (sa.Index("ix_analytics_evidence_packs_unit_year", "unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))
    year: Mapped[int]
    state: Mapped[PackState] = mapped_column(
        sa.Enum(PackState, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]),
        default=PackState.QUEUED,
        index=True,
    )
    requested_by: Mapped[str] = mapped_column(sa.String(80), default="")
    requested_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    builder: Mapped[str] = mapped_column(sa.String(120), default="")  # host:pid that built (or builds) it
    error: Mapped[str] = mapped_column(sa.String(500), default="")
    manifest: Mapped[dict | None] = mapped_column(sa.JSON)
    size: Mapped[int | None]
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)


class PublishingSettings(db.Model):
    """A unit's choice about publishing: whether `flask monthly` publishes each closed month by itself."""

    __tablename__ = "analytics_publishing_settings"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    auto_publish: Mapped[bool] = mapped_column(default=False)
    updated_by: Mapped[str] = mapped_column(sa.String(80), default="")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)


class MonthlyRun(db.Model):
    """What `flask monthly` did for a unit and a closed month, written once: a second run (or a second host) finds
    the row and does nothing it already did."""

    __tablename__ = "analytics_monthly_runs"
    __table_args__ = (sa.UniqueConstraint("unit_id", "month_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))
    month_key: Mapped[str] = mapped_column(sa.String(7))
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)
    publication: Mapped[str] = mapped_column(sa.String(20), default="")  # published / already / manual / no data
    recap: Mapped[dict | None] = mapped_column(sa.JSON)  # the month's complaint counts as first recorded
    emailed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    emailed_to: Mapped[int] = mapped_column(default=0)


# --- the publication log (analytics.publication_log writes and reads it) ----------------------------------------


class PublicationMedium(enum.StrEnum):
    """Where a period's results were made public (LKE VI.iv.b counts online and offline media)."""

    NOTICE_BOARD = "papan_pengumuman"  # offline, at the service place
    WEBSITE = "situs_web"
    SOCIAL_MEDIA = "media_sosial"
    OTHER = "lainnya"  # online when it has a link, offline otherwise


class PublicationLogEntry(db.Model):
    """One place and date where a unit's period results were published, with a link and/or a photo as evidence.

    The photo is a re-encoded JPEG/PNG (app.uploads' cleaning: no metadata), kept in the database.
    """

    __tablename__ = "publication_log"
    __table_args__ = (
        sa.Index("ix_publication_log_unit_period", "unit_id", "period_key"),
        sa.CheckConstraint("url <> '' OR photo_sha256 <> ''", name="link_or_photo"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(sa.String(30))
    period_start: Mapped[date]
    medium: Mapped[PublicationMedium] = mapped_column(
        sa.Enum(PublicationMedium, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    published_on: Mapped[date]
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    photo: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    photo_mimetype: Mapped[str] = mapped_column(sa.String(40), default="")
    photo_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    created_by: Mapped[str] = mapped_column(sa.String(80), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)

    @property
    def online(self) -> bool:
        """Whether this entry shows the results online (a website or social-media post, or any entry with a link)."""
        return self.medium in (PublicationMedium.WEBSITE, PublicationMedium.SOCIAL_MEDIA) or (
            self.medium == PublicationMedium.OTHER and bool(self.url)
        )
