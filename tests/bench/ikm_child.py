"""Fresh-process measurements for tests/bench/ikm_bench.py: a cold poster render, or one Excel export.

Run by ikm_bench in a subprocess, so the figures are those of a new worker: matplotlib not yet imported,
the peak RSS of a process that did nothing else. Writes one JSON object to --json.

    python -m tests.bench.ikm_child poster --db URL --fmt pdf --json OUT
    python -m tests.bench.ikm_child export --db URL --first 2024-12-01 --last 2026-11-30 --out F.xlsx --json OUT
        [--tracemalloc]
"""

import argparse
import json
import resource
import sys
import time
from datetime import date
from pathlib import Path

STARTED = time.perf_counter()

CHECKPOINT_ROWS = 50_000  # RSS is sampled every this many exported rows


def rss_kb() -> int:
    """Current resident set size of this process (kB), from /proc; 0 where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_kb() -> int:
    """Peak resident set size of this process so far (kB; since the last reset_peak_rss())."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux >= 4.0: "5" > /proc/self/clear_refs); False when unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return peak_rss_kb() <= rss_kb() + 1024


def the_unit():
    import sqlalchemy as sa

    from app.directory import Unit
    from app.extensions import db

    return db.session.scalars(sa.select(Unit).order_by(Unit.id)).first()


def poster(args) -> dict:
    from tests.bench.ikm_data import bench_app

    t0 = time.perf_counter()
    app = bench_app(args.db)
    out = {"create_app_s": time.perf_counter() - t0}
    with app.app_context():
        from analytics.dashboard import build_dashboard
        from app import periods
        from app.links import results_url

        unit = the_unit()
        t0 = time.perf_counter()
        dashboard = build_dashboard(unit_id=unit.id, unit_name=unit.name, period=periods.parse_period(args.period))
        out["dashboard_s"] = time.perf_counter() - t0
        url = results_url(unit)
        out["matplotlib_loaded_before"] = "matplotlib" in sys.modules
        t0 = time.perf_counter()
        from analytics.ikm_poster import ikm_poster

        body = ikm_poster(dashboard, results_url=url, fmt=args.fmt)
        out["first_render_s"] = time.perf_counter() - t0  # includes importing matplotlib
        out["bytes"] = len(body)
        t0 = time.perf_counter()
        ikm_poster(dashboard, results_url=url, fmt=args.fmt)
        out["second_render_s"] = time.perf_counter() - t0
    out["process_s"] = time.perf_counter() - STARTED
    out["peak_rss_kb"] = peak_rss_kb()
    return out


class RowCounter:
    """Stands in for data.iter_responses: counts the streamed rows, times getting each, samples the RSS."""

    def __init__(self, original):
        self.original = original
        self.streamed = 0
        self.fetch_s = 0.0  # time spent getting the next row from iter_responses (SQL + ORM)
        self.checkpoints = []  # (rows so far, RSS kB) every CHECKPOINT_ROWS rows

    def __call__(self, selection, *a, **kw):
        rows = self.original(selection, *a, **kw)
        while True:
            started = time.perf_counter()
            response = next(rows, None)
            self.fetch_s += time.perf_counter() - started
            if response is None:
                return
            self.streamed += 1
            if self.streamed % CHECKPOINT_ROWS == 0:
                self.checkpoints.append((self.streamed, rss_kb()))
            yield response


def range_dashboard(args, unit) -> tuple[object, dict]:
    """The dashboard of `unit` for --first .. --last (the export's input) and its figures."""
    from analytics.dashboard import build_dashboard
    from app import periods

    period = periods.date_range(date.fromisoformat(args.first), date.fromisoformat(args.last))
    t0 = time.perf_counter()
    dashboard = build_dashboard(unit_id=unit.id, unit_name=unit.name, period=period)
    return dashboard, {"dashboard_s": time.perf_counter() - t0, "respondents": dashboard.result.respondents}


def before_export() -> dict:
    """The RSS before the export; then the peak-RSS mark is reset, so it covers the export only."""
    import openpyxl  # imported before the baseline RSS, so its import is not counted as growth

    out = {"openpyxl_lxml": bool(getattr(openpyxl, "LXML", False))}
    out["rss_before_export_kb"] = rss_kb()
    out["peak_rss_before_export_kb"] = peak_rss_kb()  # imports, app, dashboard
    # From here on the peak-RSS mark (ru_maxrss, and what /usr/bin/time reports) covers the export only.
    out["peak_reset"] = reset_peak_rss()
    return out


def timed_export(args, dashboard) -> dict:
    """`export_workbook` to --out (under tracemalloc with --tracemalloc): its wall time and traced memory."""
    from analytics.export import export_workbook

    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start()
    t0 = time.perf_counter()
    with open(args.out, "wb") as fh:
        export_workbook(dashboard, fh)
    out = {"export_s": time.perf_counter() - t0}
    if args.tracemalloc:
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out["tracemalloc_peak_b"] = peak
        out["tracemalloc_end_b"] = current
    return out


def export(args) -> dict:
    from tests.bench.ikm_data import bench_app

    app = bench_app(args.db)
    out = {}
    with app.app_context():
        from analytics import data
        from analytics.export import export_workbook  # noqa: F401 - imported before the baseline RSS

        unit = the_unit()  # held until the export ends, as the session's identity map only keeps it weakly
        dashboard, figures = range_dashboard(args, unit)
        out.update(figures)
        # Count the streamed rows and sample the RSS as they go (the export reads them through this function).
        counter = RowCounter(data.iter_responses)
        data.iter_responses = counter
        out.update(before_export())
        out.update(timed_export(args, dashboard))
        data.iter_responses = counter.original
        out["rows"] = counter.streamed
        out["fetch_s"] = counter.fetch_s
        out["checkpoints"] = counter.checkpoints
        out["export_peak_rss_kb"] = peak_rss_kb()
        out["rss_after_export_kb"] = rss_kb()
        out["bytes"] = Path(args.out).stat().st_size
    out["process_s"] = time.perf_counter() - STARTED
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("poster")
    p.add_argument("--db", required=True)
    p.add_argument("--fmt", choices=("pdf", "png"), required=True)
    p.add_argument("--period", required=True)
    p.add_argument("--json", required=True)
    e = sub.add_parser("export")
    e.add_argument("--db", required=True)
    e.add_argument("--first", required=True)
    e.add_argument("--last", required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--json", required=True)
    e.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args(argv)
    result = poster(args) if args.what == "poster" else export(args)
    Path(args.json).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
