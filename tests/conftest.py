"""Fixtures: a fresh app and database per test, on SQLite or on TEST_DATABASE_URL (PostgreSQL)."""

import os

import flask_babel
import pytest
import sqlalchemy as sa
from flask import g

from app import create_app
from app.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")  # the whole suite on PostgreSQL when set
# Under pytest-xdist (`-n 2`) every worker process gets a database of its own on that server, test_gw0, test_gw1...
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if TEST_DATABASE_URL and XDIST_WORKER:
    _url = sa.engine.make_url(TEST_DATABASE_URL)
    TEST_DATABASE_URL = _url.set(database=f"{_url.database}_{XDIST_WORKER}").render_as_string(hide_password=False)
TEST_PG_URL = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# In CI the services must be there: a skip would hide a failure.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

BASE_CONFIG = {
    "TESTING": True,
    "SKM_ENV": "development",
    "SECRET_KEY": "test-secret-key-that-is-long-enough",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "OFFICE_NAME": "DPMPTSP Uji",
    "PUBLIC_BASE_URL": "https://skm.example.go.id",
}


def service_available(url: str) -> bool:
    """Return True if a database or Redis server answers at `url`."""
    try:
        if url.startswith("redis"):
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        else:
            engine = sa.create_engine(url, connect_args={"connect_timeout": 2})
            with engine.connect():
                pass
            engine.dispose()
        return True
    except Exception:
        return False


def require(url: str, what: str) -> None:
    """Skip the test when the server is absent, or fail in CI where it must be present."""
    if not service_available(url):
        if REQUIRE_SERVICES:
            pytest.fail(f"{what} at {url} is required (REQUIRE_SERVICES=1) but not reachable")
        pytest.skip(f"{what} not reachable at {url}")


_created_apps = []


def make_app(**overrides):
    """Create an app with the test configuration and the given overrides."""
    config = {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or "sqlite://", **overrides}
    app = create_app(config)
    _created_apps.append(app)
    return app


@pytest.fixture(autouse=True)
def _dispose_engines():
    """Close every connection pool a test opened (psycopg warns about connections left open), and empty the shared
    server database after a test that wrote to it through an app of its own (the `app` fixture empties it itself)."""
    yield
    while _created_apps:
        app = _created_apps.pop()
        with app.app_context():
            db.session.remove()
            if TEST_DATABASE_URL and app.config["SQLALCHEMY_DATABASE_URI"] == TEST_DATABASE_URL:
                _empty_tables()
            for engine in db.engines.values():
                engine.dispose()


def _empty_tables() -> None:
    """TRUNCATE every table of the models on the shared server database."""
    tables = ", ".join(t.name for t in db.metadata.sorted_tables)
    db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


def _create_worker_database() -> None:
    """Create this xdist worker's database next to the one TEST_DATABASE_URL names, unless it is there already."""
    server = os.environ["TEST_DATABASE_URL"]
    if not service_available(server):
        return  # `require` below skips, or fails in CI
    name = sa.engine.make_url(TEST_DATABASE_URL).database
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _schema():
    """On a server database, build the schema once per session (per worker under xdist), before any test."""
    if TEST_DATABASE_URL:
        if XDIST_WORKER:
            _create_worker_database()
        require(TEST_DATABASE_URL, "Test database")
        app = make_app()
        with app.app_context():
            db.drop_all()
            db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
            db.create_all()
    yield


@pytest.fixture
def app(_schema):
    """A fresh app with an empty database."""
    app = make_app()

    @app.before_request
    def forget_the_last_requests_user() -> None:
        # The fixture's app context outlives each request, and with it `g`: a server starts every request with a
        # fresh context, so drop the user Flask-Login remembered (several clients log in within one test) and the
        # locale Flask-Babel cached on the context.
        g.pop("_login_user", None)
        flask_babel.refresh()

    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
        yield app
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def fast_hashing(monkeypatch):
    """Cheap argon2id parameters, for tests about account rules and access rather than hashing cost."""
    from argon2 import PasswordHasher

    from app import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """A unit with services and one counter of each access mode."""
    from tests.factories import make_directory

    return make_directory()


@pytest.fixture
def admin(app):
    from app.auth import create_user

    user = create_user(username="admin", password="correct horse battery", full_name="Admin")
    db.session.commit()
    return user


@pytest.fixture
def login(client, admin):
    """Log the admin in on the test client."""
    response = client.post("/auth/login", data={"username": "admin", "password": "correct horse battery"})
    assert response.status_code == 302
    return client
