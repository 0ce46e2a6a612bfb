"""Survey responses: one row per respondent, one nullable score column per element."""

import enum
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.directory import Counter, Service, Unit
from app.extensions import db
from survey.questionnaire import ELEMENTS, SCALE


def _now() -> datetime:
    return datetime.now(UTC)


class Channel(enum.StrEnum):
    """How a response reached the system."""

    ONLINE = "online"  # a citizen's own phone, from a counter QR or link
    KIOSK = "kiosk"  # the tablet at the counter
    PAPER = "paper"  # imported from a paper questionnaire


def _answer_columns() -> type:
    """Build one SMALLINT column per element (u1..u9) from the questionnaire.

    A wide row keeps the IKM an SQL AVG()/COUNT() per column, which ignores
    NULLs exactly as the regulation's "kuesioner yang terisi" requires.
    """
    columns = {e.code.lower(): mapped_column(sa.SmallInteger, nullable=True) for e in ELEMENTS}
    return type("AnswerColumns", (), columns)


def _enum(enum_cls: type[enum.Enum]) -> sa.Enum:
    return sa.Enum(enum_cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class BatchStatus(enum.StrEnum):
    """Where an import batch stands."""

    PENDING = "pending"  # uploaded and previewed, not confirmed: holds the file, no responses yet
    STORED = "stored"  # confirmed: its responses are stored
    CANCELLED = "cancelled"  # its responses were deleted; the batch stays as the record


class ImportBatch(db.Model):
    """One file of paper questionnaires: a pending upload waiting for confirmation, an import, or a cancelled one.

    A pending batch keeps the uploaded bytes (`content`) in the database, so the preview can be confirmed without
    uploading the file again and without state on the web server; the bytes are dropped once it is confirmed.
    """

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))  # with a service column: for blank cells
    period: Mapped[str] = mapped_column(sa.String(7))  # YYYY-MM
    filename: Mapped[str] = mapped_column(sa.String(255))
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    # sha256 of the respondent rows (answers and profiles, in a fixed order): the same answers in any file or format
    rows_sha256: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    row_count: Mapped[int]
    imported_by: Mapped[str] = mapped_column(sa.String(80), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)
    status: Mapped[BatchStatus] = mapped_column(_enum(BatchStatus), default=BatchStatus.STORED, server_default="stored")
    service_column: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # service named per row
    u8_facilities: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)  # a pending upload's file
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cancelled_by: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")

    service: Mapped[Service] = relationship()


class Response(_answer_columns(), db.Model):
    """One respondent's questionnaire: profile, nine scores (NULL = unanswered), flags."""

    __tablename__ = "responses"
    __table_args__ = (
        *(
            sa.CheckConstraint(f"{e.code.lower()} BETWEEN {SCALE[0]} AND {SCALE[-1]}", name=f"{e.code.lower()}_scale")
            for e in ELEMENTS
        ),
        sa.CheckConstraint("age IS NULL OR age BETWEEN 10 AND 120", name="age_range"),
        # Covering index for the IKM: day-by-day sums and counts of one unit are read from the index alone, and
        # what a unit's query reads follows its own rows, not a province's. Its only date index (with a narrower
        # (service, date) one SQLite skip-scans that and sorts); the dashboards read most days from the roll-up.
        sa.Index(
            "ix_responses_ikm",
            "unit_id",
            "survey_date",
            "service_id",
            "counter_id",
            *(e.code.lower() for e in ELEMENTS),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    counter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("counters.id", ondelete="SET NULL"), index=True)
    import_batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batches.id"), index=True)
    # The office-local date the service was received; periods are cut on it. Deliberately no time of day.
    survey_date: Mapped[date]
    channel: Mapped[Channel] = mapped_column(_enum(Channel), default=Channel.ONLINE)

    gender: Mapped[str | None] = mapped_column(sa.String(1))
    age: Mapped[int | None] = mapped_column(sa.SmallInteger)
    education: Mapped[str | None] = mapped_column(sa.String(10))
    occupation: Mapped[str | None] = mapped_column(sa.String(12))
    occupation_other: Mapped[str | None] = mapped_column(sa.String(100))
    suggestion: Mapped[str | None] = mapped_column(sa.Text)

    # Anti-stuffing evidence: flags are kept, never used to drop a response. Nothing here names a device, an
    # address or a token: those live apart (survey_stuffing_counts per key and time bucket; survey_token_batches,
    # unlinked).
    assisted: Mapped[bool] = mapped_column(default=False)
    flags: Mapped[str] = mapped_column(sa.String(200), default="")  # space-separated flag codes

    unit: Mapped[Unit] = relationship()
    service: Mapped[Service] = relationship()
    counter: Mapped[Counter | None] = relationship()

    def scores(self) -> dict[str, int | None]:
        """Return {element code: score or None} in questionnaire order."""
        return {e.code: getattr(self, e.code.lower()) for e in ELEMENTS}

    @property
    def flag_list(self) -> list[str]:
        return self.flags.split()

    def __repr__(self) -> str:
        return f"<Response {self.id}>"


class HiddenSuggestion(db.Model):
    """A suggestion an officer kept out of the printed report (it may name someone, or be abuse). The text itself
    stays on the response for staff; the report and every document made for the public leave it out."""

    __tablename__ = "hidden_suggestions"

    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    hidden_by: Mapped[str] = mapped_column(sa.String(80))
    hidden_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)
    reason: Mapped[str] = mapped_column(sa.String(200), default="")


class StuffingCount(db.Model):
    """How many survey answers one key gave within one time bucket: the anti-stuffing history.

    A key is a keyed hash (of a device cookie, a network address, or an address with an answer pattern), a
    bucket is half of its check's window. Counts per bucket, never a row per answer nor a time finer than the
    bucket, kept apart from the responses: nothing here can be matched to a response. A bucket goes once no
    check looks back to it (survey.stuffing.prune_log).
    """

    __tablename__ = "survey_stuffing_counts"

    kind: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    bucket_start: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), primary_key=True, index=True)
    count: Mapped[int]


class TokenBatch(db.Model):
    """One printing of one-time codes for a token counter.

    Which codes were spent is one character per code in `spent` ("0" unspent, "1" spent), flipped by a single
    guarded UPDATE. It records that a code was used, never when, in what order, or by which response: nothing
    links a response to its code, even for someone holding the printed codes and a dump of the database.
    """

    __tablename__ = "survey_token_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    counter_id: Mapped[int] = mapped_column(sa.ForeignKey("counters.id", ondelete="CASCADE"), index=True)
    issued_on: Mapped[date]
    expires_on: Mapped[date] = mapped_column(index=True)  # the last office date a code is accepted
    size: Mapped[int]
    spent: Mapped[str] = mapped_column(sa.Text)

    counter: Mapped[Counter] = relationship()


class SurveyToken(db.Model):
    """One code of a batch: a keyed hash of the code (never the code itself) and its place in the batch."""

    __tablename__ = "survey_tokens"

    code_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_token_batches.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]  # 0-based index into TokenBatch.spent


class Kiosk(db.Model):
    """A tablet at a counter that staff registered as the office's kiosk.

    Its browser carries a signed cookie naming this row (survey.kiosks); only then does the survey run as a kiosk:
    the form resets itself between citizens and answers are counted per kiosk, not per device. A phone cannot ask
    for that with a URL. Switching a kiosk off ends kiosk mode on that tablet at its next page.
    """

    __tablename__ = "survey_kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    counter_id: Mapped[int] = mapped_column(sa.ForeignKey("counters.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(sa.String(80))
    registered_on: Mapped[date]
    registered_by: Mapped[str] = mapped_column(sa.String(80), default="")
    active: Mapped[bool] = mapped_column(default=True)

    counter: Mapped[Counter] = relationship()
