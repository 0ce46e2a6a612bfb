"""The IKM benchmark's report: what was measured, the goals and their verdicts, and the doc writer."""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tests.bench import ikm_data
from tests.bench.doc import write_section
from tests.bench.ikm_config import (
    COLD_RUNS,
    END,
    GOAL_DASHBOARD_S,
    GOAL_EXPORT_GROWTH,
    GOAL_HISTORY_PG_S,
    GOAL_HISTORY_SQLITE_S,
    GOAL_PAGE_FLOOR_RATIO,
    GOAL_PAGE_S,
    GOAL_POSTER_S,
    GOAL_PROVINCE_S,
    START,
)
from tests.bench.ikm_http import PageResult
from tests.bench.ikm_province import ProvinceRun
from tests.bench.ikm_rollup import Rebuild
from tests.bench.ikm_suite import Suite
from tests.bench.ikm_timing import fmt_mb, fmt_s

SKIP = "not measured"


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
    rollups: dict[str, Rebuild] = field(default_factory=dict)  # "sqlite", "postgresql", "province"
    page: PageResult | None = None
    page_skip: str | None = None
    province: ProvinceRun | None = None
    province_skip: str | None = None
    loads: dict[str, str] = field(default_factory=dict)  # "cold", "export": os.getloadavg() after them

    def goals(self) -> list[tuple[str, str, str, str, bool | str | None]]:
        """(goal, measured, limit, machine load when measured, verdict: True/False, None = no goal, SKIP)."""
        sqlite = self.suites.get("sqlite")
        pg = self.suites.get("postgresql")
        rows = [*self.page_goals()]
        dash = sqlite.series["dashboard_month"].median
        rows.append(("One-month, all-services dashboard: the month's figures (`build_dashboard(trend_months=0)`: "
                     "IKM, elements, services, counters, profile, flags, sample), SQLite", fmt_s(dash),
                     f"<= {fmt_s(GOAL_DASHBOARD_S)}", sqlite.loads["dashboard_month"],
                     dash <= GOAL_DASHBOARD_S))  # fmt: skip
        page = sqlite.series["dashboard"].median
        trend = sqlite.series["trend_12"].median
        rows.append(("The dashboard with its 12-month trend panel (`build_dashboard`, in process), SQLite; of which "
                     "the trend alone (`monthly_trend`)", f"{fmt_s(page)}; trend {fmt_s(trend)}",
                     "no goal of its own (the page over HTTP above carries it)", sqlite.loads["dashboard"],
                     None))  # fmt: skip
        hist = sqlite.series["history"].median
        rows.append(("Whole history (`history_trend`, 24 months), SQLite", fmt_s(hist),
                     f"<= {fmt_s(GOAL_HISTORY_SQLITE_S)}", sqlite.loads["history"],
                     hist <= GOAL_HISTORY_SQLITE_S))  # fmt: skip
        if pg:
            hist = pg.series["history"].median
            rows.append(("Whole history (`history_trend`, 24 months), PostgreSQL", fmt_s(hist),
                         f"<= {fmt_s(GOAL_HISTORY_PG_S)}", pg.loads["history"], hist <= GOAL_HISTORY_PG_S))  # fmt: skip
        else:
            rows.append(("Whole history, PostgreSQL", f"not measured: {self.pg_skip}",
                         f"<= {fmt_s(GOAL_HISTORY_PG_S)}", "", SKIP))  # fmt: skip
        rows += self.province_goals()
        if self.cold:
            worst = max(c["dashboard_s"] + c["first_render_s"] for c in self.cold.values())
            text = ", ".join(
                f"{fmt.upper()} {fmt_s(c['dashboard_s'] + c['first_render_s'])} ({fmt_s(c['dashboard_s'])} + "
                f"{fmt_s(c['first_render_s'])})"
                for fmt, c in self.cold.items()
            )
            rows.append((f"Poster in a fresh process: its dashboard + the first render (matplotlib import included; "
                         f"median of {COLD_RUNS} processes)",
                         text, f"<= {fmt_s(GOAL_POSTER_S)}", self.loads.get("cold", ""),
                         worst <= GOAL_POSTER_S))  # fmt: skip
        if self.export:
            growth, text = self.export_growth()
            traced = self.traced_growth()
            ok = growth <= GOAL_EXPORT_GROWTH and (traced is None or traced[0] <= GOAL_EXPORT_GROWTH)
            if traced:
                text += f"; tracemalloc peak x{traced[0]:.2f} for x{traced[1]:.1f} rows"
            rows.append(("Excel export of all responses: peak memory bounded (streamed)", text,
                         f"peak for 4x the rows <= x{GOAL_EXPORT_GROWTH}", self.loads.get("export", ""),
                         ok))  # fmt: skip
        else:
            rows.append(("Excel export of all responses", f"not measured: {self.export_skip}", "", "", SKIP))
        return rows

    def page_floor(self):
        """The page's floor: timed alternately with the GETs (same moments of load), else the suite's."""
        return self.page.floor if self.page.floor is not None else self.suites["sqlite"].series["floor_month"]

    def page_goals(self) -> list[tuple]:
        """`GET /analitik/` over HTTP at 1M responses on SQLite: absolute, and against the month's floor."""
        what = (f"`GET /analitik/` over HTTP (the office head's dashboard page, logged in), {ikm_data.ROWS:,} "
                "responses, SQLite")  # fmt: skip
        if self.page is None:
            return [(what, f"not measured: {self.page_skip}", f"<= {fmt_s(GOAL_PAGE_S)}", "", SKIP)]
        page = self.page.series.median
        floor = self.page_floor().median
        ratio = page / floor
        return [
            (what, fmt_s(page), f"<= {fmt_s(GOAL_PAGE_S)}", self.page.load, page <= GOAL_PAGE_S),
            ("The same page against the raw one-month aggregate, timed just before each GET (floor: `SELECT "
             "count(*), count(uN), sum(uN) ... WHERE unit_id AND survey_date in the month`, sqlite3)",
             f"{ratio:.1f}x ({fmt_s(page)} / {fmt_s(floor)})", f"<= {GOAL_PAGE_FLOOR_RATIO:g}x", self.page.load,
             ratio <= GOAL_PAGE_FLOOR_RATIO),
        ]  # fmt: skip

    def province_goals(self) -> list[tuple]:
        """One unit's dashboard and history at province scale on PostgreSQL."""
        p = self.province
        if p is None:
            return [("Province scale on PostgreSQL: one unit's dashboard and history", f"not measured: "
                     f"{self.province_skip}", f"<= {fmt_s(GOAL_PROVINCE_S)} each", "", SKIP)]  # fmt: skip
        scale = f"{p.units} units, {p.rows:,} responses, {p.unit_rows:,} of them the unit's"
        dash, hist = p.series["dashboard"].median, p.series["history"].median
        return [
            (f"Province, PostgreSQL ({scale}): one unit's `build_dashboard`, one month, all services (with the "
             "12-month trend panel)", fmt_s(dash), f"<= {fmt_s(GOAL_PROVINCE_S)}", p.loads["dashboard"],
             dash <= GOAL_PROVINCE_S),
            (f"Province, PostgreSQL ({scale}): one unit's `history_trend`, 24 months", fmt_s(hist),
             f"<= {fmt_s(GOAL_PROVINCE_S)}", p.loads["history"], hist <= GOAL_PROVINCE_S),
        ]  # fmt: skip

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


def write_doc(path: Path, section: str) -> None:
    write_section(path, section, start=START, end=END)
