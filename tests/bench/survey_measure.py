"""One survey benchmark run: prepare and start both servers, check them, weigh the page, run the wrk rounds."""

import argparse
import math
import os
import shlex
import sqlite3
import subprocess
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from tests.bench import facts, survey_instructions
from tests.bench.survey_config import (
    BASELINE_BODY,
    BASELINE_PATH,
    BENCH_POST_LIMIT,
    DEVICE_COOKIE,
    PACKAGES,
    REAL_ANSWERS,
    SURVEY_PATH,
    WARMUP,
    BenchError,
)
from tests.bench.survey_instructions import Instructions, measure_instructions
from tests.bench.survey_page import PageWeight, page_weight
from tests.bench.survey_report import Results, fmt_ms
from tests.bench.survey_servers import Gunicorn, group_cpu_seconds, http_request, shm_dir
from tests.bench.survey_setup import (
    Session,
    check_baseline,
    check_real_post,
    count_rows,
    flag_counts,
    max_response_id,
    open_survey,
    prepare_baseline,
    prepare_real,
)
from tests.bench.survey_wrk import Series, WrkRun, parse_wrk, run_wrk, wrk_argv

ORDER = [("baseline", "GET"), ("real", "GET"), ("baseline", "POST"), ("real", "POST")]  # every round, in turn


def machine_facts() -> dict[str, str]:
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=5)
    wrk_line = (wrk_version.stdout or wrk_version.stderr).splitlines()[0].split(" Copyright")[0]
    load = os.getloadavg()
    return {
        **facts.machine_facts(PACKAGES),
        "SQLite": sqlite3.sqlite_version,
        "wrk": wrk_line,
        "Load average (1/5/15 min) before the run": " / ".join(f"{x:.2f}" for x in load),
    }


def measured_args(args: argparse.Namespace) -> tuple[str, ...]:
    """wrk's options for a measured run (the warm-up uses WARMUP)."""
    return ("-t1", f"-c{args.connections}", f"-d{args.duration}s", "--latency")


# --------------------------------------------------------------------------- servers and checks


def start_servers(workdir: Path, servers: list[Gunicorn], limiter: bool) -> tuple[Gunicorn, Gunicorn, Path]:
    """Prepare both databases and start both servers (added to `servers` first, so the caller stops them)."""
    print("Preparing the baseline and the real app (flask db upgrade, flask seed-demo) ...", flush=True)
    baseline_env = prepare_baseline(workdir)
    real_env, db_path = prepare_real(workdir, limiter=limiter)
    baseline = Gunicorn("baseline", "tests.bench.baseline_app:app", baseline_env, workdir)
    real = Gunicorn("real", "app:create_app()", real_env, workdir)
    servers += [baseline, real]
    baseline.start(BASELINE_PATH)
    real.start(SURVEY_PATH)
    print(f"  baseline on {baseline.url(BASELINE_PATH)}, real app on {real.url(SURVEY_PATH)}", flush=True)
    return baseline, real, db_path


def check_servers(baseline: Gunicorn, real: Gunicorn, db_path: Path) -> Session:
    check_baseline(baseline)
    session = open_survey(real)
    check_real_post(real, session, db_path)
    print("  checks: baseline POST 303; real POST 303, the same marked cross-site 400", flush=True)
    return session


def weigh_pages(baseline: Gunicorn, real: Gunicorn, session: Session) -> tuple[PageWeight, PageWeight]:
    """The real survey page (as opened by `session`) and the baseline page."""
    favicon_status, _, _ = http_request(real.port, "GET", "/favicon.ico")
    page = page_weight(session.page, session.headers, favicon_status)
    _, b_headers, b_page = http_request(baseline.port, "GET", BASELINE_PATH)
    return page, page_weight(b_page, b_headers, None)


# --------------------------------------------------------------------------- wrk rounds


def timed_wrk(server: Gunicorn, url: str, post: bool, env: dict[str, str], args) -> tuple[WrkRun, WrkRun]:
    """A warm-up run, then a measured run with the server's CPU time per request: (warm-up, measured)."""
    warm = parse_wrk(run_wrk(wrk_argv(WARMUP, url, post), env, 2))
    cpu_before = group_cpu_seconds(server.pgid)
    out = run_wrk(wrk_argv(measured_args(args), url, post), env, args.duration)
    cpu_after = group_cpu_seconds(server.pgid)
    run = parse_wrk(out)
    if run.requests:
        run.cpu_ms_per_request = (cpu_after - cpu_before) * 1000 / run.requests
    if math.isnan(run.p50_ms) or math.isnan(run.p99_ms):
        raise BenchError(f"no latency distribution in wrk output:\n{out}")
    return warm, run


def print_run(round_no: int, runs: int, server_name: str, method: str, run: WrkRun) -> None:
    note = f", {run.non_2xx_3xx} non-2xx/3xx" if run.non_2xx_3xx else ""
    print(
        f"  round {round_no}/{runs} {server_name:8} {method:4} {run.rps:8,.0f} req/s  "
        f"p50 {fmt_ms(run.p50_ms):>9}  p99 {fmt_ms(run.p99_ms):>9}  "
        f"server CPU {run.cpu_ms_per_request:.2f} ms/request{note}",
        flush=True,
    )


def run_rounds(
    args: argparse.Namespace, baseline: Gunicorn, real: Gunicorn, session: Session
) -> tuple[dict[tuple[str, str], Series], int]:
    """args.runs rounds over ORDER; the series per (server, method) and the real POSTs wrk counted."""
    wrk_env = dict(os.environ)
    post_env = {
        "baseline": {**wrk_env, "BENCH_POST_BODY": BASELINE_BODY, "BENCH_COOKIE": ""},
        "real": {**wrk_env, "BENCH_POST_BODY": session.body, "BENCH_COOKIE": session.cookie_header},
    }
    targets = {"baseline": (baseline, BASELINE_PATH), "real": (real, SURVEY_PATH)}
    series = {key: Series(*key) for key in ORDER}
    posts_answered = 0
    for round_no in range(1, args.runs + 1):
        for server_name, method in ORDER:
            server, path = targets[server_name]
            post = method == "POST"
            env = post_env[server_name] if post else wrk_env
            warm, run = timed_wrk(server, server.url(path), post, env, args)
            series[(server_name, method)].runs.append(run)
            if server_name == "real" and post:
                posts_answered += warm.requests + run.requests
            print_run(round_no, args.runs, server_name, method, run)
    return series, posts_answered


# --------------------------------------------------------------------------- commands and results


def command_lines(args: argparse.Namespace, workdir: Path, baseline: Gunicorn, real: Gunicorn) -> list[str]:
    """The commands of this run for the doc, with $TMP / $SHM / $PORT_x in place of this run's values."""
    shm = shm_dir(workdir)

    def placeholders(argv: list[str]) -> str:
        return shlex.join(argv).replace(str(workdir), "$TMP").replace(shm, "$SHM")

    return [
        "# $TMP: a fresh temporary directory; $TMP/gunicorn.conf.py is empty, so that a gunicorn.conf.py in the",
        "# repository cannot change either server. $SHM: the RAM-backed shared-memory mount (/dev/shm).",
        "# baseline (schema created once before the workers start)",
        "BENCH_BASELINE_DB_URL=sqlite:///$TMP/baseline.sqlite python -m tests.bench.baseline_app init",
        "BENCH_BASELINE_DB_URL=sqlite:///$TMP/baseline.sqlite \\",
        "  gunicorn -b 127.0.0.1:$PORT_B " + placeholders(baseline.gunicorn_args(0)[2:]),
        "# real app",
        "export FLASK_APP=app SKM_ENV=development DATABASE_URL=sqlite:///$TMP/bench.sqlite \\",
        f"  RATELIMIT_ENABLED={'true' if args.limiter else 'false'} RATELIMIT_STORAGE_URI=memory:// "
        f"SURVEY_POST_LIMIT='{BENCH_POST_LIMIT}'",
        "flask db upgrade && flask seed-demo",
        "gunicorn -b 127.0.0.1:$PORT_R " + placeholders(real.gunicorn_args(0)[2:]),
        "# every run, for each of the 4 targets, in turn",
        f"wrk {' '.join(WARMUP)} [-s tests/bench/post.lua] URL",
        f"wrk {' '.join(measured_args(args))} [-s tests/bench/post.lua] URL",
        f"#   GET  URL = http://127.0.0.1:$PORT_B{BASELINE_PATH}  |  http://127.0.0.1:$PORT_R{SURVEY_PATH}",
        "#   POST body and cookies go to post.lua in BENCH_POST_BODY / BENCH_COOKIE:",
        f"#   baseline {BASELINE_BODY}",
        "#   real     layanan=<id>&" + urlencode(REAL_ANSWERS) + f" with Cookie: {DEVICE_COOKIE}=...",
        "# instructions per POST (tests/bench/survey_instructions.py), each app on a fresh database (the real app's "
        "prepared as above,",
        f"# with RATELIMIT_ENABLED=false), N = {survey_instructions.FEW} and {survey_instructions.MANY}:",
        "valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\",
        "  python -m tests.bench.survey_instructions child baseline|real N",
    ]


def count_instructions(args: argparse.Namespace, workdir: Path, session: Session) -> Instructions:
    """Instructions per POST of both apps (survey_instructions), each on a fresh database of its own."""
    if not args.instructions:
        return Instructions(note="not measured (--no-instructions).")
    baseline_env = prepare_baseline(workdir, name="instructions-baseline.sqlite")
    # The limiter off: its in-memory storage starts a 10 ms expiry timer thread whenever the last one has ended,
    # which under valgrind's ~50x slowdown is every request (a few per hundred at full speed): it would be overcounted.
    real_env, _ = prepare_real(workdir, limiter=False, name="instructions.sqlite")
    real_env.update(BENCH_POST_BODY=session.body, BENCH_COOKIE=session.cookie_header)
    return measure_instructions(baseline_env, real_env)


def measure(args: argparse.Namespace, workdir: Path, servers: list[Gunicorn]) -> Results:
    """The whole measurement; the servers it starts are appended to `servers` (the caller stops them)."""
    started = datetime.now().astimezone()
    t0 = time.monotonic()
    machine = machine_facts()
    load_before = os.getloadavg()[0]

    baseline, real, db_path = start_servers(workdir, servers, args.limiter)
    session = check_servers(baseline, real, db_path)
    page, baseline_page = weigh_pages(baseline, real, session)

    rows_before = count_rows(db_path, "responses")
    first_new_id = max_response_id(db_path)
    series, posts_answered = run_rounds(args, baseline, real, session)
    rows_stored = count_rows(db_path, "responses") - rows_before
    machine["Load average (1/5/15 min) after the run"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    flags = flag_counts(db_path, first_new_id)
    for server in servers:
        server.stop()  # cachegrind next: nothing else of ours running
    instructions = count_instructions(args, workdir, session)

    return Results(
        started=started,
        elapsed=time.monotonic() - t0,
        facts=machine,
        args=args,
        series=series,
        page=page,
        baseline_page=baseline_page,
        commands=command_lines(args, workdir, baseline, real),
        rows_stored=rows_stored,
        log_rows=count_rows(db_path, "survey_stuffing_counts"),
        load_before=load_before,
        posts_answered=posts_answered,
        flags=flags,
        instructions=instructions,
    )
