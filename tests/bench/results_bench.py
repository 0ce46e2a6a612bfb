"""`make bench`: the public results page `/hasil/` with 50 units x 24 publications, against a bare Flask table.

What it does (the Method part of its section in docs/benchmarks.md says more):

1. Builds two fresh SQLite files with `flask db upgrade` (the schema production has): UNITS units with PER_UNIT
   monthly publications each, every one carrying posters of real size (random bytes: a 270 KB PNG and a 45 KB PDF,
   the 315 KB a publication held in issue 12; `analytics.ikm_poster` renders about 231 KB and 45 KB), and the same
   units with one publication each.
2. Checks each page once: it answers 200, lists every unit's latest publication, and no statement it sends names a
   poster column; a poster answers with its bytes, and 304 to its ETag.
3. Times requests through Flask's test client (the whole app: routing, database, templates, after-request hooks;
   no HTTP): `/hasil/` on both files, a unit's page, a poster and its revalidation, and a bare Flask route that
   renders a 50-row table from a constant list (the baseline), in interleaved rounds.
4. Writes its section of docs/benchmarks.md between its own markers.

Exit status: 0 when measured and written (PASS or FAIL printed), 1 when a check failed (or, with --strict, the goal
was missed), 2 when the benchmark could not run.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

from tests.bench.doc import write_section
from tests.bench.facts import machine_facts

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "benchmarks.md"
UNITS = 50
PER_UNIT = 24
PNG_BYTES = 270_000
PDF_BYTES = 45_000
GOAL_MS = 50.0
POSTER_COLUMNS = ("poster_png", "poster_pdf")
PACKAGES = ("Flask", "Werkzeug", "Jinja2", "SQLAlchemy", "Flask-SQLAlchemy")
START = "<!-- results-bench:start -->"
END = "<!-- results-bench:end -->"
BASELINE_PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Hasil</title></head><body>
<h1>Hasil Survei Kepuasan Masyarakat</h1>
{% for r in rows %}<h2><a href="/hasil/{{ r.slug }}">{{ r.name }}</a></h2>
<p>{{ r.label }}: IKM <strong>{{ "%.2f"|format(r.nik) }}</strong>, mutu {{ r.mutu }} ({{ r.kinerja }}),
{{ r.respondents }} responden</p>{% endfor %}</body></html>"""


# --- data ------------------------------------------------------------------------------------------------------


def _month_snapshot(index: int) -> dict:
    """The snapshot of a unit's month number `index`: 10 + index respondents, so a unit's newest one is known."""
    from analytics.data import FlagCounts
    from analytics.ikm import Tally, compute_ikm
    from analytics.snapshot import GroupResult, Snapshot
    from app.periods import month
    from survey.questionnaire import ELEMENT_CODES

    def result(respondents: int, score: int):
        return compute_ikm(Tally(respondents, {code: (respondents, respondents * score) for code in ELEMENT_CODES}))

    n = 10 + index
    headline = result(n, 3 + index % 2)
    services = tuple(GroupResult(k, f"Layanan {k}", result(n // 4 + 1, 3), False) for k in range(1, 5))
    counters = tuple(GroupResult(k, f"Loket {k}", result(n // 3 + 1, 4), False) for k in range(1, 4))
    period = month(2025 + index // 12, index % 12 + 1)
    snapshot = Snapshot("", period, 1000 + index, headline, services, counters, None, FlagCounts(n, 0, 0, 0, {}))
    return snapshot.to_json()


def seed_publications(*, units: int, per_unit: int, png_bytes: int = PNG_BYTES, pdf_bytes: int = PDF_BYTES) -> list:
    """Add `units` units with `per_unit` monthly publications in force each (month 0 first), posters of random bytes
    of the given sizes; commits. Returns each unit's id, slug and name. The newest publication of a unit has
    10 + per_unit - 1 respondents."""
    from analytics.models import Publication
    from app import directory
    from app.extensions import db
    from app.periods import parse_period

    png, pdf = b"\x89PNG\r\n\x1a\n" + os.urandom(png_bytes - 8), b"%PDF-1.4\n" + os.urandom(pdf_bytes - 9)
    months = [_month_snapshot(i) for i in range(per_unit)]
    made, known = [], db.session.scalar(sa.select(sa.func.count(directory.Unit.id)))
    for u in range(known + 1, known + units + 1):
        unit = directory.create_unit(name=f"Dinas Uji {u:03d}", slug=f"dinas-uji-{u:03d}")
        rows = []
        for snap in months:
            period = parse_period(snap["period"]["key"])
            rows.append({"unit_id": unit.id, "period_key": period.key, "period_start": period.start,
                         "snapshot": {**snap, "unit": unit.name}, "poster_png": png, "poster_pdf": pdf,
                         "published_by": "bench", "published_at": datetime(2027, 1, 5, tzinfo=UTC)})  # fmt: skip
        db.session.execute(sa.insert(Publication), rows)
        made.append(SimpleNamespace(id=unit.id, slug=unit.slug, name=unit.name))
    db.session.commit()
    return made


def _make_app(url: str):
    from app import create_app

    return create_app({"SKM_ENV": "development", "SECRET_KEY": "results-bench-secret-key-long-enough",
                       "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                       "PUBLIC_BASE_URL": "https://skm.example.go.id"})  # fmt: skip


def build_database(path: Path, per_unit: int) -> tuple:
    """A fresh SQLite file, migrated and seeded; returns the app serving it and the seconds the seed took."""
    from flask_migrate import upgrade

    from app.extensions import db

    app = _make_app(f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        began = time.perf_counter()
        seed_publications(units=UNITS, per_unit=per_unit)
        seconds = time.perf_counter() - began
        db.session.remove()
    return app, seconds


def baseline_app():
    """A bare Flask app whose one route renders a 50-row table from a constant list (no database)."""
    from flask import Flask, render_template_string

    rows = [SimpleNamespace(slug=f"dinas-uji-{u:03d}", name=f"Dinas Uji {u:03d}", label="Desember 2026", nik=87.5,
                            mutu="B", kinerja="Baik", respondents=33) for u in range(1, UNITS + 1)]  # fmt: skip
    app = Flask("results_baseline")
    app.add_url_rule("/hasil/", "index", lambda: render_template_string(BASELINE_PAGE, rows=rows))
    return app


# --- checks and timing -----------------------------------------------------------------------------------------


class Statements:
    """The SQL statements an app's engine sends while counting."""

    def __init__(self, app) -> None:
        from app.extensions import db

        self.sent: list[str] = []
        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, _params, _context, _many) -> None:
        self.sent.append(statement)

    def during(self, work) -> list[str]:
        self.sent.clear()
        work()
        return list(self.sent)

    def stop(self, app) -> None:
        from app.extensions import db

        with app.app_context():
            sa.event.remove(db.engine, "before_cursor_execute", self._record)


def check(app, per_unit: int) -> dict:
    """Check the pages once; returns what the report says of them, with every failed check under "failed"."""
    client, statements, failed = app.test_client(), Statements(app), []
    sent = statements.during(lambda: client.get("/hasil/"))
    page = client.get("/hasil/")
    html = page.get_data(as_text=True)
    newest = f"{10 + per_unit - 1} responden"
    if page.status_code != 200 or html.count(newest) != UNITS or html.count("<h2>") != UNITS:
        failed.append(f"/hasil/ answered {page.status_code} without each unit's latest publication once")
    if any(column in s for s in sent for column in POSTER_COLUMNS):
        failed.append("a statement of /hasil/ names a poster column")
    poster_url = f"/hasil/dinas-uji-001/{_month_snapshot(per_unit - 1)['period']['key']}/poster.png"
    poster = client.get(poster_url)
    again = client.get(poster_url, headers={"If-None-Match": poster.headers.get("ETag", "")})
    if poster.status_code != 200 or len(poster.data) != PNG_BYTES or again.status_code != 304:
        failed.append(f"poster answered {poster.status_code} ({len(poster.data)} B), revalidation {again.status_code}")
    unit_sent = statements.during(lambda: client.get("/hasil/dinas-uji-001"))
    if any(column in s for s in unit_sent for column in POSTER_COLUMNS):
        failed.append("a statement of /hasil/<unit> names a poster column")
    statements.stop(app)
    return {"statements": len(sent), "unit_statements": len(unit_sent), "bytes": len(page.data),
            "poster_url": poster_url, "etag": poster.headers.get("ETag", ""),
            "cache_control": poster.headers.get("Cache-Control", ""), "failed": failed}  # fmt: skip


@dataclass
class Series:
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(self.wall_ms)

    def p90(self) -> float:
        return statistics.quantiles(self.wall_ms, n=10)[-1] if len(self.wall_ms) > 1 else self.wall_ms[0]

    def cpu(self) -> float:
        return statistics.median(self.cpu_ms)


def time_requests(client, path: str, n: int, series: Series, headers: dict | None = None) -> None:
    """Time `n` requests after one left out; wall time and this process's CPU time per request."""
    client.get(path, headers=headers or {})
    for _ in range(n):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers or {})
        series.cpu_ms.append((time.process_time() - cpu) * 1000)
        series.wall_ms.append((time.perf_counter() - wall) * 1000)
        if response.status_code not in (200, 304):
            raise RuntimeError(f"{path} answered {response.status_code}")


TARGETS = (
    ("baseline", "bare Flask: a 50-row table from a constant list"),
    ("index", f"`/hasil/`, {UNITS} units x {PER_UNIT} publications"),
    ("index_one", f"`/hasil/`, {UNITS} units x 1 publication"),
    ("unit", f"`/hasil/<unit>`, one unit's {PER_UNIT} publications"),
    ("poster", "a poster PNG (270 KB), 200"),
    ("poster_304", "the same poster, `If-None-Match` its ETag: 304"),
)


def measure(big, small, checked: dict, args) -> dict[str, Series]:
    """Interleaved rounds over every target, so a slow moment of the machine hits the baseline too."""
    series = {key: Series() for key, _ in TARGETS}
    clients = {"baseline": baseline_app().test_client(), "big": big.test_client(), "small": small.test_client()}
    etag = {"If-None-Match": checked["etag"]}
    for _ in range(args.rounds):
        time_requests(clients["baseline"], "/hasil/", args.requests, series["baseline"])
        time_requests(clients["big"], "/hasil/", args.requests, series["index"])
        time_requests(clients["small"], "/hasil/", args.requests, series["index_one"])
        time_requests(clients["big"], "/hasil/dinas-uji-001", args.requests, series["unit"])
        time_requests(clients["big"], checked["poster_url"], args.requests, series["poster"])
        time_requests(clients["big"], checked["poster_url"], args.requests, series["poster_304"], etag)
    return series


# --- report ----------------------------------------------------------------------------------------------------


def markdown(res: dict) -> str:
    """The section of docs/benchmarks.md, markers included."""
    s, checked, a = res["series"], res["checked"], res["args"]
    index, base = s["index"].median(), s["baseline"].median()
    verdict = "PASS" if index <= GOAL_MS else "FAIL"
    out = [START, "", f"## Public results pages ({res['started']:%Y-%m-%d %H:%M} UTC)", "",
           "| goal | measured | limit | result |", "|---|---|---|---|",
           f"| `/hasil/` with {UNITS} units x {PER_UNIT} publications (posters of real size), median | "
           f"{index:.1f} ms ({index / base:.1f}x the baseline's {base:.2f} ms) | <= {GOAL_MS:.0f} ms | "
           f"**{verdict}** |",
           f"| the same over 1 publication per unit ({s['index_one'].median():.1f} ms): constant in the number of "
           f"publications | x{index / s['index_one'].median():.2f} (CPU x{s['index'].cpu() / s['index_one'].cpu():.2f})"
           " | no goal | info |", "",
           f"Medians of {a.rounds} interleaved rounds x {a.requests} requests through Flask's test client "
           "(in-process, no HTTP), one request left out at the start of each round:", "",
           "| request | median | p90 | CPU / request | to the baseline |", "|---|---|---|---|---|"]  # fmt: skip
    for key, label in TARGETS:
        x = s[key]
        out.append(f"| {label} | {x.median():.2f} ms | {x.p90():.2f} ms | {x.cpu():.2f} ms | "
                   f"{x.median() / base:.1f}x |")  # fmt: skip
    out += ["", "### Data and checks", "",
            f"- Two fresh SQLite files built by `flask db upgrade`: {UNITS} units with {PER_UNIT} monthly publications "
            f"each ({res['db_mb'][0]:,.0f} MB, seeded in {res['seed_s']:.1f} s) and with one each "
            f"({res['db_mb'][1]:,.0f} MB). Every publication carries a {PNG_BYTES // 1000} KB PNG and a "
            f"{PDF_BYTES // 1000} KB PDF poster (random bytes: incompressible, like a real poster) and a real snapshot "
            "(`Snapshot.to_json`: 9 elements, 4 services, 3 counters).",
            f"- `/hasil/` sends {checked['big']['statements']} SQL statements with {PER_UNIT} publications per unit "
            f"and {checked['small']['statements']} with one (each unit's latest publication, then the complaint "
            f"figures); the page is {checked['big']['bytes']:,} B and lists each unit's latest publication once. "
            f"`/hasil/<unit>` sends {checked['big']['unit_statements']}. No statement of either names a poster "
            "column.",
            f"- The poster answers with its bytes, `Cache-Control: {checked['big']['cache_control']}` and "
            f"`ETag: {checked['big']['etag']}`, and 304 to `If-None-Match` with that ETag (reading no poster).",
            "- What still grows with the publications: to find each unit's newest, the statement reads every "
            "publication's period start, and on SQLite the posters push the rows apart (about one page read per "
            "publication). A partial index on `(unit_id, period_start, period_key) WHERE withdrawn_at IS NULL` would "
            "make it read one index entry per unit; it needs a migration, so it is not made here.",
            "- Failed checks: " + ("; ".join(res["failed"]) or "none") + "."]  # fmt: skip
    out += _method(res) + ["", "### Machine", "", "| fact | value |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in res["facts"].items()]
    return "\n".join(out + ["", END, ""])


def _method(res: dict) -> list[str]:
    load = res["load_before"]
    busy = load > 0.5 * (os.cpu_count() or 1)
    return ["", "### Method", "",
            "- `python -m tests.bench.results_bench` (part of `make bench`). The app is `create_app` with "
            "`SKM_ENV=development` and `RATELIMIT_ENABLED=false` on the SQLite file; each request goes through the "
            "whole app (routing, session, database, templates, security headers) by Flask's test client, so the "
            "figures leave out HTTP and gunicorn, for the baseline too.",
            "- The baseline is a bare Flask app whose one route renders, with `render_template_string`, a 50-row "
            "table (unit, period, IKM, mutu, respondents) from a constant list: the work the page cannot avoid.",
            "- Wall time per request (`time.perf_counter`) and this process's CPU time (`time.process_time`); "
            "CPU time depends less on other work on the machine.",
            f"- 1-minute load average when the benchmark started: {load:.2f} on {os.cpu_count()} CPUs"
            + (" (**other work was running**: wall times are inflated, compare the CPU times and the ratios)."
               if busy else ".")]  # fmt: skip


def write_doc(path: Path, section: str) -> None:
    write_section(path, section, start=START, end=END)


# --- main ------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.results_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per target and round (default 20)")
    parser.add_argument("--doc", type=Path, default=DOC, help="markdown file to update (default docs/benchmarks.md)")
    parser.add_argument("--no-doc", action="store_true", help="print the figures only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (the SQLite files)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the goal is missed")
    args = parser.parse_args(argv)
    if not (1 <= args.rounds <= 9 and 2 <= args.requests <= 500):
        parser.error("keep --rounds in 1..9 and --requests in 2..500")
    return args


def run(args, workdir: Path) -> dict:
    """Build both databases, check, measure; returns everything the report needs."""
    started, load_before = datetime.now(UTC), os.getloadavg()[0]
    big, seed_s = build_database(workdir / "results.sqlite", PER_UNIT)
    small, _ = build_database(workdir / "results-one.sqlite", 1)
    checked = {"big": check(big, PER_UNIT), "small": check(small, 1)}
    failed = checked["big"]["failed"] + checked["small"]["failed"]
    series = measure(big, small, checked["big"], args)
    sizes = tuple((workdir / name).stat().st_size / 1e6 for name in ("results.sqlite", "results-one.sqlite"))
    return {"started": started, "load_before": load_before, "args": args, "series": series, "checked": checked,
            "failed": failed, "seed_s": seed_s, "db_mb": sizes, "facts": machine_facts(PACKAGES)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="skm-results-bench-"))
    try:
        res = run(args, workdir)
    except (OSError, RuntimeError, sa.exc.SQLAlchemyError) as exc:
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    index, base = res["series"]["index"].median(), res["series"]["baseline"].median()
    print("\nResults (medians):")
    for key, label in TARGETS:
        x = res["series"][key]
        print(f"  {label:55} {x.median():8.2f} ms  p90 {x.p90():8.2f} ms  CPU {x.cpu():7.2f} ms")
    print(f"  {'PASS' if index <= GOAL_MS else 'FAIL'}  /hasil/ {index:.1f} ms (goal <= {GOAL_MS:.0f} ms), "
          f"{index / base:.1f}x the baseline")  # fmt: skip
    for failure in res["failed"]:
        print(f"  CHECK FAILED: {failure}")
    if not args.no_doc:
        write_doc(args.doc, markdown(res))
        print(f"\nFigures written to {args.doc.relative_to(REPO) if args.doc.is_relative_to(REPO) else args.doc}")
    return 1 if res["failed"] or (args.strict and index > GOAL_MS) else 0


if __name__ == "__main__":
    sys.exit(main())
