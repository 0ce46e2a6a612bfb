"""`make bench`, IKM part: dashboard, history, poster and Excel export at 1,000,000 responses.

perf-security.md A.2 gives the method and the anchors; the goals come from the IKM issue:

- one-month, all-services dashboard (`analytics.dashboard.build_dashboard`) <= 250 ms on SQLite;
- the whole history (`history_trend`, 24 months) <= 2 s on SQLite and <= 0.5 s on PostgreSQL;
- a poster (`analytics.ikm_poster.ikm_poster`) <= 3 s;
- an Excel export of all responses (`analytics.export.export_workbook`) with its peak memory recorded and
  bounded: streamed, so exporting 4x the rows must not need much more memory.

What it does:

1. Builds (or reuses from instance/bench/) an SQLite file with the real schema (`flask db upgrade`), the demo
   unit (6 services, 4 counters) and 1,000,000 synthetic responses over 24 months (tests/bench/ikm_data.py),
   then loads the same rows into a scratch PostgreSQL database `skm_bench` with COPY (dropped at the end;
   the PostgreSQL part is skipped with a message when the server does not answer).
2. Inside one process, in the app context of the real app on each database: one warm-up call, then the
   median of 5 timed calls of every measurement. Same-run baselines: the raw DBAPI aggregate
   `SELECT count(*), count(u1), sum(u1), ... FROM responses WHERE survey_date in the month` (the floor for
   the month), the same over the whole table (the floor for the history); ratios real / floor.
3. Profiles the dashboard and the history: every analytics.data call with its SQL replayed on the raw
   DBAPI (SQL vs Python), EXPLAIN of the heaviest statements, and a few alternative queries measured on
   the same data (what a fix would cost).
4. Posters: the first render in a fresh process (matplotlib import included; 3 processes per format, the
   median) and the warm median in the main process.
5. Excel export of all rows and of 1/4 of the rows, each in its own process (wall time, peak RSS,
   RSS every 50,000 rows), and tracemalloc peaks on two small slices (tracing slows this export several-fold).
6. Prints the figures and writes them to docs/benchmarks.md between `<!-- ikm-bench:start -->` and
   `<!-- ikm-bench:end -->` (the rest of the file is left alone).

About 6 minutes on a 2-core machine, most of it the export of all rows (~4 minutes); the first run also
builds the cached SQLite file (~20 s).

Exit status: 0 when the figures were measured and written (even when a goal is missed: see PASS/FAIL),
1 with --strict (or BENCH_STRICT=1) when a goal is missed, 2 when the benchmark could not run.
"""

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from tests.bench import facts, ikm_data

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DOC = REPO / "docs" / "benchmarks.md"
START = "<!-- ikm-bench:start -->"
END = "<!-- ikm-bench:end -->"

PG_ADMIN_URL = os.environ.get("IKM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_DB = "skm_bench"

RUNS = 5
COLD_RUNS = 3  # fresh processes per poster format
MONTH_KEY = "2026-11"  # the dashboard month: the last of the 24, so its 12-month trend window is full
UNTIL = date(2026, 12, 1)  # history_trend(until=...): the day after the data
QUARTER_FIRST = date(2026, 6, 1)  # the last 6 of 24 months: 1/4 of the rows
# tracemalloc slices: 4 and 16 days (~5,600 and ~22,000 rows, both above iter_responses' 2,000-row batches)
SLICES = ((date(2026, 11, 27), date(2026, 11, 30)), (date(2026, 11, 15), date(2026, 11, 30)))

GOAL_DASHBOARD_S = 0.250
GOAL_HISTORY_SQLITE_S = 2.0
GOAL_HISTORY_PG_S = 0.5
GOAL_POSTER_S = 3.0
GOAL_EXPORT_GROWTH = 1.25  # peak memory for 4x the rows: RSS all / 1/4 of the rows, tracemalloc 16 / 4 days

PACKAGES = ("Flask", "SQLAlchemy", "Flask-SQLAlchemy", "psycopg", "openpyxl", "matplotlib", "numpy", "lxml")
ELEMENT_SUMS = ", ".join(f"count(u{i}), sum(u{i})" for i in range(1, 10))


def log(message: str) -> None:
    ikm_data.log(message)


# --------------------------------------------------------------------------- timing


@dataclass
class Series:
    """Timings of one measurement: a warm-up call, then RUNS timed calls (seconds)."""

    first: float
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)


def measure(fn, runs: int = RUNS) -> tuple[Series, object]:
    started = time.perf_counter()
    value = fn()
    first = time.perf_counter() - started
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        value = fn()
        samples.append(time.perf_counter() - started)
    return Series(first, samples), value


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 0.1:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 100:
        return f"{seconds:.2f} s"
    return f"{seconds:.0f} s"


def fmt_mb(kb: float | None) -> str:
    return "-" if kb is None else f"{kb / 1024:.0f} MB"


def verdict(ok: bool | None) -> str:
    return "info (no goal)" if ok is None else ("**PASS**" if ok else "**FAIL**")


# --------------------------------------------------------------------------- raw DBAPI


class Raw:
    """A plain DBAPI connection to the same database: the floors, SQL replays, EXPLAIN and alternatives."""

    def __init__(self, dialect: str, target: str):
        self.dialect = dialect
        if dialect == "sqlite":
            self.con = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
            self.ph = "?"
        else:
            import psycopg

            self.con = psycopg.connect(target, autocommit=True)
            self.ph = "%s"

    def day(self, value: date):
        return value.isoformat() if self.dialect == "sqlite" else value

    def run(self, sql: str) -> None:
        cursor = self.con.cursor()
        cursor.execute(sql)
        cursor.close()

    def rows(self, sql: str, params=()):
        cursor = self.con.cursor()
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.close()
        return rows

    def timed(self, sql: str, params=(), runs: int = 3) -> float:
        self.rows(sql, params)
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            self.rows(sql, params)
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    def explain(self, sql: str, params=()) -> list[str]:
        if self.dialect == "sqlite":
            return [row[3] for row in self.rows("EXPLAIN QUERY PLAN " + sql, params)]
        lines = [row[0] for row in self.rows("EXPLAIN (ANALYZE, COSTS off) " + sql, params)]
        return [line for line in lines if not line.strip().startswith(("Group Key", "Sort Key", "Filter"))]

    def close(self) -> None:
        self.con.close()


# --------------------------------------------------------------------------- profiling hooks

LOOKUPS = "lookups (directory names, population, publication)"


def _data_functions() -> dict:
    """The public functions of analytics.data (the only analytics module that queries the database)."""
    import inspect

    from analytics import data

    return {
        name: fn
        for name, fn in vars(data).items()
        if inspect.isfunction(fn) and fn.__module__ == data.__name__ and not name.startswith("_")
    }


def _span(selection) -> str:
    start, end = selection.start, selection.end
    if start is None and end is None:
        return "all dates"
    if start and end:
        months = (end.year - start.year) * 12 + end.month - start.month
        if start.day == 1 and end.day == 1 and months:
            return f"{months} month{'s' if months > 1 else ''}"
        return f"{(end - start).days} days"
    return f"from {start}" if start else f"until {end}"


def _describe(name: str, args, kwargs) -> str:
    """A row label for one analytics.data call: the aggregate, its grouping and its date span."""
    from analytics.data import Selection

    selection = args[0] if args else kwargs.get("selection")
    if not isinstance(selection, Selection):
        return LOOKUPS
    by = kwargs.get("by", args[1] if len(args) > 1 else ())
    grouping = f" by day{', ' if by else ''}{', '.join(by)}" if name == "daily_tallies" else ""
    if name != "daily_tallies" and by:
        grouping = f" by {', '.join(by)}"
    return f"`{name}`{grouping}, {_span(selection)}"


@contextmanager
def profiled(engine):
    """Record every top-level analytics.data call made inside: its label, time and the SQL it sent.

    Every public function of analytics.data is wrapped, so a new query function is profiled without
    editing this file; a call made from inside another data function is counted in its caller.
    """
    from sqlalchemy import event

    from analytics import data

    calls, stack, originals = [], [], _data_functions()

    def before(_conn, _cursor, statement, parameters, _context, _executemany):
        if stack:
            stack[0]["statements"].append((statement, parameters))

    def wrap(name, original):
        def wrapper(*args, **kwargs):
            if stack:  # nested: the outer call owns the time and the statements
                return original(*args, **kwargs)
            record = {"fn": name, "label": _describe(name, args, kwargs), "statements": []}
            stack.append(record)
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                record["elapsed"] = time.perf_counter() - started
                stack.pop()
                calls.append(record)

        return wrapper

    for name, original in originals.items():
        setattr(data, name, wrap(name, original))
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield calls
    finally:
        event.remove(engine, "before_cursor_execute", before)
        for name, original in originals.items():
            setattr(data, name, original)


@dataclass
class Part:
    label: str
    calls: int
    elapsed: float  # the analytics.data call(s), median over the profiled runs
    sql: float | None  # the same statements replayed on the raw DBAPI (execute + fetchall)
    plan: list[str] = field(default_factory=list)  # of this part's slowest statement


@dataclass
class Breakdown:
    total: float
    parts: list[Part]  # slowest first
    heaviest: tuple[str, object] | None  # (statement, params) of the slowest replayed statement
    plan: list[str] = field(default_factory=list)

    @property
    def composition(self) -> float:
        return self.total - sum(p.elapsed for p in self.parts)

    @property
    def sql(self) -> float:
        return sum(p.sql or 0 for p in self.parts)


def breakdown(engine, raw: Raw, fn, runs: int = 3) -> Breakdown:
    """Profile `fn` (already warm): per-call times, the SQL replayed raw, the plan of the slowest statements."""
    totals, per_run = [], []
    for _ in range(runs):
        with profiled(engine) as calls:
            started = time.perf_counter()
            fn()
            totals.append(time.perf_counter() - started)
        per_run.append(calls)
    last = per_run[-1]
    if any(len(run) != len(last) for run in per_run):
        medians = [record["elapsed"] for record in last]
    else:
        medians = [statistics.median(run[i]["elapsed"] for run in per_run) for i in range(len(last))]
    replay = [[(raw.timed(sql, params), sql, params) for sql, params in record["statements"]] for record in last]
    parts = []
    for label in dict.fromkeys(record["label"] for record in last):
        indexes = [i for i, record in enumerate(last) if record["label"] == label]
        statements = [t for i in indexes for t in replay[i]]
        part = Part(label, len(indexes), sum(medians[i] for i in indexes), sum(t for t, _, _ in statements))
        if statements and label != LOOKUPS:
            slowest = max(statements, key=lambda t: t[0])
            part.plan = raw.explain(slowest[1], slowest[2])
        parts.append(part)
    parts.sort(key=lambda p: -p.elapsed)
    heaviest = max((t for times in replay for t in times), default=None, key=lambda t: t[0])
    result = Breakdown(statistics.median(totals), parts, heaviest[1:] if heaviest else None)
    if heaviest:
        result.plan = raw.explain(heaviest[1], heaviest[2])
    return result


# --------------------------------------------------------------------------- one database


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


def run_suite(dialect: str, label: str, sa_url: str, raw_target: str, *, posters: bool) -> Suite:
    from analytics import data
    from analytics.dashboard import build_dashboard, history_trend, monthly_trend
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
            in_month = everything.within(month.start, month.end)

            def dashboard():
                return build_dashboard(unit_id=unit.id, unit_name=unit.name, period=month)

            def dashboard_month():  # the month's own figures, without the 12-month trend panel
                return build_dashboard(unit_id=unit.id, unit_name=unit.name, period=month, trend_months=0)

            def trend_12():
                return monthly_trend(Selection(unit_id=unit.id), month, 12)

            def history():
                return history_trend(unit_id=unit.id, until=UNTIL, kind="month")

            floor_month = f"SELECT count(*), {ELEMENT_SUMS} FROM responses WHERE survey_date >= {raw.ph} AND survey_date < {raw.ph}"  # noqa: E501
            floor_params = (raw.day(month.start), raw.day(month.end))
            floor_all = f"SELECT count(*), {ELEMENT_SUMS} FROM responses"
            log(f"{label}: one month")
            suite.series["floor_month"], _ = measure(lambda: raw.rows(floor_month, floor_params))
            suite.series["tally_month"], _ = measure(lambda: data.tally(in_month))
            suite.series["daily_month"], _ = measure(lambda: data.daily_tallies(in_month))
            log(f"{label}: build_dashboard")
            suite.series["dashboard_month"], _ = measure(dashboard_month)
            suite.series["trend_12"], _ = measure(trend_12)
            suite.series["dashboard"], dash = measure(dashboard)
            log(f"{label}: whole history")
            suite.series["floor_all"], _ = measure(lambda: raw.rows(floor_all))
            suite.series["tally_all"], _ = measure(lambda: data.tally(everything))
            suite.series["history"], trend = measure(history)
            suite.nik_month = str(dash.result.nik)
            suite.respondents_month = dash.result.respondents
            suite.nik_history = " ".join(str(p.result.nik) for p in trend[:3]) + f" ... ({len(trend)} months)"

            log(f"{label}: profile (SQL replayed on the raw connection, EXPLAIN, alternatives)")
            suite.breakdowns["dashboard"] = breakdown(db.engine, raw, dashboard)
            suite.breakdowns["history"] = breakdown(db.engine, raw, history)
            window_start = periods.last_months(month, 12)[0].start
            suite.alternatives = alternatives(raw, unit.id, month, window_start)

            if posters:
                from analytics.ikm_poster import ikm_poster
                from app.links import results_url

                url = results_url(unit)
                for fmt in ("pdf", "png"):
                    log(f"{label}: poster {fmt} (warm)")
                    suite.series[f"poster_{fmt}"], body = measure(
                        lambda f=fmt: ikm_poster(dash, results_url=url, fmt=f)
                    )
                    suite.poster_bytes[fmt] = len(body)
            suite.facts = server_facts(raw)
            db.session.remove()
            db.engine.dispose()
    finally:
        raw.close()
    return suite


def server_facts(raw: Raw) -> dict[str, str]:
    if raw.dialect == "sqlite":
        return {"SQLite": sqlite3.sqlite_version}
    version = raw.rows("SHOW server_version")[0][0]
    settings = ", ".join(
        f"{name}={raw.rows(f'SHOW {name}')[0][0]}"
        for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit")
    )
    return {"PostgreSQL": f"{version} ({settings})"}


# --------------------------------------------------------------------------- fresh processes


def child(args: list[str], workdir: Path, name: str) -> tuple[list[str], Path, Path]:
    """argv of one ikm_child run (under /usr/bin/time -f %M when present), its JSON and time output files."""
    out_json = workdir / f"{name}.json"
    time_file = workdir / f"{name}.time"
    argv = [sys.executable, "-m", "tests.bench.ikm_child", *args, "--json", str(out_json)]
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    if gnu_time:
        argv = [gnu_time, "-f", "%M", "-o", str(time_file), *argv]
    return argv, out_json, time_file


def read_child(proc_returncode: int, out_json: Path, time_file: Path, stderr: str) -> dict:
    if proc_returncode != 0 or not out_json.exists():
        raise RuntimeError(f"child failed ({proc_returncode}):\n{stderr[-3000:]}")
    result = json.loads(out_json.read_text())
    if time_file.exists():
        numbers = re.findall(r"^\d+$", time_file.read_text(), re.M)
        result["gnu_time_max_rss_kb"] = int(numbers[-1]) if numbers else None
    return result


def run_child(args: list[str], workdir: Path, name: str, timeout: float = 900) -> dict:
    argv, out_json, time_file = child(args, workdir, name)
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    return read_child(done.returncode, out_json, time_file, done.stderr)


def cold_posters(sa_url: str, workdir: Path) -> dict[str, dict]:
    """COLD_RUNS fresh processes per format (interleaved); per format the run with the median total is kept."""
    runs: dict[str, list[dict]] = {"pdf": [], "png": []}
    log(f"posters: first render in a fresh process, {COLD_RUNS} processes per format")
    for i in range(COLD_RUNS):
        for fmt in runs:
            args = ["poster", "--db", sa_url, "--fmt", fmt, "--period", MONTH_KEY]
            runs[fmt].append(run_child(args, workdir, f"poster-{fmt}-{i}"))
    out = {}
    for fmt, results in runs.items():
        results.sort(key=lambda r: r["dashboard_s"] + r["first_render_s"])
        out[fmt] = dict(results[len(results) // 2])
        out[fmt]["totals"] = [r["dashboard_s"] + r["first_render_s"] for r in results]
    return out


def exports(sa_url: str, workdir: Path) -> dict[str, dict]:
    """All rows in one process while the 1/4 export and the tracemalloc slices run one after another in others."""
    jobs = {"all": (ikm_data.FIRST_DAY, ikm_data.LAST_DAY), "quarter": (QUARTER_FIRST, ikm_data.LAST_DAY)}

    def args(first: date, last: date, name: str, traced: bool = False) -> list[str]:
        extra = ["--tracemalloc"] if traced else []
        return ["export", "--db", sa_url, "--first", first.isoformat(), "--last", last.isoformat(),
                "--out", str(workdir / f"{name}.xlsx"), *extra]  # fmt: skip

    log("export of all rows (one process) alongside the 1/4 export and the tracemalloc slices (another)")
    argv, out_json, time_file = child(args(*jobs["all"], "all"), workdir, "export-all")
    started = time.perf_counter()
    with open(workdir / "export-all.err", "w+") as err:
        proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
        try:
            results = {"quarter": run_child(args(*jobs["quarter"], "quarter"), workdir, "export-quarter")}
            (workdir / "quarter.xlsx").unlink(missing_ok=True)
            for i, (first, last) in enumerate(SLICES):
                name = f"slice{i}"
                results[name] = run_child(args(first, last, name, traced=True), workdir, f"export-{name}")
                results[name]["first"], results[name]["last"] = first.isoformat(), last.isoformat()
            log(f"waiting for the export of all rows ({time.perf_counter() - started:.0f} s so far)")
            proc.wait(timeout=1800)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err.seek(0)
        results["all"] = read_child(proc.returncode, out_json, time_file, err.read())
    (workdir / "all.xlsx").unlink(missing_ok=True)
    return results


# --------------------------------------------------------------------------- facts and report


def machine_facts() -> dict[str, str]:
    return facts.machine_facts(PACKAGES)


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


@dataclass
class Report:
    started: datetime
    elapsed: float = 0.0
    facts: dict[str, str] = field(default_factory=dict)
    data_note: str = ""
    build: dict | None = None
    pg_build: dict | None = None
    pg_skip: str | None = None
    suites: dict[str, Suite] = field(default_factory=dict)
    cold: dict[str, dict] = field(default_factory=dict)
    export: dict[str, dict] = field(default_factory=dict)
    export_skip: str | None = None
    load_before: str = "?"
    load_after: str = "?"

    # ---------------------------------------------------------------- goals
    def goals(self) -> list[tuple[str, str, str, bool | None]]:
        sqlite = self.suites.get("sqlite")
        pg = self.suites.get("postgresql")
        rows = []
        dash = sqlite.series["dashboard_month"].median
        rows.append(("One-month, all-services dashboard: the month's figures (`build_dashboard(trend_months=0)`: "
                     "IKM, elements, services, counters, profile, flags, sample), SQLite", fmt_s(dash),
                     f"<= {fmt_s(GOAL_DASHBOARD_S)}", dash <= GOAL_DASHBOARD_S))  # fmt: skip
        page = sqlite.series["dashboard"].median
        trend = sqlite.series["trend_12"].median
        rows.append(("The dashboard page with its 12-month trend panel (`build_dashboard`), SQLite; of which the "
                     "trend alone", f"{fmt_s(page)}; trend {fmt_s(trend)}",
                     "no goal: the trend reads 12 months of raw rows (a daily roll-up would make it ~5 ms)",
                     None))  # fmt: skip
        hist = sqlite.series["history"].median
        rows.append(("Whole history (`history_trend`, 24 months), SQLite", fmt_s(hist),
                     f"<= {fmt_s(GOAL_HISTORY_SQLITE_S)}", hist <= GOAL_HISTORY_SQLITE_S))  # fmt: skip
        if pg:
            hist = pg.series["history"].median
            rows.append(("Whole history (`history_trend`, 24 months), PostgreSQL", fmt_s(hist),
                         f"<= {fmt_s(GOAL_HISTORY_PG_S)}", hist <= GOAL_HISTORY_PG_S))  # fmt: skip
        else:
            rows.append(("Whole history, PostgreSQL", f"not measured: {self.pg_skip}",
                         f"<= {fmt_s(GOAL_HISTORY_PG_S)}", None))  # fmt: skip
        if self.cold:
            worst = max(c["dashboard_s"] + c["first_render_s"] for c in self.cold.values())
            text = ", ".join(
                f"{fmt.upper()} {fmt_s(c['dashboard_s'] + c['first_render_s'])} ({fmt_s(c['dashboard_s'])} + "
                f"{fmt_s(c['first_render_s'])})"
                for fmt, c in self.cold.items()
            )
            rows.append((f"Poster in a fresh process: its dashboard + the first render (matplotlib import included; "
                         f"median of {COLD_RUNS} processes)",
                         text, f"<= {fmt_s(GOAL_POSTER_S)}", worst <= GOAL_POSTER_S))  # fmt: skip
        if self.export:
            growth, text = self.export_growth()
            traced = self.traced_growth()
            ok = growth <= GOAL_EXPORT_GROWTH and (traced is None or traced[0] <= GOAL_EXPORT_GROWTH)
            if traced:
                text += f"; tracemalloc peak x{traced[0]:.2f} for x{traced[1]:.1f} rows"
            rows.append(("Excel export of all responses: peak memory bounded (streamed)", text,
                         f"peak for 4x the rows <= x{GOAL_EXPORT_GROWTH}", ok))  # fmt: skip
        else:
            rows.append(("Excel export of all responses", f"not measured: {self.export_skip}", "", None))
        return rows

    def export_peak(self, name: str) -> int:
        result = self.export[name]
        samples = [
            result["export_peak_rss_kb"],
            result["rss_after_export_kb"],
            *(kb for _, kb in result["checkpoints"]),
        ]
        return max(samples)

    def traced_growth(self) -> tuple[float, float] | None:
        """(tracemalloc peak ratio, row ratio) of the larger slice to the smaller one."""
        slices = [self.export[k] for k in sorted(self.export) if k.startswith("slice")]
        if len(slices) != 2:
            return None
        small, large = slices
        return large["tracemalloc_peak_b"] / small["tracemalloc_peak_b"], large["rows"] / small["rows"]

    def export_growth(self) -> tuple[float, str]:
        full, quarter = self.export_peak("all"), self.export_peak("quarter")
        rows_full, rows_quarter = self.export["all"]["rows"], self.export["quarter"]["rows"]
        growth = full / quarter
        return growth, (f"{fmt_mb(full)} for {rows_full:,} rows vs {fmt_mb(quarter)} for {rows_quarter:,} rows "
                        f"(x{growth:.2f} for x{rows_full / rows_quarter:.1f} rows)")  # fmt: skip

    # ---------------------------------------------------------------- text
    def table(self) -> list[str]:
        out = ["| measurement | database | median of 5 | min - max | first call | floor (raw DBAPI, same run) | "
               "ratio to floor |", "|---|---|---|---|---|---|---|"]  # fmt: skip
        rows = (
            ("`build_dashboard(trend_months=0)`, one month, all services: the month's figures", "dashboard_month",
             "floor_month"),
            ("`monthly_trend`, the 12 months up to that month", "trend_12", None),
            ("`build_dashboard`, one month, all services (includes the 12-month trend window)", "dashboard",
             "floor_month"),
            ("`data.daily_tallies`, the month, by day", "daily_month", "floor_month"),
            ("`data.tally`, the month", "tally_month", "floor_month"),
            ("floor: raw `SELECT count(*), count(u1), sum(u1) ... WHERE survey_date in the month`", "floor_month",
             None),
            ("`history_trend(kind=\"month\")`, whole history", "history", "floor_all"),
            ("`data.tally(Selection(unit_id))`, whole history", "tally_all", "floor_all"),
            ("floor: raw `SELECT count(*), count(u1), sum(u1) ... FROM responses` (all rows)", "floor_all", None),
            ("`ikm_poster(fmt=\"pdf\")`, warm (the dashboard above)", "poster_pdf", None),
            ("`ikm_poster(fmt=\"png\")`, warm (the dashboard above)", "poster_png", None),
        )  # fmt: skip
        for label, key, floor in rows:
            for suite in self.suites.values():
                series = suite.series.get(key)
                if series is None:
                    continue
                base = suite.series.get(floor) if floor else None
                ratio = f"{series.median / base.median:.1f}x" if base else ""
                out.append(f"| {label} | {suite.label} | **{fmt_s(series.median)}** | {fmt_s(series.low)} - "
                           f"{fmt_s(series.high)} | {fmt_s(series.first)} | {fmt_s(base.median) if base else ''} | "
                           f"{ratio} |")  # fmt: skip
        return out

    def breakdown_tables(self) -> list[str]:
        out = []
        for what, title in (("dashboard", "`build_dashboard`, one month"), ("history", "`history_trend`")):
            out += ["", f"**Where the time of {title} goes** (3 profiled runs, median; every top-level "
                    "`analytics.data` call; SQL = its statements replayed on a raw DBAPI connection, execute + "
                    "fetchall; Python on top = ORM, rows and Tally building)", "",
                    "| call | database | calls | time | of which SQL | Python on top | plan of its slowest statement |",
                    "|---|---|---|---|---|---|---|"]  # fmt: skip
            for suite in self.suites.values():
                b = suite.breakdowns[what]
                for part in b.parts:
                    python = part.elapsed - part.sql if part.sql is not None else None
                    shown = "~0 (replay slower: noise)" if python is not None and python < 0 else fmt_s(python)
                    plan = _plan_summary(suite.dialect, part.plan)
                    out.append(f"| {part.label} | {suite.label} | {part.calls} | {fmt_s(part.elapsed)} | "
                               f"{fmt_s(part.sql)} | {shown} | {plan} |")  # fmt: skip
                out.append(f"| the rest: analytics/snapshot.py (regroup, fold, IKM in fractions) | {suite.label} | | "
                           f"{fmt_s(b.composition)} | | {fmt_s(b.composition)} | |")  # fmt: skip
                out.append(f"| **total** | {suite.label} | | **{fmt_s(b.total)}** | {fmt_s(b.sql)} | | |")
        return out

    def plans(self) -> list[str]:
        out = []
        for suite in self.suites.values():
            for what in ("dashboard", "history"):
                b = suite.breakdowns[what]
                if not b.heaviest:
                    continue
                kind = "EXPLAIN QUERY PLAN" if suite.dialect == "sqlite" else "EXPLAIN (ANALYZE, COSTS off)"
                function = "build_dashboard" if what == "dashboard" else "history_trend"
                out += ["", f"{suite.label}, slowest statement of `{function}` ({kind}):", ""]
                out += ["```sql", _short_sql(b.heaviest[0]), "```", "", "```", *b.plan, "```"]
        return out

    def alternatives_table(self) -> list[str]:
        out = ["| query shape (raw SQL on the same rows, median of 3) | database | time | note |", "|---|---|---|---|"]
        for suite in self.suites.values():
            for _key, label, seconds, note in suite.alternatives:
                out.append(f"| {label} | {suite.label} | {fmt_s(seconds)} | {note} |")
        return out

    def export_table(self) -> list[str]:
        out = ["| export | rows | dashboard for the range | `export_workbook` wall | .xlsx size | peak RSS before the "
               "export (imports, app, dashboard) | peak RSS during the export | `/usr/bin/time -f %M` | RSS every "
               "50,000 rows (MB) | tracemalloc peak |", "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
        names = {"all": f"all responses ({ikm_data.FIRST_DAY} .. {ikm_data.LAST_DAY})",
                 "quarter": f"1/4 of the rows ({QUARTER_FIRST} .. {ikm_data.LAST_DAY})"}  # fmt: skip
        for key, result in self.export.items():
            if key.startswith("slice"):
                label = f"slice {result['first']} .. {result['last']}, under tracemalloc"
            else:
                label = names[key]
            checkpoints = result["checkpoints"]
            if len(checkpoints) > 8:
                step = len(checkpoints) / 7
                checkpoints = [checkpoints[int(i * step)] for i in range(7)] + [checkpoints[-1]]
            cps = " ".join(f"{kb / 1024:.0f}" for _, kb in checkpoints) or "-"
            traced = result.get("tracemalloc_peak_b")
            out.append(
                f"| {label} | {result['rows']:,} | {fmt_s(result['dashboard_s'])} | {fmt_s(result['export_s'])} "
                f"({result['rows'] / result['export_s']:,.0f} rows/s) | {result['bytes'] / 1e6:.1f} MB | "
                f"{fmt_mb(result['peak_rss_before_export_kb'])} | **{fmt_mb(self.export_peak(key))}** | "
                f"{fmt_mb(result.get('gnu_time_max_rss_kb'))} | {cps} | "
                f"{'-' if traced is None else f'{traced / 1e6:.1f} MB'} |"
            )
        return out

    def notes(self) -> list[str]:
        sqlite = self.suites["sqlite"]
        pg = self.suites.get("postgresql")
        notes = []
        for suite in (sqlite, pg):
            if suite is None:
                continue
            b = suite.breakdowns["dashboard"]
            top = [p for p in b.parts if p.label != LOOKUPS][:3]
            listed = "; ".join(
                f"{p.label} {fmt_s(p.elapsed)} ({p.elapsed / b.total:.0%}, SQL {fmt_s(p.sql)})" for p in top
            )
            notes.append(
                f"- **What dominates `build_dashboard` on {suite.label}** ({fmt_s(suite.series['dashboard'].median)} "
                f"median; {fmt_s(b.total)} in the profiled runs, {fmt_s(b.sql)} of it SQL): {listed}; the rest in "
                f"analytics/snapshot.py {fmt_s(b.composition)}."
            )
        b = sqlite.breakdowns["dashboard"]
        plan = "; ".join(b.plan)
        if plan:
            why = ""
            if "COVERING INDEX" not in plan:
                why = " It does not read from a covering index, so every row is fetched from the table"
                why += " and sorted in a temporary B-tree." if "TEMP B-TREE" in plan else "."
            notes.append(f"- SQLite plan of the slowest dashboard statement: `{plan}`.{why}")
        alt = {key: seconds for key, _label, seconds, _note in sqlite.alternatives}
        flags = next((p.elapsed for p in b.parts if p.label.startswith("`flag_counts`")), 0.0)
        if {"month3", "profile", "window1", "rollup1"} <= alt.keys():
            month = min(alt["month3"], alt.get("month3_ikm", alt["month3"]))
            from_rows = month + alt["profile"] + flags + alt["window1"]
            from_rollup = month + alt["profile"] + flags + alt["rollup1"]
            notes.append(
                f"- Lower bound from the same-run query shapes (SQLite, raw SQL, no Python): the month by day x "
                f"service x counter {fmt_s(month)} + the profile in one GROUP BY {fmt_s(alt['profile'])} + "
                f"`flag_counts` {fmt_s(flags)} + a 12-month trend by day from the raw rows "
                f"{fmt_s(alt['window1'])} = **{fmt_s(from_rows)}**; with the trend read from a daily roll-up "
                f"table instead ({fmt_s(alt['rollup1'])}) = **{fmt_s(from_rollup)}**. A trend recomputed from raw rows "
                "scans 12 months (half of the rows here) on every dashboard view."
            )
        notes.append(
            f"- Against the anchors of perf-security.md A.2 (a `(service_id, created_at)` index, no date-first "
            f"index): one month, all services was 180-199 ms on SQLite there; the month floor here is "
            f"{fmt_s(sqlite.series['floor_month'].median)}, because `ix_responses_ikm` starts with `survey_date` "
            "and covers the nine answers."
            + (
                f" PostgreSQL full history: 297-408 ms there (one GROUP BY), `history_trend` "
                f"{fmt_s(pg.series['history'].median)} here."
                if pg
                else ""
            )
        )
        h = sqlite.breakdowns["history"]
        notes.append(
            f"- History: `history_trend` takes {fmt_s(sqlite.series['history'].median)} on SQLite "
            f"({sqlite.series['history'].median / sqlite.series['floor_all'].median:.1f}x the full-table floor)"
            + (f" and {fmt_s(pg.series['history'].median)} on PostgreSQL" if pg else "")
            + f". On SQLite nearly all of it is the one GROUP BY per day over the whole table (replayed alone: "
            f"{fmt_s(h.sql)}, the profiled call {fmt_s(h.total)}); folding the days into months in Python takes "
            f"{fmt_s(h.composition)}."
        )
        if self.cold:
            c = self.cold
            notes.append(
                f"- Posters: the first render in a fresh process (PDF {fmt_s(c['pdf']['first_render_s'])}, PNG "
                f"{fmt_s(c['png']['first_render_s'])}) includes importing matplotlib; warm renders take PDF "
                f"{fmt_s(sqlite.series['poster_pdf'].median)} and PNG {fmt_s(sqlite.series['poster_png'].median)}. "
                "A poster request builds its dashboard first, so the dashboard's cost counts towards the poster's "
                "3 s (the goal row adds them)."
            )
        if self.export:
            full = self.export["all"]
            lxml = "with lxml" if full.get("openpyxl_lxml") else "without lxml (et_xmlfile's pure-Python XML writer)"
            fetch = full.get("fetch_s")
            split = ""
            if fetch is not None:
                split = (
                    f" Reading the rows (`iter_responses`: SQL + ORM objects) is {fmt_s(fetch)} of it "
                    f"({fetch / full['export_s']:.0%}); the rest is building and writing the cells in openpyxl {lxml}."
                )
            notes.append(
                f"- Export: {full['rows'] / full['export_s']:,.0f} rows/s, so all {full['rows']:,} rows take "
                f"{fmt_s(full['export_s'])} (measured alongside the 1/4 export, see the method).{split} The RSS "
                "stays flat while the rows stream, as the write-only workbook and `iter_responses(yield_per=2000)` "
                "intend; the process peak comes before the export (imports, app and dashboard)."
            )
            slices = [self.export[k] for k in sorted(self.export) if k.startswith("slice")]
            if len(slices) == 2:
                a, z = slices
                traced = z["export_s"] / z["rows"]
                notes.append(
                    f"- tracemalloc (Python allocations during `export_workbook`): peak "
                    f"{a['tracemalloc_peak_b'] / 1e6:.1f} MB for {a['rows']:,} rows, "
                    f"{z['tracemalloc_peak_b'] / 1e6:.1f} MB for {z['rows']:,} rows. Tracing costs "
                    f"{traced * 1000:.1f} ms a row here ({traced / (full['export_s'] / full['rows']):.0f}x the "
                    f"untraced export), so the full export traced would take about "
                    f"{traced * full['rows'] / 60:.0f} minutes: hence the small slices."
                )
        return notes

    def markdown(self) -> str:
        out = [START, "", f"## IKM aggregation benchmark ({self.started:%Y-%m-%d %H:%M} UTC)", "",
               "Written by `python -m tests.bench.ikm_bench` (run by `make bench`); edits between the ikm-bench "
               "markers are overwritten. Method and anchors: perf-security.md A.2.", "", "### Goals", "",
               "| goal | measured | limit | result |", "|---|---|---|---|"]  # fmt: skip
        for goal, measured, limit, ok in self.goals():
            out.append(f"| {goal} | {measured} | {limit} | {verdict(ok)} |")
        out += ["", "### Results", "", *self.table()]
        if self.pg_skip:
            out += ["", f"PostgreSQL part skipped: {self.pg_skip}"]
        out += ["", "### Profile", *self.breakdown_tables(), *self.plans(), "",
                "**Query shapes measured on the same data** (raw SQL; the dashboard's parts in other shapes)", "",
                *self.alternatives_table()]  # fmt: skip
        if self.cold:
            out += ["", f"### Posters in a fresh process ({COLD_RUNS} processes per format; the median one)", "",
                    "| format | create_app | dashboard (month above) | first render (imports matplotlib) | "
                    "dashboard + first render | every process | second render | process total | peak RSS | bytes |",
                    "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
            for fmt, c in self.cold.items():
                every = " / ".join(fmt_s(t) for t in c.get("totals", []))
                out.append(f"| {fmt.upper()} | {fmt_s(c['create_app_s'])} | {fmt_s(c['dashboard_s'])} | "
                           f"{fmt_s(c['first_render_s'])} | **{fmt_s(c['dashboard_s'] + c['first_render_s'])}** | "
                           f"{every} | {fmt_s(c['second_render_s'])} | {fmt_s(c['process_s'])} | "
                           f"{fmt_mb(c['peak_rss_kb'])} | {c['bytes']:,} |")  # fmt: skip
        if self.export:
            out += ["", "### Excel export (`export_workbook`, SQLite, each in its own process)", "",
                    *self.export_table()]  # fmt: skip
        out += ["", "### Notes", "", *self.notes()]
        out += ["", "### Data and method", "", *self.method(), "", "### Machine", "", "| fact | value |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in self.facts.items()]
        out += ["", END, ""]
        return "\n".join(out)

    def method(self) -> list[str]:
        lines = [f"- Data: {self.data_note}"]
        if self.build:
            lines.append(
                "- SQLite file built in this run: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.build.items())
            )
        else:
            lines.append("- SQLite file reused from the cache in instance/bench/ (keyed by migration head, "
                         "migration files and generator version).")  # fmt: skip
        if self.pg_build:
            lines.append(f"- PostgreSQL database `{PG_DB}` loaded from the SQLite rows in this run: "
                         + ", ".join(f"{k} {v:.1f} s" for k, v in self.pg_build.items())
                         + "; foreign-key triggers off during the COPY (`session_replication_role = replica`), the "
                         "5 indexes of `responses` recreated from their own definitions afterwards; dropped at "
                         "the end.")  # fmt: skip
        sqlite = self.suites["sqlite"]
        lines += [
            f"- Dashboard month {MONTH_KEY} ({sqlite.respondents_month:,} responses), all services, the demo unit; "
            f"NIK {sqlite.nik_month}"
            + (
                f" on SQLite, {self.suites['postgresql'].nik_month} on PostgreSQL (same rows)"
                if "postgresql" in self.suites
                else ""
            )  # fmt: skip
            + f'. History: `history_trend(until={UNTIL}, kind="month")`, NIK {sqlite.nik_history}.',
            f"- Each measurement: one warm-up call, then {RUNS} timed calls in the same process and app context "
            "(`create_app` on that database); the median is the figure. Floors: the raw aggregate on a plain "
            "DBAPI connection (sqlite3 / psycopg) in the same run; ratio = real / floor.",
            "- Profile: 3 more runs with every `analytics.data` call timed and its SQL captured "
            "(SQLAlchemy `before_cursor_execute`), then each statement replayed 3 times on the raw connection; "
            "'Python on top' is ORM, row processing and Tally building; the composition row is the rest of "
            "`build_dashboard` / `history_trend`.",
            "- Posters: `ikm_poster(dashboard, results_url=app.links.results_url(unit), fmt=...)` of the "
            "dashboard above; the cold figure comes from `python -m tests.bench.ikm_child poster` (a new process "
            "that has not imported matplotlib).",
            "- Export: `build_dashboard` for a `periods.date_range` covering the rows, then `export_workbook` to "
            "a temporary file, in `python -m tests.bench.ikm_child export` under `/usr/bin/time -f %M`. The "
            "process resets its peak-RSS mark just before the export (`/proc/self/clear_refs`), so the peak RSS "
            "during the export and the `/usr/bin/time` figure are the export's own; the peak before covers "
            "imports, the app and the dashboard. The export of all rows runs at the same time as the 1/4 "
            "export and the tracemalloc slices (one process each, 2 cores), to keep `make bench` short; "
            "their wall times are therefore measured under that load.",
            f"- Load average (1/5/15 min): {self.load_before} before, {self.load_after} after; other work on "
            f"the machine shows up in the min - max spread. Total time of this run: {self.elapsed:.0f} s.",
        ]
        return lines

    def print_summary(self) -> None:
        print()
        print(f"IKM benchmark ({self.started:%Y-%m-%d %H:%M} UTC), {self.elapsed:.0f} s")
        width = max(len(g) for g, *_ in self.goals())
        for goal, measured, limit, ok in self.goals():
            print(f"  {goal:<{width}}  {measured}  ({limit})  {verdict(ok).strip('*')}")
        print()
        for line in self.table()[2:]:
            cells = [c.strip().strip("*") for c in line.strip("|").split("|")]
            print(f"  {cells[1]:<10} {cells[2]:>9}  ({cells[3]:>20})  floor {cells[5]:>8} {cells[6]:>6}  {cells[0]}")


def _plan_summary(dialect: str, plan: list[str]) -> str:
    """The access path of a plan on one line: SQLite's steps, or PostgreSQL's scan nodes."""
    if dialect == "sqlite":
        return "; ".join(plan)
    scans = [re.sub(r"\s*\(actual.*\)$", "", line.strip().lstrip("-> ").strip()) for line in plan if "Scan" in line]
    return "; ".join(scans)


def _short_sql(sql: str) -> str:
    """One line; the 9 x (count, sum) element columns abbreviated."""
    text = re.sub(r"\s+", " ", sql).strip()
    param = r"(?:\?|%\(\w+\)s(?:::\w+)?)"  # sqlite3 or psycopg placeholder
    element = rf"count\(responses\.u\d\) AS count_\d, coalesce\(sum\(responses\.u\d\), {param}\) AS coalesce_\d+"
    return re.sub(rf"{element}(?:, {element})*", "count(uN), coalesce(sum(uN), 0) for N = 1..9", text)


def write_doc(path: Path, section: str) -> None:
    """Replace what lies between the ikm-bench markers (appending them when absent); keep everything else."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if START in text and END in text and text.index(START) < text.index(END):
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL part")
    parser.add_argument("--no-export", action="store_true", help="skip the Excel export (several minutes)")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--doc", type=Path, default=DOC, help="the Markdown file to write (default: %(default)s)")
    parser.add_argument("--strict", action="store_true", default=os.environ.get("BENCH_STRICT") == "1",
                        help="exit 1 when a goal is missed")  # fmt: skip
    args = parser.parse_args(argv)
    os.chdir(REPO)

    report = Report(started=datetime.now(UTC))
    clock = time.perf_counter()
    report.facts = machine_facts()
    report.load_before = load()
    try:
        sqlite_path, report.build = ikm_data.ensure_sqlite()
    except Exception as exc:
        print(f"ikm_bench: cannot build the SQLite data: {exc}", file=sys.stderr)
        return 2
    sqlite_url = f"sqlite:///{sqlite_path}"
    report.data_note = (
        f"{ikm_data.ROWS:,} responses, one unit (the demo DPMPTSP: 6 services, 4 counters, `seed_demo(responses=0)`), "
        f"{ikm_data.FIRST_DAY} .. {ikm_data.LAST_DAY} (24 months, uniform over the days; about "
        f"{ikm_data.ROWS // 24:,} a month), answers 1/2/3/4 weighted 5/15/50/30 % with "
        f"{ikm_data.NULL_SHARE:.0%} unanswered, channels online/kiosk/paper 80/17/3 % (paper without counter), "
        f"profile columns with ~3 % blank, {ikm_data.FLAG_SHARE:.1%} flagged, {ikm_data.SUGGESTION_SHARE:.0%} "
        "with a suggestion. Schema by `flask db upgrade`, rows by sqlite3 `executemany` (50,000 a batch), "
        "then `ANALYZE`."
    )

    report.suites["sqlite"] = run_suite("sqlite", "SQLite", sqlite_url, str(sqlite_path), posters=True)
    report.facts.update(report.suites["sqlite"].facts)

    if args.no_pg:
        report.pg_skip = "--no-pg"
    else:
        reason = ikm_data.pg_reachable(PG_ADMIN_URL)
        if reason:
            report.pg_skip = f"PostgreSQL not reachable at {PG_ADMIN_URL} ({reason})"
            log(report.pg_skip + ": skipping the PostgreSQL part")
        else:
            base = PG_ADMIN_URL.rsplit("/", 1)[0]
            dsn = f"{base}/{PG_DB}"
            sa_url = dsn.replace("postgresql://", "postgresql+psycopg://", 1)
            try:
                log(f"loading PostgreSQL database {PG_DB} from the SQLite rows (COPY)")
                ikm_data.pg_create(PG_ADMIN_URL, PG_DB)
                report.pg_build = ikm_data.load_postgres(sqlite_path, sa_url, dsn)
                log("PostgreSQL loaded: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.pg_build.items()))
                report.suites["postgresql"] = run_suite("postgresql", "PostgreSQL", sa_url, dsn, posters=False)
                report.facts.update(report.suites["postgresql"].facts)
            finally:
                ikm_data.pg_drop(PG_ADMIN_URL, PG_DB)

    with tempfile.TemporaryDirectory(prefix="ikm-bench-") as tmp:
        workdir = Path(tmp)
        report.cold = cold_posters(sqlite_url, workdir)
        if args.no_export:
            report.export_skip = "--no-export"
        else:
            report.export = exports(sqlite_url, workdir)

    report.load_after = load()
    report.facts["Load average (1/5/15 min)"] = f"before the run {report.load_before}; after {report.load_after}"
    report.elapsed = time.perf_counter() - clock
    section = report.markdown()
    report.print_summary()
    if not args.no_doc:
        write_doc(args.doc, section)
        print(f"\nwritten to {args.doc}")
    missed = [goal for goal, _, _, ok in report.goals() if ok is False]
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
