"""The office head's dashboard page over HTTP for the IKM benchmark: `GET /analitik/` on the 1M-response SQLite file.

A real server (werkzeug's `make_server`, single-threaded, in a thread of the bench process) serves the real app
on the cached database; an office-head account (`pimpinan`, created once, given a fresh random password on
every run) logs in through the login form (CSRF token from the GET, then the POST), and the session cookie it
gets is sent with every `GET /analitik/?unit=...&periode=...`. One warm-up request, then HTTP_RUNS timed ones,
each on a new connection (wall time from connect to the last byte of the body); the median is the figure. Just
before every GET the floor (the unit's raw one-month aggregate on a plain sqlite3 connection) is timed too, so the
page and its floor are measured at the same moments of the machine's load: their ratio is the goal's figure.
"""

import http.client
import os
import re
import secrets
import statistics
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from tests.bench import ikm_data
from tests.bench.ikm_config import HTTP_RUNS, MONTH_KEY
from tests.bench.ikm_timing import Series

USERNAME = "bench-pimpinan"


@dataclass
class PageResult:
    path: str
    series: Series
    status: int
    body_bytes: int
    statements: int | None
    load: str
    floor: Series | None = None  # the raw one-month aggregate, timed just before each GET


def staff_login(app) -> tuple[str, str]:
    """The bench's office-head account (created once), with a fresh random password; returns the credentials."""
    from app.auth import Role, create_user, find_user
    from app.extensions import db
    from app.passwords import hash_password

    password = secrets.token_urlsafe(24)
    with app.app_context():
        user = find_user(USERNAME)
        if user is None:
            create_user(username=USERNAME, password=password, full_name="Kepala Dinas (bench)", role=Role.PIMPINAN)
        else:
            user.password_hash = hash_password(password)
        db.session.commit()
        db.session.remove()
    return USERNAME, password


def _request(port: int, method: str, path: str, *, body: str | None = None, headers=None):
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        con.request(method, path, body=body, headers=headers or {})
        response = con.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        con.close()


def _cookies(headers, jar: dict) -> dict:
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            jar[key.strip()] = val.strip()
    return jar


def _cookie_header(jar: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def log_in(port: int, username: str, password: str) -> str:
    """Log in through the form like a browser; return the Cookie header of the logged-in session."""
    status, headers, body = _request(port, "GET", "/auth/login")
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', body
    )
    if status != 200 or match is None:
        raise RuntimeError(f"GET /auth/login: {status}, no csrf_token in the form")
    jar = _cookies(headers, {})
    form = urlencode({"csrf_token": match.group(1).decode(), "username": username, "password": password})
    status, headers, _ = _request(port, "POST", "/auth/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(jar),
        "Origin": f"http://127.0.0.1:{port}",
    })  # fmt: skip
    if status != 302:
        raise RuntimeError(f"POST /auth/login answered {status}, not a redirect")
    return _cookie_header(_cookies(headers, jar))


class Server:
    """werkzeug's make_server on a free port of 127.0.0.1, serving `app` from a daemon thread."""

    def __init__(self, app):
        from werkzeug.serving import WSGIRequestHandler, make_server

        class Quiet(WSGIRequestHandler):
            def log_request(self, *args, **kwargs) -> None:  # no access log line per request on stderr
                pass

        self.httpd = make_server("127.0.0.1", 0, app, threaded=False, request_handler=Quiet)
        self.port = self.httpd.server_port
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="ikm-bench-http", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.thread.join(timeout=30)
        self.httpd.server_close()


def _count_statements(app):
    """A counter of the SQL statements the app sends (SQLAlchemy before_cursor_execute on its engine)."""
    from sqlalchemy import event

    from app.extensions import db

    counter = {"n": 0}
    with app.app_context():
        engine = db.engine

    def before(*_args):
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", before)
    return counter, lambda: event.remove(engine, "before_cursor_execute", before)


def _timed_gets(port: int, path: str, cookie: str, runs: int, floor=None) -> tuple[Series, int, int, Series | None]:
    """A warm-up GET then `runs` timed GETs (each after one timed call of `floor`, when given); every answer must
    be a 200 dashboard page."""
    samples, floors, first, first_floor, size, status = [], [], 0.0, 0.0, 0, 0
    for i in range(runs + 1):
        started = time.perf_counter()
        if floor is not None:
            floor()
        floor_s = time.perf_counter() - started
        started = time.perf_counter()
        status, _, body = _request(port, "GET", path, headers={"Cookie": cookie})
        elapsed = time.perf_counter() - started
        if status != 200 or b"IKM" not in body:
            raise RuntimeError(f"GET {path} answered {status} ({len(body)} bytes): not the dashboard page")
        size = len(body)
        if i == 0:
            first, first_floor = elapsed, floor_s
        else:
            samples.append(elapsed)
            floors.append(floor_s)
    return Series(first, samples), status, size, Series(first_floor, floors) if floor is not None else None


def measure_page(database_url: str, unit_slug: str, floor=None) -> PageResult:
    """Serve the real app on `database_url`, log in as the office head, time `GET /analitik/` of MONTH_KEY (and
    `floor`, a callable, just before each GET)."""
    app = ikm_data.bench_app(database_url)
    username, password = staff_login(app)
    path = f"/analitik/?{urlencode({'unit': unit_slug, 'periode': MONTH_KEY})}"
    ikm_data.log(f"HTTP: GET {path} as the office head, 1 warm-up + {HTTP_RUNS} timed requests")
    with Server(app) as server:
        cookie = log_in(server.port, username, password)
        counter, stop = _count_statements(app)
        try:
            series, status, size, floor_series = _timed_gets(server.port, path, cookie, HTTP_RUNS, floor)
        finally:
            stop()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    statements = counter["n"] // (HTTP_RUNS + 1) if counter["n"] % (HTTP_RUNS + 1) == 0 else None
    ikm_data.log(f"HTTP: median {statistics.median(series.samples) * 1000:.0f} ms, {size:,} bytes")
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    return PageResult(path, series, status, size, statements, load, floor_series)
