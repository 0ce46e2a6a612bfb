"""The outbox sender against a real local SMTP server (aiosmtpd): delivery, retries, no-SMTP logging, two senders."""

import email
import email.policy
import logging
import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app.extensions import db
from app.outbox import OutboxError, OutboxMessage, OutboxStatus, enqueue, send_pending

SENDER = "layanan@skm.example.go.id"
SUBJECT = "Pengaduan Anda didisposisikan — status berubah ✓"
BODY = (
    "Yth. Bapak/Ibu,\nPengaduan Anda sedang ditindaklanjuti oleh unit terkait.\n"
    "Salam hormat, Dinas Perizinan – Kota Uji ✓"
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps every accepted message and refuses the recipients it is told to."""

    def __init__(self) -> None:
        self.envelopes: list[tuple[str, list[str], bytes]] = []
        self.refused: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def parsed(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(raw, policy=email.policy.default) for _, _, raw in self.envelopes]


@pytest.fixture
def smtp_server():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def use_smtp(app, port: int, **extra) -> None:
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none", MAIL_FROM=SENDER, **extra)


def queue(recipient: str = "warga@example.org", subject: str = SUBJECT, body: str = BODY) -> int:
    message = enqueue(recipient=recipient, subject=subject, body=body, topic="complaint:1:status")
    db.session.commit()
    return message.id


def stored(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def expire_leases() -> None:
    """Let the retry delay pass (as a later cron run would see it)."""
    db.session.execute(sa.update(OutboxMessage).values(claimed_until=None))
    db.session.commit()


def test_a_message_reaches_the_smtp_server_in_utf8_once(app, smtp_server):
    use_smtp(app, smtp_server.port)
    message_id = queue()

    report = send_pending()

    assert (report.sent, report.retrying, report.failed, report.logged) == (1, 0, 0, 0)
    [(mail_from, rcpt_tos, _raw)] = smtp_server.handler.envelopes
    assert mail_from == SENDER and rcpt_tos == ["warga@example.org"]
    [received] = smtp_server.handler.parsed()
    assert received["Subject"] == SUBJECT and received["To"] == "warga@example.org" and received["From"] == SENDER
    assert received.get_content_charset() == "utf-8"
    assert received.get_content().replace("\r\n", "\n").rstrip("\n") == BODY
    assert received["Message-ID"].startswith(f"<outbox-{message_id}-")
    row = stored(message_id)
    assert row.status == OutboxStatus.SENT and row.sent_at is not None and row.claimed_until is None
    assert row.attempts == 0 and row.last_error == ""
    # Running again (cron twice) sends nothing more.
    assert send_pending().sent == 0
    assert len(smtp_server.handler.envelopes) == 1


def test_a_refused_recipient_is_retried_later_then_failed_and_others_still_go(app, smtp_server):
    use_smtp(app, smtp_server.port, OUTBOX_MAX_ATTEMPTS=3)
    smtp_server.handler.refused.add("tidak-ada@example.org")
    bad = queue("tidak-ada@example.org")
    good = queue("warga@example.org")

    first = send_pending()
    assert (first.sent, first.retrying, first.failed) == (1, 1, 0)  # the session went on after the refusal
    row = stored(bad)
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert "550" in row.last_error and "tidak-ada" not in row.last_error
    assert row.claimed_until is not None  # the retry waits: an immediate second run leaves it alone
    assert send_pending().retrying == 0 and stored(bad).attempts == 1

    for attempts in (2, 3):
        expire_leases()
        send_pending()
        assert stored(bad).attempts == attempts
    row = stored(bad)
    assert row.status == OutboxStatus.FAILED and row.claimed_until is None
    expire_leases()
    assert send_pending().failed == 0 and stored(bad).attempts == 3  # given up: never tried again
    assert [rcpts for _, rcpts, _ in smtp_server.handler.envelopes] == [["warga@example.org"]]
    assert stored(good).status == OutboxStatus.SENT


def test_a_server_that_is_down_stops_the_run_and_fails_the_message_after_the_last_attempt(app):
    use_smtp(app, free_port(), OUTBOX_MAX_ATTEMPTS=2, SMTP_PASSWORD="s3cret-password", SMTP_USERNAME="robot")
    first, second = queue("a@example.org"), queue("b@example.org")

    report = send_pending()
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    assert stored(second).attempts == 0  # one refused connection is enough: the rest wait for the next run
    error = stored(first).last_error
    assert "Connection" in error and "s3cret" not in error and "robot" not in error

    expire_leases()
    report = send_pending()
    assert report.failed == 1 and stored(first).status == OutboxStatus.FAILED
    assert stored(second).status == OutboxStatus.PENDING and stored(second).attempts == 0


def test_a_recipient_with_a_line_break_fails_at_once_without_reaching_the_server(app, smtp_server):
    use_smtp(app, smtp_server.port)
    injected = queue("warga@example.org\nBcc: semua@example.org")
    fine = queue("warga@example.org")

    report = send_pending()

    assert (report.sent, report.failed) == (1, 1)
    assert stored(injected).status == OutboxStatus.FAILED and stored(injected).attempts == 1
    assert [rcpts for _, rcpts, _ in smtp_server.handler.envelopes] == [["warga@example.org"]]
    assert stored(fine).status == OutboxStatus.SENT


def test_a_message_leased_by_another_sender_is_left_alone_until_the_lease_ends(app, smtp_server):
    use_smtp(app, smtp_server.port)
    message_id = queue()
    stored(message_id).claimed_until = datetime.now(UTC) + timedelta(minutes=4)
    db.session.commit()

    assert send_pending().sent == 0 and not smtp_server.handler.envelopes

    stored(message_id).claimed_until = datetime.now(UTC) - timedelta(seconds=1)  # that sender died
    db.session.commit()
    assert send_pending().sent == 1 and len(smtp_server.handler.envelopes) == 1


def test_the_limit_bounds_one_run(app, smtp_server):
    use_smtp(app, smtp_server.port)
    ids = [queue(f"w{i}@example.org") for i in range(3)]

    assert send_pending(limit=2).sent == 2
    assert [stored(i).status for i in ids] == [OutboxStatus.SENT, OutboxStatus.SENT, OutboxStatus.PENDING]
    assert send_pending(limit=2).sent == 1


def test_without_smtp_each_message_is_logged_without_its_body(app, caplog):
    caplog.set_level(logging.INFO, logger="app.outbox")
    message_id = queue(body="Isi rahasia: nomor KTP 6474010101010001")

    report = send_pending()

    assert (report.logged, report.sent) == (1, 0)
    assert stored(message_id).status == OutboxStatus.LOGGED
    lines = [r.getMessage() for r in caplog.records if r.name == "app.outbox"]
    assert len(lines) == 1
    assert "w***@example.org" in lines[0] and SUBJECT in lines[0]
    assert "warga@example.org" not in caplog.text  # the mailbox itself (a reporter may be anonymous) stays out
    assert "rahasia" not in caplog.text and "6474010101010001" not in caplog.text
    assert send_pending().logged == 0


def test_the_command_prints_the_counts(app, runner, smtp_server):
    use_smtp(app, smtp_server.port)
    queue()

    result = runner.invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "sent 1, logged 0, to retry 0, failed 0" in result.output
    assert len(smtp_server.handler.envelopes) == 1


def test_the_command_without_smtp_logs_and_counts(app, runner):
    queue()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 0, logged 1" in result.output


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [({"SMTP_SECURITY": "tls13"}, "SMTP_SECURITY"), ({"MAIL_FROM": ""}, "MAIL_FROM")],
)
def test_unusable_mail_settings_are_refused_before_anything_is_claimed(app, runner, settings, complaint):
    use_smtp(app, free_port())
    app.config.update(settings)
    message_id = queue()

    with pytest.raises(OutboxError):
        send_pending()
    result = runner.invoke(args=["outbox", "send"])

    assert result.exit_code != 0 and complaint in result.output
    row = stored(message_id)
    assert row.status == OutboxStatus.PENDING and row.attempts == 0 and row.claimed_until is None


@pytest.mark.postgres
def test_two_senders_at_once_on_postgresql_send_each_message_once(smtp_server):
    from tests.conftest import TEST_PG_URL, make_app, require
    from tests.factories import run_at_once, scratch_postgres

    require(TEST_PG_URL, "PostgreSQL")
    with scratch_postgres(TEST_PG_URL) as url:
        app = make_app(SQLALCHEMY_DATABASE_URI=url)
        use_smtp(app, smtp_server.port)
        with app.app_context():
            db.create_all()
            for i in range(40):
                enqueue(recipient=f"warga{i}@example.org", subject=f"Status {i}", body=BODY)
            db.session.commit()
        reports = run_at_once(app, lambda: send_pending(limit=100), timeout=60)

        recipients = [rcpt for _, rcpts, _ in smtp_server.handler.envelopes for rcpt in rcpts]
        assert sorted(recipients) == sorted(f"warga{i}@example.org" for i in range(40))  # each exactly once
        assert sum(r.sent for r in reports) == 40 and len(reports) == 2
        with app.app_context():
            statuses = db.session.scalars(sa.select(OutboxMessage.status)).all()
            assert set(statuses) == {OutboxStatus.SENT}
            db.session.remove()
            db.engine.dispose()
