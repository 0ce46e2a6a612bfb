"""The outbox: e-mail to send, written in the same transaction as the change it announces, sent by a command."""

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    LOGGED = "logged"  # no SMTP configured: what would have been sent was logged (recipient and subject only)
    FAILED = "failed"  # gave up after OUTBOX_MAX_ATTEMPTS


class OutboxMessage(db.Model):
    """One e-mail waiting to be sent, or the record that it was."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=lambda: datetime.now(UTC))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    # What the message is about, for the staff page and idempotent reminders ("complaint:12:reminder:2026-11-30").
    topic: Mapped[str] = mapped_column(sa.String(120), default="")
    status: Mapped[OutboxStatus] = mapped_column(
        sa.Enum(OutboxStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=OutboxStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))  # a sender's lease
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")

    __table_args__ = (sa.Index("ix_outbox_status_created", "status", "created_at"),)


def enqueue(*, recipient: str, subject: str, body: str, topic: str = "") -> OutboxMessage:
    """Queue one e-mail; it is sent after the caller commits. Flushes, does not commit."""
    message = OutboxMessage(recipient=recipient.strip(), subject=subject[:200], body=body, topic=topic[:120])
    db.session.add(message)
    db.session.flush()
    return message


def register(app) -> None:
    """Install `flask outbox` (send)."""
    from flask.cli import AppGroup

    app.cli.add_command(AppGroup("outbox", help="E-mail notifications waiting to be sent."))
