"""`flask backup` and `flask restore` round-trip a seeded database, every table compared (issue 11)."""

import shutil
from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.conftest import REQUIRE_SERVICES, TEST_DATABASE_URL, make_app
from tests.factories import make_directory, make_response, make_user, scratch_postgres


def _everything() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with db.engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns))]
            for table in db.metadata.sorted_tables
        }


def _round_trip(url: str, tmp_path) -> None:
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    runner = app.test_cli_runner()
    with app.app_context():
        db.create_all()
        demo = make_directory()
        make_user("admin")
        for day in (1, 2, 3):
            make_response(demo, date(2026, 10, day), (4, 3, 2, 4, 3, 4, 4, 1, 3), suggestion="Antrean lama")
        db.session.commit()
        before = _everything()
        db.session.remove()
        copy = tmp_path / "office.backup"
        result = runner.invoke(args=["backup", "-o", str(copy)])
        assert result.exit_code == 0, result.output
        db.session.execute(sa.text("DELETE FROM responses"))
        db.session.execute(sa.text("UPDATE units SET name = 'Dirusak'"))
        db.session.commit()
        db.session.remove()
        assert _everything() != before
        result = runner.invoke(args=["restore", str(copy), "--yes"])
        assert result.exit_code == 0, result.output
        assert _everything() == before
        db.session.remove()
        db.engine.dispose()


def test_sqlite_backup_and_restore_round_trip(tmp_path):
    _round_trip(f"sqlite:///{tmp_path}/office.sqlite", tmp_path)


def test_postgresql_backup_and_restore_round_trip(tmp_path):
    if not TEST_DATABASE_URL:
        pytest.skip("no PostgreSQL server (TEST_DATABASE_URL)")
    if shutil.which("pg_dump") is None:
        if REQUIRE_SERVICES:
            pytest.fail("pg_dump is required (REQUIRE_SERVICES=1) but not installed")
        pytest.skip("pg_dump not installed")
    with scratch_postgres(TEST_DATABASE_URL) as url:
        _round_trip(url, tmp_path)


def test_restore_refuses_a_missing_file(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "none.backup"), "--yes"])
    assert result.exit_code != 0 and "is not a file" in result.output
