"""Settings of the IKM benchmark (tests/bench/ikm_bench.py): paths, doc markers, PostgreSQL, what is timed, goals."""

import os
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DOC = REPO / "docs" / "benchmarks.md"
START = "<!-- ikm-bench:start -->"
END = "<!-- ikm-bench:end -->"

PG_ADMIN_URL = os.environ.get("IKM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_DB = "skm_bench"
PROVINCE_DB = "skm_bench_province"  # the province-scale scratch database (tests/bench/ikm_province.py)
PROVINCE_UNITS = 50
# The size: 20M responses. On 2026-11-28 loading 20M took 871 s here (the roll-up rebuild alone 664 s), so
# the bench ran 10M; on 2026-11-29 the same machine loaded 20M in 202 s (COPY 70 s, indexes 45 s, the rebuild of
# the per-unit roll-up included), well inside the ten minutes. Set --province-rows or IKM_BENCH_PROVINCE_ROWS to
# run another size.
PROVINCE_ROWS = int(os.environ.get("IKM_BENCH_PROVINCE_ROWS", 20_000_000))

RUNS = 5
HTTP_RUNS = 15  # timed GET /analitik/ requests after one warm-up (each after a timed floor)
COLD_RUNS = 3  # fresh processes per poster format
MONTH_KEY = "2026-11"  # the dashboard month: the last of the 24, so its 12-month trend window is full
UNTIL = date(2026, 12, 1)  # history_trend(until=...): the day after the data
QUARTER_FIRST = date(2026, 6, 1)  # the last 6 of 24 months: 1/4 of the rows
# tracemalloc slices: 4 and 16 days (~5,600 and ~22,000 rows, both above iter_responses' 2,000-row batches)
SLICES = ((date(2026, 11, 27), date(2026, 11, 30)), (date(2026, 11, 15), date(2026, 11, 30)))

GOAL_DASHBOARD_S = 0.250
GOAL_PAGE_S = 0.250  # GET /analitik/ over HTTP at 1M responses, SQLite
GOAL_PAGE_FLOOR_RATIO = 3.0  # ... and at most this many times the raw one-month aggregate (the floor)
GOAL_PROVINCE_S = 0.250  # one unit's build_dashboard and history_trend at province scale, PostgreSQL
GOAL_HISTORY_SQLITE_S = 2.0
GOAL_HISTORY_PG_S = 0.5
GOAL_POSTER_S = 3.0
GOAL_EXPORT_GROWTH = 1.25  # peak memory for 4x the rows: RSS all / 1/4 of the rows, tracemalloc 16 / 4 days

PACKAGES = ("Flask", "SQLAlchemy", "Flask-SQLAlchemy", "psycopg", "openpyxl", "matplotlib", "numpy", "lxml")
ELEMENT_SUMS = ", ".join(f"count(u{i}), sum(u{i})" for i in range(1, 10))
