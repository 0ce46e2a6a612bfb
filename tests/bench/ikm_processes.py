"""Fresh processes for the IKM benchmark (tests/bench/ikm_child.py): cold posters and the Excel exports."""

import json
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from tests.bench import ikm_data
from tests.bench.ikm_config import COLD_RUNS, MONTH_KEY, QUARTER_FIRST, REPO, SLICES
from tests.bench.ikm_data import log


def child(args: list[str], workdir: Path, name: str) -> tuple[list[str], Path, Path]:
    """argv of one ikm_child run (under /usr/bin/time -f %M when present), its JSON and time output files."""
    out_json = workdir / f"{name}.json"
    time_file = workdir / f"{name}.time"
    argv = [sys.executable, "-m", "tests.bench.ikm_child", *args, "--json", str(out_json)]
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    if gnu_time:
        argv = [gnu_time, "-f", "%M", "-o", str(time_file), *argv]
    return argv, out_json, time_file


def read_child(proc_returncode: int, out_json: Path, time_file: Path, stderr: str) -> dict:
    if proc_returncode != 0 or not out_json.exists():
        raise RuntimeError(f"child failed ({proc_returncode}):\n{stderr[-3000:]}")
    result = json.loads(out_json.read_text())
    if time_file.exists():
        numbers = re.findall(r"^\d+$", time_file.read_text(), re.M)
        result["gnu_time_max_rss_kb"] = int(numbers[-1]) if numbers else None
    return result


def run_child(args: list[str], workdir: Path, name: str, timeout: float = 900) -> dict:
    argv, out_json, time_file = child(args, workdir, name)
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    return read_child(done.returncode, out_json, time_file, done.stderr)


def cold_posters(sa_url: str, workdir: Path) -> dict[str, dict]:
    """COLD_RUNS fresh processes per format (interleaved); per format the run with the median total is kept."""
    runs: dict[str, list[dict]] = {"pdf": [], "png": []}
    log(f"posters: first render in a fresh process, {COLD_RUNS} processes per format")
    for i in range(COLD_RUNS):
        for fmt in runs:
            args = ["poster", "--db", sa_url, "--fmt", fmt, "--period", MONTH_KEY]
            runs[fmt].append(run_child(args, workdir, f"poster-{fmt}-{i}"))
    out = {}
    for fmt, results in runs.items():
        results.sort(key=lambda r: r["dashboard_s"] + r["first_render_s"])
        out[fmt] = dict(results[len(results) // 2])
        out[fmt]["totals"] = [r["dashboard_s"] + r["first_render_s"] for r in results]
    return out


def exports(sa_url: str, workdir: Path) -> dict[str, dict]:
    """All rows in one process while the 1/4 export and the tracemalloc slices run one after another in others."""
    jobs = {"all": (ikm_data.FIRST_DAY, ikm_data.LAST_DAY), "quarter": (QUARTER_FIRST, ikm_data.LAST_DAY)}

    def args(first: date, last: date, name: str, traced: bool = False) -> list[str]:
        extra = ["--tracemalloc"] if traced else []
        return ["export", "--db", sa_url, "--first", first.isoformat(), "--last", last.isoformat(),
                "--out", str(workdir / f"{name}.xlsx"), *extra]  # fmt: skip

    log("export of all rows (one process) alongside the 1/4 export and the tracemalloc slices (another)")
    argv, out_json, time_file = child(args(*jobs["all"], "all"), workdir, "export-all")
    started = time.perf_counter()
    with open(workdir / "export-all.err", "w+") as err:
        proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
        try:
            results = {"quarter": run_child(args(*jobs["quarter"], "quarter"), workdir, "export-quarter")}
            (workdir / "quarter.xlsx").unlink(missing_ok=True)
            for i, (first, last) in enumerate(SLICES):
                name = f"slice{i}"
                results[name] = run_child(args(first, last, name, traced=True), workdir, f"export-{name}")
                results[name]["first"], results[name]["last"] = first.isoformat(), last.isoformat()
            log(f"waiting for the export of all rows ({time.perf_counter() - started:.0f} s so far)")
            proc.wait(timeout=1800)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err.seek(0)
        results["all"] = read_child(proc.returncode, out_json, time_file, err.read())
    (workdir / "all.xlsx").unlink(missing_ok=True)
    return results
