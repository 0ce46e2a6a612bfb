"""`make bench`: survey throughput against a bare Flask + gunicorn baseline, and the survey page's weight.

What it does (perf-security.md A.1 and A.3 give the method and the goals):

1. Starts two gunicorn servers on 127.0.0.1, both `-k sync -w 2`: the bare baseline app
   (tests/bench/baseline_app.py, its own WAL SQLite file) and the real app (`app:create_app()`)
   on a fresh SQLite file prepared with `flask db upgrade` and `flask seed-demo`.
2. Fetches the real survey page once, checks that a POST with its device cookie answers 303 and
   that the same POST marked cross-site by the browser (Sec-Fetch-Site) answers 400.
3. Runs wrk against both servers, interleaved (baseline GET, real GET, baseline POST, real POST) for
   every round: a 2 s warm-up at 4 connections, then 10 s at 32 connections with --latency.
   The medians of the rounds give the ratios real / baseline (goals: GET >= 0.6; POST >= 0.5 with the
   rate limiter on, 0.6 beyond, and its p99 <= 2x the baseline's).
4. Measures the survey page: raw bytes, gzip bytes, and whether it needs any other request.
5. Counts the CPU instructions of one POST of each app with valgrind's cachegrind (survey_instructions), the
   noise-free figure beside req/s; skipped with a note when valgrind is absent.
6. Writes the figures to docs/benchmarks.md (the generated section only) and stops the servers.

Every request goes to 127.0.0.1 and every run is bounded. Exit status: 0 when the figures were
measured and written (even when a goal is missed: see PASS/FAIL in the output), 1 with --strict
(or BENCH_STRICT=1) when a goal is missed, 2 when the benchmark could not run.

Modules: survey_config (settings), survey_servers (gunicorn, HTTP, CPU), survey_setup (databases, checks),
survey_wrk (wrk runs), survey_page (page weight), survey_instructions (cachegrind), survey_measure (one run),
survey_report (Markdown).
"""

import argparse
import os
import sys
from pathlib import Path

from tests.bench.harness import run_measured
from tests.bench.survey_config import DOC
from tests.bench.survey_measure import measure
from tests.bench.survey_report import Results, fmt_ms, markdown, write_doc


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="measured rounds (default 3)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--doc", type=Path, default=DOC, help="markdown file to update (default docs/benchmarks.md)")
    parser.add_argument("--no-doc", action="store_true", help="print the figures only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (databases, logs)")
    parser.add_argument(
        "--no-limiter",
        dest="limiter",
        action="store_false",
        help="run the real app with the rate limiter off (default: on, with a survey POST limit out of reach)",
    )
    parser.add_argument(
        "--no-instructions",
        dest="instructions",
        action="store_false",
        help="skip counting instructions per POST with valgrind's cachegrind (a few minutes)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        default=os.environ.get("BENCH_STRICT") == "1",
        help="exit 1 when a goal is missed (also BENCH_STRICT=1)",
    )
    args = parser.parse_args(argv)
    if not (1 <= args.runs <= 9 and 1 <= args.duration <= 60 and 1 <= args.connections <= 256):
        parser.error("keep --runs in 1..9, --duration in 1..60 and --connections in 1..256")
    return args


def print_summary(res: Results) -> None:
    print("\nResults (medians):")
    for method in ("GET", "POST"):
        b, r = res.series[("baseline", method)], res.series[("real", method)]
        print(
            f"  {method:4} baseline {b.median('rps'):7,.0f} req/s   real {r.median('rps'):7,.0f} req/s   "
            f"ratio {res.ratio(method):.2f}   real p50 {fmt_ms(r.median('p50_ms'))}, "
            f"p99 {fmt_ms(r.median('p99_ms'))}   "
            f"server CPU/request {b.median('cpu_ms_per_request'):.2f} vs {r.median('cpu_ms_per_request'):.2f} ms"
        )
    ins = res.instructions
    if ins.ratio is not None:
        print(f"  instructions per POST: baseline {ins.baseline / 1e6:.2f} M, real {ins.real / 1e6:.2f} M "
              f"({ins.ratio:.2f}x)")  # fmt: skip
    else:
        print(f"  instructions per POST: {ins.note}")
    p = res.page
    print(f"  page {p.raw:,} B raw, {p.gzip9:,} B gzip -9, {p.gzip6:,} B gzip -6, {len(p.extras)} other requests")
    for name, measured, ok in res.goals():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {measured}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    res = run_measured(args, prefix="skm-bench-", measure=measure, summary=print_summary, markdown=markdown,
                       write_doc=write_doc)  # fmt: skip
    if res is None:
        return 2
    missed = [name for name, _, ok in res.goals() if not ok]
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
