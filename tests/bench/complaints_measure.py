"""One complaint benchmark run: the databases, three servers, the checks, the inbox timings and the wrk rounds."""

import argparse
import json
import math
import os
import re
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from tests.bench import facts as bench_facts
from tests.bench.complaints_client import (
    CONTENT_TYPE,
    baseline_body,
    check_baseline_file,
    check_pages,
    check_post,
    complaint_body,
    log_in,
    open_form,
    photo,
    send,
)
from tests.bench.complaints_config import (
    COMPLAINTS,
    FORM_PATH,
    INBOX_PATH,
    INBOX_SAMPLES,
    INBOX_VARIANTS,
    LUA,
    PACKAGES,
    PHOTO_BYTES,
    TARGETS,
    TIMEOUT,
    WARMUP,
    Target,
)
from tests.bench.complaints_report import Results, fmt_ms
from tests.bench.survey_config import BASELINE_BODY, BASELINE_PATH, BenchError
from tests.bench.survey_measure import machine_facts
from tests.bench.survey_servers import Gunicorn, group_cpu_seconds
from tests.bench.survey_setup import base_env, check_baseline, count_rows, prepare_baseline, run_checked
from tests.bench.survey_wrk import Series, WrkRun, parse_wrk, run_wrk


def prepare_app_db(workdir: Path, name: str, complaints: int) -> tuple[dict[str, str], Path, dict]:
    """A fresh SQLite file: `flask db upgrade`, then complaints_seed; (server environment, path, what was made)."""
    db_path = workdir / f"{name}.sqlite"
    env = base_env() | {
        "FLASK_APP": "app",
        "SKM_ENV": "development",
        "DATABASE_URL": f"sqlite:///{db_path}",
        "RATELIMIT_ENABLED": "false",  # COMPLAINT_POST_LIMIT and TRACKING_LIMIT would answer the load with 429
    }
    run_checked([sys.executable, "-m", "flask", "db", "upgrade"], env, "flask db upgrade")
    seed = [sys.executable, "-m", "tests.bench.complaints_seed", "--complaints", str(complaints)]
    info = json.loads(run_checked(seed, env, "complaints_seed").strip().splitlines()[-1])
    return env, db_path, info


def start_servers(workdir: Path, servers: list[Gunicorn]) -> dict:
    """Prepare the three databases and start the three servers (appended to `servers`, which the caller stops)."""
    print(f"Preparing the baseline, the office ({COMPLAINTS:,} complaints) and the intake databases ...", flush=True)
    with ThreadPoolExecutor(2) as pool:
        office_job = pool.submit(prepare_app_db, workdir, "office", COMPLAINTS)
        intake_job = pool.submit(prepare_app_db, workdir, "intake", 0)
        baseline_env = prepare_baseline(workdir)
        (office_env, office_db, office), (intake_env, intake_db, intake) = office_job.result(), intake_job.result()
    made = {
        "baseline": Gunicorn("baseline", "tests.bench.baseline_app:app", baseline_env, workdir),
        "office": Gunicorn("office", "app:create_app()", office_env, workdir),
        "intake": Gunicorn("intake", "app:create_app()", intake_env, workdir),
    }
    servers += made.values()
    made["baseline"].start(BASELINE_PATH)
    made["office"].start(FORM_PATH)
    made["intake"].start(FORM_PATH)
    return {"servers": made, "office": office, "intake": intake, "office_db": office_db, "intake_db": intake_db}


def prepare_requests(setup: dict, workdir: Path) -> tuple[dict[str, dict[str, str]], dict]:
    """Check every target once and write its request; the wrk environment per target, and what the checks saw."""
    s, office, intake = setup["servers"], setup["office"], setup["intake"]
    jpeg = photo(PHOTO_BYTES)
    check_baseline(s["baseline"])
    check_baseline_file(s["baseline"], baseline_body(jpeg))
    form_cookie, token = open_form(s["intake"])
    bodies = {
        "base_post": (BASELINE_BODY.encode(), "application/x-www-form-urlencoded", ""),
        "post": (complaint_body(token, intake["unit_id"], None), CONTENT_TYPE, form_cookie),
        "base_post_file": (baseline_body(jpeg), CONTENT_TYPE, ""),
        "post_photo": (complaint_body(token, intake["unit_id"], jpeg), CONTENT_TYPE, form_cookie),
    }
    check_post(s["intake"], setup["intake_db"], bodies["post"][0], form_cookie, files=0)
    check_post(s["intake"], setup["intake_db"], bodies["post_photo"][0], form_cookie, files=1)
    officer_cookie = log_in(s["office"], office["username"], office["password"])
    track_path = f"/pengaduan/lacak/{office['code']}"
    sizes = check_pages(s["office"], officer_cookie, track_path)
    print("  checks: complaint POST 303 (+1 complaint, +1 file with the photo), without the CSRF token 400; "
          "tracking page shows the answer; inbox lists 50 reports; baseline POSTs 303", flush=True)  # fmt: skip
    envs = {}
    for target in TARGETS:
        env = dict(os.environ, BENCH_METHOD=target.method, BENCH_BODY_FILE="", BENCH_COOKIE="")
        if target.key in bodies:
            data, ctype, cookie = bodies[target.key]
            path = workdir / f"body-{target.key}.bin"
            path.write_bytes(data)
            env.update(BENCH_BODY_FILE=str(path), BENCH_CONTENT_TYPE=ctype, BENCH_COOKIE=cookie)
        elif target.key == "inbox":
            env["BENCH_COOKIE"] = officer_cookie
        envs[target.key] = env
    seen = {"photo": len(jpeg), "sizes": sizes, "track_path": track_path, "officer_cookie": officer_cookie}
    return envs, seen


def inbox_latency(office: Gunicorn, cookie: str, unit_id: int) -> list[tuple[str, float, float, float]]:
    """Single inbox requests without load: (view, median ms, min, max) per variant of INBOX_VARIANTS."""
    out = []
    for label, query in INBOX_VARIANTS:
        path = INBOX_PATH + query.format(unit_id=unit_id)
        times = []
        for _ in range(INBOX_SAMPLES + 1):  # the first one warms the worker and is left out
            reply = send(office, "GET", path, headers={"Cookie": cookie})
            if reply.status != 200:
                raise BenchError(f"GET {path} answered {reply.status}")
            times.append(reply.ms)
        out.append((label, statistics.median(times[1:]), min(times[1:]), max(times[1:])))
    return out


def _statuses(output: str) -> Counter:
    return Counter({int(code): int(n) for code, n in re.findall(r"^status (\d+) (\d+)$", output, re.M)})


def timed(server: Gunicorn, target: Target, path: str, env: dict, args) -> tuple[WrkRun, Counter]:
    """A warm-up run, then a measured run with the server's CPU per request; the statuses of both."""

    def argv(options: tuple[str, ...]) -> list[str]:
        return ["wrk", *options, "--timeout", TIMEOUT, "-s", str(LUA), server.url(path)]

    warm = run_wrk(argv(WARMUP), env, 1)
    cpu_before = group_cpu_seconds(server.pgid)
    out = run_wrk(argv(("-t1", f"-c{args.connections}", f"-d{args.duration}s", "--latency")), env, args.duration)
    cpu_after = group_cpu_seconds(server.pgid)
    run = parse_wrk(out)
    if run.requests:
        run.cpu_ms_per_request = (cpu_after - cpu_before) * 1000 / run.requests
    if math.isnan(run.p50_ms):
        raise BenchError(f"no latency distribution in wrk output:\n{out}")
    return run, _statuses(warm) + _statuses(out)


def run_rounds(args, servers: dict[str, Gunicorn], envs: dict, track_path: str) -> tuple[dict, dict]:
    """args.runs rounds over TARGETS in order: the series and the answers' statuses per target."""
    series = {t.key: Series(t.key, t.method) for t in TARGETS}
    statuses = {t.key: Counter() for t in TARGETS}
    for round_no in range(1, args.runs + 1):
        for target in TARGETS:
            run, seen = timed(servers[target.server], target, target.path or track_path, envs[target.key], args)
            series[target.key].runs.append(run)
            statuses[target.key] += seen
            odd = {code: n for code, n in seen.items() if code != target.expect}
            print(f"  round {round_no}/{args.runs} {target.key:14} {run.rps:8,.0f} req/s  p50 {fmt_ms(run.p50_ms):>9}"
                  f"  p99 {fmt_ms(run.p99_ms):>9}  server CPU {run.cpu_ms_per_request:.2f} ms/request"
                  + (f"  UNEXPECTED {odd}" if odd else ""), flush=True)  # fmt: skip
    return series, statuses


def _stored(db_path: Path) -> tuple[int, int]:
    return count_rows(db_path, "complaints"), count_rows(db_path, "complaint_attachments")


def measure(args: argparse.Namespace, workdir: Path, servers: list[Gunicorn]) -> Results:
    """The whole measurement; the servers it starts are appended to `servers` (the caller stops them)."""
    started, t0 = datetime.now().astimezone(), time.monotonic()
    facts = machine_facts() | {"Packages": bench_facts.machine_facts(PACKAGES)["Packages"]}
    load_before = os.getloadavg()[0]
    setup = start_servers(workdir, servers)
    envs, seen = prepare_requests(setup, workdir)
    latency = inbox_latency(setup["servers"]["office"], seen["officer_cookie"], setup["office"]["unit_id"])
    before = _stored(setup["intake_db"])
    series, statuses = run_rounds(args, setup["servers"], envs, seen["track_path"])
    stored = tuple(after - first for after, first in zip(_stored(setup["intake_db"]), before, strict=True))
    if count_rows(setup["office_db"], "complaints") != COMPLAINTS:
        raise BenchError("the office database no longer holds exactly the seeded complaints")
    facts["Load average (1/5/15 min) after the run"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return Results(
        started=started, elapsed=time.monotonic() - t0, facts=facts, args=args, series=series, statuses=statuses,
        seeded=setup["office"], photo_bytes=seen["photo"], page_bytes=seen["sizes"], inbox_latency=latency,
        stored=stored, load_before=load_before,
    )  # fmt: skip
