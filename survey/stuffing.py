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
    device_since = now - timedelta(minutes=cfg["STUFFING_DEVICE_WINDOW_MINUTES"])
    ip_since = now - timedelta(minutes=cfg["STUFFING_IP_WINDOW_MINUTES"])
    burst, identical = cfg["STUFFING_IP_BURST"], cfg["STUFFING_IDENTICAL_BURST"]
    recent_ip = (SubmissionLog.ip_hash == ip_hash, SubmissionLog.created_at >= ip_since)
    # One round trip for the three counts, each capped so a large burst costs no more than a small one.
    same_device, same_ip, same_answers = db.session.execute(
        sa.select(
            _count_upto(1, SubmissionLog.device_hash == device_hash, SubmissionLog.created_at >= device_since),
            _count_upto(burst - 1, *recent_ip),
            _count_upto(identical - 1, *recent_ip, SubmissionLog.answers_hash == answers_hash),
        )
    ).one()
    if check_device:
        if device_hash is None:
            flags.append(NO_DEVICE)
        elif same_device:
            flags.append(DEVICE_REPEAT)
    if same_ip + 1 >= burst:
        flags.append(IP_BURST)
    if same_answers + 1 >= identical:
        flags.append(IDENTICAL_BURST)

    db.session.add(SubmissionLog(created_at=now, ip_hash=ip_hash, device_hash=device_hash, answers_hash=answers_hash))
    return flags, device_hash


def _count_upto(limit: int, *conditions):
    """A scalar subquery counting matching log rows, stopping at `limit` (0 when limit <= 0)."""
    capped = sa.select(SubmissionLog.id).where(*conditions).limit(max(limit, 0)).subquery()
    return sa.select(sa.func.count()).select_from(capped).scalar_subquery()


def prune_log(*, now: datetime | None = None) -> int:
    """Delete log rows past the retention period; safe to run any number of times."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(hours=current_app.config["STUFFING_LOG_RETENTION_HOURS"])
    result = db.session.execute(sa.delete(SubmissionLog).where(SubmissionLog.created_at < cutoff))
    return result.rowcount or 0
