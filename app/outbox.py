"""The outbox: e-mail to send, written in the same transaction as the change it announces, sent by a command."""

import enum
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Mapped, mapped_column

from app.errors import DomainError
from app.extensions import db
from app.i18n import N_

if TYPE_CHECKING:  # smtplib is imported where mail is sent (`flask outbox send`), not in a web worker
    import smtplib

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # how long a claimed message is held by its sender
MAX_RETRY_DELAY = timedelta(hours=6)
SMTP_TIMEOUT_SECONDS = 30
SECURITY_MODES = ("starttls", "ssl", "none")


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


# --- Sending ----------------------------------------------------------------------------------------------------


class OutboxError(DomainError):
    """Mail settings that cannot work; nothing was claimed or sent."""


@dataclass
class SendReport:
    """What one run of the sender did."""

    sent: int = 0
    logged: int = 0  # no SMTP_HOST: recorded in the log instead
    retrying: int = 0  # failed this time, kept pending for a later run
    failed: int = 0  # failed for good (OUTBOX_MAX_ATTEMPTS reached, or a message that can never be sent)

    def __str__(self) -> str:
        return f"sent {self.sent}, logged {self.logged}, to retry {self.retrying}, failed {self.failed}"


@dataclass(frozen=True)
class SmtpSettings:
    """The SMTP_* and MAIL_FROM settings, checked."""

    host: str
    port: int
    username: str
    password: str
    security: str
    mail_from: str
    max_attempts: int

    @classmethod
    def from_config(cls) -> "SmtpSettings":
        """Read and check the active app's mail settings (raise OutboxError when they cannot work)."""
        config = current_app.config
        security = str(config.get("SMTP_SECURITY") or "starttls").strip().lower()
        settings = cls(
            host=str(config.get("SMTP_HOST") or "").strip(),
            port=int(config.get("SMTP_PORT") or 587),
            username=str(config.get("SMTP_USERNAME") or ""),
            password=str(config.get("SMTP_PASSWORD") or ""),
            security=security,
            mail_from=str(config.get("MAIL_FROM") or "").strip(),
            max_attempts=max(1, int(config.get("OUTBOX_MAX_ATTEMPTS") or 5)),
        )
        if settings.host and security not in SECURITY_MODES:
            raise OutboxError(N_("SMTP_SECURITY harus starttls, ssl atau none, bukan '%(value)s'."),
                              value=security[:20])  # fmt: skip
        if settings.host and "@" not in settings.mail_from:
            raise OutboxError(N_("MAIL_FROM (alamat pengirim) wajib diisi bila SMTP_HOST diatur."))
        return settings


def send_pending(limit: int = 100) -> SendReport:
    """Send (or, without SMTP_HOST, log) up to `limit` pending messages, oldest first. Commits.

    Each message is claimed alone just before it is sent, with a lease taken in its own short committed
    transaction, so two senders (two hosts, a cron run overlapping the last) never take the same message and a
    lease always covers the one send in progress. A message can go out twice only if its sender dies between the
    SMTP server's acceptance and the commit that records it. Call it after committing your own work.
    """
    settings = SmtpSettings.from_config()
    report = SendReport()
    smtp = _Connection(settings) if settings.host else None
    try:
        for _ in range(limit):
            message = _claim_next()
            if message is None:
                break
            if smtp is None:
                _log_instead(message)
                report.logged += 1
            elif not _deliver(smtp, message, settings, report):
                break  # the server is unreachable or refuses us: leave the rest for the next run
    finally:
        if smtp is not None:
            smtp.close()
    return report


def _utcnow() -> datetime:
    """The time leases are measured in: the database's clock on PostgreSQL (one clock for every host)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.scalar(sa.select(sa.func.now()))
    return datetime.now(UTC)


def _claim_next() -> OutboxMessage | None:
    """Take the oldest pending message nobody holds, lease it and commit; None when there is none."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    while True:
        now = _utcnow()
        free = sa.and_(
            OutboxMessage.status == OutboxStatus.PENDING,
            sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        oldest = sa.select(OutboxMessage.id).where(free).order_by(OutboxMessage.created_at, OutboxMessage.id).limit(1)
        if postgres:  # rows another sender is claiming right now are skipped, not waited for
            oldest = oldest.with_for_update(skip_locked=True)
        message_id = db.session.scalar(oldest)
        if message_id is None:
            db.session.commit()
            return None
        # The conditional update is the claim itself: of two senders racing for this row, one updates it.
        claimed = db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, free)
            .values(claimed_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if claimed.rowcount == 1:
            return db.session.get(OutboxMessage, message_id)


def masked(address: str) -> str:
    """An address as a log may show it: the first character of the mailbox and the domain (w***@example.org)."""
    mailbox, _, domain = address.partition("@")
    return f"{mailbox[:1]}***@{domain}" if domain else "***"


def _log_instead(message: OutboxMessage) -> None:
    """No SMTP configured: log the masked recipient and the subject (never the body) and mark the message LOGGED."""
    logger.info(
        "E-mail not sent (no SMTP_HOST configured): to %s, subject %r", masked(message.recipient), message.subject
    )
    message.status = OutboxStatus.LOGGED
    message.claimed_until = None
    db.session.commit()


class _Connection:
    """One SMTP connection, opened on first use and reused for the run."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> "smtplib.SMTP":
        """Connect, secure and log in (raises OSError/SMTPException when the server cannot be used)."""
        import smtplib
        import ssl

        if self.smtp is None:
            s = self.settings
            if s.security == "ssl":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=SMTP_TIMEOUT_SECONDS,
                                        context=ssl.create_default_context())  # fmt: skip
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=SMTP_TIMEOUT_SECONDS)
            try:
                if s.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if s.username:
                    smtp.login(s.username, s.password)
            except BaseException:
                smtp.close()
                raise
            self.smtp = smtp
        return self.smtp

    def close(self) -> None:
        """Say goodbye politely, or just drop the connection."""
        import smtplib

        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The e-mail for one outbox message: UTF-8 plain text, a Message-ID stable across retries."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(datetime.now(UTC))
    stamp = message.created_at.strftime("%Y%m%d%H%M%S") if message.created_at else "0"
    email["Message-ID"] = f"<outbox-{message.id}-{stamp}@{sender.rpartition('@')[2] or 'localhost'}>"
    email.set_content(message.body, charset="utf-8", cte="quoted-printable")
    return email


def _deliver(smtp: _Connection, message: OutboxMessage, settings: SmtpSettings, report: SendReport) -> bool:
    """Send one claimed message and record the outcome; False when the server itself is unusable."""
    import smtplib

    try:
        email = build_email(message, settings.mail_from)
    except (ValueError, TypeError) as exc:  # a header that cannot be written (a line break in an address)
        _record_failure(message, _describe(exc), settings, report, permanent=True)
        return True
    try:
        connection = smtp.open()
    except OSError as exc:  # refused, timed out, TLS or login failed (SMTPException is an OSError)
        _record_failure(message, _describe(exc), settings, report)
        return False
    try:
        connection.send_message(email)
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPSenderRefused) as exc:
        smtp.close()
        _record_failure(message, _describe(exc), settings, report)
        return False
    except (smtplib.SMTPException, ValueError) as exc:  # this message refused (recipient, data); the session goes on
        _record_failure(message, _describe(exc), settings, report)
        return True
    except OSError as exc:  # the connection broke mid-message
        smtp.close()
        _record_failure(message, _describe(exc), settings, report)
        return False
    message.status = OutboxStatus.SENT
    message.sent_at = datetime.now(UTC)
    message.claimed_until = None
    message.last_error = ""
    db.session.commit()
    report.sent += 1
    return True


def _record_failure(
    message: OutboxMessage, error: str, settings: SmtpSettings, report: SendReport, *, permanent: bool = False
) -> None:
    """Count a failed attempt: pending again after a growing delay, or FAILED for good. Commits."""
    message.attempts += 1
    message.last_error = error[:300]
    if permanent or message.attempts >= settings.max_attempts:
        message.status = OutboxStatus.FAILED
        message.claimed_until = None
        report.failed += 1
    else:  # the lease becomes the back-off: 5, 10, 20, ... minutes, at most six hours
        message.claimed_until = _utcnow() + min(LEASE * 2 ** (message.attempts - 1), MAX_RETRY_DELAY)
        report.retrying += 1
    db.session.commit()
    logger.warning("Outbox message %s not sent (attempt %s): %s", message.id, message.attempts, message.last_error)


def _describe(exc: BaseException) -> str:
    """A short error text with no secrets: the error's kind and SMTP code, never the server's words."""
    import smtplib

    kind = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _reply in exc.recipients.values()})
        return f"{kind} {' '.join(codes)}".strip()
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{kind} {exc.smtp_code}"
    errno = getattr(exc, "errno", None)
    return f"{kind} errno {errno}" if errno else kind


# --- Command ----------------------------------------------------------------------------------------------------

outbox_cli = AppGroup("outbox", help="E-mail notifications waiting to be sent.")


@outbox_cli.command("send")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100_000),
              help="Send at most this many messages in this run.")  # fmt: skip
def send_command(limit: int) -> None:
    """Send pending e-mail by SMTP (or log it when SMTP_HOST is not set); safe to run on several hosts."""
    outbox_logger = logging.getLogger(__name__)
    previous = outbox_logger.level
    if not outbox_logger.isEnabledFor(logging.INFO):  # show the "not sent" lines of a run without SMTP
        current_app.logger  # noqa: B018  (Flask installs its stderr handler on first use)
        outbox_logger.setLevel(logging.INFO)
    try:
        report = send_pending(limit)
    except OutboxError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    finally:
        outbox_logger.setLevel(previous)
    click.echo(f"Outbox: {report}.")


def register(app) -> None:
    """Install `flask outbox` (send)."""
    app.cli.add_command(outbox_cli)
