"""`make bench`: survey answers from many clients while a gunicorn worker is SIGKILLed; none acknowledged is lost.

One run: a fresh database (SQLite file, or a scratch database on a PostgreSQL server) set up as the IKM benchmark does;
gunicorn serving `app:create_app()` with production settings and the rate limits of a city deployment; client threads,
each one address behind the office's proxy, where every answer is a new citizen (GET the form, POST it once, never
retried). At half the acknowledgements one worker (never the master) gets SIGKILL. Each submission ends acknowledged
(303), ambiguous (the connection broke) or refused; the stored ids are read back and compared. docs/benchmarks.md
("No-loss run") gives the method. Exit status: 0 passed, 1 a check failed, 2 the run could not be made.
"""

import argparse
import http.client
import os
import random
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from tests.bench.doc import write_section
from tests.bench.facts import machine_facts
from tests.bench.ikm_data import db_upgrade, seed_directory
from tests.bench.ikm_postgres import pg_reachable
from tests.bench.survey_config import DEVICE_COOKIE, DOC, REPO, BenchError
from tests.bench.survey_config import SURVEY_PATH as SURVEY  # the demo unit's static counter (one service)
from tests.bench.survey_servers import Gunicorn, child_pids, http_request
from tests.bench.survey_setup import base_env, cookies_from, hidden_inputs

WRONG_CODE = "/s/dpmptsp-bontang/loket-2?t=SALAH"  # its token counter: a wrong code counts towards SURVEY_CODE_LIMIT
PUBLIC_HOST = "skm.example.go.id"
MARK = "uji no-loss"  # the suggestion of every answer sent: MARK and the submission id
CODE_LIMIT = 20
# The README's city deployment (PostgreSQL, Redis, PROXY_FIX_X_FOR=1); the limits are the app's defaults, set so that an
# exported variable cannot change them. RATELIMIT_STORAGE_URI is set per run (Redis, or memory:// without it).
CITY_LIMITS = {"RATELIMIT_ENABLED": "true", "PROXY_FIX_X_FOR": "1", "SURVEY_POST_LIMIT": "600 per hour",
               "SURVEY_CODE_LIMIT": f"{CODE_LIMIT} per 10 minutes"}  # fmt: skip
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PG_URL = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TIMEOUT = 30  # seconds per request, gunicorn's own worker timeout
START, END = "<!-- no-loss-bench:start -->", "<!-- no-loss-bench:end -->"


@dataclass(frozen=True)
class Plan:
    submissions: int
    clients: int
    database: str | None = None  # None: an SQLite file; else a PostgreSQL server URL (a scratch database on it)
    redis_url: str | None = None  # the rate-limit storage; None: memory:// (each worker counts alone)
    workers: int = 3

    @property
    def backend(self) -> str:
        return "PostgreSQL" if self.database else "SQLite"

    def worker_args(self) -> tuple[str, ...]:
        """The README's servers: sync workers on SQLite (one office), gthread on PostgreSQL (a city)."""
        kind = ("-k", "gthread", "--threads", "2") if self.database else ("-k", "sync")
        return (*kind, "-w", str(self.workers))


@dataclass
class Tally:
    """What the clients saw, per submission id; shared by the client threads."""

    acknowledged: set[str] = field(default_factory=set)
    ambiguous: set[str] = field(default_factory=set)
    refused: Counter = field(default_factory=Counter)
    form_retries: int = 0
    errors: list[str] = field(default_factory=list)
    killed: int = 0  # the worker's pid
    killed_after: int = 0  # acknowledgements before the kill
    replaced_in: float | None = None  # seconds until the master had as many live workers again
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, sid: str, outcome: str) -> None:
        with self.lock:
            if outcome == "ack":
                self.acknowledged.add(sid)
            elif outcome == "ambiguous":
                self.ambiguous.add(sid)
            else:
                self.refused[outcome] += 1


@dataclass
class Outcome:
    plan: Plan
    tally: Tally
    stored: list[str]  # submission ids read back from responses.suggestion
    rows: int  # every row of `responses`
    flags: Counter
    probe: int | None  # the request of the wrong-code probe that met 429 (None: never)
    probe_other: int  # the status a fresh address got right after the probe
    seconds: float

    @property
    def lost(self) -> set[str]:
        return self.tally.acknowledged - set(self.stored)

    @property
    def unexplained(self) -> set[str]:
        return set(self.stored) - self.tally.acknowledged - self.tally.ambiguous

    def problems(self) -> list[str]:
        """Every way the run failed its promise; empty when it kept it."""
        t = self.tally
        unsent = self.plan.submissions - len(t.acknowledged) - len(t.ambiguous) - sum(t.refused.values())
        checks = (
            (self.lost, f"{len(self.lost)} acknowledged answers are not stored"),
            (self.unexplained, f"{len(self.unexplained)} stored answers were neither acknowledged nor ambiguous"),
            (len(self.stored) != len(set(self.stored)), "an answer is stored twice"),
            (self.rows != len(self.stored), f"{self.rows - len(self.stored)} rows in responses no client sent"),
            (t.refused, f"refused answers: {dict(t.refused)}"),
            (unsent or t.errors, f"{unsent} submissions never sent: {t.errors[:3]}"),
            (not t.killed, "no worker was killed"),
            (t.killed and t.replaced_in is None, "the master did not replace the killed worker"),
            (len(t.acknowledged) <= t.killed_after, "nothing was acknowledged after the kill"),
            (self.probe is None, "the wrong-code probe never met 429: are the rate limits on?"),
            (self.probe_other == 429, "a fresh address met the probe's limit: limits are not per forwarded address"),
        )
        return [message for failed, message in checks if failed]


def redis_or_none(url: str = REDIS_URL) -> str | None:
    """The Redis URL when a server answers there, else None."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2).ping()
        return url
    except redis.RedisError:
        return None


@contextmanager
def database(plan: Plan, workdir: Path):
    """Yield the URL of a new, empty database for the run (a scratch PostgreSQL database is dropped afterwards)."""
    if plan.database is None:
        yield f"sqlite:///{workdir / f'no-loss-{secrets.token_hex(3)}.sqlite'}"
        return
    from tests.factories import scratch_postgres

    with scratch_postgres(plan.database) as url:
        yield url


def server_env(database_url: str, redis_url: str | None) -> dict[str, str]:
    env = base_env()
    for name in [name for name in env if name.startswith(("STUFFING_", "SESSION_COOKIE_"))]:
        del env[name]  # the app's defaults
    env.update(FLASK_APP="app", SKM_ENV="production", SECRET_KEY=secrets.token_urlsafe(48), DATABASE_URL=database_url)
    env.update(PUBLIC_BASE_URL=f"https://{PUBLIC_HOST}", RATELIMIT_STORAGE_URI=redis_url or "memory://", **CITY_LIMITS)
    return env


def proxied(address: str) -> dict[str, str]:
    """The headers the office's reverse proxy adds (PROXY_FIX_X_FOR=1 trusts one proxy)."""
    return {"X-Forwarded-For": address, "X-Forwarded-Proto": "https", "X-Forwarded-Host": PUBLIC_HOST}


def open_form(port: int, address: str, tally: Tally) -> str:
    """GET the form as a new browser; return its device cookie. A page that failed to load is loaded again."""
    for attempt in range(1, 6):
        try:
            status, headers, _ = http_request(port, "GET", SURVEY, headers=proxied(address), timeout=TIMEOUT)
            cookie = cookies_from(headers).get(DEVICE_COOKIE)
            if status == 200 and cookie:
                return cookie
        except (OSError, http.client.HTTPException):
            pass
        with tally.lock:
            tally.form_retries += 1
        time.sleep(0.1 * attempt)
    raise BenchError(f"GET {SURVEY} failed 5 times in a row")


def answers(rng: random.Random, layanan: str, sid: str) -> dict[str, object]:
    scores = {f"u{i}": score for i, score in enumerate(rng.choices((1, 2, 3, 4), weights=(1, 2, 5, 4), k=9), 1)}
    return {"layanan": layanan, **scores, "usia": rng.randint(17, 75), "jenis_kelamin": rng.choice("LP"),
            "saran": f"{MARK} {sid}"}  # fmt: skip


def client(port: int, sids: list[str], address: str, layanan: str, tally: Tally) -> None:
    """One client: every submission a new citizen behind `address`; any error ends the client, recorded."""
    rng = random.Random(address)
    try:
        for sid in sids:
            headers = {**proxied(address), "Sec-Fetch-Site": "same-origin"}
            headers["Cookie"] = f"{DEVICE_COOKIE}={open_form(port, address, tally)}"
            body = urlencode(answers(rng, layanan, sid))
            try:
                status, got, _ = http_request(port, "POST", SURVEY, body=body, headers=headers, timeout=TIMEOUT)
            except (OSError, http.client.HTTPException):
                tally.record(sid, "ambiguous")
                continue
            thanks = status == 303 and "terima-kasih" in (got.get("Location") or "")
            tally.record(sid, "ack" if thanks else str(status))
    except Exception as exc:  # noqa: BLE001 - reported as a problem of the run, never lost in a thread
        with tally.lock:
            tally.errors.append(f"{address}: {exc}")


def kill_one_worker(server: Gunicorn, tally: Tally, halfway: int, done: threading.Event) -> None:
    """At `halfway` acknowledgements, SIGKILL one worker of the master; time until the master replaced it."""
    while len(tally.acknowledged) < halfway:
        if done.wait(0.01):
            return
    master = server.pgid
    workers = child_pids(master)  # the master's children: never the master itself
    if not workers:
        return
    with tally.lock:
        tally.killed, tally.killed_after = random.choice(sorted(workers)), len(tally.acknowledged)
        os.kill(tally.killed, signal.SIGKILL)
    started = time.monotonic()
    while time.monotonic() - started < 60:
        now = child_pids(master)
        if tally.killed not in now and len(now) >= len(workers):
            tally.replaced_in = time.monotonic() - started
            return
        time.sleep(0.02)


def load(server: Gunicorn, plan: Plan, layanan: str, block: str) -> tuple[Tally, float]:
    run = secrets.token_hex(3)
    shares = [[f"{run}-{c:02d}-{n:05d}" for n in range(c, plan.submissions, plan.clients)] for c in range(plan.clients)]
    tally, done = Tally(), threading.Event()
    killer = threading.Thread(target=kill_one_worker, args=(server, tally, plan.submissions // 2, done))
    threads = [
        threading.Thread(target=client, args=(server.port, share, f"{block}.{c + 1}", layanan, tally))
        for c, share in enumerate(shares)
    ]
    started = time.monotonic()
    for thread in (killer, *threads):
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    killer.join()
    return tally, time.monotonic() - started


def probe_limit(port: int, block: str, tries: int) -> tuple[int | None, int]:
    """Wrong codes from one address until 429 (its number, or None); then the status of one from another address."""
    met = None
    for n in range(1, tries + 1):
        status, _, _ = http_request(port, "GET", WRONG_CODE, headers=proxied(f"{block}.250"), timeout=TIMEOUT)
        if status == 429:
            met = n
            break
    status, _, _ = http_request(port, "GET", WRONG_CODE, headers=proxied(f"{block}.251"), timeout=TIMEOUT)
    return met, status


def read_back(url: str) -> tuple[int, list[str], Counter]:
    """Rows in `responses`, the submission ids among them, and the anti-stuffing flags they carry."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT suggestion, flags FROM responses")).all()
    finally:
        engine.dispose()
    stored = [text.rsplit(" ", 1)[-1] for text, _ in rows if text and text.startswith(MARK)]
    return len(rows), stored, Counter(flag for _, flags in rows for flag in (flags.split() or ["(none)"]))


def forget_limits(redis_url: str | None, block: str) -> None:
    """Delete this run's rate-limit counters from Redis (only keys naming the run's own random address block)."""
    if redis_url:
        import redis

        client = redis.Redis.from_url(redis_url, socket_timeout=5)
        for key in client.scan_iter(match=f"*/{block}.*"):
            client.delete(key)


def run(plan: Plan, workdir: Path) -> Outcome:
    """One no-loss run; raises BenchError (with the server's log) when it cannot be made."""
    block = f"10.{random.randrange(256)}.{random.randrange(256)}"  # new addresses: no limit counted by another run
    with database(plan, workdir) as url:
        env = server_env(url, plan.redis_url)
        db_upgrade(url)  # the IKM benchmark's set-up: `flask db upgrade`, then the demo directory without answers
        seed_directory(url)
        server = Gunicorn(f"no-loss-{plan.backend}", "app:create_app()", env, workdir, worker_args=plan.worker_args())
        try:
            server.start(SURVEY)
            _, _, page = http_request(server.port, "GET", SURVEY, headers=proxied(f"{block}.249"))
            layanan = hidden_inputs(page.decode())["layanan"]
            tally, seconds = load(server, plan, layanan, block)
            probe, probe_other = probe_limit(server.port, block, CODE_LIMIT * plan.workers + 5)
        except (BenchError, OSError, http.client.HTTPException, KeyError) as exc:
            raise BenchError(f"{plan.backend}: {exc!r}\n--- gunicorn log ---\n{server.log_tail()}") from exc
        finally:
            server.stop()
        rows, stored, flags = read_back(url)
    forget_limits(plan.redis_url, block)
    return Outcome(plan, tally, stored, rows, flags, probe, probe_other, seconds)


ROWS = (
    ("submissions sent (clients)", lambda o: f"{o.plan.submissions:,} ({o.plan.clients})"),
    ("**acknowledged** (303 to the thank-you page)", lambda o: f"**{len(o.tally.acknowledged):,}**"),
    ("**ambiguous** (connection dropped, no status)", lambda o: f"**{len(o.tally.ambiguous):,}**"),
    ("refused (any other status)", lambda o: f"{sum(o.tally.refused.values())}"),
    ("**stored** (rows in `responses`)", lambda o: f"**{o.rows:,}**"),
    ("stored of the ambiguous", lambda o: f"{len(set(o.stored) & o.tally.ambiguous)}"),
    ("lost (acknowledged, not stored)", lambda o: f"{len(o.lost)}"),
    ("stored unacknowledged and not ambiguous", lambda o: f"{len(o.unexplained)}"),
    ("stored twice", lambda o: f"{len(o.stored) - len(set(o.stored))}"),
    ("SIGKILL after (acknowledged)", lambda o: f"{o.tally.killed_after:,}"),
    ("worker replaced by the master in", lambda o: f"{o.tally.replaced_in or float('nan'):.2f} s"),
    ("acknowledged after the kill", lambda o: f"{len(o.tally.acknowledged) - o.tally.killed_after:,}"),
    ("form reloads (a GET that failed)", lambda o: f"{o.tally.form_retries}"),
    ("wrong-code probe: 429 at request (then a fresh address got)", lambda o: f"{o.probe} ({o.probe_other})"),
    ("load time (acknowledged/s)", lambda o: f"{o.seconds:.1f} s ({len(o.tally.acknowledged) / o.seconds:.0f})"),
    ("acknowledged <= stored <= acknowledged + ambiguous, by id", lambda o: "**FAIL**" if o.problems() else "PASS"),
)


def summary(o: Outcome) -> str:
    verdict = "; ".join(o.problems()) or "PASS"
    return f"{o.plan.backend}: " + ", ".join(f"{label.replace('*', '')} {cell(o)}" for label, cell in ROWS[:-1]) + \
        f"; {verdict}"  # fmt: skip


def markdown(outcomes: list[Outcome], skipped: str | None, facts: dict[str, str]) -> str:
    """The generated part of the section (the method above it in docs/benchmarks.md is written by hand)."""
    lines = [START, "", f"### Latest run ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", ""]
    lines += ["| | " + " | ".join(o.plan.backend for o in outcomes) + " |", "|---|" + "---:|" * len(outcomes)]
    lines += [f"| {label} | " + " | ".join(cell(o) for o in outcomes) + " |" for label, cell in ROWS] + [""]
    for o in outcomes:
        storage = f"Redis ({o.plan.redis_url})" if o.plan.redis_url else "memory:// (per worker: no Redis answered)"
        lines.append(f"- {o.plan.backend}: `gunicorn {' '.join(o.plan.worker_args())} 'app:create_app()'`, rate-limit "
                     f"storage {storage}; flags on the stored rows: "
                     + ", ".join(f"{flag} {n:,}" for flag, n in o.flags.most_common()) + ".")  # fmt: skip
        lines += [f"  - {problem}" for problem in o.problems()]
    if skipped:
        lines.append(f"- PostgreSQL not run: {skipped}")
    lines += ["", "Machine: " + "; ".join(f"{k} {v}" for k, v in facts.items()) + ".", "", END, ""]
    return "\n".join(lines)


def write_doc(path: Path, section: str) -> None:
    write_section(path, section, start=START, end=END)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.no_loss", description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=5000, help="answers per database (default 5000)")
    parser.add_argument("--clients", type=int, default=32, choices=range(1, 249), metavar="1..248", help="default 32")
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL server (a scratch database is made on it)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--doc", type=Path, default=DOC, help="markdown file to update (default docs/benchmarks.md)")
    parser.add_argument("--no-doc", action="store_true", help="print the counts only")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))  # so `finally` stops the server
    redis_url = redis_or_none()
    plans, skipped = [Plan(args.submissions, args.clients, None, redis_url)], "--no-pg" if args.no_pg else None
    if not args.no_pg and not (skipped := pg_reachable(args.pg_url.replace("+psycopg", "", 1))):
        plans.append(Plan(args.submissions, args.clients, args.pg_url, redis_url))
    workdir, outcomes = Path(tempfile.mkdtemp(prefix="skm-no-loss-")), []
    try:
        for plan in plans:
            outcomes.append(run(plan, workdir))
            print(summary(outcomes[-1]), flush=True)
    except BenchError as exc:
        print(f"\nno-loss run failed: {exc}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if not args.no_doc:
        facts = machine_facts(("gunicorn", "Flask-Limiter", "SQLAlchemy"))
        facts["load average (1 min, at the end: the clients share the CPUs)"] = f"{os.getloadavg()[0]:.1f}"
        write_doc(args.doc, markdown(outcomes, skipped, facts))
        print(f"Figures written to {args.doc.relative_to(REPO) if args.doc.is_relative_to(REPO) else args.doc}")
    return 1 if any(o.problems() for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
