"""Analytics' follow-up tables: the Rencana Tindak Lanjut (RTL) of a unit's published periods.

An action belongs to a unit and a period key (the period of a publication); its evidence files are kept in the
database, cleaned like complaint attachments; its links to complaints name them by id only. Analytics writes
these tables and nothing else; `analytics.followup` is the only writer.
"""

import enum
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.errors import DomainError
from app.extensions import db
from app.i18n import N_


def _now() -> datetime:
    return datetime.now(UTC)


class FollowUpError(DomainError):
    """A follow-up action, transition, evidence file or link that breaks a rule; nothing was written."""


class Source(enum.StrEnum):
    """Where an action comes from."""

    ELEMENT = "unsur"  # a weak SKM element of the published period (code U1..U9)
    COMPLAINT = "pengaduan"  # a complaint category the office chose (see analytics.followup.COMPLAINT_CATEGORIES)
    FREE = "lainnya"  # anything else the office decided


class ActionStatus(enum.StrEnum):
    """diusulkan -> direncanakan -> berjalan -> selesai; every open status may be cancelled."""

    PROPOSED = "diusulkan"
    PLANNED = "direncanakan"
    ONGOING = "berjalan"
    DONE = "selesai"
    CANCELLED = "dibatalkan"


STATUS_LABELS = {
    ActionStatus.PROPOSED: N_("Diusulkan"),
    ActionStatus.PLANNED: N_("Direncanakan"),
    ActionStatus.ONGOING: N_("Berjalan"),
    ActionStatus.DONE: N_("Selesai"),
    ActionStatus.CANCELLED: N_("Dibatalkan"),
}
CLOSED = frozenset({ActionStatus.DONE, ActionStatus.CANCELLED})
TRANSITIONS: dict[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.PROPOSED: frozenset({ActionStatus.PLANNED, ActionStatus.CANCELLED}),
    ActionStatus.PLANNED: frozenset({ActionStatus.ONGOING, ActionStatus.DONE, ActionStatus.CANCELLED}),
    ActionStatus.ONGOING: frozenset({ActionStatus.DONE, ActionStatus.CANCELLED}),
    ActionStatus.DONE: frozenset(),
    ActionStatus.CANCELLED: frozenset(),
}


def _enum(kind: type[enum.StrEnum], length: int) -> sa.Enum:
    return sa.Enum(kind, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class FollowUpAction(db.Model):
    """One follow-up action of a unit's published period, with its small state machine.

    `source_code` is the element code or the complaint category; it is NULL for a free action, so the unique
    constraint makes proposing an element or a category twice impossible while free actions may repeat.
    """

    __tablename__ = "followup_actions"
    # Its (unit_id, period_key) prefix also serves the lookups of a unit's period: no second index.
    __table_args__ = (
        sa.UniqueConstraint("unit_id", "period_key", "source", "source_code", name="uq_followup_actions_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(sa.String(30))
    source: Mapped[Source] = mapped_column(_enum(Source, 12))
    source_code: Mapped[str | None] = mapped_column(sa.String(40))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    owner: Mapped[str] = mapped_column(sa.String(200), default="")  # a person or a role, as the office writes it
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[ActionStatus] = mapped_column(_enum(ActionStatus, 12), default=ActionStatus.PROPOSED)
    done_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by: Mapped[str] = mapped_column(sa.String(80), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)
    updated_by: Mapped[str] = mapped_column(sa.String(80), default="")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now, onupdate=_now)

    evidence: Mapped[list["FollowUpEvidence"]] = relationship(
        back_populates="action", order_by="FollowUpEvidence.id", cascade="all, delete-orphan"
    )
    links: Mapped[list["FollowUpComplaintLink"]] = relationship(
        order_by="FollowUpComplaintLink.complaint_id", cascade="all, delete-orphan"
    )

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    def overdue(self, today: date) -> bool:
        """Due before the office's `today` and neither done nor cancelled."""
        return self.due_on is not None and self.due_on < today and not self.closed

    def can_become(self, status: ActionStatus) -> bool:
        return status in TRANSITIONS[self.status]

    def move_to(self, status: ActionStatus, *, by: str, today: date, done_on: date | None = None) -> None:
        """Change the status, or raise FollowUpError: an illegal step, a plan without owner and due date, a bad
        completion date (after `today`)."""
        status = ActionStatus(status)
        if not self.can_become(status):
            raise FollowUpError(
                N_("Status tidak dapat diubah dari %(from)s menjadi %(to)s."),
                **{"from": STATUS_LABELS[self.status], "to": STATUS_LABELS[status]},
            )
        if status in (ActionStatus.PLANNED, ActionStatus.ONGOING, ActionStatus.DONE) and not self.is_planned:
            raise FollowUpError(N_("Isi uraian, penanggung jawab dan tenggat sebelum tindak lanjut direncanakan."))
        if status is ActionStatus.DONE:
            done_on = done_on or today
            if done_on > today:
                raise FollowUpError({"done_on": N_("Tanggal selesai tidak boleh setelah hari ini.")})
            self.done_on = done_on
        self.status = status
        self.updated_by = by

    @property
    def is_planned(self) -> bool:
        return bool(self.description.strip() and self.owner.strip() and self.due_on is not None)


class FollowUpEvidence(db.Model):
    """One evidence file (photo or PDF) of an action, cleaned and re-encoded like a complaint attachment."""

    __tablename__ = "followup_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("followup_actions.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    mimetype: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    uploaded_by: Mapped[str] = mapped_column(sa.String(80), default="")
    uploaded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)

    action: Mapped[FollowUpAction] = relationship(back_populates="evidence")


class FollowUpComplaintLink(db.Model):
    """A complaint related to an action, named by id (analytics never writes the complaint itself)."""

    __tablename__ = "followup_complaint_links"

    action_id: Mapped[int] = mapped_column(sa.ForeignKey("followup_actions.id", ondelete="CASCADE"), primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    linked_by: Mapped[str] = mapped_column(sa.String(80), default="")
    linked_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)
