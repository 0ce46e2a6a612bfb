"""What the survey tells a respondent about anonymity holds against the office's own database and logs (issue 8).

Threat model (README, "Anonymity"): someone holds every printed code (or the receipts they were printed on), the
application's logs, a full dump of the database and even the SECRET_KEY. They must not be able to tell which
response used which code. The proof here: two offices that differ only in which code each citizen used end up
with identical databases, row for row and in storage order, so nothing stored can tell the two apart.
"""

import itertools
import logging
import threading
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from app.extensions import db
from survey import tokens
from survey.models import Response, StuffingCount
from tests.conftest import TEST_DATABASE_URL, make_app
from tests.factories import make_directory, scratch_postgres, survey_form

TOKEN_URL = "/s/dpmptsp-uji/loket-3"
CODES = ["ABCDE23456", "FGHJK7892M", "NPQRS3456T", "VWXYZ2345A", "BCDEF6789G", "HJKMN2345P"]
# The i-th citizen to answer gives the i-th set of answers, whichever code they hold.
ANSWERS = [{f"u{n}": str((n + i) % 4 + 1) for n in range(1, 10)} for i in range(len(CODES))]
SECRET = "anonymity-test-secret-key-0123456789abcdef"


def _issue_fixed_codes(monkeypatch, demo) -> None:
    supply = iter(CODES)
    monkeypatch.setattr(tokens, "_new_code", lambda: next(supply))
    tokens.issue_tokens(counter=demo.token, count=len(CODES))
    db.session.commit()


def _dump() -> dict[str, list[tuple]]:
    """Every row of every table as `SELECT *` returns it: storage order, as pg_dump or sqlite3 .dump write it.

    Left out, as they differ between any two runs: the anti-stuffing counts' keys and buckets (hashes of random
    device cookies, times of the run; the counts stay, sorted) and the setup's timestamps in the directory's tables.
    Every column of the response and code tables stays.
    """
    kept_whole = {"responses", "survey_token_batches", "survey_tokens"}

    def volatile(table, column) -> bool:
        if table.name == "survey_stuffing_counts":
            return column.name in ("key_hash", "bucket_start")
        return table.name not in kept_whole and isinstance(column.type, sa.DateTime)

    dump = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if not volatile(table, c)]
            rows = [tuple(row) for row in conn.execute(sa.select(*columns))]
            dump[table.name] = sorted(rows) if table.name == "survey_stuffing_counts" else rows
    return dump


def _office(url: str, monkeypatch, order: list[int], answers=ANSWERS) -> dict[str, list[tuple]]:
    """A fresh office database where the i-th citizen answers with CODES[order[i]]; returns its dump."""
    app = make_app(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=SECRET)
    with app.app_context():
        db.create_all()
        demo = make_directory()
        _issue_fixed_codes(monkeypatch, demo)
        client = app.test_client()
        for answer, code_index in zip(answers, order, strict=True):
            code = CODES[code_index]
            assert client.get(TOKEN_URL, query_string={"t": code}).status_code == 200
            data = survey_form(demo.izin.id, t=code, **answer)
            assert client.post(TOKEN_URL, data=data).status_code == 303
        dump = _dump()
        db.session.remove()
        db.engine.dispose()
    return dump


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request, tmp_path):
    """A factory of empty databases of one kind (PostgreSQL only where the suite has a server)."""
    if request.param == "sqlite":
        counter = itertools.count()
        yield lambda: f"sqlite:///{tmp_path}/office-{next(counter)}.sqlite"
        return
    if not TEST_DATABASE_URL:
        pytest.skip("no PostgreSQL server (TEST_DATABASE_URL)")
    with scratch_postgres(TEST_DATABASE_URL) as first, scratch_postgres(TEST_DATABASE_URL) as second:
        urls = iter([first, second])
        yield lambda: next(urls)


def test_which_code_a_citizen_used_leaves_no_trace(fresh_database, monkeypatch):
    in_order = _office(fresh_database(), monkeypatch, order=[0, 1, 2, 3, 4, 5])
    shuffled = _office(fresh_database(), monkeypatch, order=[3, 0, 5, 1, 4, 2])
    assert len(in_order["responses"]) == len(CODES)
    assert in_order == shuffled  # the same rows in the same order: the database cannot say who held which code


def test_the_dump_does_tell_different_answers_apart(fresh_database, monkeypatch):
    """The control: the comparison above is sensitive, since other answers give another database."""
    first = _office(fresh_database(), monkeypatch, order=[0, 1, 2, 3, 4, 5])
    other = _office(fresh_database(), monkeypatch, order=[0, 1, 2, 3, 4, 5], answers=ANSWERS[::-1])
    assert first["responses"] != other["responses"]
    assert first["survey_token_batches"] == other["survey_token_batches"]


RESPONSE_COLUMNS = {
    "id", "unit_id", "service_id", "counter_id", "import_batch_id", "survey_date", "channel",
    "gender", "age", "education", "occupation", "occupation_other", "suggestion", "assisted", "flags",
    *(f"u{n}" for n in range(1, 10)),
}  # fmt: skip


def test_a_response_keeps_the_date_and_nothing_that_names_a_device_address_code_or_moment(app, monkeypatch):
    assert {c.name for c in Response.__table__.columns} == RESPONSE_COLUMNS
    demo = make_directory()
    _issue_fixed_codes(monkeypatch, demo)
    client = app.test_client()
    client.get(TOKEN_URL, query_string={"t": CODES[0]})
    client.post(TOKEN_URL, data=survey_form(demo.izin.id, t=CODES[0]), environ_base={"REMOTE_ADDR": "10.9.8.7"})
    row = db.session.execute(sa.select(Response.__table__)).one()
    raw = {CODES[0], tokens._code_hash(CODES[0]), "10.9.8.7", client.get_cookie("skm_device").value}
    keys = set(db.session.scalars(sa.select(StuffingCount.key_hash)))
    assert not [value for value in row if any(secret in str(value) for secret in raw | keys)]
    counted = db.session.execute(sa.select(StuffingCount.__table__)).all()  # the counts hold hashes, never raw
    assert counted and not [value for line in counted for value in line if any(s in str(value) for s in raw)]


def test_the_anti_stuffing_history_keeps_counts_per_bucket_and_nothing_past_its_longest_check(app):
    demo = make_directory()
    now = datetime.now(UTC)
    window = timedelta(minutes=app.config["STUFFING_DEVICE_WINDOW_MINUTES"])
    for age in (window + timedelta(minutes=1), window / 4):  # one bucket no check reads any more, one still read
        db.session.add(StuffingCount(kind="device", key_hash="a" * 64, bucket_start=now - age, count=1))
    db.session.commit()
    assert app.test_client().post("/s/dpmptsp-uji/loket-1", data=survey_form(demo.izin.id)).status_code == 303
    rows = db.session.execute(sa.select(StuffingCount.kind, StuffingCount.key_hash, StuffingCount.bucket_start))
    ages = {kind: now - start.replace(tzinfo=start.tzinfo or UTC) for kind, key, start in rows if key == "a" * 64}
    assert list(ages.values()) == [window / 4]  # the stale bucket went with this submission
    for start in db.session.scalars(sa.select(StuffingCount.bucket_start)):  # no time finer than a bucket
        minutes = app.config["STUFFING_IP_WINDOW_MINUTES"]
        if start.replace(tzinfo=start.tzinfo or UTC) > now - window / 8:
            assert start.replace(tzinfo=UTC).timestamp() % (minutes * 30) == 0


def test_no_log_line_holds_a_code_its_hash_an_address_or_a_device_id(tmp_path, monkeypatch, caplog):
    """Through the real development server (its access log included), at DEBUG level."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/logs.sqlite", SECRET_KEY=SECRET)
    with app.app_context():
        db.create_all()
        demo = make_directory()
        _issue_fixed_codes(monkeypatch, demo)
        service_id = demo.izin.id
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}{TOKEN_URL}"
    caplog.set_level(logging.DEBUG)
    try:
        with urllib.request.urlopen(f"{base}?t={CODES[1]}") as page:
            device = page.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
        body = urllib.parse.urlencode(survey_form(service_id, t=CODES[1])).encode()
        request = urllib.request.Request(base, data=body, headers={"Cookie": f"skm_device={device}"})
        with urllib.request.urlopen(request) as thanks:
            assert thanks.status == 200 and thanks.url.endswith("/terima-kasih")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    with app.app_context():
        held = {CODES[1], tokens.display(CODES[1]), tokens._code_hash(CODES[1]), device, "127.0.0.1"}
    lines = [record.getMessage() for record in caplog.records]
    assert any("GET /s/dpmptsp-uji/loket-3" in line for line in lines)  # the access log was captured
    assert not any("POST /s/" in line for line in lines)  # an answer is not logged at all
    assert [line for line in lines if any(secret in line for secret in held)] == []
