"""`make bench`, IKM part: dashboard, history, poster and Excel export at 1,000,000 responses; the dashboard page
over HTTP; one unit of a 50-unit province on PostgreSQL.

perf-security.md A.2 gives the method and the anchors; the goals come from the IKM issue and issue 12:

- `GET /analitik/` (the office head's dashboard page, logged in, over HTTP) at 1M responses on SQLite
  <= 250 ms, and <= 3x the raw one-month aggregate of the same run (the floor);
- one-month, all-services dashboard (`analytics.dashboard.build_dashboard`) <= 250 ms on SQLite;
- the whole history (`history_trend`, 24 months) <= 2 s on SQLite and <= 0.5 s on PostgreSQL;
- province scale on PostgreSQL (50 units, 20M responses where the machine allows): one unit's
  `build_dashboard` and `history_trend` <= 250 ms each;
- a poster (`analytics.ikm_poster.ikm_poster`) <= 3 s;
- an Excel export of all responses (`analytics.export.export_workbook`) with its peak memory recorded and
  bounded: streamed, so exporting 4x the rows must not need much more memory.

What it does:

1. Builds (or reuses from instance/bench/, keyed by the migration head and files) an SQLite file with the real
   schema (`flask db upgrade`), the demo unit (6 services, 4 counters) and 1,000,000 synthetic responses over
   24 months (tests/bench/ikm_data.py), and rebuilds the daily roll-up from those raw rows
   (`analytics.rollup.rebuild()`, timed: tests/bench/ikm_rollup.py).
2. Inside one process, in the app context of the real app: one warm-up call, then the median of 5 timed calls
   of every measurement. Same-run baselines: the raw DBAPI aggregate
   `SELECT count(*), count(u1), sum(u1), ... FROM responses WHERE unit_id AND survey_date in the month` (the
   floor for the month), the same over the whole table (the floor for the history); ratios real / floor.
3. The dashboard page over HTTP: the real app behind werkzeug's server, an office-head login, the median of 7
   warm `GET /analitik/` (tests/bench/ikm_http.py).
4. Loads the same rows into a scratch PostgreSQL database `skm_bench` with COPY, rebuilds the roll-up there and
   repeats 2 (dropped at the end; the PostgreSQL parts are skipped with a message when the server does not
   answer).
5. Province: a second scratch database `skm_bench_province` with 50 units and PROVINCE_ROWS generated responses
   (COPY), the roll-up rebuilt, one unit's dashboard and history timed; dropped at the end
   (tests/bench/ikm_province.py).
6. Profiles the dashboard and the history: every analytics.data call with its SQL replayed on the raw
   DBAPI (SQL vs Python), EXPLAIN of the heaviest statements, and a few alternative queries measured on
   the same data (what a fix would cost).
7. Posters: the first render in a fresh process (matplotlib import included; 3 processes per format, the
   median) and the warm median in the main process.
8. Excel export of all rows and of 1/4 of the rows, each in its own process (wall time, peak RSS,
   RSS every 50,000 rows), and tracemalloc peaks on two small slices (tracing slows this export several-fold).
9. Prints the figures and writes them, each goal with its machine load and PASS/FAIL, to docs/benchmarks.md
   between `<!-- ikm-bench:start -->` and `<!-- ikm-bench:end -->` (the rest of the file is left alone).

Options: --no-pg, --no-province, --province-rows N, --no-http, --no-export, --no-doc, --doc PATH, --strict.
The run takes about 15 minutes on a 2-core machine (the province load and the export of all rows are most of
it); the first run also builds the cached SQLite file (~20 s).

Exit status: 0 when the figures were measured and written (even when a goal is missed: see PASS/FAIL),
1 with --strict (or BENCH_STRICT=1) when a goal is missed, 2 when the benchmark could not run.

Modules: ikm_config (settings), ikm_data / ikm_postgres / ikm_province_data (the data), ikm_rollup (the roll-up
rebuild), ikm_timing, ikm_profile and ikm_suite (one database), ikm_http (the page over HTTP), ikm_province
(province scale), ikm_processes and ikm_child (fresh processes), ikm_report, ikm_markdown, ikm_markdown_scale and
ikm_notes (the report).
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.bench import facts, ikm_data, ikm_http, ikm_postgres, ikm_province, ikm_rollup
from tests.bench.ikm_config import DOC, PACKAGES, PG_ADMIN_URL, PG_DB, PROVINCE_ROWS, PROVINCE_UNITS, REPO
from tests.bench.ikm_data import log
from tests.bench.ikm_markdown import markdown, results_table
from tests.bench.ikm_processes import cold_posters, exports
from tests.bench.ikm_report import Report, write_doc
from tests.bench.ikm_suite import run_suite
from tests.bench.ikm_timing import verdict


def machine_facts() -> dict[str, str]:
    return facts.machine_facts(PACKAGES)


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def data_note() -> str:
    """How the synthetic responses are made (the first item of the method)."""
    return (
        f"{ikm_data.ROWS:,} responses, one unit (the demo DPMPTSP: 6 services, 4 counters, `seed_demo(responses=0)`), "
        f"{ikm_data.FIRST_DAY} .. {ikm_data.LAST_DAY} (24 months, uniform over the days; about "
        f"{ikm_data.ROWS // 24:,} a month), answers 1/2/3/4 weighted 5/15/50/30 % with "
        f"{ikm_data.NULL_SHARE:.0%} unanswered, channels online/kiosk/paper 80/17/3 % (paper without counter), "
        f"profile columns with ~3 % blank, {ikm_data.FLAG_SHARE:.1%} flagged, {ikm_data.SUGGESTION_SHARE:.0%} "
        "with a suggestion. Schema by `flask db upgrade`, rows by sqlite3 `executemany` (50,000 a batch), "
        "then `ANALYZE`."
    )


def run_postgres(report: Report, sqlite_path: Path) -> None:
    """Load the SQLite rows into the scratch database PG_DB, run the suite on it, drop it."""
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    dsn = f"{base}/{PG_DB}"
    sa_url = dsn.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        log(f"loading PostgreSQL database {PG_DB} from the SQLite rows (COPY)")
        ikm_postgres.pg_create(PG_ADMIN_URL, PG_DB)
        report.pg_build = ikm_postgres.load_postgres(sqlite_path, sa_url, dsn)
        log("PostgreSQL loaded: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.pg_build.items()))
        report.rollups["postgresql"] = ikm_rollup.rebuild(sa_url)
        report.suites["postgresql"] = run_suite("postgresql", "PostgreSQL", sa_url, dsn, posters=False)
        report.facts.update(report.suites["postgresql"].facts)
    finally:
        ikm_postgres.pg_drop(PG_ADMIN_URL, PG_DB)


def postgres_parts(report: Report, sqlite_path: Path, args: argparse.Namespace) -> None:
    """The 1M PostgreSQL suite and the province, or the reason each is skipped (--no-pg, --no-province, or the
    server does not answer)."""
    reason = "--no-pg" if args.no_pg else None
    if reason is None and (unreachable := ikm_postgres.pg_reachable(PG_ADMIN_URL)):
        reason = f"PostgreSQL not reachable at {PG_ADMIN_URL} ({unreachable})"
        log(reason + ": skipping the PostgreSQL parts")
    if reason:
        report.pg_skip = report.province_skip = reason
        return
    run_postgres(report, sqlite_path)
    if args.no_province:
        report.province_skip = "--no-province"
        return
    report.province = ikm_province.run_province(PG_ADMIN_URL, args.province_rows, PROVINCE_UNITS)
    report.rollups["province"] = report.province.rebuild


def page_part(report: Report, sqlite_url: str, no_http: bool) -> None:
    """`GET /analitik/` over HTTP on the SQLite file (--no-http skips it)."""
    if no_http:
        report.page_skip = "--no-http"
        return
    from app.periods import parse_period
    from tests.bench.ikm_config import ELEMENT_SUMS, MONTH_KEY
    from tests.bench.ikm_timing import Raw

    raw = Raw("sqlite", sqlite_url.removeprefix("sqlite:///"))
    month = parse_period(MONTH_KEY)
    sql = (f"SELECT count(*), {ELEMENT_SUMS} FROM responses WHERE unit_id = (SELECT id FROM units WHERE slug = ?) "
           "AND survey_date >= ? AND survey_date < ?")  # fmt: skip
    params = ("dpmptsp-bontang", month.start.isoformat(), month.end.isoformat())
    try:
        report.page = ikm_http.measure_page(sqlite_url, "dpmptsp-bontang", floor=lambda: raw.rows(sql, params))
    finally:
        raw.close()


def fresh_processes(report: Report, sqlite_url: str, no_export: bool) -> None:
    """Cold posters, then (unless --no-export) the Excel exports, each in its own process."""
    with tempfile.TemporaryDirectory(prefix="ikm-bench-") as tmp:
        workdir = Path(tmp)
        report.cold = cold_posters(sqlite_url, workdir)
        report.loads["cold"] = load()
        if no_export:
            report.export_skip = "--no-export"
        else:
            report.export = exports(sqlite_url, workdir)
            report.loads["export"] = load()


def print_summary(report: Report) -> None:
    print()
    print(f"IKM benchmark ({report.started:%Y-%m-%d %H:%M} UTC), {report.elapsed:.0f} s")
    width = max(len(g) for g, *_ in report.goals())
    for goal, measured, limit, _load, ok in report.goals():
        print(f"  {goal:<{width}}  {measured}  ({limit})  {verdict(ok).strip('*')}")
    print()
    for line in results_table(report)[2:]:
        cells = [c.strip().strip("*") for c in line.strip("|").split("|")]
        print(f"  {cells[1]:<10} {cells[2]:>9}  ({cells[3]:>20})  floor {cells[5]:>8} {cells[6]:>6}  {cells[0]}")


def parse_args(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL parts (1M and province)")
    parser.add_argument("--no-province", action="store_true", help="skip the province-scale PostgreSQL run")
    parser.add_argument("--province-rows", type=int, default=PROVINCE_ROWS,
                        help="responses of the province run (default: %(default)s)")  # fmt: skip
    parser.add_argument("--no-http", action="store_true", help="skip the dashboard page over HTTP")
    parser.add_argument("--no-export", action="store_true", help="skip the Excel export (several minutes)")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--doc", type=Path, default=DOC, help="the Markdown file to write (default: %(default)s)")
    parser.add_argument("--strict", action="store_true", default=os.environ.get("BENCH_STRICT") == "1",
                        help="exit 1 when a goal is missed")  # fmt: skip
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
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
    report.data_note = data_note()

    report.rollups["sqlite"] = ikm_rollup.rebuild(sqlite_url)
    report.suites["sqlite"] = run_suite("sqlite", "SQLite", sqlite_url, str(sqlite_path), posters=True)
    report.facts.update(report.suites["sqlite"].facts)
    page_part(report, sqlite_url, args.no_http)
    postgres_parts(report, sqlite_path, args)
    fresh_processes(report, sqlite_url, args.no_export)

    report.load_after = load()
    report.facts["Load average (1/5/15 min)"] = f"before the run {report.load_before}; after {report.load_after}"
    report.elapsed = time.perf_counter() - clock
    section = markdown(report)
    print_summary(report)
    if not args.no_doc:
        write_doc(args.doc, section)
        print(f"\nwritten to {args.doc}")
    missed = [goal for goal, _, _, _, ok in report.goals() if ok is False]
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
