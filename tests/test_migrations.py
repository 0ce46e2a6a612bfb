"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db
from tests.conftest import TEST_PG_URL, make_app, require
from tests.factories import scratch_postgres


def assert_migrations_match_models(url: str) -> None:
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        inspector = sa.inspect(db.engine)
        assert "alembic_version" in inspector.get_table_names()
        assert_audit_log_is_append_only()
        # and they can be rolled back to nothing
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def assert_audit_log_is_append_only() -> None:
    """The migrated database itself refuses to change or delete an audit entry."""
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO audit_log (at, actor_name, action, object_type, detail) "
                             "VALUES (CURRENT_TIMESTAMP, 'x', 'login_ok', '', '')"))  # fmt: skip
    for statement in ("UPDATE audit_log SET actor_name = 'y'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.engine.begin() as conn:
            conn.execute(sa.text(statement))
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT actor_name FROM audit_log")).scalars().all() == ["x"]


def test_migrations_match_models_on_sqlite(tmp_path):
    assert_migrations_match_models(f"sqlite:///{tmp_path}/migrations.sqlite")


@pytest.mark.postgres
def test_migrations_match_models_on_postgresql():
    require(TEST_PG_URL, "PostgreSQL")
    with scratch_postgres(TEST_PG_URL) as url:
        assert_migrations_match_models(url)


def test_snapshots_published_before_the_watermark_get_one(tmp_path):
    """Upgrading keeps an older publication readable: its respondent set is what was stored when it was published."""
    from flask_migrate import upgrade as upgrade_to

    from analytics.dashboard import build_dashboard
    from app.periods import month

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/old.sqlite")
    with app.app_context():
        upgrade_to(revision="8905b3ce87a0")  # before withdrawals and watermarks
        run = db.session.execute
        run(sa.text("INSERT INTO units (id, slug, name, address, created_at) VALUES (1, 'u', 'Unit', '', :t)"),
            {"t": "2026-10-01 00:00:00"})  # fmt: skip
        run(sa.text("INSERT INTO services (id, unit_id, name, kind, active) VALUES (1, 1, 'Izin', 'perizinan', 1)"))
        answers = ", ".join(f"u{i}" for i in range(1, 10))
        columns = f"id, unit_id, service_id, survey_date, submitted_at, channel, assisted, flags, {answers}"
        for rid, stored, score in (
            (1, "2026-10-05 02:00:00", 4),
            (2, "2026-10-06 02:00:00", 4),
            (3, "2026-11-02 02:00:00", 1),
        ):  # the third arrived after publication
            run(sa.text(f"INSERT INTO responses ({columns}) VALUES (:i, 1, 1, '2026-10-05', :s, 'paper', 0, '', "
                        + ", ".join([str(score)] * 9) + ")"), {"i": rid, "s": stored})  # fmt: skip
        old_snapshot = (
            '{"unit": "Unit", "period": {"key": "2026-10", "label": "Oktober 2026"}, "result": {"respondents": 2, '
            '"elements": [' + ", ".join(f'{{"code": "U{i}", "answered": 2, "total": 8}}' for i in range(1, 10))
            + '], "nik": 100.0, "mutu": "A", "kinerja": "Sangat Baik"}, "services": [], "sample": null, '
            '"flags": {"total": 2, "flagged": 0, "assisted": 0, "paper": 2}, "notes": []}'
        )  # fmt: skip
        run(sa.text("INSERT INTO publications (unit_id, period_key, period_start, snapshot, published_by, "
                    "published_at) VALUES (1, '2026-10', '2026-10-01', :j, 'admin', '2026-11-01 00:00:00')"),
            {"j": old_snapshot})  # fmt: skip
        db.session.commit()
        upgrade_to()
        dash = build_dashboard(unit_id=1, unit_name="Unit", period=month(2026, 10))
        assert dash.frozen and str(dash.result.nik) == "100.00" and dash.result.respondents == 2
        assert dash.late_responses == 1  # the November paper form is not in the published set
        assert dict(dash.profile["gender"]) == {"Tidak diisi": 2}  # read from the published set, not all three
        db.engine.dispose()
