"""Flag suspicious survey bursts without blocking them (perf-security.md B.2).

Counts live in the database (survey_stuffing_counts), so every worker and every app server sees the same
history. Each check counts per key (a keyed hash) and per bucket of half its window, and looks at the current
and the previous bucket: a sliding window of between a half and a whole window. No row per answer, no time finer
than a bucket, nothing that matches a response; a bucket is deleted once no check looks back to it.
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db, upsert
from app.i18n import N_
from survey.models import StuffingCount

DEVICE_REPEAT = "device_repeat"  # the same browser answered again within the window
IP_BURST = "ip_burst"  # many responses from one network address in a short time
IDENTICAL_BURST = "identical_burst"  # the same answer pattern repeated from one address
NO_DEVICE = "no_device"  # no device cookie: cookies refused, or a script posting

FLAG_LABELS = {  # translated where shown
    DEVICE_REPEAT: N_("Perangkat yang sama mengisi lagi"),
    IP_BURST: N_("Lonjakan pengisian dari satu alamat jaringan"),
    IDENTICAL_BURST: N_("Pola jawaban identik berulang"),
    NO_DEVICE: N_("Tanpa cookie perangkat"),
}

# A kiosk's bursts are counted per kiosk; its network address only past this many times the usual burst, so a
# script posting as a "kiosk" with a new cookie each time is still flagged.
KIOSK_ADDRESS_FACTOR = 3

DEVICE, ADDRESS, KIOSK, PATTERN = "device", "address", "kiosk", "pattern"


def keyed_hash(kind: str, value: str) -> str:
    """Return an HMAC of a value, so raw IPs and cookies are never stored."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.digest(key, f"{kind}:{value}".encode(), hashlib.sha256).hex()  # one-shot: hmac.new's hexdigest


def _window(kind: str) -> timedelta:
    cfg = current_app.config
    minutes = cfg["STUFFING_DEVICE_WINDOW_MINUTES"] if kind == DEVICE else cfg["STUFFING_IP_WINDOW_MINUTES"]
    return timedelta(minutes=minutes)


def _bucket(kind: str, now: datetime) -> datetime:
    """The start of the bucket (half the kind's window) that holds `now`."""
    size = _window(kind).total_seconds() / 2
    return datetime.fromtimestamp(now.timestamp() // size * size, UTC)


def _looked_at(kind: str, now: datetime) -> datetime:
    """The oldest bucket start a check of this kind still reads: the previous bucket."""
    return _bucket(kind, now) - _window(kind) / 2


def retention() -> timedelta:
    """How long a count is kept at most: the longest window (a bucket lives two half-windows)."""
    return max(_window(DEVICE), _window(ADDRESS))


def assess_and_log(
    *,
    ip: str | None,
    device_id: str | None,
    answers: dict[str, int | None],
    check_device: bool = True,
    kiosk: bool = False,
) -> list[str]:
    """Count this submission (apart from the response) and return its flags.

    :param check_device: False for a shared kiosk tablet, where one device legitimately serves many citizens.
    :param kiosk: count bursts per kiosk (its device cookie), not per network address, and do not compare answer
        patterns: the office's kiosks and visitors' phones share one Wi-Fi address, and a queue of satisfied
        citizens answers alike.
    """
    cfg = current_app.config
    now = datetime.now(UTC)
    conn = db.session.connection()
    buckets = _buckets(now)
    _prune_once(conn, buckets)
    address = keyed_hash("ip", ip or "unknown")
    device = keyed_hash("device", device_id) if device_id else None
    # Many honest phones on one office Wi-Fi give the same answers ("Sangat baik" throughout): identical answers
    # count per browser, and together for every client that keeps no cookie.
    pattern = ",".join(str(answers.get(k)) for k in sorted(answers))
    keys = {ADDRESS: address, DEVICE: device, KIOSK: device if kiosk else None}
    keys[PATTERN] = None if kiosk else keyed_hash("pattern", f"{ip}|{device_id or '-'}|{pattern}")
    present = {kind: key for kind, key in keys.items() if key is not None}
    seen = _counts(conn, buckets, present)
    burst = cfg["STUFFING_IP_BURST"]
    flags: list[str] = []
    if check_device:
        if device is None:
            flags.append(NO_DEVICE)
        elif seen.get(DEVICE):
            flags.append(DEVICE_REPEAT)
    per_kiosk = keys[KIOSK] is not None
    if per_kiosk:
        bursting = seen.get(KIOSK, 0) + 1 >= burst or seen.get(ADDRESS, 0) + 1 >= KIOSK_ADDRESS_FACTOR * burst
    else:
        bursting = seen.get(ADDRESS, 0) + 1 >= burst
    if bursting:
        flags.append(IP_BURST)
    if keys[PATTERN] is not None and seen.get(PATTERN, 0) + 1 >= cfg["STUFFING_IDENTICAL_BURST"]:
        flags.append(IDENTICAL_BURST)
    _count_all(conn, buckets, present)
    return flags


# The statements are built once, with a bind parameter for every value, so an answer only executes them: building
# a statement and deriving its compiled-cache key cost more than running it. They run on the session's connection,
# in its transaction (these plain Core statements never autoflush through the session either). The kinds are
# constants written into the SQL, so no parameter stands for them. The upsert, which differs between PostgreSQL and
# SQLite, is built once per dialect.
_TABLE = StuffingCount.__table__
_KINDS = (ADDRESS, DEVICE, KIOSK, PATTERN)


def _kind_is(kind: str) -> sa.ColumnElement[bool]:
    return _TABLE.c.kind == sa.literal_column(f"'{kind}'")  # a module constant ([a-z]+), never input


# Each kind's count over its current and previous bucket, in one round trip. A kind without a key this time is
# passed as NULL, which no key_hash equals: it counts nothing, as if it were not asked.
_COUNTS = (
    sa.select(_TABLE.c.kind, sa.func.sum(_TABLE.c.count))
    .where(
        sa.or_(
            *(
                sa.and_(
                    _kind_is(kind),
                    _TABLE.c.key_hash == sa.bindparam(f"{kind}_key"),
                    _TABLE.c.bucket_start >= sa.bindparam(f"{kind}_since"),
                )
                for kind in _KINDS
            )
        )
    )
    .group_by(_TABLE.c.kind)
)

_PRUNE = sa.delete(_TABLE).where(
    sa.or_(
        sa.and_(_kind_is(DEVICE), _TABLE.c.bucket_start < sa.bindparam("device_before")),
        sa.and_(~_kind_is(DEVICE), _TABLE.c.bucket_start < sa.bindparam("other_before")),
    )
)

_UPSERTS: dict[str, sa.Insert] = {}


def _upsert_statement(dialect: str) -> sa.Insert:
    """Add one to a key's bucket (a new bucket starts at the row's count, 1): one atomic statement per row."""
    statement = _UPSERTS.get(dialect)
    if statement is None:
        statement = _UPSERTS[dialect] = upsert()(_TABLE).on_conflict_do_update(
            index_elements=[_TABLE.c.kind, _TABLE.c.key_hash, _TABLE.c.bucket_start],
            set_={"count": _TABLE.c.count + 1},
        )
    return statement


def _buckets(now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """Each kind's current bucket and the oldest bucket its check reads (the previous one), at `now`."""
    device = (_bucket(DEVICE, now), _looked_at(DEVICE, now))
    other = (_bucket(ADDRESS, now), _looked_at(ADDRESS, now))
    return {kind: device if kind == DEVICE else other for kind in _KINDS}


def _counts(conn: sa.Connection, buckets: dict[str, tuple[datetime, datetime]], keys: dict[str, str]):
    """Each kind's count over its current and previous bucket, in one round trip."""
    params = {}
    for kind in _KINDS:
        params[f"{kind}_key"] = keys.get(kind)
        params[f"{kind}_since"] = buckets[kind][1]
    return {kind: int(total) for kind, total in conn.execute(_COUNTS, params)}


def _count_all(conn: sa.Connection, buckets: dict[str, tuple[datetime, datetime]], keys: dict[str, str]) -> None:
    """Add one to each key's bucket (concurrent workers never lose a count), in one executemany."""
    rows = [{"kind": kind, "key_hash": key, "bucket_start": buckets[kind][0], "count": 1} for kind, key in keys.items()]
    conn.execute(_upsert_statement(conn.dialect.name), rows)


def prune_log(*, now: datetime | None = None) -> int:
    """Delete the buckets no check reads any more; safe to run any number of times, from any host."""
    return _prune(db.session.connection(), _buckets(now or datetime.now(UTC)))


def _prune(conn: sa.Connection, buckets: dict[str, tuple[datetime, datetime]]) -> int:
    return conn.execute(_PRUNE, _bounds(buckets)).rowcount or 0


def _bounds(buckets: dict[str, tuple[datetime, datetime]]) -> dict[str, datetime]:
    return {"device_before": buckets[DEVICE][1], "other_before": buckets[ADDRESS][1]}


def _prune_once(conn: sa.Connection, buckets: dict[str, tuple[datetime, datetime]]) -> None:
    """Prune when a bucket has aged out since this process last pruned. What is stale changes only when a new
    bucket begins, and every submission writes into the current bucket: the first submission of each process
    after that moment deletes what aged out; the next ones would delete nothing, yet their DELETE would take
    SQLite's write lock first thing and hold it through the counts and the insert (the other workers' answers
    wait for it). The prune counts as done once its transaction commits: after a rollback the next one prunes."""
    bounds = _bounds(buckets)
    last = current_app.extensions.setdefault(_PRUNED, {})
    if last.get("bounds") != bounds:
        _prune(conn, buckets)
        sa.event.listen(db.session(), "after_commit", lambda _session: last.update(bounds=bounds), once=True)


_PRUNED = "survey_stuffing_pruned"  # app.extensions: the bounds of this process's last prune
