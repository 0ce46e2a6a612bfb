"""The complaint benchmark's results and its generated section of docs/benchmarks.md (between its own markers)."""

import argparse
import os
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tests.bench.complaints_config import COMPLAINTS, END, INBOX_SAMPLES, START, TARGETS, TIMEOUT, WARMUP
from tests.bench.doc import write_section
from tests.bench.survey_config import WORKERS
from tests.bench.survey_report import fmt_ms
from tests.bench.survey_wrk import Series

__all__ = ["Results", "fmt_ms", "markdown", "write_doc"]
LABELS = {t.key: t for t in TARGETS}


@dataclass
class Results:
    started: datetime
    elapsed: float
    facts: dict[str, str]
    args: argparse.Namespace
    series: dict[str, Series]
    statuses: dict[str, Counter]
    seeded: dict  # what complaints_seed made in the office database
    photo_bytes: int
    page_bytes: dict[str, int]
    inbox_latency: list[tuple[str, float, float, float]]
    stored: tuple[int, int]  # complaints and attachments the intake server stored during the load
    load_before: float

    def rps(self, key: str) -> float:
        return self.series[key].median("rps")

    def ratio(self, key: str, baseline: str | None = None) -> float:
        """Median req/s of a target over the median of its baseline (or of `baseline`), both from this run."""
        return self.rps(key) / self.rps(baseline or LABELS[key].baseline)

    def unexpected(self) -> dict[str, dict[int, int]]:
        """Per target, the answers whose status was not the expected one."""
        out = {}
        for target in TARGETS:
            odd = {code: n for code, n in self.statuses[target.key].items() if code != target.expect}
            if odd:
                out[target.key] = odd
        return out


def _throughput(res: Results) -> list[str]:
    out = ["| request | server | req/s (median) | every run | p50 | p99 | server CPU / request | "
           "real / baseline (same run) |", "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for target in TARGETS:
        s = res.series[target.key]
        runs = " / ".join(f"{r.rps:,.0f}" for r in s.runs)
        ratio = f"**{res.ratio(target.key):.2f}** (to `{target.baseline}`)" if target.baseline else ""
        server = "bare Flask baseline" if target.server == "baseline" else f"real app ({target.server})"
        out.append(f"| `{target.key}`: {target.label} | {server} | {res.rps(target.key):,.0f} | {runs} | "
                   f"{fmt_ms(s.median('p50_ms'))} | {fmt_ms(s.median('p99_ms'))} | "
                   f"{s.median('cpu_ms_per_request'):.2f} ms | {ratio} |")  # fmt: skip
    return out


def _summary(res: Results) -> list[str]:
    photo_kib = res.photo_bytes / 1024
    return [
        "| measure | real / baseline |", "|---|---|",
        f"| complaint POST without a photo | {res.ratio('post'):.2f} |",
        f"| complaint POST with a {photo_kib:.0f} KiB photo, to the baseline POST carrying the same photo | "
        f"{res.ratio('post_photo'):.2f} |",
        f"| the same, to the plain baseline POST | {res.ratio('post_photo', 'base_post'):.2f} |",
        f"| tracking look-up GET | {res.ratio('track'):.2f} |",
        f"| officer inbox GET, {COMPLAINTS:,} complaints | {res.ratio('inbox'):.2f} |",
    ]  # fmt: skip


def _inbox(res: Results) -> list[str]:
    out = ["", f"### Officer inbox, {COMPLAINTS:,} complaints, single requests without load", "",
           f"Median of {INBOX_SAMPLES} requests one after another (after one left out), time to the last byte "
           "on a fresh connection, office-wide petugas pengaduan (sees every complaint), 50 reports per page:", "",
           "| view | median | min - max |", "|---|---|---|"]  # fmt: skip
    out += [f"| {label} | {fmt_ms(median)} | {fmt_ms(low)} - {fmt_ms(high)} |"
            for label, median, low, high in res.inbox_latency]  # fmt: skip
    return out


def _checks(res: Results) -> list[str]:
    counts = res.seeded["counts"]
    odd = res.unexpected()
    answers = "; ".join(f"`{k}` " + ", ".join(f"{code}: {n:,}" for code, n in sorted(res.statuses[k].items()))
                        for k in LABELS)  # fmt: skip
    post_3xx = res.statuses["post"][303] + res.statuses["post_photo"][303]
    return [
        "", "### Data, checks and answers", "",
        f"- Schema: {res.seeded['schema']}.",
        f"- Office database: {counts['complaints']:,} complaints received over the last 365 days in 4 units, in "
        f"every status (older ones mostly closed), {counts['complaint_events']:,} history events, "
        f"{counts['complaint_reporters']:,} reporters (30 % anonymous), inserted with SQL `executemany` by "
        "`tests/bench/complaints_seed.py`. It still held exactly that many complaints after the load.",
        "- SQLite's plan of each statement of the inbox's first page (`EXPLAIN QUERY PLAN`, captured while "
        "`complaints.staff_inbox.inbox_page` ran for the officer): "
        + "; ".join(f"({i}) `{plan}`" for i, plan in enumerate(res.seeded.get("plans") or ["not captured"], 1))
        + ".",
        f"- Pages: the tracking page (a complaint with an answer) is {res.page_bytes['track']:,} B, the inbox "
        f"page {res.page_bytes['inbox']:,} B.",
        "- Before the load: a complaint POST without a photo answered 303 to the receipt and stored one complaint; "
        "with the photo, one complaint and one attachment; without the CSRF token, 400. The tracking page showed "
        "the office's answer; the inbox listed 50 reports; the baseline POSTs (form-encoded and multipart) 303.",
        f"- Answers counted by the wrk script (warm-ups included): {answers}.",
        "- Unexpected statuses: " + ("none." if not odd else "; ".join(f"`{k}` {v}" for k, v in odd.items())),
        f"- Stored by the intake server during the load: {res.stored[0]:,} complaints and {res.stored[1]:,} "
        f"attachments for {post_3xx:,} POSTs answered 303 (wrk stops each run with up to one request in flight per "
        "connection, stored but never answered to it, so the rows outnumber the answers).",
    ]  # fmt: skip


def _busy(res: Results) -> list[str]:
    cpus = os.cpu_count() or 1
    if res.load_before <= 0.5 * cpus:
        return []
    return ["", f"**Other work was running on the machine when this benchmark started** (1-minute load average "
            f"{res.load_before:.2f} on {cpus} CPUs): req/s are depressed and noisy, for the baseline too. The "
            "server CPU per request depends less on that; compare it as well as the ratios."]  # fmt: skip


def _machine(res: Results) -> list[str]:
    out = ["", "### Machine", "", "| fact | value |", "|---|---|"]
    return out + [f"| {k} | {v} |" for k, v in res.facts.items()]


def _commands(res: Results) -> list[str]:
    a = res.args
    return [
        "", "### Commands", "", "```sh",
        "# $TMP: a fresh temporary directory. Three servers, each: gunicorn -k sync -w "
        f"{WORKERS} --worker-tmp-dir $SHM --log-level warning",
        "BENCH_BASELINE_DB_URL=sqlite:///$TMP/baseline.sqlite python -m tests.bench.baseline_app init",
        "gunicorn ... tests.bench.baseline_app:app",
        "export FLASK_APP=app SKM_ENV=development RATELIMIT_ENABLED=false",
        f"DATABASE_URL=sqlite:///$TMP/office.sqlite sh -c 'flask db upgrade && python -m tests.bench.complaints_seed "
        f"--complaints {COMPLAINTS} && gunicorn ... \"app:create_app()\"'",
        "DATABASE_URL=sqlite:///$TMP/intake.sqlite sh -c 'flask db upgrade && python -m tests.bench.complaints_seed "
        "&& gunicorn ... \"app:create_app()\"'",
        "# every round, for each target in the order of the table",
        f"wrk {' '.join(WARMUP)} --timeout {TIMEOUT} -s tests/bench/complaint_post.lua URL",
        f"wrk -t1 -c{a.connections} -d{a.duration}s --latency --timeout {TIMEOUT} -s tests/bench/complaint_post.lua "
        "URL",
        "#   BENCH_METHOD, BENCH_BODY_FILE (a prepared body), BENCH_CONTENT_TYPE and BENCH_COOKIE set per target",
        "```",
    ]  # fmt: skip


def _method(res: Results) -> list[str]:
    a = res.args
    return [
        "", "### Method", "",
        "- `python -m tests.bench.complaints_bench` (part of `make bench`). Three gunicorn servers on 127.0.0.1 "
        "with the same settings as the survey benchmark: the bare baseline (`tests/bench/baseline_app.py`), the "
        f"real app on the office database ({COMPLAINTS:,} complaints: tracking and inbox) and the real app on an "
        "intake database (directory and one officer only: the POSTs). The POSTs go to their own database so "
        f"that the inbox lists exactly {COMPLAINTS:,} complaints all along. Each database is a fresh SQLite file.",
        "- **`RATELIMIT_ENABLED=false`** on the real app: `COMPLAINT_POST_LIMIT` (30 per hour) and "
        "`TRACKING_LIMIT` (30 per minute) per address would otherwise answer the load with 429. CSRF, sessions, "
        "security headers, the attachment checks and re-encoding, audit and outbox rows are all on.",
        "- Complaint POSTs: wrk cannot build multipart bodies, so the bench builds each body once as Chromium "
        "does (every field of the form in page order, the file input empty or holding the photo, boundary "
        "`----WebKitFormBoundary...`), writes it to a file, and `tests/bench/complaint_post.lua` reads it "
        "(binary-safe) and sends it with the CSRF token and the cookies of one earlier GET of the form. Every "
        "POST files a new complaint (303); with the photo, the app decodes it, re-encodes it without EXIF and "
        "stores it. The photo is a 1600x1200 JPEG with camera and GPS EXIF, at the highest quality that keeps it "
        f"within 200 KiB ({res.photo_bytes:,} B). The baseline gets the same body with the photo as a file part, which "
        "Werkzeug parses and the baseline ignores: the ratio to it leaves out the cost of receiving the bytes.",
        "- Tracking GET: `/pengaduan/lacak/<code>` of an answered complaint, without cookies (a first visit). "
        "Inbox GET: `/admin/pengaduan/` with the session cookie of an office-wide petugas pengaduan, who sees every "
        "complaint: page 1, 50 rows, the count capped at 1,000.",
        f"- Each target and round: a warm-up `wrk {' '.join(WARMUP)}`, then `wrk -t1 -c{a.connections} "
        f"-d{a.duration}s --latency`; {a.runs} rounds, each measuring the targets in the order of the table, so a "
        "slow moment of the machine hits both sides of a ratio. The tables give medians of the rounds. The same "
        "Lua script (which counts every answer by status) serves every target, baseline included, so the client's "
        f"work is alike. wrk's timeout is {TIMEOUT} (its 2 s default would count a queued upload as a failure).",
        "- wrk runs on the same cores as the servers: req/s is a ceiling shared with the client. Only the ratios "
        "measured in the same run mean something; perf-security.md A.1 found ±10-15 % run-to-run noise.",
        "- Server CPU / request: user + system CPU of the server's gunicorn processes during a measured run "
        "(/proc), divided by the requests wrk counted.",
        f"- Total time of this run: {res.elapsed:.0f} s.",
    ]  # fmt: skip


def markdown(res: Results) -> str:
    """The generated section of docs/benchmarks.md, START to END inclusive."""
    out = [START, "", f"## Complaint benchmark ({res.started:%Y-%m-%d %H:%M %Z})", ""]
    out += _summary(res) + ["", "### Throughput (median of the runs)", ""] + _throughput(res) + _busy(res)
    out += _inbox(res) + _checks(res) + _machine(res) + _commands(res) + _method(res) + ["", END]
    return "\n".join(out) + "\n"


def write_doc(path: Path, section: str) -> None:
    write_section(path, section, start=START, end=END)
