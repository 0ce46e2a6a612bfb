"""What every load benchmark's `main` shares: wrk present, a temporary directory, servers always stopped, figures
printed and written."""

import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.bench.survey_config import REPO, BenchError

NO_WRK = (
    "make bench needs wrk (HTTP load generator), which is not installed.\n"
    "Install it with: apt-get install -y wrk   (Debian/Ubuntu; the Makefile tries this when run as root)"
)


def _raise_on_sigterm(signum, _frame) -> None:
    raise SystemExit(128 + signum)


def run_measured(
    args,
    *,
    prefix: str,
    measure: Callable,
    summary: Callable,
    markdown: Callable,
    write_doc: Callable,
    needs_wrk: bool = True,
):
    """Measure with servers started in a fresh directory (stopped and removed whatever happens); print the summary
    and write the doc section. Returns the results, or None when the benchmark could not run."""
    if needs_wrk and shutil.which("wrk") is None:
        print(NO_WRK, file=sys.stderr)
        return None
    signal.signal(signal.SIGTERM, _raise_on_sigterm)  # so `finally` stops the servers
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    servers: list = []
    try:
        res = measure(args, workdir, servers)
    except BenchError as exc:
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        for server in servers:
            if server.log_tail():
                print(f"--- gunicorn {server.name} log ---\n{server.log_tail()}", file=sys.stderr)
        return None
    finally:
        for server in servers:
            server.stop()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    summary(res)
    if not args.no_doc:
        write_doc(args.doc, markdown(res))
        print(f"\nFigures written to {args.doc.relative_to(REPO) if args.doc.is_relative_to(REPO) else args.doc}")
    return res
