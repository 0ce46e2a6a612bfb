"""Province scale for the IKM benchmark: 50 units on PostgreSQL, one unit's dashboard and history.

A scratch database (PROVINCE_DB, never the shared `test` one) is created, built with `flask db upgrade`, given
50 units (tests/bench/ikm_province_data.py), loaded with COPY (non-constraint indexes of `responses` dropped
before and recreated from their own definitions after, foreign-key triggers off), VACUUM ANALYZEd, and the
daily roll-up rebuilt from the raw rows (tests/bench/ikm_rollup.py). Then, for the demo unit (1/50 of the rows):
`build_dashboard` of one month, all services (with its 12-month trend panel, as the page shows it), the same
without the trend, and `history_trend` over the 24 months; one warm-up, then the median of RUNS calls. Floors:
the raw aggregate of that unit's month and of all its rows on a plain psycopg connection. The database is dropped
at the end, whatever happened.
"""

import os
import time
from dataclasses import dataclass, field

from tests.bench import ikm_data, ikm_postgres, ikm_province_data, ikm_rollup
from tests.bench.ikm_config import ELEMENT_SUMS, MONTH_KEY, PROVINCE_DB
from tests.bench.ikm_data import log
from tests.bench.ikm_profile import Breakdown, breakdown
from tests.bench.ikm_suite import timed_calls
from tests.bench.ikm_timing import Raw, Series, measure


@dataclass
class ProvinceRun:
    rows: int
    units: int
    steps: dict[str, float] = field(default_factory=dict)  # load step -> seconds
    generate_s: float = 0.0  # of the COPY, the time spent generating the text in the bench process
    rebuild: ikm_rollup.Rebuild | None = None
    sizes: dict[str, str] = field(default_factory=dict)
    unit_name: str = ""
    unit_rows: int = 0
    month_rows: int = 0
    series: dict[str, Series] = field(default_factory=dict)
    loads: dict[str, str] = field(default_factory=dict)  # os.getloadavg() right after each measurement
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)
    nik_month: str = ""
    nik_history: str = ""

    @property
    def load_s(self) -> float:
        """Everything from the empty database to the measured state, the roll-up rebuild included."""
        rebuild = self.rebuild.seconds + self.rebuild.analyze_s if self.rebuild else 0
        return sum(self.steps.values()) + rebuild


def loadavg() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _timed_step(run: ProvinceRun, label: str, fn):
    started = time.perf_counter()
    value = fn()
    run.steps[label] = time.perf_counter() - started
    log(f"province: {label} {run.steps[label]:.1f} s")
    return value


def _copy_and_index(run: ProvinceRun, dsn: str, ids: list[dict]) -> None:
    """COPY the generated rows with the non-constraint indexes dropped, then rebuild those indexes."""
    import psycopg

    with psycopg.connect(dsn) as con:
        indexdefs = ikm_postgres.drop_response_indexes(con)
        log(f"province: COPY {run.rows:,} generated responses ({run.units} units)")
        copy_s, run.generate_s = ikm_province_data.copy_rows(con, ids, run.rows)
        run.steps[f"COPY {run.rows / 1e6:g}M rows (csv, generated on the fly)"] = copy_s
        log(f"province: COPY {copy_s:.1f} s (of which generating {run.generate_s:.1f} s)")
        con.commit()
        con.execute("SET maintenance_work_mem = '1GB'")

        def create_indexes():
            for _, ddl in indexdefs:
                con.execute(ddl)
            con.execute("SELECT setval(pg_get_serial_sequence('responses', 'id'), (SELECT max(id) FROM responses))")
            con.commit()

        _timed_step(run, f"CREATE INDEX x{len(indexdefs)} (maintenance_work_mem 1GB)", create_indexes)


def _vacuum(dsn: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute("VACUUM ANALYZE responses")


def _sizes(raw: Raw) -> dict[str, str]:
    out = {}
    for label, sql in (
        ("responses (table + indexes)", "SELECT pg_size_pretty(pg_total_relation_size('responses'))"),
        ("ix_responses_ikm", "SELECT pg_size_pretty(pg_relation_size('ix_responses_ikm'))"),
        ("roll-up tables", "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_class c "
                           "WHERE c.relname IN ('analytics_daily_tallies', 'analytics_daily_profiles')"),
        ("database", f"SELECT pg_size_pretty(pg_database_size('{PROVINCE_DB}'))"),
    ):  # fmt: skip
        try:
            out[label] = raw.rows(sql)[0][0] or "-"
        except Exception:  # a table or index the schema does not have (yet)
            out[label] = "-"
    return out


def load_province(run: ProvinceRun, sa_url: str, dsn: str) -> None:
    """Schema, 50 units, COPY, indexes, VACUUM ANALYZE, roll-up rebuild (each step timed into `run`)."""
    _timed_step(run, "flask db upgrade", lambda: ikm_data.db_upgrade(sa_url))
    ids = _timed_step(run, f"{run.units} units (seed_demo + clones)",
                      lambda: ikm_province_data.seed_province(sa_url, run.units))  # fmt: skip
    _copy_and_index(run, dsn, ids)
    _timed_step(run, "VACUUM ANALYZE responses", lambda: _vacuum(dsn))
    run.rebuild = ikm_rollup.rebuild(sa_url)


def _floors(run: ProvinceRun, raw: Raw, unit_id: int, month) -> None:
    """Raw aggregates of the measured unit: its month, and all its rows (the history's floor)."""
    where = "unit_id = %s AND survey_date >= %s AND survey_date < %s"
    floor_month = f"SELECT count(*), {ELEMENT_SUMS} FROM responses WHERE {where}"
    floor_all = f"SELECT count(*), {ELEMENT_SUMS} FROM responses WHERE unit_id = %s"
    run.series["floor_month"], rows = measure(lambda: raw.rows(floor_month, (unit_id, month.start, month.end)))
    run.month_rows = rows[0][0]
    run.series["floor_all"], rows = measure(lambda: raw.rows(floor_all, (unit_id,)))
    run.unit_rows = rows[0][0]


def measure_province(run: ProvinceRun, sa_url: str, dsn: str) -> None:
    """In the app context on the province database: the unit's floors, dashboard and history, and profiles."""
    from app import periods
    from app.directory import Unit
    from app.extensions import db

    raw = Raw("postgresql", dsn)
    app = ikm_data.bench_app(sa_url)
    try:
        with app.app_context():
            unit = db.session.query(Unit).order_by(Unit.id).first()
            run.unit_name = unit.name
            month = periods.parse_period(MONTH_KEY)
            calls = timed_calls(unit, month)
            log(f"province: measuring {unit.slug} (floors, build_dashboard, history_trend)")
            _floors(run, raw, unit.id, month)
            for key in ("dashboard", "dashboard_month", "history"):
                run.series[key], value = measure(calls[key])
                run.loads[key] = loadavg()
                if key == "dashboard":
                    run.nik_month = str(value.result.nik)
                elif key == "history":
                    run.nik_history = " ".join(str(p.result.nik) for p in value[:3]) + f" ... ({len(value)} months)"
            log("province: profile of the dashboard and the history")
            run.breakdowns["dashboard"] = breakdown(db.engine, raw, calls["dashboard"])
            run.breakdowns["history"] = breakdown(db.engine, raw, calls["history"])
            run.sizes = _sizes(raw)
            db.session.remove()
            db.engine.dispose()
    finally:
        raw.close()


def run_province(admin_url: str, rows: int, units: int) -> ProvinceRun:
    """Create PROVINCE_DB, load and measure it, drop it (also on failure)."""
    base = admin_url.rsplit("/", 1)[0]
    dsn = f"{base}/{PROVINCE_DB}"
    sa_url = dsn.replace("postgresql://", "postgresql+psycopg://", 1)
    run = ProvinceRun(rows=rows, units=units)
    log(f"province: {units} units, {rows:,} responses into the scratch database {PROVINCE_DB}")
    try:
        ikm_postgres.pg_create(admin_url, PROVINCE_DB)
        load_province(run, sa_url, dsn)
        log(f"province: loaded in {run.load_s:.0f} s")
        measure_province(run, sa_url, dsn)
    finally:
        ikm_postgres.pg_drop(admin_url, PROVINCE_DB)
        log(f"province: dropped {PROVINCE_DB}")
    return run
