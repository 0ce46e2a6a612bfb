"""The daily roll-up for the IKM benchmark: rebuilt after every bulk load, timed, then the statistics refreshed.

The bench loads responses behind the app's back (sqlite3 executemany, COPY), so the roll-up the analytics
readers use is recomputed from the raw rows before anything is measured: `analytics.rollup.rebuild(today=...)` in
the app context with the office's today, then a commit (what `flask --app app analytics rebuild-rollup` does, in
one transaction instead of its steps). ANALYZE afterwards, as after the responses' own load, so the planner knows
the roll-up tables' sizes.
"""

import time
from dataclasses import dataclass, field

from tests.bench import ikm_data

ROLLUP_TABLES = ("analytics_daily_tallies", "analytics_daily_unit_tallies", "analytics_daily_profiles")


@dataclass
class Rebuild:
    """One rebuild: its wall time (rebuild + commit), the ANALYZE after it, and the roll-up's size."""

    seconds: float
    analyze_s: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    through: str = ""


def _analyze(db) -> float:
    import sqlalchemy as sa

    started = time.perf_counter()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as con:
            con.execute(sa.text("ANALYZE"))
    else:
        with db.engine.begin() as con:
            con.execute(sa.text("ANALYZE"))
    return time.perf_counter() - started


def _sizes(db) -> dict[str, int]:
    import sqlalchemy as sa

    names = set(sa.inspect(db.engine).get_table_names())
    return {t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in ROLLUP_TABLES if t in names}


def _through(db) -> str:
    import sqlalchemy as sa

    if "analytics_rollup_state" not in sa.inspect(db.engine).get_table_names():
        return ""
    value = db.session.scalar(sa.text("SELECT through FROM analytics_rollup_state"))
    return str(value) if value is not None else ""


def rebuild(database_url: str) -> Rebuild:
    """`analytics.rollup.rebuild()` + commit on `database_url`, timed; then ANALYZE; the roll-up's size."""
    from analytics import rollup
    from app import clock
    from app.extensions import db

    app = ikm_data.bench_app(database_url)
    with app.app_context():
        ikm_data.log("rebuilding the daily roll-up from the raw rows (analytics.rollup.rebuild)")
        started = time.perf_counter()
        rollup.rebuild(today=clock.today())  # every day before the office's yesterday
        db.session.commit()
        result = Rebuild(time.perf_counter() - started)
        result.analyze_s = _analyze(db)
        result.rows = _sizes(db)
        result.through = _through(db)
        db.session.remove()
        db.engine.dispose()
    ikm_data.log(f"roll-up rebuilt in {result.seconds:.1f} s: {result.rows}, through {result.through or '?'}")
    return result
