"""A web worker imports only what serving needs (issue 12): no Alembic, no argon2 until a password is checked, no
report libraries, no command modules and no SMTP client; it opens no database connection before it forks; `flask db`
still imports Flask-Migrate, and every command is still there for `flask`."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_DATABASE_URL

REPO = Path(__file__).resolve().parents[1]
# Migrations (Flask-Migrate, Alembic and its Mako templates), password hashing, the report libraries, the modules
# of the `flask` commands, the demo data they seed (app.commands registers them on first use) and the cron's work
# (complaints.tick), and the SMTP client (only `flask outbox send` sends mail).
NOT_IN_A_WORKER = ("flask_migrate", "alembic", "mako", "argon2", "pandas", "numpy", "matplotlib", "openpyxl",
                   "reportlab", "PIL", "qrcode", "pypdf", "app.cli", "app.backup", "app.demo", "survey.cli",
                   "survey.demo", "complaints.cli", "complaints.demo", "complaints.tick", "analytics.cli",
                   "smtplib")  # fmt: skip
# Every command group and top-level command `flask --help` lists (each registered by a different module).
COMMANDS = ("db", "create-user", "seed-demo", "directory", "backup", "restore", "calendar", "outbox", "survey",
            "complaints", "ikm", "poster", "report", "set-population", "publish", "withdraw")  # fmt: skip

WORKER = f"""
import json, sys
from app import create_app
from app.extensions import db

app = create_app()  # as gunicorn's "app:create_app()" does: production settings from the environment
with app.app_context():
    pool = db.engine.pool
    connections = pool.checkedin() + pool.checkedout()
client = app.test_client()
statuses = [client.get(path).status_code for path in ("/healthz", "/auth/login")]
from app import passwords
print(json.dumps({{
    "imported": sorted(m for m in {NOT_IN_A_WORKER!r} if m in sys.modules),
    "dummy_hash_made": getattr(passwords, "_dummy_hash", None) is not None,
    "connections": connections,
    "statuses": statuses,
}}))
"""


def production_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GUNICORN"))}
    env.update(
        SKM_ENV="production",
        SECRET_KEY="worker-import-test-secret-0123456789",
        PUBLIC_BASE_URL="https://skm.example.go.id",
        DATABASE_URL=database_url,
        RATELIMIT_STORAGE_URI="memory://",
    )
    return env


def run(argv: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{argv} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_a_web_worker_imports_no_migrations_hashing_or_reports(tmp_path):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path}/worker.sqlite"
    seen = json.loads(run([sys.executable, "-c", WORKER], production_env(url)).strip().splitlines()[-1])
    assert seen["statuses"] == [200, 200]
    assert seen["imported"] == [], f"a web worker imported {seen['imported']}"
    assert seen["dummy_hash_made"] is False, "the dummy argon2 hash was made before any password was checked"
    # gunicorn --preload forks workers from the process that ran create_app(): no connection may be open by then.
    assert seen["connections"] == 0


def test_flask_db_commands_still_run_flask_migrate(tmp_path):
    env = production_env(f"sqlite:///{tmp_path}/cli.sqlite")
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    listed = run([*flask, "--help"], env)
    assert "Perform database migrations" in listed
    assert [name for name in COMMANDS if f"\n  {name} " not in listed] == [], listed
    assert "upgrade" in run([*flask, "db", "--help"], env)
    run([*flask, "db", "upgrade"], env)
    assert "(head)" in run([*flask, "db", "-d", "migrations", "current"], env)
    run([*flask, "db", "check"], env)  # autogenerate with the app's options: models and migrations agree


def test_the_dummy_hash_is_made_on_first_use_once(fast_hashing, monkeypatch):
    from argon2 import PasswordHasher

    from app import passwords

    monkeypatch.setattr(passwords, "_dummy_hash", None)
    assert passwords.verify_password(None, "any password at all") is False  # an unknown account
    first = passwords._dummy_hash
    assert first is not None and not passwords.hasher().check_needs_rehash(first)
    real = passwords.hash_password("correct horse battery")
    assert passwords.verify_password(real, "correct horse battery") is True
    assert passwords._dummy_hash is first  # not made again
    # Other parameters (a new argon2 profile): the dummy follows, so it keeps costing what a real check costs.
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    assert passwords.verify_password(None, "any password at all") is False
    assert passwords._dummy_hash != first and not passwords.hasher().check_needs_rehash(passwords._dummy_hash)


def test_commands_and_demo_seeders_are_registered_on_first_use(app):
    from app.commands import LazyCommands
    from app.demo import DEMO_SEEDERS

    assert isinstance(app.cli, LazyCommands)
    assert DEMO_SEEDERS not in app.extensions  # nothing has asked for a command yet
    assert set(COMMANDS) <= set(app.cli.commands)  # reading them registers them, once
    seeders = [seed.__module__ for seed in app.extensions[DEMO_SEEDERS]]
    assert sorted(seeders) == ["analytics.cli", "complaints.demo", "survey.demo"]
    app.cli.commands  # noqa: B018
    assert len(app.extensions[DEMO_SEEDERS]) == 3


def test_seed_demo_called_directly_still_seeds_every_domain(app, fast_hashing):
    """seed_demo() outside `flask seed-demo` (tests/bench/ikm_data.py does so): the domains' seeders still run."""
    import sqlalchemy as sa

    from app.demo import seed_demo
    from app.extensions import db
    from complaints.models import Complaint
    from survey.models import Response

    with app.app_context():
        seed_demo(admin_password="a long demo password 123", responses=12)
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 12
        assert db.session.scalar(sa.select(sa.func.count(Complaint.id))) > 0
