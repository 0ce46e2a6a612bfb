"""`make bench`: a web worker's boot time and memory, the real app against the bare Flask + SQLAlchemy baseline.

Every round starts, one after the other (the order alternates), a gunicorn with one sync worker of the baseline
(tests/bench/baseline_app.py) and one of the real app (`app:create_app()` with production settings, on an SQLite
file migrated beforehand, as `flask db upgrade` does in production), both with the README's production flags
(`-k sync --preload`), and for comparison the real app without `--preload`. Modules are compiled once into a cache
in the temporary directory, as a deployment has them, by a first start of each app that is not counted. Boot time:
from starting the process until the first HTTP 200 on a cheap URL (`/thanks`, `/healthz`), asked for every 5 ms.
Memory: the worker's (the master's only child) VmRSS from /proc/<pid>/status right after that answer and its
proportional share (Pss, smaps_rollup: a page shared with the master counts half), the master's RSS and its peak
(VmHWM: with `--preload` the master built the app). Then the worker
gets SIGKILL, and the time until its replacement answers 200 is what a crashed or recycled worker costs.

Goals (issue 12): median worker RSS, real / baseline <= 1.2; median boot time, real / baseline <= 1.3. Every request
goes to 127.0.0.1. Exit status: 0 when the figures were measured (a missed goal shows as FAIL), 1 with --strict
(or BENCH_STRICT=1) when a goal is missed, 2 when the benchmark could not run.
"""

import argparse
import http.client
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.bench.doc import write_section
from tests.bench.facts import machine_facts
from tests.bench.harness import run_measured
from tests.bench.survey_config import DOC, HOST, REPO, BenchError
from tests.bench.survey_servers import Gunicorn, child_pids, free_port
from tests.bench.survey_setup import base_env, run_checked

START, END = "<!-- worker-bench:start -->", "<!-- worker-bench:end -->"
GOAL_RSS, GOAL_BOOT = 1.2, 1.3
WORKER_ARGS = ("-k", "sync", "-w", "1", "--preload")  # the README's production command, with one worker
APPS = {  # name: (gunicorn app, cheap URL answered without a database query, gunicorn worker arguments)
    "baseline": ("tests.bench.baseline_app:app", "/thanks", WORKER_ARGS),
    "real": ("app:create_app()", "/healthz", WORKER_ARGS),
    "real-no-preload": ("app:create_app()", "/healthz", WORKER_ARGS[:-1]),  # for comparison only: no goal
}
LABELS = {
    "baseline": "bare Flask + SQLAlchemy baseline",
    "real": "real app",
    "real-no-preload": "real app without `--preload` (comparison)",
}
PACKAGES = ("Flask", "SQLAlchemy", "Flask-SQLAlchemy", "Flask-Migrate", "alembic", "argon2-cffi", "gunicorn")
POLL = 0.005  # seconds between connection attempts while gunicorn has not bound its port yet
STEPS = """
import json, time
def rss():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS"))
out = [("python", rss(), time.process_time())]
import gunicorn.app.wsgiapp, tests.bench.baseline_app
out.append(("baseline", rss(), time.process_time()))
import flask_babel, flask_limiter, flask_login, flask_sqlalchemy, flask_wtf
out.append(("extensions", rss(), time.process_time()))
PG_STEP
from app import create_app
create_app()
out.append(("app", rss(), time.process_time()))
print(json.dumps(out))
"""
STEP_LABELS = {
    "baseline": "gunicorn, Flask, SQLAlchemy and the baseline app",
    "extensions": "+ the app's Flask extensions (Flask-SQLAlchemy, -WTF, -Babel, -Login, -Limiter)",
    "postgresql": "+ SQLAlchemy's PostgreSQL dialect (an index's `postgresql_where` loads it, on SQLite too)",
    "app": "+ the app's own modules (models, views) and `create_app()`",
}
PG_STEP = 'import sqlalchemy.dialects.postgresql\nout.append(("postgresql", rss(), time.process_time()))'
# Whether the real app imports SQLAlchemy's PostgreSQL dialect on SQLite (a `postgresql_*` argument of a model does).
LOADS_PG = ("import sys\nfrom app import create_app\ncreate_app()\n"
            "print('sqlalchemy.dialects.postgresql' in sys.modules)")  # fmt: skip


@dataclass(frozen=True)
class Sample:
    """One boot of one app."""

    boot_s: float
    rss_kb: int  # the worker's VmRSS after the first answer
    pss_kb: int  # the worker's Pss (its share of pages shared with the master)
    master_rss_kb: int
    master_hwm_kb: int  # the master's peak (VmHWM): with --preload, it built the app
    respawn_s: float  # from the worker's SIGKILL until its replacement answers 200


@dataclass
class Results:
    started: datetime
    elapsed: float
    runs: int
    samples: dict[str, list[Sample]]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    facts: dict[str, str]
    steps: dict[str, tuple[float, float, float]]

    def median(self, app: str, attr: str) -> float:
        return statistics.median(getattr(s, attr) for s in self.samples[app])

    def ratio(self, attr: str) -> float:
        return self.median("real", attr) / self.median("baseline", attr)

    def goals(self) -> list[tuple[str, str, bool]]:
        rss, boot = self.ratio("rss_kb"), self.ratio("boot_s")
        return [
            (
                "Web worker RSS after its first answer, real / baseline",
                f"{rss:.2f} ({mb(self.median('real', 'rss_kb'))} / {mb(self.median('baseline', 'rss_kb'))}; "
                f"goal <= {GOAL_RSS})",
                rss <= GOAL_RSS,
            ),
            (
                "Boot time until the first 200, real / baseline",
                f"{boot:.2f} ({self.median('real', 'boot_s'):.2f} s / {self.median('baseline', 'boot_s'):.2f} s; "
                f"goal <= {GOAL_BOOT})",
                boot <= GOAL_BOOT,
            ),
        ]


def mb(kb: float) -> str:
    return f"{kb / 1024:.1f} MB"


def proc_memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (status) and Pss (smaps_rollup) of a process, in kB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    out["Pss"] = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                out["Pss"] = int(line.split()[1])
    except OSError:
        pass
    return out


def first_ok(port: int, path: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Return when GET `path` answers 200: retry while the port is closed, wait while the worker boots."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"gunicorn exited with {proc.returncode} before answering")
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return
            raise BenchError(f"GET {path} answered {response.status}")
        except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
            time.sleep(POLL)
        finally:
            conn.close()
    raise BenchError(f"no 200 on {path} within {timeout:.0f} s")


def boot_once(name: str, env: dict[str, str], workdir: Path, servers: list[Gunicorn]) -> Sample:
    """Start gunicorn, time it until the first 200, read the worker's memory, time a worker's replacement, stop."""
    spec, path, worker_args = APPS[name]
    server = Gunicorn(name, spec, env, workdir, worker_args=worker_args)
    servers.append(server)
    server.port = free_port()
    server.argv = [sys.executable, "-m", "gunicorn", *server.gunicorn_args(server.port)]
    (workdir / "gunicorn.conf.py").touch()  # empty: a gunicorn.conf.py in the repository changes nothing
    try:
        with open(server.log_path, "ab") as log:
            started = time.perf_counter()
            server.proc = subprocess.Popen(server.argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        try:
            first_ok(server.port, path, server.proc)
        except BenchError as exc:
            raise BenchError(f"{name}: {exc}\n{server.log_tail()}") from exc
        boot = time.perf_counter() - started
        workers = child_pids(server.proc.pid)
        if len(workers) != 1:
            raise BenchError(f"{name}: expected one worker, found {sorted(workers)}")
        worker_pid = workers.pop()
        worker, master = proc_memory(worker_pid), proc_memory(server.proc.pid)
        os.kill(worker_pid, signal.SIGKILL)  # the worker this script's gunicorn started
        killed = time.perf_counter()
        first_ok(server.port, path, server.proc)
        respawn = time.perf_counter() - killed
    finally:
        server.stop()
    return Sample(boot, worker["VmRSS"], worker["Pss"], master["VmRSS"], master["VmHWM"], respawn)


def prepare_baseline(workdir: Path) -> dict[str, str]:
    env = base_env()
    env["BENCH_BASELINE_DB_URL"] = f"sqlite:///{workdir / 'baseline.sqlite'}"
    run_checked([sys.executable, "-m", "tests.bench.baseline_app", "init"], env, "baseline schema")
    return env


def prepare_real(workdir: Path) -> dict[str, str]:
    """Production settings on a fresh SQLite file, migrated first as in production."""
    env = base_env()
    env.update(
        FLASK_APP="app",
        SKM_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        PUBLIC_BASE_URL="https://skm.example.go.id",
        DATABASE_URL=f"sqlite:///{workdir / 'real.sqlite'}",
        RATELIMIT_STORAGE_URI="memory://",
    )
    run_checked([sys.executable, "-m", "flask", "db", "upgrade"], env, "flask db upgrade")
    return env


def with_bytecode(env: dict[str, str], workdir: Path) -> dict[str, str]:
    """Compiled modules cached in the temporary directory, as a deployment has them (pip compiles what it installs;
    a checkout's __pycache__ is written on the first start), without writing to the repository."""
    env = dict(env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    return env


def measure(args: argparse.Namespace, workdir: Path, servers: list[Gunicorn]) -> Results:
    started, t0 = datetime.now(UTC), time.monotonic()
    real = with_bytecode(prepare_real(workdir), workdir)
    envs = {"baseline": with_bytecode(prepare_baseline(workdir), workdir), "real": real, "real-no-preload": real}
    for name in ("baseline", "real"):  # a first start, not counted, compiles every module into the cache
        boot_once(name, envs[name], workdir, servers)
    load_before = os.getloadavg()
    samples: dict[str, list[Sample]] = {name: [] for name in APPS}
    for round_no in range(args.runs):
        order = list(APPS) if round_no % 2 == 0 else list(reversed(APPS))
        for name in order:
            sample = boot_once(name, envs[name], workdir, servers)
            samples[name].append(sample)
            print(f"  round {round_no + 1} {name:15} boot {sample.boot_s:.3f} s  worker RSS {mb(sample.rss_kb)}  "
                  f"Pss {mb(sample.pss_kb)}  master RSS {mb(sample.master_rss_kb)}  "
                  f"respawn {sample.respawn_s:.3f} s")  # fmt: skip
    return Results(started, time.monotonic() - t0, args.runs, samples, load_before, os.getloadavg(),
                   machine_facts(PACKAGES), import_steps(real))  # fmt: skip


def import_steps(env: dict[str, str], runs: int = 3) -> dict[str, tuple[float, float, float]]:
    """Per step of STEPS, in a fresh process: the median RSS after it (kB), RSS added (kB) and CPU seconds added.
    The PostgreSQL dialect is a step only when the app imports it on SQLite."""
    loads_pg = run_checked([sys.executable, "-c", LOADS_PG], env, "dialects").strip().splitlines()[-1] == "True"
    script = STEPS.replace("PG_STEP", PG_STEP if loads_pg else "")
    seen: dict[str, list[tuple[int, int, float]]] = {}
    for _ in range(runs):
        out = json.loads(run_checked([sys.executable, "-c", script], env, "import steps").strip().splitlines()[-1])
        for (_, kb_before, cpu_before), (name, kb, cpu) in zip(out, out[1:], strict=False):
            seen.setdefault(name, []).append((kb, kb - kb_before, cpu - cpu_before))
    return {name: tuple(statistics.median(x[i] for x in values) for i in range(3)) for name, values in seen.items()}


def _steps_table(res: Results) -> list[str]:
    out = ["", "### Where the difference lies", "", "In one process without a server (median of 3): the resident size "
           "after each step, what it added, and the CPU time it took.", "",
           "| step | RSS after | added | CPU |", "|---|---:|---:|---:|"]  # fmt: skip
    for name, label in STEP_LABELS.items():
        if name in res.steps:
            kb, added, cpu = res.steps[name]
            out.append(f"| {label} | {mb(kb)} | +{mb(added)} | {cpu * 1000:.0f} ms |")
    if "postgresql" not in res.steps:
        out += ["", "The real app does not import SQLAlchemy's PostgreSQL dialect on SQLite (so it is no step here)."]
    return [*out, ""]


def _runs_table(res: Results) -> list[str]:
    out = ["| app | boot (median) | every run | worker RSS (median) | every run | worker Pss | master RSS | master "
           "peak (VmHWM) | worker replaced after a SIGKILL |",
           "|---|---:|---|---:|---|---:|---:|---:|---:|"]  # fmt: skip
    for name, label in LABELS.items():
        s = res.samples[name]
        out.append(
            f"| {label} | {res.median(name, 'boot_s'):.2f} s | " + " / ".join(f"{x.boot_s:.2f}" for x in s)
            + f" | {mb(res.median(name, 'rss_kb'))} | " + " / ".join(f"{x.rss_kb / 1024:.1f}" for x in s)
            + f" | {mb(res.median(name, 'pss_kb'))} | {mb(res.median(name, 'master_rss_kb'))} "
            f"| {mb(res.median(name, 'master_hwm_kb'))} | {res.median(name, 'respawn_s'):.2f} s |"
        )  # fmt: skip
    return out


def _load_note(res: Results) -> str:
    cpus = os.cpu_count() or 1
    busy = max(res.load_before[0], res.load_after[0]) > 0.5 * cpus
    text = (f"Machine load (1/5/15-minute load average on {cpus} CPUs): {'/'.join(f'{x:.2f}' for x in res.load_before)}"
            f" before the runs, {'/'.join(f'{x:.2f}' for x in res.load_after)} after.")  # fmt: skip
    if busy:
        text += (" **Other work was running on the machine**: boot times are longer and noisier than on an idle "
                 "machine, for the baseline too; the rounds interleave both apps, so the ratios hold better than "
                 "the seconds. Memory does not depend on the load.")  # fmt: skip
    return text


def _commands() -> list[str]:
    def gunicorn(name: str) -> str:
        spec, path, worker_args = APPS[name]
        return f"gunicorn {' '.join(worker_args)} -b 127.0.0.1:PORT '{spec}'  # then GET {path}"

    return [
        "Commands (`--worker-tmp-dir` on the RAM-backed /dev/shm, `--log-level warning`, an empty config file):",
        "",
        "```sh",
        gunicorn("baseline"),
        "export SKM_ENV=production SECRET_KEY=... PUBLIC_BASE_URL=https://skm.example.go.id DATABASE_URL=sqlite:///...",
        "flask db upgrade  # once, before the rounds",
        gunicorn("real"),
        gunicorn("real-no-preload"),
        "```",
        "",
    ]


def markdown(res: Results) -> str:
    out = [START, "", f"## Web worker boot and memory ({res.started:%Y-%m-%d %H:%M} UTC)", ""]
    out += ["Written by `python -m tests.bench.worker_bench`. " + " ".join(__doc__.split("\n\n")[1].split())]
    out += ["", "### Goals", "", "| goal | measured (median of the rounds) | result |", "|---|---|---|"]
    out += [f"| {name} | {measured} | {'**PASS**' if ok else '**FAIL**'} |" for name, measured, ok in res.goals()]
    out += ["", f"### Every round ({res.runs} rounds, {res.elapsed:.0f} s in all)", "", *_runs_table(res), ""]
    out += [_load_note(res), *_steps_table(res), *_commands()]
    out += ["Machine: " + "; ".join(f"{k} {v}" for k, v in res.facts.items()) + ".", "", END, ""]
    return "\n".join(out)


def write_doc(path: Path, section: str) -> None:
    write_section(path, section, start=START, end=END)


def print_summary(res: Results) -> None:
    print("\nResults (medians):")
    for name in APPS:
        print(f"  {name:15} boot {res.median(name, 'boot_s'):.3f} s   worker RSS {mb(res.median(name, 'rss_kb'))}   "
              f"Pss {mb(res.median(name, 'pss_kb'))}   respawn {res.median(name, 'respawn_s'):.3f} s")  # fmt: skip
    for name, measured, ok in res.goals():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {measured}")
    print(f"  load average before {res.load_before[0]:.2f}, after {res.load_after[0]:.2f}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.worker_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="rounds, each booting both apps once (default 7)")
    parser.add_argument("--doc", type=Path, default=DOC, help="markdown file to update (default docs/benchmarks.md)")
    parser.add_argument("--no-doc", action="store_true", help="print the figures only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (databases, logs)")
    parser.add_argument("--strict", action="store_true", default=os.environ.get("BENCH_STRICT") == "1",
                        help="exit 1 when a goal is missed (also BENCH_STRICT=1)")  # fmt: skip
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 25:
        parser.error("keep --runs in 1..25")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    res = run_measured(args, prefix="skm-worker-bench-", measure=measure, summary=print_summary, markdown=markdown,
                       write_doc=write_doc, needs_wrk=False)  # fmt: skip
    if res is None:
        return 2
    missed = [name for name, _, ok in res.goals() if not ok]
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
