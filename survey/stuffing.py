"""Flag suspicious survey bursts without blocking them (perf-security.md B.2).

Counts live in the database (survey_submission_log), so every worker and
every app server sees the same history; only keyed hashes are kept.
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from survey.models import SubmissionLog

DEVICE_REPEAT = "device_repeat"  # the same browser answered again within the window
IP_BURST = "ip_burst"  # many responses from one network address in a short time
IDENTICAL_BURST = "identical_burst"  # the same answer pattern repeated from one address
NO_DEVICE = "no_device"  # no device cookie: cookies refused, or a script posting

FLAG_LABELS = {
    DEVICE_REPEAT: "Perangkat yang sama mengisi lagi",
    IP_BURST: "Lonjakan pengisian dari satu alamat jaringan",
    IDENTICAL_BURST: "Pola jawaban identik berulang",
    NO_DEVICE: "Tanpa cookie perangkat",
}


def keyed_hash(kind: str, value: str) -> str:
    """Return an HMAC of a value, so raw IPs and cookies are never stored."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def assess_and_log(
    *, ip: str | None, device_id: str | None, answers: dict[str, int | None], check_device: bool = True
) -> tuple[list[str], str | None]:
    """Record this submission and return (flags, device hash).

    :param check_device: False for a shared kiosk tablet, where one device
        legitimately serves many citizens.
    """
    cfg = current_app.config
    now = datetime.now(UTC)
    ip_hash = keyed_hash("ip", ip or "unknown")
    device_hash = keyed_hash("device", device_id) if device_id else None
    answers_hash = keyed_hash("answers", ",".join(str(answers.get(k)) for k in sorted(answers)))
    flags: list[str] = []

    if check_device:
        if device_hash is None:
            flags.append(NO_DEVICE)
        else:
            since = now - timedelta(minutes=cfg["STUFFING_DEVICE_WINDOW_MINUTES"])
            seen = db.session.scalar(
                sa.select(sa.func.count(SubmissionLog.id)).where(
                    SubmissionLog.device_hash == device_hash, SubmissionLog.created_at >= since
                )
            )
            if seen:
                flags.append(DEVICE_REPEAT)

    since = now - timedelta(minutes=cfg["STUFFING_IP_WINDOW_MINUTES"])
    recent_ip = sa.select(sa.func.count(SubmissionLog.id)).where(
        SubmissionLog.ip_hash == ip_hash, SubmissionLog.created_at >= since
    )
    if db.session.scalar(recent_ip) + 1 >= cfg["STUFFING_IP_BURST"]:
        flags.append(IP_BURST)
    same_answers = recent_ip.where(SubmissionLog.answers_hash == answers_hash)
    if db.session.scalar(same_answers) + 1 >= cfg["STUFFING_IDENTICAL_BURST"]:
        flags.append(IDENTICAL_BURST)

    db.session.add(SubmissionLog(created_at=now, ip_hash=ip_hash, device_hash=device_hash, answers_hash=answers_hash))
    return flags, device_hash


def prune_log(*, now: datetime | None = None) -> int:
    """Delete log rows past the retention period; safe to run any number of times."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(hours=current_app.config["STUFFING_LOG_RETENTION_HOURS"])
    result = db.session.execute(sa.delete(SubmissionLog).where(SubmissionLog.created_at < cutoff))
    return result.rowcount or 0
