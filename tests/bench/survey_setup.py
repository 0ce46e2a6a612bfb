"""Set-up of both apps of the survey benchmark, the database counts, and the survey session and POST checks."""

import http.client
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from tests.bench.survey_config import (
    BASELINE_BODY,
    BASELINE_PATH,
    BENCH_POST_LIMIT,
    DEVICE_COOKIE,
    REAL_ANSWERS,
    REPO,
    SURVEY_PATH,
    BenchError,
)
from tests.bench.survey_servers import Gunicorn, http_request


def run_checked(argv: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise BenchError(f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PROXY_FIX_X_FOR", None)  # a proxy setting would make every request look like a new client
    env.pop("GUNICORN_CMD_ARGS", None)  # both servers get exactly the arguments below
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def prepare_baseline(workdir: Path, *, name: str = "baseline.sqlite") -> dict[str, str]:
    env = base_env()
    env["BENCH_BASELINE_DB_URL"] = f"sqlite:///{workdir / name}"
    run_checked([sys.executable, "-m", "tests.bench.baseline_app", "init"], env, "baseline schema")
    return env


def prepare_real(workdir: Path, *, limiter: bool, name: str = "bench.sqlite") -> tuple[dict[str, str], Path]:
    """A fresh database for the real app and its environment. With `limiter`, the rate limiter runs on every
    request but the survey POST limit is out of reach (the per-address 600/hour would turn the load into 429s);
    without, the limiter is off."""
    db_path = workdir / name
    env = base_env()
    env.update(
        FLASK_APP="app",
        SKM_ENV="development",
        DATABASE_URL=f"sqlite:///{db_path}",  # absolute path: sqlite:////tmp/...
        RATELIMIT_ENABLED="true" if limiter else "false",
        RATELIMIT_STORAGE_URI="memory://",
        SURVEY_POST_LIMIT=BENCH_POST_LIMIT,
    )
    run_checked([sys.executable, "-m", "flask", "db", "upgrade"], env, "flask db upgrade")
    run_checked([sys.executable, "-m", "flask", "seed-demo"], env, "flask seed-demo")
    if not db_path.exists():
        raise BenchError(f"flask db upgrade did not create {db_path}: does instance/config.py override the database?")
    return env, db_path


def count_rows(db_path: Path, table: str) -> int:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed table names


def flag_counts(db_path: Path, since_id: int) -> list[tuple[str, int]]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10) as conn:
        rows = conn.execute(
            "SELECT coalesce(nullif(flags, ''), '(none)'), count(*) FROM responses WHERE id > ? GROUP BY 1 "
            "ORDER BY 2 DESC",
            (since_id,),
        ).fetchall()
    return [(str(f), int(n)) for f, n in rows]


def max_response_id(db_path: Path) -> int:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10) as conn:
        return conn.execute("SELECT coalesce(max(id), 0) FROM responses").fetchone()[0]


@dataclass
class Session:
    """What a browser holds after opening the survey page: the cookies and the form's hidden values."""

    cookie_header: str
    body: str
    page: bytes
    headers: http.client.HTTPMessage


def cookies_from(headers: http.client.HTTPMessage) -> dict[str, str]:
    cookies = {}
    for raw in headers.get_all("Set-Cookie") or []:
        name, _, value = raw.split(";", 1)[0].partition("=")
        cookies[name.strip()] = value.strip()
    return cookies


class _HiddenInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and (a.get("type") or "").lower() == "hidden" and a.get("name"):
            self.fields[a["name"]] = a.get("value") or ""


def hidden_inputs(html: str) -> dict[str, str]:
    """The form's hidden fields (quoted or unquoted attributes, any order)."""
    parser = _HiddenInputs()
    parser.feed(html)
    return parser.fields


def open_survey(server: Gunicorn) -> Session:
    status, headers, page = http_request(server.port, "GET", SURVEY_PATH)
    if status != 200:
        raise BenchError(f"GET {SURVEY_PATH} answered {status}, expected 200")
    fields = hidden_inputs(page.decode("utf-8"))
    service = fields.get("layanan")
    if not service:
        raise BenchError(f"the survey page has no hidden layanan field (hidden fields: {sorted(fields)})")
    cookies = cookies_from(headers)
    if sorted(cookies) != [DEVICE_COOKIE]:  # the survey sets no session: its CSRF check reads the browser's headers
        raise BenchError(f"the survey page set the cookies {sorted(cookies)}, expected only {DEVICE_COOKIE}")
    cookie_header = f"{DEVICE_COOKIE}={cookies[DEVICE_COOKIE]}"
    body = urlencode({"layanan": service, **REAL_ANSWERS})
    return Session(cookie_header=cookie_header, body=body, page=page, headers=headers)


def check_real_post(server: Gunicorn, session: Session, db_path: Path) -> None:
    """A valid POST stores a row and answers 303; the same POST marked cross-site by the browser answers 400."""
    before = count_rows(db_path, "responses")
    status, headers, _ = http_request(
        server.port, "POST", SURVEY_PATH, body=session.body, headers={"Cookie": session.cookie_header}
    )
    if status != 303 or "terima-kasih" not in (headers.get("Location") or ""):
        raise BenchError(f"valid survey POST answered {status} (Location {headers.get('Location')}), expected 303")
    if count_rows(db_path, "responses") != before + 1:
        raise BenchError(f"the served app did not write to {db_path}: does instance/config.py set another database?")
    cross_site = {"Cookie": session.cookie_header, "Sec-Fetch-Site": "cross-site"}
    status, _, _ = http_request(server.port, "POST", SURVEY_PATH, body=session.body, headers=cross_site)
    if status != 400:
        raise BenchError(f"survey POST marked cross-site answered {status}, expected 400")


def check_baseline(server: Gunicorn) -> None:
    status, headers, _ = http_request(server.port, "POST", BASELINE_PATH, body=BASELINE_BODY)
    if status != 303:
        raise BenchError(f"baseline POST answered {status}, expected 303")
