"""The IKM benchmark on one database: timings, profile and query shapes in the app context of the real app."""

import os
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import date

from tests.bench import ikm_data
from tests.bench.ikm_config import ELEMENT_SUMS, MONTH_KEY, UNTIL
from tests.bench.ikm_data import log
from tests.bench.ikm_profile import Breakdown, breakdown
from tests.bench.ikm_timing import Raw, Series, fmt_s, measure


@dataclass
class Suite:
    dialect: str
    label: str
    series: dict[str, Series] = field(default_factory=dict)
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)
    alternatives: list[tuple[str, str, float, str]] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    nik_month: str = ""
    nik_history: str = ""
    respondents_month: int = 0
    poster_bytes: dict[str, int] = field(default_factory=dict)
    loads: dict[str, str] = field(default_factory=dict)  # os.getloadavg() right after each goal's measurement
    index_columns: list[str] = field(default_factory=list)  # of ix_responses_ikm, in order


def loadavg() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def alternatives(raw: Raw, unit_id: int, month, window_start: date) -> list[tuple[str, str, float, str]]:
    """Query shapes timed on the same data with raw SQL: (key, label, seconds, note).

    They bound what a one-month dashboard can cost from raw rows, and what a daily roll-up table
    (counts and sums per unit, service, counter and day: exact NRRs, since it keeps sums) would save.
    """
    ph = raw.ph
    month_params = (unit_id, raw.day(month.start), raw.day(month.end))
    window_params = (unit_id, raw.day(window_start), raw.day(month.end))
    where = f"unit_id = {ph} AND survey_date >= {ph} AND survey_date < {ph}"
    by_day = f"SELECT survey_date, count(*), {ELEMENT_SUMS} FROM responses WHERE {where} GROUP BY survey_date"
    by_three = (f"SELECT survey_date, service_id, counter_id, count(*), {ELEMENT_SUMS} FROM responses "
                f"WHERE {where} GROUP BY survey_date, service_id, counter_id")  # fmt: skip
    band = ("CASE WHEN age < 20 THEN 1 WHEN age < 30 THEN 2 WHEN age < 40 THEN 3 WHEN age < 50 THEN 4 "
            "WHEN age < 60 THEN 5 WHEN age >= 60 THEN 6 END")  # fmt: skip
    profile = (f"SELECT gender, {band}, education, occupation, service_id, count(*) FROM responses WHERE {where} "
               "GROUP BY 1, 2, 3, 4, 5")  # fmt: skip

    def plan(sql, params) -> str:
        return "; ".join(raw.explain(sql, params)) if raw.dialect == "sqlite" else ""

    out = [
        ("month3", "the month by day, service, counter (per-service and per-counter results)",
         raw.timed(by_three, month_params), plan(by_three, month_params)),
        ("profile", "the month's profile in one GROUP BY (gender, age band, education, occupation, service; counts)",
         raw.timed(profile, month_params), ""),
        ("window1", "12 months by day (all a 12-month trend needs)", raw.timed(by_day, window_params), ""),
        ("window3", "12 months by day, service, counter", raw.timed(by_three, window_params),
         plan(by_three, window_params)),
    ]  # fmt: skip
    has_ikm = raw.dialect == "sqlite" and raw.rows("SELECT 1 FROM sqlite_master WHERE name = 'ix_responses_ikm'")
    if has_ikm:  # the same month query with the planner held to the covering index
        forced = by_three.replace("FROM responses", "FROM responses INDEXED BY ix_responses_ikm")
        label = "the month by day, service, counter, covering index forced (`INDEXED BY ix_responses_ikm`)"
        out.insert(1, ("month3_ikm", label, raw.timed(forced, month_params), plan(forced, month_params)))
    counts = ", ".join(f"count(u{i}) AS c{i}, sum(u{i}) AS s{i}" for i in range(1, 10))
    build = (f"CREATE TEMP TABLE ikm_rollup AS SELECT unit_id, service_id, counter_id, survey_date, count(*) AS n, "
             f"{counts} FROM responses GROUP BY unit_id, service_id, counter_id, survey_date")  # fmt: skip
    started = time.perf_counter()
    raw.run(build)
    raw.run("CREATE INDEX ix_ikm_rollup ON ikm_rollup (unit_id, survey_date)")
    raw.run("ANALYZE ikm_rollup")
    built = time.perf_counter() - started
    size = raw.rows("SELECT count(*) FROM ikm_rollup")[0][0]
    sums = ", ".join(f"sum(c{i}), sum(s{i})" for i in range(1, 10))
    sql = f"SELECT survey_date, sum(n), {sums} FROM ikm_rollup WHERE {where} GROUP BY survey_date"
    note = f"roll-up of {size:,} rows, built from the {ikm_data.ROWS:,} responses in {fmt_s(built)} (full recompute)"
    out.append(("rollup1", "12 months by day, read from a daily roll-up table", raw.timed(sql, window_params), note))
    raw.run("DROP TABLE ikm_rollup")
    return out


def timed_calls(unit, month) -> dict:
    """The analytics calls timed for `unit` and `month`, by name (call them inside the app context)."""
    from analytics.dashboard import build_dashboard, history_trend, monthly_trend
    from analytics.data import Selection

    def dashboard():
        return build_dashboard(unit_id=unit.id, unit_name=unit.name, period=month)

    def dashboard_month():  # the month's own figures, without the 12-month trend panel
        return build_dashboard(unit_id=unit.id, unit_name=unit.name, period=month, trend_months=0)

    def trend_12():
        return monthly_trend(Selection(unit_id=unit.id), month, 12)

    def history():
        return history_trend(unit_id=unit.id, until=UNTIL, kind="month")

    return {"dashboard": dashboard, "dashboard_month": dashboard_month, "trend_12": trend_12, "history": history}


def time_month(suite: Suite, raw: Raw, calls: dict, month, in_month, unit_id: int):
    """The month's floor, tallies and dashboards; returns the dashboard (with its trend panel)."""
    from analytics import data

    ph = raw.ph
    where = f"unit_id = {ph} AND survey_date >= {ph} AND survey_date < {ph}"
    floor_month = f"SELECT count(*), {ELEMENT_SUMS} FROM responses WHERE {where}"
    floor_params = (unit_id, raw.day(month.start), raw.day(month.end))
    log(f"{suite.label}: one month")
    suite.series["floor_month"], _ = measure(lambda: raw.rows(floor_month, floor_params))
    suite.series["tally_month"], _ = measure(lambda: data.tally(in_month))
    suite.series["daily_month"], _ = measure(lambda: data.daily_tallies(in_month))
    log(f"{suite.label}: build_dashboard")
    suite.series["dashboard_month"], _ = measure(calls["dashboard_month"])
    suite.loads["dashboard_month"] = loadavg()
    suite.series["trend_12"], _ = measure(calls["trend_12"])
    suite.series["dashboard"], dash = measure(calls["dashboard"])
    suite.loads["dashboard"] = loadavg()
    suite.nik_month = str(dash.result.nik)
    suite.respondents_month = dash.result.respondents
    return dash


def time_history(suite: Suite, raw: Raw, calls: dict, everything) -> None:
    """The full-table floor, the whole-history tally and `history_trend`."""
    from analytics import data

    floor_all = f"SELECT count(*), {ELEMENT_SUMS} FROM responses"
    log(f"{suite.label}: whole history")
    suite.series["floor_all"], _ = measure(lambda: raw.rows(floor_all))
    suite.series["tally_all"], _ = measure(lambda: data.tally(everything))
    suite.series["history"], trend = measure(calls["history"])
    suite.loads["history"] = loadavg()
    suite.nik_history = " ".join(str(p.result.nik) for p in trend[:3]) + f" ... ({len(trend)} months)"


def profile(suite: Suite, raw: Raw, calls: dict, unit_id: int, month) -> None:
    """Breakdowns of the dashboard and the history, and the alternative query shapes."""
    from app import periods
    from app.extensions import db

    log(f"{suite.label}: profile (SQL replayed on the raw connection, EXPLAIN, alternatives)")
    suite.breakdowns["dashboard"] = breakdown(db.engine, raw, calls["dashboard"])
    suite.breakdowns["history"] = breakdown(db.engine, raw, calls["history"])
    window_start = periods.last_months(month, 12)[0].start
    suite.alternatives = alternatives(raw, unit_id, month, window_start)


def time_posters(suite: Suite, unit, dash) -> None:
    """Warm poster renders (PDF and PNG) of `dash`, in this process."""
    from analytics.ikm_poster import ikm_poster
    from app.links import results_url

    url = results_url(unit)
    for fmt in ("pdf", "png"):
        log(f"{suite.label}: poster {fmt} (warm)")
        suite.series[f"poster_{fmt}"], body = measure(lambda f=fmt: ikm_poster(dash, results_url=url, fmt=f))
        suite.poster_bytes[fmt] = len(body)


def run_suite(dialect: str, label: str, sa_url: str, raw_target: str, *, posters: bool) -> Suite:
    from analytics.data import Selection
    from app import periods
    from app.extensions import db

    suite = Suite(dialect, label)
    raw = Raw(dialect, raw_target)
    app = ikm_data.bench_app(sa_url)
    try:
        with app.app_context():
            from app.directory import Unit

            unit = db.session.query(Unit).order_by(Unit.id).first()
            month = periods.parse_period(MONTH_KEY)
            everything = Selection(unit_id=unit.id)
            calls = timed_calls(unit, month)
            dash = time_month(suite, raw, calls, month, everything.within(month.start, month.end), unit.id)
            time_history(suite, raw, calls, everything)
            profile(suite, raw, calls, unit.id, month)
            if posters:
                time_posters(suite, unit, dash)
            suite.facts = server_facts(raw)
            suite.index_columns = index_columns(raw)
            db.session.remove()
            db.engine.dispose()
    finally:
        raw.close()
    return suite


def index_columns(raw: Raw) -> list[str]:
    """The columns of ix_responses_ikm in index order (the leading one decides what a range scan skips)."""
    if raw.dialect == "sqlite":
        return [row[2] for row in raw.rows("PRAGMA index_info('ix_responses_ikm')")]
    rows = raw.rows(
        "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE c.relname = 'ix_responses_ikm' ORDER BY k.n"
    )
    return [row[0] for row in rows]


def server_facts(raw: Raw) -> dict[str, str]:
    if raw.dialect == "sqlite":
        return {"SQLite": sqlite3.sqlite_version}
    version = raw.rows("SHOW server_version")[0][0]
    settings = ", ".join(
        f"{name}={raw.rows(f'SHOW {name}')[0][0]}"
        for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit")
    )
    return {"PostgreSQL": f"{version} ({settings})"}
