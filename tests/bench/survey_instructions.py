"""CPU instructions per survey POST, counted by valgrind's cachegrind: the noise-free figure beside req/s.

req/s on a shared 2-core machine moves by 10-15 % from run to run; the instructions a POST executes do not. Each
app (the bare baseline and the real app) runs in a fresh process that calls its WSGI application directly (no
gunicorn, no socket: the same in both), first `WARMUP` POSTs, then N POSTs. The process runs twice under
`valgrind --tool=cachegrind`, with N = FEW and N = MANY, and the difference of the two totals divided by
MANY - FEW is the cost of one POST, without the start-up (imports, app factory) that both runs share.

    python -m tests.bench.survey_instructions child real|baseline N   # what cachegrind runs (env: the app's)

The real app runs with the rate limiter off (survey_measure.count_instructions says why). Skipped, with a note in
the report, when valgrind is not installed.
"""

import io
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

from tests.bench.survey_config import BASELINE_BODY, BASELINE_PATH, REPO, SURVEY_PATH, BenchError

WARMUP = 30
FEW, MANY = 20, 170
VALGRIND = ("valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null")


@dataclass
class Instructions:
    """Instructions per POST of each app (None when valgrind is absent), and why not when skipped."""

    baseline: float | None = None
    real: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.real / self.baseline if self.real and self.baseline else None


def _environ(path: str, body: str, cookie: str) -> dict:
    data = body.encode()
    return {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(data)),
        **({"HTTP_COOKIE": cookie} if cookie else {}),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def _post_loop(which: str, count: int) -> None:
    """POST WARMUP + count times to the app `which`; stops with an error unless every answer is 303."""
    import os

    if which == "baseline":
        from tests.bench.baseline_app import app

        path, body, cookie = BASELINE_PATH, BASELINE_BODY, ""
    else:
        from app import create_app

        app = create_app()
        path, body, cookie = SURVEY_PATH, os.environ["BENCH_POST_BODY"], os.environ["BENCH_COOKIE"]
    statuses = []

    def start_response(status, _headers, _exc_info=None):
        statuses.append(status)

    for _ in range(WARMUP + count):
        for chunk in app(_environ(path, body, cookie), start_response):
            del chunk
    if any(not s.startswith("303") for s in statuses):
        sys.exit(f"{which}: answers {sorted(set(statuses))}, expected only 303")


def _instructions(argv: list[str], env: dict[str, str]) -> int:
    result = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    match = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if result.returncode != 0 or not match:
        raise BenchError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return int(match.group(1).replace(",", ""))


def per_post(which: str, env: dict[str, str]) -> float:
    """Instructions of one POST of `which` (baseline | real) with the app's environment `env`."""
    child = [sys.executable, "-m", "tests.bench.survey_instructions", "child", which]
    few = _instructions([*VALGRIND, *child, str(FEW)], env)
    many = _instructions([*VALGRIND, *child, str(MANY)], env)
    return (many - few) / (MANY - FEW)


def measure_instructions(baseline_env: dict[str, str], real_env: dict[str, str]) -> Instructions:
    """Both apps' instructions per POST; `real_env` carries BENCH_POST_BODY / BENCH_COOKIE of an opened survey."""
    if shutil.which("valgrind") is None:
        return Instructions(note="valgrind is not installed (apt-get install -y valgrind): not measured.")
    print("Counting instructions per POST with cachegrind (4 processes under valgrind) ...", flush=True)
    res = Instructions(baseline=per_post("baseline", baseline_env), real=per_post("real", real_env))
    print(f"  baseline {res.baseline / 1e6:.2f} M, real {res.real / 1e6:.2f} M instructions per POST", flush=True)
    return res


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "child" and sys.argv[2] in ("baseline", "real"):
        _post_loop(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__.split("\n\n")[-2])
