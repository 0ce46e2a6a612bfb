"""Small factories with sensible defaults."""

from contextlib import contextmanager
from dataclasses import dataclass

from app import directory
from app.directory import AccessMode, ServiceKind
from app.extensions import db


@dataclass
class Directory:
    unit: directory.Unit
    izin: directory.Service
    pbg: directory.Service
    konsultasi: directory.Service
    static: directory.Counter  # one service: pre-selected
    multi: directory.Counter  # several services: chosen on the form
    token: directory.Counter
    assisted: directory.Counter


def make_directory() -> Directory:
    """Create a unit with three services and one counter per access mode; commits."""
    unit = directory.create_unit(name="DPMPTSP Kota Uji", slug="dpmptsp-uji")
    izin = directory.create_service(unit=unit, name="Perizinan Berusaha", kind=ServiceKind.PERIZINAN)
    pbg = directory.create_service(unit=unit, name="PBG", kind=ServiceKind.PERIZINAN)
    konsultasi = directory.create_service(unit=unit, name="Konsultasi", kind=ServiceKind.NONPERIZINAN)
    static = directory.create_counter(unit=unit, name="Loket 1", slug="loket-1", services=[izin])
    multi = directory.create_counter(unit=unit, name="Loket 2", slug="loket-2", services=[pbg, konsultasi])
    token = directory.create_counter(
        unit=unit, name="Loket 3", slug="loket-3", services=[izin], access_mode=AccessMode.TOKEN
    )
    assisted = directory.create_counter(
        unit=unit, name="Meja Bantuan", slug="meja", services=[], access_mode=AccessMode.ASSISTED
    )
    db.session.commit()
    return Directory(unit, izin, pbg, konsultasi, static, multi, token, assisted)


ALL_FOUR = {f"u{i}": "4" for i in range(1, 10)}


def survey_form(service_id: int | None = None, **fields) -> dict:
    """A complete valid survey POST body (all answers 4), with overrides."""
    data = dict(ALL_FOUR)
    if service_id is not None:
        data["layanan"] = str(service_id)
    data.update({k: v for k, v in fields.items() if v is not None})
    return {k: v for k, v in data.items() if v != "__omit__"}


def make_response(directory: Directory, day, scores=(), *, service=None, counter=None, **columns):
    """Add one questionnaire dated `day` (not committed).

    `scores` is {"U1": 4, ...}, {"u1": 4, ...} or a tuple in element order (None = unanswered); `service`
    defaults to the unit's licensing service, `counter` to none (a paper questionnaire's place).
    """
    from survey.models import Response

    if isinstance(scores, dict):
        answers = {code.lower(): value for code, value in scores.items()}
    else:
        answers = {f"u{i}": value for i, value in enumerate(scores, start=1)}
    response = Response(
        unit_id=directory.unit.id,
        service_id=columns.pop("service_id", None) or (service or directory.izin).id,
        counter_id=counter.id if counter is not None else None,
        survey_date=day,
        **answers,
        **columns,
    )
    db.session.add(response)
    return response


def make_responses(directory: Directory, day, count: int, score: int = 4, **columns) -> None:
    """Add and commit `count` questionnaires dated `day` with the same score for every element."""
    for _ in range(count):
        make_response(directory, day, (score,) * 9, **columns)
    db.session.commit()


def build(directory: Directory, period, **kwargs):
    """The dashboard of the directory's unit for a period (published figures when published)."""
    from analytics.dashboard import build_dashboard

    return build_dashboard(unit_id=directory.unit.id, unit_name=directory.unit.name, period=period, **kwargs)


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The PDF's text with whitespace collapsed; skips the test when poppler-utils is not installed."""
    import re
    import shutil
    import subprocess

    import pytest

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True)
    return re.sub(r"\s+", " ", out.stdout)


def read_workbook(body: bytes):
    """Open an .xlsx produced by the app."""
    import io

    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(body))


def count_responses() -> int:
    """How many survey responses are stored."""
    import sqlalchemy as sa

    from survey.models import Response

    return db.session.scalar(sa.select(sa.func.count(Response.id)))


def upload_import(client, unit, service, content: bytes | str, filename: str = "k.csv", period: str = "2026-10",
                  **fields):  # fmt: skip
    """Post a file to the paper import's upload form (the first step: it is checked and kept for the preview)."""
    import io

    body = content.encode() if isinstance(content, str) else content
    data = {"service": str(service.id), "period": period, "file": (io.BytesIO(body), filename), **fields}
    return client.post(f"/admin/units/{unit.id}/import", data=data, content_type="multipart/form-data")


def web_import(client, unit, service, content: bytes | str, filename: str = "k.csv", period: str = "2026-10",
               confirm: dict | None = None, **fields):  # fmt: skip
    """Upload a file, then confirm its preview (with the `confirm` ticks); returns the confirmation's answer (or the
    upload's, when it was refused)."""
    uploaded = upload_import(client, unit, service, content, filename, period, **fields)
    if uploaded.status_code != 303:
        return uploaded
    return client.post(uploaded.headers["Location"], data=confirm or {})


@contextmanager
def scratch_postgres(server_url: str):
    """Yield the URL of a new, empty PostgreSQL database on the server, dropped afterwards."""
    import uuid

    import sqlalchemy as sa

    name = f"skm_scratch_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


PASSWORD = "correct horse battery"


def make_user(role: str, *, unit=None, username: str | None = None):
    """Create (and commit) a staff account of `role`, scoped to `unit` when given; its password is PASSWORD."""
    from app.auth import Role, create_user

    role = Role(role)
    user = create_user(
        username=username or f"{role.value}{'-' + unit.slug if unit is not None else ''}",
        password=PASSWORD,
        full_name=f"Petugas {role.value}",
        role=role,
        unit_id=unit.id if unit is not None else None,
    )
    db.session.commit()
    return user


def make_kiosk(counter, *, label: str = "Tablet loket") -> tuple:
    """Register a kiosk for `counter` (committed); returns it and the cookie value its browser carries."""
    from app import clock
    from survey import kiosks
    from survey.models import Kiosk

    kiosk = Kiosk(counter_id=counter.id, label=label, registered_on=clock.today(), registered_by="test")
    db.session.add(kiosk)
    db.session.commit()
    return kiosk, kiosks.cookie_value(kiosk)


def as_kiosk(client, counter, **kwargs):
    """Make a test client a registered kiosk of `counter`; returns the kiosk."""
    from survey import kiosks

    kiosk, cookie = make_kiosk(counter, **kwargs)
    client.set_cookie(kiosks.COOKIE, cookie)
    return kiosk


def log_in(client, user) -> None:
    """Log `user` in on the test client (its password is PASSWORD)."""
    response = client.post("/auth/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code


def run_at_once(app, work, *, workers: int = 2, timeout: float = 120) -> list:
    """Run `work()` in `workers` threads released together, each in its own app context and session, committing
    after it; return the results (any exception fails the caller's test)."""
    import threading

    start = threading.Barrier(workers)
    results, errors = [], []

    def run() -> None:
        with app.app_context():
            try:
                start.wait()
                results.append(work())
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 (re-raised below, in the test's thread)
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    assert len(results) == workers, "a worker did not finish in time"
    return results


@contextmanager
def limited_app(**config):
    """A fresh app (with the directory) whose rate limits are on, with the given limits; limits off afterwards."""
    from app.extensions import limiter
    from tests.conftest import make_app

    app = make_app(RATELIMIT_ENABLED=True, **config)
    try:
        with app.app_context():
            db.create_all()
            yield app, make_directory()
    finally:
        limiter.reset()
        limiter.enabled = False
