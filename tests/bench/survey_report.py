"""The survey benchmark's results, their goals, and the generated section of docs/benchmarks.md."""

import argparse
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tests.bench.survey_config import (
    BEGIN,
    BENCH_POST_LIMIT,
    END,
    GOAL_GZIP_BYTES,
    GOAL_POST_P99,
    GOAL_POST_RATIO,
    GOAL_RATIO,
    SURVEY_PATH,
    WARMUP,
    WORKERS,
)
from tests.bench.survey_instructions import FEW, MANY, Instructions
from tests.bench.survey_instructions import WARMUP as INSTRUCTION_WARMUP
from tests.bench.survey_page import PageWeight
from tests.bench.survey_wrk import Series


def fmt_ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def verdict(ok: bool) -> str:
    return "**PASS**" if ok else "**FAIL**"


@dataclass
class Results:
    started: datetime
    elapsed: float
    facts: dict[str, str]
    args: argparse.Namespace
    series: dict[tuple[str, str], Series]
    page: PageWeight
    baseline_page: PageWeight
    commands: list[str]
    rows_stored: int
    log_rows: int
    load_before: float  # 1-minute load average when the benchmark started: other work on the machine
    posts_answered: int
    flags: list[tuple[str, int]]
    instructions: Instructions

    def ratio(self, method: str, attr: str = "rps") -> float:
        return self.series[("real", method)].median(attr) / self.series[("baseline", method)].median(attr)

    def goals(self) -> list[tuple[str, str, bool]]:
        limiter = "rate limiter on" if self.args.limiter else "rate limiter OFF: the goal is set with it on"
        post, p99 = self.ratio("POST"), self.ratio("POST", "p99_ms")
        beyond = "reached" if post >= GOAL_RATIO else "not yet"
        return [
            ("Survey GET req/s, real / baseline", f"{self.ratio('GET'):.2f} (goal >= {GOAL_RATIO})", self._ok("GET")),
            (
                f"Survey POST req/s, real / baseline ({limiter})",
                f"{post:.2f} (goal >= {GOAL_POST_RATIO}; {GOAL_RATIO} beyond: {beyond})",
                self._ok("POST", GOAL_POST_RATIO),
            ),
            (
                "Survey POST p99, real / baseline",
                f"{p99:.2f}x (goal <= {GOAL_POST_P99}x)",
                p99 <= GOAL_POST_P99,
            ),
            (
                "Survey page: one request, gzip -9 size",
                f"{self.page.gzip9:,} B, {len(self.page.extras)} other requests "
                f"(goal: 1 request, <= {GOAL_GZIP_BYTES:,} B)",
                self.page.passed,
            ),
        ]

    def _ok(self, method: str, goal: float = GOAL_RATIO) -> bool:
        return self.ratio(method) >= goal and self.series[("real", method)].bad_responses == 0


def _goals_section(res: Results) -> list[str]:
    out = [BEGIN, "", f"## Survey benchmark ({res.started:%Y-%m-%d %H:%M %Z})", ""]
    out += ["### Goals", "", "| goal | measured | result |", "|---|---|---|"]
    out += [f"| {name} | {measured} | {verdict(ok)} |" for name, measured, ok in res.goals()]
    return out


def _throughput_table(res: Results) -> list[str]:
    out = ["", "### Throughput (median of the runs)", ""]
    out += [
        "| request | server | req/s (median) | every run | p50 | p99 | server CPU / request | real / baseline |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for method in ("GET", "POST"):
        for server in ("baseline", "real"):
            s = res.series[(server, method)]
            runs = " / ".join(f"{r.rps:,.0f}" for r in s.runs)
            ratio = f"{res.ratio(method):.2f}" if server == "real" else ""
            label = "bare Flask baseline" if server == "baseline" else "real app"
            out.append(
                f"| {method} | {label} | {s.median('rps'):,.0f} | {runs} | {fmt_ms(s.median('p50_ms'))} "
                f"| {fmt_ms(s.median('p99_ms'))} | {s.median('cpu_ms_per_request'):.2f} ms | {ratio} |"
            )
    out.append("")
    return out


def _instructions_section(res: Results) -> list[str]:
    ins = res.instructions
    out = ["### CPU instructions per POST (valgrind cachegrind)", ""]
    if ins.ratio is None:
        return [*out, f"Not measured: {ins.note}", ""]
    out += [
        "| app | instructions per POST | real / baseline |",
        "|---|---|---|",
        f"| bare Flask baseline | {ins.baseline / 1e6:.2f} M | |",
        f"| real app | {ins.real / 1e6:.2f} M | {ins.ratio:.2f} |",
        "",
        "The noise-free figure beside req/s: other work on the machine changes req/s, not this count. Each app runs "
        "in a fresh process on a fresh database of its own and calls its WSGI application directly (no gunicorn, no "
        f"socket: the same for both), the POST of the load above, {INSTRUCTION_WARMUP} times to warm up, then N "
        f"times; (instructions with N = {MANY} - with N = {FEW}) / {MANY - FEW} leaves out the start-up both runs "
        "share. The real app runs with the rate limiter off here: its in-memory storage starts a 10 ms expiry "
        "timer thread whenever the previous one has ended, which under valgrind's ~50x slowdown is every request "
        "(at full speed, one every few requests), so it would be overcounted; its cost is in the req/s above.",
        "",
    ]
    return out


def _busy_machine_note(res: Results) -> list[str]:
    cpus = os.cpu_count() or 1
    if res.load_before <= 0.5 * cpus:
        return []
    return [
        f"**Other work was running on the machine when this benchmark started** (1-minute load average "
        f"{res.load_before:.2f} on {cpus} CPUs): req/s are depressed and noisy, for the baseline too. The server "
        "CPU per request depends less on that; compare it as well as the req/s ratios.",
        "",
    ]


def _errors_and_rows(res: Results) -> list[str]:
    problems = [
        f"{server} {method}: {s.bad_responses} non-2xx/3xx responses, {s.socket_errors} socket errors"
        for (server, method), s in res.series.items()
        if s.bad_responses or s.socket_errors
    ]
    post = res.series[("real", "POST")]
    return [
        "Errors during the load: "
        + ("; ".join(problems) + "." if problems else "none (no non-2xx/3xx, no socket errors)."),
        f"Real-app POST rows stored during the load: {res.rows_stored:,} for {res.posts_answered:,} responses "
        "counted by wrk (warm-ups included; a few more rows than responses are requests still in flight when "
        "wrk stopped). Flags on those rows: "
        + ", ".join(f"`{f}` {n:,}" for f, n in res.flags)
        + ". All POSTs come from one address and one device cookie, so the anti-stuffing code flags them "
        "(it flags, it does not block): expected.",
        f"The anti-stuffing history (`survey_stuffing_counts`, one count per key and time bucket) held "
        f"{res.log_rows:,} rows at the end. Real POST req/s by run, in order: "
        + " / ".join(f"{r.rps:,.0f}" for r in post.runs)
        + "; server CPU per POST: "
        + " / ".join(f"{r.cpu_ms_per_request:.2f} ms" for r in post.runs)
        + ".",
    ]


def _post_growth_note(res: Results) -> list[str]:
    post, base_post = res.series[("real", "POST")], res.series[("baseline", "POST")]
    growth = post.runs[-1].cpu_ms_per_request / post.runs[0].cpu_ms_per_request
    base_growth = base_post.runs[-1].cpu_ms_per_request / base_post.runs[0].cpu_ms_per_request
    if not (len(post.runs) > 1 and growth > 1.3 and growth > 1.3 * base_growth):
        return []
    return [
        f"The real POST's CPU per request grew by {growth:.2f}x from the first run to the last (baseline POST: "
        f"{base_growth:.2f}x). The anti-stuffing check counts the log rows of the address and of the device "
        "inside their windows, and with the rate limit off the whole load (one address, one device cookie) adds "
        "thousands of rows per run, so each POST costs more than the one before. The median is therefore "
        "pessimistic for a real office, where the per-address rate limit bounds that count."
    ]


def _page_section(res: Results) -> list[str]:
    p, b = res.page, res.baseline_page
    out = ["", "### Survey page weight (`GET " + SURVEY_PATH + "`)", ""]
    out += ["| measure | real app | baseline |", "|---|---|---|"]
    out += [
        f"| HTML bytes (raw) | {p.raw:,} | {b.raw:,} |",
        f"| of which inline CSS | {p.css:,} | {b.css:,} |",
        f"| gzip -9 (`gzip.compress(level=9)`) | **{p.gzip9:,}** | {b.gzip9:,} |",
        f"| gzip -6 (`gzip.compress(level=6)`, a typical proxy setting) | {p.gzip6:,} | {b.gzip6:,} |",
        f"| response headers (bytes, as served) | {p.header_bytes:,} | {b.header_bytes:,} |",
        f"| other resources referenced (link/script/img/iframe/url()/@import) | {len(p.extras)} | {len(b.extras)} |",
    ]
    out.append("")
    if p.extras:
        out.append("Other requests found: " + "; ".join(f"`{e}`" for e in p.extras) + ".")
    out.append(
        f"The app itself serves the page uncompressed (Content-Encoding: {p.content_encoding}); the gzip figures are "
        "what a compressing reverse proxy would send."
        if p.content_encoding == "none"
        else f"The app serves the page with Content-Encoding: {p.content_encoding}."
    )
    if p.favicon_status is not None:
        out.append(
            f"Browsers also ask for `/favicon.ico` on their own unless the page declares an icon; the real app "
            f"answers it with {p.favicon_status}."
        )
    return out


def _machine_and_commands(res: Results) -> list[str]:
    out = ["", "### Machine", "", "| fact | value |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in res.facts.items()]
    out += ["", "### Commands", "", "```sh"]
    out += res.commands
    out += ["```"]
    return out


def _method_section(res: Results) -> list[str]:
    a = res.args
    return [
        "",
        "### Method",
        "",
        f"- Both servers run on this machine at the same time, on 127.0.0.1, with the same gunicorn settings "
        f"(`-k sync -w {WORKERS}`, `--worker-tmp-dir` on the RAM-backed shared-memory mount, `--log-level warning`, "
        "no access log). Each uses its own fresh SQLite file in WAL mode with `synchronous=NORMAL` and "
        "`busy_timeout=5000`, in the same temporary directory.",
        "- The baseline (`tests/bench/baseline_app.py`) is the bare app of perf-security.md A.1: a Jinja2 9-question "
        "form (no CSRF, no session, no security headers) and a POST that checks q1..q9 and inserts one ORM row, then "
        "303.",
        "- The real app is `app:create_app()` with `SKM_ENV=development` (plain-http cookie names) on a database "
        "prepared with `flask db upgrade` and `flask seed-demo`. "
        + (
            f"**The rate limiter is on** (`memory://`, as one server without Redis) with `SURVEY_POST_LIMIT="
            f"{BENCH_POST_LIMIT}`: every POST pays for the limiter's bookkeeping, but the load from one address "
            "never reaches the limit (the real 600 per hour would answer most of it with 429). "
            if a.limiter
            else "**`RATELIMIT_ENABLED=false`** (`--no-limiter`): the limiter's cost is not in these figures. "
        )
        + "Everything else (the cross-site check, the device cookie, security headers, i18n, the anti-stuffing "
        "counts and flags) is on.",
        "- Real GET: wrk sends no cookies, so every request is a first visit with a new device cookie (the survey "
        "sets no session: its CSRF check reads the browser's Sec-Fetch-Site/Origin headers). Real POST: every "
        "request carries the device cookie of one earlier GET, as a browser would; before the load the POST "
        "answered 303, and the same POST marked `Sec-Fetch-Site: cross-site` answered 400.",
        f"- Each run: a warm-up `wrk {' '.join(WARMUP)}`, then `wrk -t1 -c{a.connections} -d{a.duration}s --latency`. "
        f"{a.runs} rounds; each round measures baseline GET, real GET, baseline POST, real POST in turn, so a slow "
        "moment of the machine hits both sides. The tables give the median of the rounds (req/s, p50, p99).",
        "- **wrk runs on the same cores as the two workers**, so req/s is a ceiling shared with the client, not the "
        "capacity of a server. Only the ratios real / baseline measured in the same run are meaningful; "
        "perf-security.md A.1 found ±10-15 % run-to-run noise, so a ratio that moves by less than that between "
        "two `make bench` runs is not a change.",
        "- Server CPU / request: user + system CPU time of the gunicorn master and workers (read from /proc) during "
        "a measured run, divided by the requests wrk counted. It leaves out wrk and the kernel's loopback work, and "
        "depends less on other load on the machine than req/s does; it shows how much work one request costs.",
        "- Page weight: the HTML of one real GET. It counts as one request when it references no stylesheet, "
        "script, image, frame or CSS `url()`/`@import` other than `data:` URLs.",
        f"- Total time of this `make bench`: {res.elapsed:.0f} s.",
        "",
        END,
        "",
    ]


def markdown(res: Results) -> str:
    """The generated section of docs/benchmarks.md, from BEGIN to END."""
    out = _goals_section(res) + _throughput_table(res) + _instructions_section(res)
    out += _busy_machine_note(res) + _errors_and_rows(res)
    out += _post_growth_note(res) + _page_section(res) + _machine_and_commands(res) + _method_section(res)
    return "\n".join(out)


def write_doc(path: Path, section: str) -> None:
    if path.exists():
        text = path.read_text()
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            tail = rest.split(END, 1)[1].lstrip("\n")
            text = head + section + ("\n" + tail if tail else "")
        else:
            text = text.rstrip("\n") + "\n\n" + section
    else:
        text = (
            "# Benchmarks\n\n"
            "The section below is written by `make bench` (tests/bench/run_bench.py): run it again to refresh the "
            "figures. Text outside the generated section is kept.\n\n" + section
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
