"""Login throttling shared by every worker: a growing delay per account and address, and per address.

Backoff, never a lockout: after LOGIN_ACCOUNT_FREE_FAILURES failed logins to one account from one address, each
further attempt from there must wait a delay that doubles with every failure (capped at LOGIN_MAX_DELAY_SECONDS);
the same applies to an address as a whole after the generous LOGIN_IP_FREE_FAILURES (many phones share one address
behind a carrier's NAT), and to an account tried from anywhere after LOGIN_ACCOUNT_ANYWHERE_FREE_FAILURES. An
attempt is counted, as a failure, before its password is checked (begin_attempt), so that guesses sent in parallel
cannot all slip in before the first of them fails; a success gives it back and clears the account+address counter.
Counters are forgotten a day after the last attempt counted. Counted in the database (table login_throttle, atomic
upserts), or in Redis when RATELIMIT_STORAGE_URI is redis://. Keys are HMACs: the table never holds a typed name
(which may be a password typed in the wrong field) or an address.
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


@dataclass(frozen=True)
class Attempt:
    """A login attempt, counted as a failure before its password is checked, unless `wait` says it must wait."""

    wait: timedelta | None = None
    # Each counter's key, with the end of the wait this attempt started on it (None when its failures were free).
    counted: tuple[tuple[str, datetime | None], ...] = ()


def begin_attempt(username: str, address: str | None, *, now: datetime | None = None) -> Attempt:
    """Count a login attempt on every counter before its password is checked, or refuse it while a wait runs.

    Counted as a failure, with the wait a failure starts, until record_success gives it back: guesses sent in
    parallel each find the ones counted before them. A refused attempt is not counted. Flushes (database).
    """
    if not _enabled():
        return Attempt()
    now = now or utcnow()
    counted = []
    for rule in rules(username, address):
        was_free, until = _count(rule, now)
        if not was_free:
            for key, block in counted:
                _give_back(key, block)
            return Attempt(wait=wait_time(username, address, now=now) or until - now)
        counted.append((rule.key, until))
    return Attempt(counted=tuple(counted))


def record_success(attempt: Attempt) -> None:
    """Give a verified attempt back: clear its account+address counter, take it off the other two. Flushes."""
    if not attempt.counted:
        return
    (account, _until), *others = attempt.counted
    client = _redis()
    if client is not None:
        client.delete(_redis_name(account))
    else:
        db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == account))
    for key, until in others:
        _give_back(key, until)


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


def _count(rule: Rule, now: datetime) -> tuple[bool, datetime | None]:
    """Count an attempt on a counter and start the wait its count calls for (never shortening a running one).

    Returns (True, the end of the wait started, or None) once counted, or, while a wait is running, (False, the
    end of that wait) without counting.
    """
    client = _redis()
    if client is not None:
        return _redis_count(client, rule, now)
    table = LoginThrottle.__table__
    stale = table.c.last_failure_at < now - FORGET_AFTER  # a counter idle for a day starts again from one
    no_wait = sa.or_(table.c.blocked_until.is_(None), table.c.blocked_until <= now)
    statement = (
        upsert()(table)
        .values(key=rule.key, failures=1, last_failure_at=now, blocked_until=None)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"failures": sa.case((stale, 1), else_=table.c.failures + 1), "last_failure_at": now},
            where=no_wait,
        )
        .returning(table.c.failures)
    )
    failures = db.session.execute(statement).scalar_one_or_none()
    if failures is None:  # a wait is running: nothing was counted
        return False, _aware(db.session.scalar(sa.select(table.c.blocked_until).where(table.c.key == rule.key)))
    delay = delay_after(failures, rule.free_failures)
    if delay is None:
        return True, None
    later = sa.func.coalesce(table.c.blocked_until, now)
    until = sa.case((later > now + delay, later), else_=now + delay)
    db.session.execute(sa.update(table).where(table.c.key == rule.key).values(blocked_until=until))
    return True, now + delay


def _redis_count(client, rule: Rule, now: datetime) -> tuple[bool, datetime | None]:
    """_count on Redis: read, then write in a transaction that is run again if another worker wrote in between."""
    name = _redis_name(rule.key)

    def count(pipe) -> tuple[bool, datetime | None]:
        failures, stamp = pipe.hmget(name, "failures", "blocked_until")
        running = float(stamp) if stamp is not None else 0.0
        if running > now.timestamp():
            return False, datetime.fromtimestamp(running, UTC)
        failures = int(failures or 0) + 1
        delay = delay_after(failures, rule.free_failures)
        pipe.multi()
        pipe.hset(name, "failures", failures)
        pipe.expire(name, int(FORGET_AFTER.total_seconds()))
        if delay is None:
            return True, None
        if running < (now + delay).timestamp():
            pipe.hset(name, "blocked_until", repr((now + delay).timestamp()))
        return True, now + delay

    return client.transaction(count, name, value_from_callable=True)


def _give_back(key: str, until: datetime | None) -> None:
    """Take an attempt off a counter again, with the wait it started (`until`) unless a later one replaced it."""
    client = _redis()
    if client is not None:
        _redis_give_back(client, key, until)
        return
    table = LoginThrottle.__table__
    mine = table.c.key == key
    db.session.execute(sa.delete(table).where(mine, table.c.failures <= 1))  # this attempt was all it counted
    blocked_until = table.c.blocked_until
    if until is not None:
        blocked_until = sa.case((blocked_until <= until, sa.null()), else_=blocked_until)
    db.session.execute(sa.update(table).where(mine).values(failures=table.c.failures - 1, blocked_until=blocked_until))


def _redis_give_back(client, key: str, until: datetime | None) -> None:
    name = _redis_name(key)

    def give_back(pipe) -> None:
        failures, stamp = pipe.hmget(name, "failures", "blocked_until")
        if failures is None:  # forgotten meanwhile
            return
        pipe.multi()
        if int(failures) <= 1:
            pipe.delete(name)  # this attempt was all it counted
            return
        pipe.hincrby(name, "failures", -1)
        if until is not None and stamp is not None and float(stamp) <= until.timestamp():
            pipe.hdel(name, "blocked_until")

    client.transaction(give_back, name)


def retry_seconds(wait: timedelta) -> int:
    """Whole seconds to tell a client in Retry-After."""
    return max(1, math.ceil(wait.total_seconds()))
