"""Login throttling shared by every worker: a growing delay per account and address, and per address.

Backoff, never a lockout: after LOGIN_ACCOUNT_FREE_FAILURES failed logins to one account from one address, each
further attempt from there must wait a delay that doubles with every failure (capped at LOGIN_MAX_DELAY_SECONDS);
the same applies to an address as a whole after the generous LOGIN_IP_FREE_FAILURES (many phones share one address
behind a carrier's NAT), and to an account tried from anywhere after LOGIN_ACCOUNT_ANYWHERE_FREE_FAILURES. A
success clears the account+address counter; counters are forgotten a day after their
last failure. Counted in the database (table login_throttle, atomic upserts), or in Redis when
RATELIMIT_STORAGE_URI is redis://. Keys are HMACs: the table never holds a typed name (which may be a password
typed in the wrong field) or an address.
"""

import hashlib
import hmac
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db, upsert

logger = logging.getLogger(__name__)

FORGET_AFTER = timedelta(days=1)
BASE_DELAY_SECONDS = 1  # the first wait; each further failure doubles it


class LoginThrottle(db.Model):
    """Failed logins counted under one key (an account from an address, or an address)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # HMAC-SHA256 hex of the key's text
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    blocked_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


@dataclass(frozen=True)
class Rule:
    """A counter's key and how many failures it allows before the delays start."""

    key: str
    free_failures: int


def utcnow() -> datetime:
    """The current moment in UTC (a module function so tests can move time)."""
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they were stored as UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _digest(text: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def rules(username: str, address: str | None) -> tuple[Rule, Rule, Rule]:
    """The account+address, the address, and the account-from-anywhere counters of a login attempt."""
    config = current_app.config
    address = address or "-"
    name = username.strip().lower()
    return (
        Rule(_digest(f"account\0{name}\0{address}"), config["LOGIN_ACCOUNT_FREE_FAILURES"]),
        Rule(_digest(f"address\0{address}"), config["LOGIN_IP_FREE_FAILURES"]),
        # Guesses at one account spread over many addresses (a botnet) slow that account down too.
        Rule(_digest(f"account-anywhere\0{name}"), config["LOGIN_ACCOUNT_ANYWHERE_FREE_FAILURES"]),
    )


def delay_after(failures: int, free_failures: int) -> timedelta | None:
    """The wait imposed after `failures` failures, or None while they are still free."""
    if failures < free_failures:
        return None
    cap = current_app.config["LOGIN_MAX_DELAY_SECONDS"]
    exponent = min(failures - free_failures, 40)  # 2**40 seconds is far above any cap
    return timedelta(seconds=min(cap, BASE_DELAY_SECONDS * 2**exponent))


def _redis():
    """The Redis client when RATELIMIT_STORAGE_URI is redis://, else None."""
    uri = current_app.config.get("RATELIMIT_STORAGE_URI", "")
    if not uri.startswith(("redis://", "rediss://")):
        return None
    clients = current_app.extensions.setdefault("login_throttle_redis", {})
    if uri not in clients:
        import redis

        clients[uri] = redis.Redis.from_url(uri, socket_timeout=2, socket_connect_timeout=2)
    return clients[uri]


def _redis_name(key: str) -> str:
    """The Redis key of a counter, under RATELIMIT_KEY_PREFIX when one is set."""
    return f"{current_app.config.get('RATELIMIT_KEY_PREFIX') or 'skm'}:login-throttle:{key}"


def _enabled() -> bool:
    return bool(current_app.config.get("LOGIN_THROTTLE_ENABLED", True))


def wait_time(username: str, address: str | None, *, now: datetime | None = None) -> timedelta | None:
    """How long this account+address must still wait before a login attempt is verified, or None."""
    if not _enabled():
        return None
    now = now or utcnow()
    keys = [rule.key for rule in rules(username, address)]
    client = _redis()
    if client is not None:
        stamps = [client.hget(_redis_name(key), "blocked_until") for key in keys]
        until = [datetime.fromtimestamp(float(s), UTC) for s in stamps if s is not None]
    else:
        rows = db.session.scalars(sa.select(LoginThrottle.blocked_until).where(LoginThrottle.key.in_(keys)))
        until = [_aware(moment) for moment in rows if moment is not None]
    latest = max(until, default=None)
    if latest is None or latest <= now:
        return None
    return latest - now


def record_failure(username: str, address: str | None, *, now: datetime | None = None) -> None:
    """Count a failed login on both counters and set their next allowed moment. Flushes (database)."""
    if not _enabled():
        return
    now = now or utcnow()
    client = _redis()
    for rule in rules(username, address):
        if client is not None:
            _redis_failure(client, rule, now)
        else:
            _db_failure(rule, now)


def record_success(username: str, address: str | None) -> None:
    """Clear the account+address counter after a successful login (the address counter stays)."""
    if not _enabled():
        return
    account, _address, _anywhere = rules(username, address)
    client = _redis()
    if client is not None:
        client.delete(_redis_name(account.key))
    else:
        db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == account.key))


def _db_failure(rule: Rule, now: datetime) -> None:
    """Increment a counter in one atomic statement (a counter idle for a day starts again from one)."""
    table = LoginThrottle.__table__
    insert = upsert()
    stale = table.c.last_failure_at < now - FORGET_AFTER
    statement = (
        insert(table)
        .values(key=rule.key, failures=1, last_failure_at=now, blocked_until=None)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"failures": sa.case((stale, 1), else_=table.c.failures + 1), "last_failure_at": now},
        )
        .returning(table.c.failures)
    )
    failures = db.session.execute(statement).scalar_one()
    delay = delay_after(failures, rule.free_failures)
    if delay is not None:
        later = sa.func.coalesce(table.c.blocked_until, now)  # never shorten a wait set by a concurrent failure
        until = sa.case((later > now + delay, later), else_=now + delay)
        db.session.execute(sa.update(table).where(table.c.key == rule.key).values(blocked_until=until))


def _redis_failure(client, rule: Rule, now: datetime) -> None:
    name = _redis_name(rule.key)
    pipe = client.pipeline()
    pipe.hincrby(name, "failures", 1)
    pipe.expire(name, int(FORGET_AFTER.total_seconds()))
    failures = int(pipe.execute()[0])
    delay = delay_after(failures, rule.free_failures)
    if delay is not None:
        until = now + delay
        previous = client.hget(name, "blocked_until")
        if previous is None or float(previous) < until.timestamp():
            client.hset(name, "blocked_until", repr(until.timestamp()))


def retry_seconds(wait: timedelta) -> int:
    """Whole seconds to tell a client in Retry-After."""
    return max(1, math.ceil(wait.total_seconds()))
