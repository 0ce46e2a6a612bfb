"""The notes under the IKM benchmark's figures: what dominates, plans, lower bounds, history, posters, export."""

from tests.bench.ikm_profile import LOOKUPS, Breakdown
from tests.bench.ikm_report import Report
from tests.bench.ikm_suite import Suite
from tests.bench.ikm_timing import fmt_s


def dominates_notes(sqlite: Suite, pg: Suite | None) -> list[str]:
    """Per database: the three slowest analytics.data calls of `build_dashboard`."""
    notes = []
    for suite in (sqlite, pg):
        if suite is None:
            continue
        b = suite.breakdowns["dashboard"]
        top = [p for p in b.parts if p.label != LOOKUPS][:3]
        listed = "; ".join(f"{p.label} {fmt_s(p.elapsed)} ({p.elapsed / b.total:.0%}, SQL {fmt_s(p.sql)})" for p in top)
        notes.append(
            f"- **What dominates `build_dashboard` on {suite.label}** ({fmt_s(suite.series['dashboard'].median)} "
            f"median; {fmt_s(b.total)} in the profiled runs, {fmt_s(b.sql)} of it SQL): {listed}; the rest in "
            f"analytics/snapshot.py {fmt_s(b.composition)}."
        )
    return notes


def plan_note(b: Breakdown) -> list[str]:
    """The SQLite plan of the slowest dashboard statement, and why it is slow when it misses the covering index."""
    plan = "; ".join(b.plan)
    if not plan:
        return []
    why = ""
    if "COVERING INDEX" not in plan:
        why = " It does not read from a covering index, so every row is fetched from the table"
        why += " and sorted in a temporary B-tree." if "TEMP B-TREE" in plan else "."
    return [f"- SQLite plan of the slowest dashboard statement: `{plan}`.{why}"]


def lower_bound_note(sqlite: Suite, b: Breakdown) -> list[str]:
    """What the dashboard would cost from the same-run query shapes, from raw rows and from a daily roll-up."""
    alt = {key: seconds for key, _label, seconds, _note in sqlite.alternatives}
    flags = next((p.elapsed for p in b.parts if p.label.startswith("`flag_counts`")), 0.0)
    if not {"month3", "profile", "window1", "rollup1"} <= alt.keys():
        return []
    month = min(alt["month3"], alt.get("month3_ikm", alt["month3"]))
    from_rows = month + alt["profile"] + flags + alt["window1"]
    from_rollup = month + alt["profile"] + flags + alt["rollup1"]
    return [
        f"- Lower bound from the same-run query shapes (SQLite, raw SQL, no Python): the month by day x "
        f"service x counter {fmt_s(month)} + the profile in one GROUP BY {fmt_s(alt['profile'])} + "
        f"`flag_counts` {fmt_s(flags)} + a 12-month trend by day from the raw rows "
        f"{fmt_s(alt['window1'])} = **{fmt_s(from_rows)}**; with the trend read from a daily roll-up "
        f"table instead ({fmt_s(alt['rollup1'])}) = **{fmt_s(from_rollup)}** (raw-SQL shapes on a temporary "
        "table built by the bench, not the app's roll-up: the app's own figures are in the tables above)."
    ]


def anchors_note(sqlite: Suite, pg: Suite | None) -> list[str]:
    """The figures against the anchors of perf-security.md A.2, and the covering index as this schema has it."""
    columns = sqlite.index_columns
    index = (f"`ix_responses_ikm` ({', '.join(columns[:4])}, u1..u9) leads with `{columns[0]}` and covers the nine "
             "answers" if columns else "this schema has no `ix_responses_ikm`")  # fmt: skip
    return [
        f"- Against the anchors of perf-security.md A.2 (a `(service_id, created_at)` index, no date-first "
        f"index): one month, all services was 180-199 ms on SQLite there; the month floor here is "
        f"{fmt_s(sqlite.series['floor_month'].median)}: {index}."
        + (
            f" PostgreSQL full history: 297-408 ms there (one GROUP BY), `history_trend` "
            f"{fmt_s(pg.series['history'].median)} here."
            if pg
            else ""
        )
    ]


def history_note(sqlite: Suite, pg: Suite | None) -> list[str]:
    h = sqlite.breakdowns["history"]
    return [
        f"- History: `history_trend` takes {fmt_s(sqlite.series['history'].median)} on SQLite "
        f"({sqlite.series['history'].median / sqlite.series['floor_all'].median:.1f}x the full-table floor)"
        + (f" and {fmt_s(pg.series['history'].median)} on PostgreSQL" if pg else "")
        + f". On SQLite its SQL replayed alone takes {fmt_s(h.sql)} of the profiled call's {fmt_s(h.total)} "
        f"(slowest part: {h.parts[0].label if h.parts else '-'}); folding the days into months in Python takes "
        f"{fmt_s(h.composition)}."
    ]


def posters_note(report: Report, sqlite: Suite) -> list[str]:
    if not report.cold:
        return []
    c = report.cold
    return [
        f"- Posters: the first render in a fresh process (PDF {fmt_s(c['pdf']['first_render_s'])}, PNG "
        f"{fmt_s(c['png']['first_render_s'])}) includes importing matplotlib; warm renders take PDF "
        f"{fmt_s(sqlite.series['poster_pdf'].median)} and PNG {fmt_s(sqlite.series['poster_png'].median)}. "
        "A poster request builds its dashboard first, so the dashboard's cost counts towards the poster's "
        "3 s (the goal row adds them)."
    ]


def export_notes(report: Report) -> list[str]:
    """The export's rate and where its time goes, then the tracemalloc slices."""
    if not report.export:
        return []
    full = report.export["all"]
    lxml = "with lxml" if full.get("openpyxl_lxml") else "without lxml (et_xmlfile's pure-Python XML writer)"
    fetch = full.get("fetch_s")
    split = ""
    if fetch is not None:
        split = (
            f" Reading the rows (`iter_responses`: SQL + ORM objects) is {fmt_s(fetch)} of it "
            f"({fetch / full['export_s']:.0%}); the rest is building and writing the cells in openpyxl {lxml}."
        )
    notes = [
        f"- Export: {full['rows'] / full['export_s']:,.0f} rows/s, so all {full['rows']:,} rows take "
        f"{fmt_s(full['export_s'])} (measured alongside the 1/4 export, see the method).{split} The RSS "
        "stays flat while the rows stream, as the write-only workbook and `iter_responses(yield_per=2000)` "
        "intend; the process peak comes before the export (imports, app and dashboard)."
    ]
    return notes + tracemalloc_note(report, full)


def tracemalloc_note(report: Report, full: dict) -> list[str]:
    slices = [report.export[k] for k in sorted(report.export) if k.startswith("slice")]
    if len(slices) != 2:
        return []
    a, z = slices
    traced = z["export_s"] / z["rows"]
    return [
        f"- tracemalloc (Python allocations during `export_workbook`): peak "
        f"{a['tracemalloc_peak_b'] / 1e6:.1f} MB for {a['rows']:,} rows, "
        f"{z['tracemalloc_peak_b'] / 1e6:.1f} MB for {z['rows']:,} rows. Tracing costs "
        f"{traced * 1000:.1f} ms a row here ({traced / (full['export_s'] / full['rows']):.0f}x the "
        f"untraced export), so the full export traced would take about "
        f"{traced * full['rows'] / 60:.0f} minutes: hence the small slices."
    ]


def notes(report: Report) -> list[str]:
    """The "Notes" section, one Markdown list item a string."""
    sqlite = report.suites["sqlite"]
    pg = report.suites.get("postgresql")
    dashboard = sqlite.breakdowns["dashboard"]
    return [
        *dominates_notes(sqlite, pg),
        *plan_note(dashboard),
        *lower_bound_note(sqlite, dashboard),
        *anchors_note(sqlite, pg),
        *history_note(sqlite, pg),
        *posters_note(report, sqlite),
        *export_notes(report),
    ]
