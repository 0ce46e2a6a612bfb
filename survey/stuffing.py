"""Flag suspicious survey bursts without blocking them (perf-security.md B.2).

Counts live in the database (survey_submission_log), so every worker and
every app server sees the same history. Only keyed hashes are kept, apart from
the responses, and only as long as the longest check looks back
(`retention()`): each submission deletes what has aged out.
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


def retention() -> timedelta:
    """How long a log row is kept: the longest window a check looks back over."""
    cfg = current_app.config
    return timedelta(minutes=max(cfg["STUFFING_DEVICE_WINDOW_MINUTES"], cfg["STUFFING_IP_WINDOW_MINUTES"]))


# A kiosk's bursts are counted per kiosk; its network address only past this many times the usual burst, so a
# script posting as a "kiosk" with a new cookie each time is still flagged.
KIOSK_ADDRESS_FACTOR = 3


def assess_and_log(
    *,
    ip: str | None,
    device_id: str | None,
    answers: dict[str, int | None],
    check_device: bool = True,
    kiosk: bool = False,
) -> list[str]:
    """Record this submission (apart from the response) and return its flags.

    :param check_device: False for a shared kiosk tablet, where one device
        legitimately serves many citizens.
    :param kiosk: count bursts per kiosk (its device cookie), not per network address, and do not compare answer
        patterns: the office's kiosks and visitors' phones share one Wi-Fi address, and a queue of satisfied
        citizens answers alike.
    """
    cfg = current_app.config
    now = datetime.now(UTC)
    prune_log(now=now)
    ip_hash = keyed_hash("ip", ip or "unknown")
    device_hash = keyed_hash("device", device_id) if device_id else None
    answers_hash = keyed_hash("answers", ",".join(str(answers.get(k)) for k in sorted(answers)))
    device_since = now - timedelta(minutes=cfg["STUFFING_DEVICE_WINDOW_MINUTES"])
    recent = SubmissionLog.created_at >= now - timedelta(minutes=cfg["STUFFING_IP_WINDOW_MINUTES"])
    burst, identical = cfg["STUFFING_IP_BURST"], cfg["STUFFING_IDENTICAL_BURST"]
    address = (SubmissionLog.ip_hash == ip_hash, recent)
    per_kiosk = kiosk and device_hash is not None
    # Many honest phones on one office Wi-Fi give the same answers ("Sangat baik" throughout): identical answers
    # count only when they come from this same browser, or from a client that keeps no cookie at all.
    same_browser = sa.or_(SubmissionLog.device_hash.is_(None), SubmissionLog.device_hash == device_hash)
    # One round trip for the counts, each capped so a large burst costs no more than a small one.
    same_device, same_scope, same_address, same_answers = db.session.execute(
        sa.select(
            _count_upto(1, SubmissionLog.device_hash == device_hash, SubmissionLog.created_at >= device_since),
            _count_upto(burst - 1, *((SubmissionLog.device_hash == device_hash, recent) if per_kiosk else address)),
            _count_upto(KIOSK_ADDRESS_FACTOR * burst - 1 if per_kiosk else 0, *address),
            _count_upto(
                0 if kiosk else identical - 1, *address, SubmissionLog.answers_hash == answers_hash, same_browser
            ),
        )
    ).one()
    flags: list[str] = []
    if check_device:
        if device_hash is None:
            flags.append(NO_DEVICE)
        elif same_device:
            flags.append(DEVICE_REPEAT)
    if same_scope + 1 >= burst or (per_kiosk and same_address + 1 >= KIOSK_ADDRESS_FACTOR * burst):
        flags.append(IP_BURST)
    if not kiosk and same_answers + 1 >= identical:
        flags.append(IDENTICAL_BURST)
    db.session.add(SubmissionLog(created_at=now, ip_hash=ip_hash, device_hash=device_hash, answers_hash=answers_hash))
    return flags


def _count_upto(limit: int, *conditions):
    """A scalar subquery counting matching log rows, stopping at `limit` (0 when limit <= 0)."""
    capped = sa.select(SubmissionLog.id).where(*conditions).limit(max(limit, 0)).subquery()
    return sa.select(sa.func.count()).select_from(capped).scalar_subquery()


def prune_log(*, now: datetime | None = None) -> int:
    """Delete log rows past the retention period, and blank the address and answer hashes once the address
    checks no longer look at them (only the device check looks back further); safe to run any number of times."""
    now = now or datetime.now(UTC)
    address_cutoff = now - timedelta(minutes=current_app.config["STUFFING_IP_WINDOW_MINUTES"])
    db.session.execute(
        sa.update(SubmissionLog)
        .where(SubmissionLog.created_at < address_cutoff, SubmissionLog.ip_hash != "")
        .values(ip_hash="", answers_hash="")
        .execution_options(synchronize_session=False)
    )
    result = db.session.execute(sa.delete(SubmissionLog).where(SubmissionLog.created_at < now - retention()))
    return result.rowcount or 0
