"""`make bench`: complaint intake, tracking and the officer inbox against the bare Flask + gunicorn baseline.

What it does (the Method part of its section in docs/benchmarks.md says more):

1. Prepares three fresh SQLite files: the baseline's, the office's (`flask db upgrade`, then 10,000 complaints
   inserted by tests/bench/complaints_seed.py) and an intake one (directory and one officer), and serves each with
   gunicorn on 127.0.0.1 (`-k sync -w 2`, as the survey benchmark), the real app with RATELIMIT_ENABLED=false.
2. Checks every request once: complaint POSTs (with and without a photo) answer 303 and store what they should,
   without the CSRF token 400; the tracking page shows the answer; the officer's inbox lists a full page.
3. Times single inbox requests with filters, then runs wrk rounds over the targets, interleaved with the
   baseline, and takes the medians: complaint POST without and with a ~200 KB photo (multipart bodies prepared
   once and sent by tests/bench/complaint_post.lua), a tracking look-up, and the inbox of 10,000 complaints.
4. Writes the figures to docs/benchmarks.md between its own markers and stops the servers.

Exit status: 0 when the figures were measured and written, 1 when some answer had an unexpected status, 2 when
the benchmark could not run. Modules: complaints_config, complaints_seed, complaints_client, complaints_measure,
complaints_report; the servers, wrk parsing and machine facts are the survey benchmark's.
"""

import argparse
import sys
from pathlib import Path

from tests.bench.complaints_config import TARGETS, WORKDIR_PREFIX
from tests.bench.complaints_measure import measure
from tests.bench.complaints_report import Results, fmt_ms, markdown, write_doc
from tests.bench.harness import run_measured
from tests.bench.survey_config import DOC


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.complaints_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="measured rounds (default 3)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured wrk run (default 5)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--doc", type=Path, default=DOC, help="markdown file to update (default docs/benchmarks.md)")
    parser.add_argument("--no-doc", action="store_true", help="print the figures only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (databases, logs)")
    args = parser.parse_args(argv)
    if not (1 <= args.runs <= 9 and 1 <= args.duration <= 60 and 1 <= args.connections <= 256):
        parser.error("keep --runs in 1..9, --duration in 1..60 and --connections in 1..256")
    return args


def print_summary(res: Results) -> None:
    print("\nResults (medians):")
    for target in TARGETS:
        s = res.series[target.key]
        ratio = f"ratio {res.ratio(target.key):.2f}" if target.baseline else ""
        print(f"  {target.key:14} {res.rps(target.key):8,.0f} req/s  p50 {fmt_ms(s.median('p50_ms')):>9}  "
              f"p99 {fmt_ms(s.median('p99_ms')):>9}  CPU {s.median('cpu_ms_per_request'):.2f} ms  {ratio}")  # fmt: skip
    for label, median, _low, _high in res.inbox_latency:
        print(f"  inbox, {label}: {fmt_ms(median)} (single requests)")
    for key, odd in res.unexpected().items():
        print(f"  UNEXPECTED statuses on {key}: {odd}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    res = run_measured(args, prefix=WORKDIR_PREFIX, measure=measure, summary=print_summary, markdown=markdown,
                       write_doc=write_doc)  # fmt: skip
    if res is None:
        return 2
    return 1 if res.unexpected() else 0


if __name__ == "__main__":
    sys.exit(main())
