"""wrk for the survey benchmark: its command lines, its output parsed, and the series of runs per target."""

import math
import re
import shlex
import statistics
import subprocess
from dataclasses import dataclass, field

from tests.bench.survey_config import POST_LUA, BenchError


@dataclass
class WrkRun:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: dict[str, int]
    cpu_ms_per_request: float = math.nan  # CPU time of the server's processes / requests answered


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output: str) -> WrkRun:
    def latency(pct: int) -> float:
        """From --latency's distribution; NaN for a run without --latency (the warm-up)."""
        match = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return float(match.group(1)) * _UNITS_MS[match.group(2)] if match else math.nan

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if not rps or not total:
        raise BenchError(f"cannot read wrk output:\n{output}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True)) if errors else {}
    )
    return WrkRun(
        rps=float(rps.group(1)),
        p50_ms=latency(50),
        p99_ms=latency(99),
        requests=int(total.group(1)),
        non_2xx_3xx=int(non2xx.group(1)) if non2xx else 0,
        socket_errors=socket_errors,
    )


def wrk_argv(args: tuple[str, ...], url: str, post: bool) -> list[str]:
    return ["wrk", *args, *(["-s", str(POST_LUA)] if post else []), url]


def run_wrk(argv: list[str], env: dict[str, str], seconds: int) -> str:
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=seconds + 30)
    if result.returncode != 0:
        raise BenchError(f"{shlex.join(argv)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


@dataclass
class Series:
    server: str  # baseline | real
    method: str  # GET | POST
    runs: list[WrkRun] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)

    @property
    def bad_responses(self) -> int:
        return sum(r.non_2xx_3xx for r in self.runs)

    @property
    def socket_errors(self) -> int:
        return sum(sum(r.socket_errors.values()) for r in self.runs)
