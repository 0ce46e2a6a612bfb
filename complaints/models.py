"""Complaints and WBS reports, their history, attachments and reporters' contact data (kept apart)."""

import enum
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.directory import Service, Unit
from app.extensions import db
from survey.questionnaire import ELEMENT_CODES


def _now() -> datetime:
    return datetime.now(UTC)


def _enum(enum_cls: type[enum.Enum], length: int = 20) -> sa.Enum:
    return sa.Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Stream(enum.StrEnum):
    """Which channel family a report belongs to; WBS reports are seen only by WBS handlers."""

    COMPLAINT = "pengaduan"
    WBS = "wbs"


class Status(enum.StrEnum):
    """SP4N-LAPOR! statuses (product decision 8)."""

    RECEIVED = "belum_terverifikasi"
    VERIFIED = "terverifikasi"
    REJECTED = "ditolak"
    ROUTED = "didisposisikan"
    FOLLOWED_UP = "ditindaklanjuti"
    DONE = "selesai"
    ARCHIVED = "diarsipkan"


class Classification(enum.StrEnum):
    """The three SP4N-LAPOR! report types."""

    COMPLAINT = "pengaduan"
    ASPIRATION = "aspirasi"
    INFORMATION = "informasi"  # permintaan informasi


class Channel(enum.StrEnum):
    """How a report reached the office."""

    WEB = "web"  # the public form of this app (/pengaduan/ or /wbs/)
    COUNTER = "loket"
    PHONE = "telepon"
    EMAIL = "email"
    SUGGESTION_BOX = "kotak_saran"
    SOCIAL_MEDIA = "media_sosial"
    LAPOR = "lapor"  # SP4N-LAPOR!, with its tracking ID


class EventKind(enum.StrEnum):
    """One entry in a complaint's history."""

    TRANSITION = "transition"  # a status change (from_status -> to_status)
    RESPONSE = "response"  # an official answer the reporter sees (public)
    NOTE = "note"  # an internal note, staff only
    ASSIGNMENT = "assignment"  # routed to a unit and/or officer
    CITIZEN_INFO = "citizen_info"  # the reporter added information
    CITIZEN_REPLY = "citizen_reply"  # the reporter answered a response
    ESCALATION = "escalation"  # an overdue step escalated to the pimpinan
    REMINDER = "reminder"  # a due-soon reminder was sent to the handlers
    RATING = "rating"  # the reporter rated the handling


class Complaint(db.Model):
    """One complaint, aspiration, information request or WBS report, and where it stands."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    stream: Mapped[Stream] = mapped_column(_enum(Stream), default=Stream.COMPLAINT)
    # sha256 of the normalised tracking code; the code itself is shown once to the reporter and never stored.
    tracking_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    classification: Mapped[Classification] = mapped_column(_enum(Classification), default=Classification.COMPLAINT)
    channel: Mapped[Channel] = mapped_column(_enum(Channel), default=Channel.WEB)
    lapor_id: Mapped[str] = mapped_column(sa.String(40), default="")  # SP4N-LAPOR! tracking ID
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("services.id", ondelete="SET NULL"))
    element: Mapped[str | None] = mapped_column(sa.String(3))  # U1..U9 it concerns, if any
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    reported_party: Mapped[str] = mapped_column(sa.String(200), default="")  # pihak yang diadukan (WBS: who)
    requested_resolution: Mapped[str] = mapped_column(sa.Text, default="")  # permintaan penyelesaian
    event_date: Mapped[date | None] = mapped_column(sa.Date)
    anonymous: Mapped[bool] = mapped_column(default=False)  # identity hidden from handlers and the public
    confidential: Mapped[bool] = mapped_column(default=False)  # content never public (rahasia)

    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.RECEIVED)
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)
    received_on: Mapped[date] = mapped_column(sa.Date)  # office date of receipt (deadlines count from it)
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    # Deadlines (office dates, inclusive: overdue when today is later) and when each step happened.
    verify_due: Mapped[date] = mapped_column(sa.Date)
    verified_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    complete_on: Mapped[date | None] = mapped_column(sa.Date)  # the file became complete (verification)
    completion_due: Mapped[date | None] = mapped_column(sa.Date)  # complete_on + 60 calendar days
    routed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    assigned_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    assigned_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    followup_due: Mapped[date | None] = mapped_column(sa.Date)
    responded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))  # latest public response
    reply_due: Mapped[date | None] = mapped_column(sa.Date)  # the reporter may answer until then; then Selesai
    done_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    archived_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    rejection_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("complaints.id", ondelete="SET NULL"))
    # The deadline of the step the office owes now (verification, first follow-up, the reporter's answer window,
    # completion) and which step it is; None once closed. Indexed so "overdue" is one range scan.
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    due_step: Mapped[str] = mapped_column(sa.String(20), default="")
    escalated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    escalated_step: Mapped[str] = mapped_column(sa.String(20), default="")  # the step last escalated (once each)

    # The reporter's rating of the handling, 1-4 like the SKM scale (feeds the office's view of U8).
    rating: Mapped[int | None] = mapped_column(sa.SmallInteger)
    rated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    service: Mapped[Service | None] = relationship()
    assigned_unit: Mapped[Unit | None] = relationship(foreign_keys=[assigned_unit_id])
    duplicate_of: Mapped["Complaint | None"] = relationship(remote_side=[id])
    events: Mapped[list["ComplaintEvent"]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="complaint", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    reporter: Mapped["Reporter | None"] = relationship(
        back_populates="complaint", uselist=False, cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 4", name="rating_range"),
        sa.CheckConstraint(
            "element IS NULL OR element IN (" + ", ".join(f"'{code}'" for code in ELEMENT_CODES) + ")",
            name="element_code",
        ),
        sa.Index("ix_complaints_stream_status_received", "stream", "status", "received_at"),
        sa.Index("ix_complaints_stream_due_on", "stream", "due_on"),
        # The inbox's default order (newest first) read from the index instead of sorting every report.
        sa.Index("ix_complaints_stream_received", "stream", "received_at", "id"),
    )

    def __repr__(self) -> str:
        return f"<Complaint {self.id} {self.status}>"


class Reporter(db.Model):
    """The reporter's identity and contact, kept apart from the complaint and shown only to those allowed."""

    __tablename__ = "complaint_reporters"

    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")

    complaint: Mapped[Complaint] = relationship(back_populates="reporter")


class ComplaintEvent(db.Model):
    """One step of a complaint's history: a status change, a response, a note, an assignment, a citizen's word."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))  # None: reporter
    from_status: Mapped[Status | None] = mapped_column(_enum(Status))
    to_status: Mapped[Status | None] = mapped_column(_enum(Status))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    public: Mapped[bool] = mapped_column(default=False)  # shown on the tracking page

    complaint: Mapped[Complaint] = relationship(back_populates="events")


class Attachment(db.Model):
    """A file sent with a complaint: images re-encoded without metadata, PDFs checked; stored in the database."""

    __tablename__ = "complaint_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("complaint_events.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(sa.String(120))  # generated (lampiran-1.jpg), never the uploaded name
    mimetype: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)
    by_staff: Mapped[bool] = mapped_column(default=False)

    complaint: Mapped[Complaint] = relationship(back_populates="attachments")


class MonitoringRecord(db.Model):
    """The office's monitoring and evaluation of one stream's handling for a unit and period (LKE V.iii.c-d, V.iv.b-c).

    One record per unit, period and stream: pengaduan and WBS are evaluated apart, and only WBS handlers see the WBS
    one. It holds the findings, the follow-up decided and whether (and when) it was done, and who wrote it last.
    """

    __tablename__ = "complaint_monitoring_records"
    __table_args__ = (
        sa.UniqueConstraint("unit_id", "period_key", "stream", name="uq_complaint_monitoring_unit_period_stream"),
        sa.CheckConstraint("follow_up_done OR follow_up_done_on IS NULL", name="done_on_only_when_done"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    period_key: Mapped[str] = mapped_column(sa.String(30))  # "2026-03", "2026-Q1", ...
    period_start: Mapped[date] = mapped_column(sa.Date)
    stream: Mapped[Stream] = mapped_column(_enum(Stream))
    findings: Mapped[str] = mapped_column(sa.Text, default="")  # temuan
    follow_up: Mapped[str] = mapped_column(sa.Text, default="")  # tindak lanjut yang diputuskan
    follow_up_done: Mapped[bool] = mapped_column(default=False)
    follow_up_done_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by: Mapped[str] = mapped_column(sa.String(80), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)
    updated_by: Mapped[str] = mapped_column(sa.String(80), default="")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)

    unit: Mapped[Unit] = relationship()
