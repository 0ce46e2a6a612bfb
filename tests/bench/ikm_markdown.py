"""The IKM benchmark's section of docs/benchmarks.md: goals, results, profile, posters, export, notes, method."""

import re

from tests.bench import ikm_data
from tests.bench.ikm_config import COLD_RUNS, END, MONTH_KEY, PG_DB, QUARTER_FIRST, RUNS, START, UNTIL
from tests.bench.ikm_markdown_scale import page_section, plan_summary, province_section, rollup_section, scale_method
from tests.bench.ikm_notes import notes
from tests.bench.ikm_report import Report
from tests.bench.ikm_timing import fmt_mb, fmt_s, verdict


def results_table(report: Report) -> list[str]:
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
        ("floor: raw `SELECT count(*), count(u1), sum(u1) ... WHERE unit_id = ? AND survey_date in the month`",
         "floor_month", None),
        ("`history_trend(kind=\"month\")`, whole history", "history", "floor_all"),
        ("`data.tally(Selection(unit_id))`, whole history", "tally_all", "floor_all"),
        ("floor: raw `SELECT count(*), count(u1), sum(u1) ... FROM responses` (all rows)", "floor_all", None),
        ("`ikm_poster(fmt=\"pdf\")`, warm (the dashboard above)", "poster_pdf", None),
        ("`ikm_poster(fmt=\"png\")`, warm (the dashboard above)", "poster_png", None),
    )  # fmt: skip
    for label, key, floor in rows:
        for suite in report.suites.values():
            series = suite.series.get(key)
            if series is None:
                continue
            base = suite.series.get(floor) if floor else None
            ratio = f"{series.median / base.median:.1f}x" if base else ""
            out.append(f"| {label} | {suite.label} | **{fmt_s(series.median)}** | {fmt_s(series.low)} - "
                       f"{fmt_s(series.high)} | {fmt_s(series.first)} | {fmt_s(base.median) if base else ''} | "
                       f"{ratio} |")  # fmt: skip
    return out


def breakdown_tables(report: Report) -> list[str]:
    out = []
    for what, title in (("dashboard", "`build_dashboard`, one month"), ("history", "`history_trend`")):
        out += ["", f"**Where the time of {title} goes** (3 profiled runs, median; every top-level "
                "`analytics.data` call; SQL = its statements replayed on a raw DBAPI connection, execute + "
                "fetchall; Python on top = ORM, rows and Tally building)", "",
                "| call | database | calls | time | of which SQL | Python on top | plan of its slowest statement |",
                "|---|---|---|---|---|---|---|"]  # fmt: skip
        for suite in report.suites.values():
            b = suite.breakdowns[what]
            for part in b.parts:
                python = part.elapsed - part.sql if part.sql is not None else None
                shown = "~0 (replay slower: noise)" if python is not None and python < 0 else fmt_s(python)
                plan = plan_summary(suite.dialect, part.plan)
                out.append(f"| {part.label} | {suite.label} | {part.calls} | {fmt_s(part.elapsed)} | "
                           f"{fmt_s(part.sql)} | {shown} | {plan} |")  # fmt: skip
            out.append(f"| the rest: analytics/snapshot.py (regroup, fold, IKM in fractions) | {suite.label} | | "
                       f"{fmt_s(b.composition)} | | {fmt_s(b.composition)} | |")  # fmt: skip
            out.append(f"| **total** | {suite.label} | | **{fmt_s(b.total)}** | {fmt_s(b.sql)} | | |")
    return out


def plans(report: Report) -> list[str]:
    out = []
    for suite in report.suites.values():
        for what in ("dashboard", "history"):
            b = suite.breakdowns[what]
            if not b.heaviest:
                continue
            kind = "EXPLAIN QUERY PLAN" if suite.dialect == "sqlite" else "EXPLAIN (ANALYZE, COSTS off)"
            function = "build_dashboard" if what == "dashboard" else "history_trend"
            out += ["", f"{suite.label}, slowest statement of `{function}` ({kind}):", ""]
            out += ["```sql", _short_sql(b.heaviest[0]), "```", "", "```", *b.plan, "```"]
    return out


def alternatives_table(report: Report) -> list[str]:
    out = ["| query shape (raw SQL on the same rows, median of 3) | database | time | note |", "|---|---|---|---|"]
    for suite in report.suites.values():
        for _key, label, seconds, note in suite.alternatives:
            out.append(f"| {label} | {suite.label} | {fmt_s(seconds)} | {note} |")
    return out


def export_table(report: Report) -> list[str]:
    out = ["| export | rows | dashboard for the range | `export_workbook` wall | .xlsx size | peak RSS before the "
           "export (imports, app, dashboard) | peak RSS during the export | `/usr/bin/time -f %M` | RSS every "
           "50,000 rows (MB) | tracemalloc peak |", "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    names = {"all": f"all responses ({ikm_data.FIRST_DAY} .. {ikm_data.LAST_DAY})",
             "quarter": f"1/4 of the rows ({QUARTER_FIRST} .. {ikm_data.LAST_DAY})"}  # fmt: skip
    for key, result in report.export.items():
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
            f"{fmt_mb(result['peak_rss_before_export_kb'])} | **{fmt_mb(report.export_peak(key))}** | "
            f"{fmt_mb(result.get('gnu_time_max_rss_kb'))} | {cps} | "
            f"{'-' if traced is None else f'{traced / 1e6:.1f} MB'} |"
        )
    return out


def cold_posters_table(report: Report) -> list[str]:
    out = ["", f"### Posters in a fresh process ({COLD_RUNS} processes per format; the median one)", "",
           "| format | create_app | dashboard (month above) | first render (imports matplotlib) | "
           "dashboard + first render | every process | second render | process total | peak RSS | bytes |",
           "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for fmt, c in report.cold.items():
        every = " / ".join(fmt_s(t) for t in c.get("totals", []))
        out.append(f"| {fmt.upper()} | {fmt_s(c['create_app_s'])} | {fmt_s(c['dashboard_s'])} | "
                   f"{fmt_s(c['first_render_s'])} | **{fmt_s(c['dashboard_s'] + c['first_render_s'])}** | "
                   f"{every} | {fmt_s(c['second_render_s'])} | {fmt_s(c['process_s'])} | "
                   f"{fmt_mb(c['peak_rss_kb'])} | {c['bytes']:,} |")  # fmt: skip
    return out


def markdown(report: Report) -> str:
    """The section between the ikm-bench markers (START to END, then a newline)."""
    out = [START, "", f"## IKM aggregation benchmark ({report.started:%Y-%m-%d %H:%M} UTC)", "",
           "Written by `python -m tests.bench.ikm_bench` (run by `make bench`); edits between the ikm-bench "
           "markers are overwritten. Method and anchors: perf-security.md A.2.", "", "### Goals", "",
           "| goal | measured | limit | machine load when measured (1/5/15 min) | result |",
           "|---|---|---|---|---|"]  # fmt: skip
    for goal, measured, limit, load, ok in report.goals():
        out.append(f"| {goal} | {measured} | {limit} | {load} | {verdict(ok)} |")
    out += page_section(report)
    out += province_section(report)
    out += rollup_section(report)
    out += ["", f"### Results ({ikm_data.ROWS:,} responses, one unit)", "", *results_table(report)]
    if report.pg_skip:
        out += ["", f"PostgreSQL part skipped: {report.pg_skip}"]
    out += ["", "### Profile", *breakdown_tables(report), *plans(report), "",
            "**Query shapes measured on the same data** (raw SQL; the dashboard's parts in other shapes)", "",
            *alternatives_table(report)]  # fmt: skip
    if report.cold:
        out += cold_posters_table(report)
    if report.export:
        out += ["", "### Excel export (`export_workbook`, SQLite, each in its own process)", "",
                *export_table(report)]  # fmt: skip
    out += ["", "### Notes", "", *notes(report)]
    out += [
        "",
        "### Data and method",
        "",
        *method_lines(report),
        "",
        "### Machine",
        "",
        "| fact | value |",
        "|---|---|",
    ]
    out += [f"| {k} | {v} |" for k, v in report.facts.items()]
    out += ["", END, ""]
    return "\n".join(out)


def method_lines(report: Report) -> list[str]:
    lines = [f"- Data: {report.data_note}"]
    if report.build:
        lines.append("- SQLite file built in this run: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.build.items()))
    else:
        lines.append("- SQLite file reused from the cache in instance/bench/ (keyed by migration head, "
                     "migration files and generator version).")  # fmt: skip
    if report.pg_build:
        lines.append(f"- PostgreSQL database `{PG_DB}` loaded from the SQLite rows in this run: "
                     + ", ".join(f"{k} {v:.1f} s" for k, v in report.pg_build.items())
                     + "; foreign-key triggers off during the COPY (`session_replication_role = replica`), the "
                     "non-constraint indexes of `responses` recreated from their own definitions afterwards; "
                     "dropped at the end.")  # fmt: skip
    sqlite = report.suites["sqlite"]
    lines += [
        f"- Dashboard month {MONTH_KEY} ({sqlite.respondents_month:,} responses), all services, the demo unit; "
        f"NIK {sqlite.nik_month}"
        + (
            f" on SQLite, {report.suites['postgresql'].nik_month} on PostgreSQL (same rows)"
            if "postgresql" in report.suites
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
        *scale_method(report),
        f"- Load average (1/5/15 min): {report.load_before} before, {report.load_after} after; other work on "
        f"the machine shows up in the min - max spread. Total time of this run: {report.elapsed:.0f} s.",
    ]
    return lines


def _short_sql(sql: str) -> str:
    """One line; the 9 x (count, sum) element columns abbreviated."""
    text = re.sub(r"\s+", " ", sql).strip()
    param = r"(?:\?|%\(\w+\)s(?:::\w+)?)"  # sqlite3 or psycopg placeholder
    element = rf"count\(responses\.u\d\) AS count_\d, coalesce\(sum\(responses\.u\d\), {param}\) AS coalesce_\d+"
    return re.sub(rf"{element}(?:, {element})*", "count(uN), coalesce(sum(uN), 0) for N = 1..9", text)
