"""Login throttling: a backoff per account and address, and per address, shared by every worker (database, Redis)."""

import itertools
import logging
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app import auth, throttle
from app.audit import Action, AuditEntry
from app.extensions import db
from app.throttle import LoginThrottle
from tests.conftest import TEST_PG_URL, TEST_REDIS_URL, make_app, require
from tests.factories import PASSWORD, make_user, run_at_once, scratch_postgres

pytestmark = pytest.mark.usefixtures("fast_hashing")

WRONG = "wrong password 123"
HOME, AWAY = "10.0.0.1", "10.0.0.2"


class Clock:
    """Moves the throttle's idea of now; starts at the real time."""

    def __init__(self, monkeypatch):
        self.now = datetime.now(UTC)
        monkeypatch.setattr(throttle, "utcnow", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def verify_calls(monkeypatch):
    """Count how often a password is checked against a hash."""
    calls = []
    real = auth.verify_password

    def counting(password_hash, password):
        calls.append(1)
        return real(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", counting)
    return calls


def workers(tmp_path, count: int = 2, **overrides):
    """App instances ("workers", two by default) on one SQLite file, with a 'pengaduan' account."""
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/shared.sqlite",
        "LOGIN_ACCOUNT_FREE_FAILURES": 3,
        "LOGIN_IP_FREE_FAILURES": 50,
        "LOGIN_MAX_DELAY_SECONDS": 10,
        **overrides,
    }
    first = make_app(**config)
    with first.app_context():
        db.create_all()
        make_user("pengaduan")
    return first, *(make_app(**config) for _ in range(count - 1))


def login(worker, password: str, *, username: str = "pengaduan", address: str = HOME):
    """POST the login form to a worker from an address; return the response."""
    return worker.test_client().post(
        "/auth/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_backoff_is_shared_by_two_workers_on_one_sqlite_file(tmp_path, monkeypatch, verify_calls):
    first, second = workers(tmp_path)
    clock = Clock(monkeypatch)
    for worker in (first, second, first):  # the free failures, counted by both workers together
        assert login(worker, WRONG).status_code == 401
    waits = []
    for _ in range(5):
        verify_calls.clear()
        refused = login(second, PASSWORD)  # the right password, but this account+address must wait
        assert refused.status_code == 429 and verify_calls == []
        assert "Coba lagi setelah pukul" in refused.get_data(as_text=True)
        waits.append(int(refused.headers["Retry-After"]))
        clock.advance(waits[-1])
        assert login(first, WRONG).status_code == 401
    assert waits == [1, 2, 4, 8, 10]  # doubling, capped at LOGIN_MAX_DELAY_SECONDS
    assert login(second, PASSWORD, address=AWAY).status_code == 302  # another address is not held back
    assert login(first, PASSWORD).status_code == 429
    clock.advance(10)
    assert login(first, PASSWORD).status_code == 302
    # the success reset this account+address: the free failures are available again
    assert [login(second, WRONG).status_code for _ in range(3)] == [401, 401, 401]
    assert login(second, WRONG).status_code == 429


def test_the_address_limit_covers_every_account_but_is_generous(tmp_path, monkeypatch):
    first, second = workers(tmp_path, LOGIN_IP_FREE_FAILURES=4)
    Clock(monkeypatch)
    for number in range(4):  # four different names from one address: each account is far below its limit
        assert login((first, second)[number % 2], WRONG, username=f"orang{number}").status_code == 401
    assert login(first, PASSWORD).status_code == 429  # the address now waits, for every account
    assert login(second, PASSWORD, address=AWAY).status_code == 302


def test_guesses_at_one_account_from_many_addresses_slow_that_account_down(tmp_path, monkeypatch):
    first, second = workers(tmp_path, LOGIN_ACCOUNT_ANYWHERE_FREE_FAILURES=6)
    Clock(monkeypatch)
    for number in range(6):  # a botnet: one guess per address, each address far below its own limits
        assert login((first, second)[number % 2], WRONG, address=f"10.9.0.{number}").status_code == 401
    assert login(first, PASSWORD, address="10.9.1.1").status_code == 429  # a new address waits for this account
    assert login(second, PASSWORD, username="pengaduan2", address="10.9.1.1").status_code != 429  # others do not


def test_failures_are_forgotten_a_day_after_the_last_one(tmp_path, monkeypatch):
    first, _second = workers(tmp_path)
    clock = Clock(monkeypatch)
    for _ in range(3):
        login(first, WRONG)
    clock.advance(24 * 3600 + 1)
    assert login(first, WRONG).status_code == 401
    assert login(first, WRONG).status_code == 401  # counted from one again, so still free
    with first.app_context():
        assert max(db.session.scalars(sa.select(LoginThrottle.failures))) == 2


def test_backoff_is_shared_through_redis(tmp_path, monkeypatch):
    require(TEST_REDIS_URL, "Redis")
    import redis

    prefix = f"skm-test-{uuid.uuid4().hex[:8]}"
    first, second = workers(tmp_path, RATELIMIT_STORAGE_URI=TEST_REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    Clock(monkeypatch)
    server = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        for worker in (first, second, first):
            assert login(worker, WRONG).status_code == 401
        refused = login(second, PASSWORD)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
        assert login(first, PASSWORD, address=AWAY).status_code == 302
        with first.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 0
        keys = list(server.scan_iter(f"{prefix}:login-throttle:*"))
        assert len(keys) == 3  # this account from home, home, this account from anywhere; away left nothing
        assert all(server.ttl(key) > 0 for key in keys)  # forgotten by Redis itself after a day
    finally:
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)
        server.close()


def test_every_login_is_audited_and_logged_without_secrets(tmp_path, monkeypatch, caplog):
    first, _second = workers(tmp_path)
    Clock(monkeypatch)
    caplog.set_level(logging.DEBUG)
    unknown_name = "kata-sandi-rahasia-tertukar"  # a password typed into the name field
    assert login(first, WRONG).status_code == 401
    assert login(first, WRONG, username=unknown_name).status_code == 401
    assert login(first, PASSWORD).status_code == 302
    with first.app_context():
        entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
        user_id = auth.find_user("pengaduan").id
        keys = db.session.scalars(sa.select(LoginThrottle.key)).all()
    assert [(e.action, e.actor_id, e.actor_name) for e in entries] == [
        (Action.LOGIN_FAILED, user_id, "pengaduan"),
        (Action.LOGIN_FAILED, None, ""),  # an unknown name is never stored
        (Action.LOGIN_OK, user_id, "pengaduan"),
    ]
    assert all(unknown_name not in e.detail for e in entries)
    assert keys and all(unknown_name not in key and HOME not in key for key in keys)  # HMACs only
    logged = [record.getMessage() for record in caplog.records]
    assert any("Login failed" in line for line in logged) and any("Login ok" in line for line in logged)
    for secret in (WRONG, PASSWORD, unknown_name):
        assert not any(secret in line for line in logged), secret


def test_the_throttle_can_be_switched_off(tmp_path):
    first, _second = workers(tmp_path, LOGIN_THROTTLE_ENABLED=False)
    assert [login(first, WRONG).status_code for _ in range(5)] == [401] * 5
    assert login(first, PASSWORD).status_code == 302


def test_attempts_are_counted_before_their_check_on_the_suites_database(app):
    """The same statements on the suite's own database (PostgreSQL when TEST_DATABASE_URL is set)."""
    app.config.update(LOGIN_ACCOUNT_FREE_FAILURES=2, LOGIN_IP_FREE_FAILURES=6, LOGIN_MAX_DELAY_SECONDS=5)
    now = datetime.now(UTC)
    waits = []
    for _ in range(6):
        assert throttle.begin_attempt("Siapa", HOME, now=now).wait is None  # counted; then its password is wrong
        db.session.commit()
        wait = throttle.wait_time("siapa", HOME, now=now)
        assert wait is None or throttle.begin_attempt("siapa", HOME, now=now).wait == wait  # refused, not counted
        waits.append(wait.total_seconds() if wait else 0)
        now += wait or timedelta(0)
    assert waits == [0, 1, 2, 4, 5, 5]
    assert throttle.begin_attempt("siapa", AWAY, now=now).wait is None
    # A neighbour behind the same address: its attempt is the address's 7th and starts a wait while it is checked.
    neighbour = throttle.begin_attempt("tetangga", HOME, now=now)
    db.session.commit()
    assert neighbour.wait is None
    assert throttle.begin_attempt("lain", HOME, now=now).wait == timedelta(seconds=2)
    throttle.record_success(neighbour)  # the right password: its count and its wait are given back
    db.session.commit()
    assert throttle.begin_attempt("lain", HOME, now=now).wait is None
    db.session.commit()
    failures = dict(db.session.execute(sa.select(LoginThrottle.key, LoginThrottle.failures)).all())
    siapa, home, siapa_anywhere = throttle.rules("siapa", HOME)
    tetangga, _home, tetangga_anywhere = throttle.rules("tetangga", HOME)
    assert (failures[siapa.key], failures[home.key], failures[siapa_anywhere.key]) == (6, 7, 7)  # +lain; +AWAY
    assert tetangga.key not in failures and tetangga_anywhere.key not in failures  # nothing left of its attempt
    assert len(failures) == 7  # siapa's five and lain's two: lain's refused attempt left no row behind


def test_eleven_tries_across_three_workers_without_redis_are_throttled(tmp_path, monkeypatch, verify_calls):
    """The per-process rate limit counts each worker apart; the backoff in the shared database does not."""
    apps = workers(tmp_path, count=3)
    Clock(monkeypatch)
    codes = [login(apps[number % 3], WRONG).status_code for number in range(11)]
    assert codes == [401] * 3 + [429] * 8 and len(verify_calls) == 3
    assert login(apps[0], PASSWORD).status_code == 429


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres), "redis"])
def shared_store(request, tmp_path):
    """Where the workers of a test keep their counters: a SQLite file, a scratch PostgreSQL database, or Redis."""
    if request.param == "postgresql":
        require(TEST_PG_URL, "PostgreSQL")
        with scratch_postgres(TEST_PG_URL) as url:
            yield {"SQLALCHEMY_DATABASE_URI": url}
        return
    if request.param == "sqlite":
        yield {}
        return
    require(TEST_REDIS_URL, "Redis")
    import redis

    prefix = f"skm-test-{uuid.uuid4().hex[:8]}"
    yield {"RATELIMIT_STORAGE_URI": TEST_REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    with redis.Redis.from_url(TEST_REDIS_URL) as server:
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)


def test_parallel_guesses_are_counted_before_any_password_is_checked(tmp_path, monkeypatch, verify_calls, shared_store):
    """20 wrong passwords sent at once over three workers: no more are checked than the free ones (3), not 20."""
    apps = workers(tmp_path, count=3, **shared_store)
    clock = Clock(monkeypatch)  # time stands still: no wait runs out while the guesses are in flight
    counting = auth.verify_password

    def slow_verify(password_hash, password):  # argon2 at its production cost takes about this long
        time.sleep(0.2)
        return counting(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", slow_verify)
    turns = itertools.cycle(apps)
    codes = run_at_once(apps[0], lambda: login(next(turns), WRONG).status_code, workers=20, timeout=60)
    # Each guess is counted before its password is checked, so exactly the three free ones are checked: the third
    # starts a wait that every guess counted after it finds running.
    assert len(verify_calls) == 3 and sorted(codes) == [401] * 3 + [429] * 17
    clock.advance(1)
    assert login(apps[1], WRONG).status_code == 401
    assert login(apps[2], PASSWORD).headers["Retry-After"] == "2"  # the 4th failure: the 17 refused were not counted
    for worker in apps:
        with worker.app_context():
            db.engine.dispose()  # before a scratch database is dropped
