"""The IKM benchmark's sections on scale: the dashboard page over HTTP, province scale, the roll-up rebuilds."""

import re

from tests.bench import ikm_data
from tests.bench.ikm_config import HTTP_RUNS, PROVINCE_DB, RUNS
from tests.bench.ikm_profile import LOOKUPS
from tests.bench.ikm_report import Report
from tests.bench.ikm_timing import Series, fmt_s


def plan_summary(dialect: str, plan: list[str]) -> str:
    """The access path of a plan on one line: SQLite's steps, or PostgreSQL's scan nodes."""
    if dialect == "sqlite":
        return "; ".join(plan)
    scans = [re.sub(r"\s*\(actual.*\)$", "", line.strip().lstrip("-> ").strip()) for line in plan if "Scan" in line]
    return "; ".join(scans)


def _row(label: str, series: Series, floor: Series | None, *extra: str) -> str:
    ratio = f"{series.median / floor.median:.1f}x" if floor else ""
    cells = [label, f"**{fmt_s(series.median)}**", f"{fmt_s(series.low)} - {fmt_s(series.high)}",
             fmt_s(series.first), fmt_s(floor.median) if floor else "", ratio, *extra]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def page_section(report: Report) -> list[str]:
    """`GET /analitik/` over HTTP on the 1M SQLite file, beside the in-process dashboard and the floor."""
    out = ["", f"### The dashboard page over HTTP (SQLite, {ikm_data.ROWS:,} responses)", ""]
    if report.page is None:
        return [*out, f"Not measured: {report.page_skip}"]
    page, sqlite = report.page, report.suites["sqlite"]
    floor = report.page_floor()
    out += [f"| request | median of {HTTP_RUNS} | min - max | first (warm-up) | floor (raw one-month aggregate, "
            "timed before each GET) | ratio to floor | body | SQL statements per request | load (1/5/15 min) |",
            "|---|---|---|---|---|---|---|---|---|",
            _row(f"`GET {page.path}`, logged in as the office head", page.series, floor, f"{page.body_bytes:,} B",
                 "-" if page.statements is None else str(page.statements), page.load),
            _row("for comparison: `build_dashboard` in process (the same month, with its trend panel)",
                 sqlite.series["dashboard"], floor, "", "", sqlite.loads["dashboard"])]  # fmt: skip
    rest = page.series.median - sqlite.series["dashboard"].median
    out += ["", f"The page costs {fmt_s(page.series.median)}; {fmt_s(sqlite.series['dashboard'].median)} of it is "
            f"`build_dashboard` (measured in process), so the template, the login session, the unit and period "
            f"checks and HTTP add about {fmt_s(max(rest, 0.0))}."]  # fmt: skip
    return out


def _province_parts(p) -> list[str]:
    """Per profiled call: where the time of the unit's dashboard and history goes at province scale."""
    out = []
    for what, title in (("dashboard", "`build_dashboard`"), ("history", "`history_trend`")):
        b = p.breakdowns.get(what)
        if b is None:
            continue
        parts = [part for part in b.parts if part.label != LOOKUPS][:4]
        listed = "; ".join(
            f"{part.label} {fmt_s(part.elapsed)} (SQL {fmt_s(part.sql)}; {plan_summary('postgresql', part.plan)})"
            for part in parts
        )
        out.append(f"- Where the time of {title} goes (3 profiled runs, median; {fmt_s(b.total)} in all, "
                   f"{fmt_s(b.sql)} of it SQL replayed raw): {listed}; the rest in analytics/snapshot.py "
                   f"{fmt_s(b.composition)}.")  # fmt: skip
    return out


def province_section(report: Report) -> list[str]:
    out = ["", "### Province scale (PostgreSQL)", ""]
    p = report.province
    if p is None:
        return [*out, f"Not measured: {report.province_skip}"]
    out += [f"{p.units} units, {p.rows:,} responses over 24 months in the scratch database `{PROVINCE_DB}`; measured "
            f"for one unit ({p.unit_name}: {p.unit_rows:,} responses, {p.month_rows:,} in the dashboard month).", "",
            f"| measurement (one unit) | median of {RUNS} | min - max | first call | floor (raw, the unit, same run) "
            "| ratio to floor | load (1/5/15 min) |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    rows = (
        ("`build_dashboard`, one month, all services (with the 12-month trend panel)", "dashboard", "floor_month"),
        ("`build_dashboard(trend_months=0)`, the month's own figures", "dashboard_month", "floor_month"),
        ("`history_trend(kind=\"month\")`, 24 months", "history", "floor_all"),
        ("floor: raw `SELECT count(*), count(uN), sum(uN) ... WHERE unit_id AND survey_date in the month`",
         "floor_month", None),
        ("floor: raw `SELECT count(*), count(uN), sum(uN) ... WHERE unit_id` (all the unit's rows)", "floor_all",
         None),
    )  # fmt: skip
    for label, key, floor in rows:
        out.append(_row(label, p.series[key], p.series.get(floor) if floor else None, p.loads.get(key, "")))
    steps = ", ".join(f"{k} {fmt_s(v)}" for k, v in p.steps.items())
    rebuild = p.rebuild
    out += ["", f"- Loading (in all {fmt_s(p.load_s)}): {steps}; generating the CSV text in the bench process took "
            f"{fmt_s(p.generate_s)} of the COPY"
            + (f"; roll-up rebuild {fmt_s(rebuild.seconds)} + ANALYZE {fmt_s(rebuild.analyze_s)}." if rebuild
               else ".")]  # fmt: skip
    if p.sizes:
        out.append("- Sizes: " + ", ".join(f"{k} {v}" for k, v in p.sizes.items()) + ".")
    out += _province_parts(p)
    out.append(f"- NIK of the unit's month {p.nik_month}; history {p.nik_history}.")
    return out


def rollup_section(report: Report) -> list[str]:
    """The roll-up rebuilds of the run: after the SQLite file, the 1M PostgreSQL copy and the province load."""
    if not report.rollups:
        return []
    out = ["", "### Daily roll-up rebuild (`analytics.rollup.rebuild(today=clock.today())` + commit, after each load)",
           "",
           "| database | responses | rebuild + commit | ANALYZE after it | roll-up rows (daily tallies / daily unit "
           "tallies / daily profiles) | rolled up: every day before |", "|---|---|---|---|---|---|"]  # fmt: skip
    names = {"sqlite": ("SQLite", ikm_data.ROWS), "postgresql": ("PostgreSQL", ikm_data.ROWS)}
    if report.province:
        names["province"] = (f"PostgreSQL, province ({report.province.units} units)", report.province.rows)
    for key, rebuild in report.rollups.items():
        label, rows = names.get(key, (key, 0))
        sizes = " / ".join(f"{n:,}" for n in rebuild.rows.values()) or "-"
        out.append(f"| {label} | {rows:,} | **{fmt_s(rebuild.seconds)}** | {fmt_s(rebuild.analyze_s)} | {sizes} | "
                   f"{rebuild.through or '-'} |")  # fmt: skip
    return out


def scale_method(report: Report) -> list[str]:
    """Method lines for the page, the province and the roll-up."""
    lines = [
        f"- Page over HTTP: the real app (`create_app` on the cached SQLite file) served by werkzeug's `make_server` "
        f"(single-threaded) in a thread of the bench process; an office-head account (`pimpinan`, all units) logs in "
        f"through the form (CSRF token, then POST), and its session cookie goes with every request. One warm-up, then "
        f"{HTTP_RUNS} GETs, each on a new connection, timed from connect to the last byte; the median is the figure. "
        "The floor is the raw one-month aggregate of the unit on a plain sqlite3 connection, timed just before each "
        "GET (so both see the same moments of the machine's load; the median of those is the page's floor, and the "
        "Results table's floor is timed on its own, earlier).",
        "- Roll-up: the bench writes responses behind the app's back (executemany, COPY), so after every load it "
        "calls `analytics.rollup.rebuild(today=clock.today())` and commits in the app context (what `flask --app app "
        "analytics rebuild-rollup` does, there in steps), then runs ANALYZE; the cached SQLite file gets a fresh "
        "rebuild in every run.",
    ]
    if report.province:
        lines.append(
            f"- Province: `flask db upgrade` on `{PROVINCE_DB}`, the demo unit (`seed_demo(responses=0)`) and "
            f"{report.province.units - 1} clones of its structure (app.directory), then the responses generated in "
            "weekly chunks in date order (units interleaved, each about 1/50 of the rows; the distributions of the "
            "1M data) and sent with COPY (CSV) with the non-constraint indexes of `responses` dropped and recreated "
            "after, foreign-key triggers off; VACUUM ANALYZE; roll-up rebuild; measured as the Results; dropped at "
            "the end."
        )
    return lines
