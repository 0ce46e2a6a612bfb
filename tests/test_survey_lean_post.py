"""The lean survey POST (issue 12): the counter's access rule read fresh in one statement, the anti-stuffing
statements built once, the response inserted without the ORM, and the same answers, checks and flags as before."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app import directory
from app.directory import AccessMode, CounterAccess, counter_access, get_counter
from app.extensions import db
from survey import stuffing
from survey.models import Channel, Response, StuffingCount
from survey.service import Profile, record_response
from tests.conftest import make_app
from tests.factories import make_directory, survey_form

URL = "/s/dpmptsp-uji/loket-1"
SLUGS = ("loket-1", "loket-2", "loket-3", "meja")


def _access_of_every_counter() -> dict[str, tuple[CounterAccess | None, CounterAccess]]:
    db.session.expire_all()
    return {s: (counter_access("dpmptsp-uji", s), CounterAccess.of(get_counter("dpmptsp-uji", s))) for s in SLUGS}


def test_the_lean_read_gives_the_rule_of_the_loaded_counter(app, demo):
    """Listed services, the unit's when none are listed (the assisted desk), inactive ones left out."""
    for lean, loaded in _access_of_every_counter().values():
        assert lean == loaded
    assert counter_access("dpmptsp-uji", "meja").service_ids == {demo.izin.id, demo.pbg.id, demo.konsultasi.id}
    assert counter_access("dpmptsp-uji", "loket-3").access_mode == AccessMode.TOKEN
    directory.update_service(demo.konsultasi, name="Konsultasi", kind="nonperizinan", active=False)
    directory.update_service(demo.izin, name="Perizinan Berusaha", kind="perizinan", active=False)
    db.session.commit()
    for lean, loaded in _access_of_every_counter().values():
        assert lean == loaded
    assert counter_access("dpmptsp-uji", "loket-1").service_ids == frozenset()  # not the unit's: it lists its own
    assert counter_access("dpmptsp-uji", "meja").service_ids == {demo.pbg.id}
    assert counter_access("dpmptsp-uji", "tidak-ada") is None
    assert counter_access("lain", "loket-1") is None


def test_an_inactive_counter_is_read_as_inactive(app, demo):
    demo.multi.active = False
    db.session.commit()
    assert counter_access("dpmptsp-uji", "loket-2").active is False


def _two_workers(tmp_path):
    """Two apps on one database file: two gunicorn workers, each with its own process state."""
    url = f"sqlite:///{tmp_path}/workers.sqlite"
    first, second = make_app(SQLALCHEMY_DATABASE_URI=url), make_app(SQLALCHEMY_DATABASE_URI=url)
    with first.app_context():
        db.create_all()
        service_id = make_directory().izin.id
    return first, second, service_id


def _set_counter(app, **changes) -> None:
    with app.app_context():
        counter = get_counter("dpmptsp-uji", "loket-1")
        rule = {"name": counter.name, "services": counter.services, "access_mode": counter.access_mode}
        directory.update_counter(counter, **{**rule, "active": counter.active, **changes})
        db.session.commit()


def _responses(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Response))


def test_a_switch_to_token_mode_applies_to_the_next_answer_on_every_worker(tmp_path):
    first, second, service_id = _two_workers(tmp_path)
    phone = first.test_client()
    assert phone.post(URL, data=survey_form(service_id)).status_code == 303
    _set_counter(second, access_mode=AccessMode.TOKEN)  # staff switch the counter on the other worker
    refused = phone.post(URL, data=survey_form(service_id))
    assert refused.status_code == 400 and "memerlukan kode" in refused.get_data(as_text=True)
    assert _responses(first) == 1
    _set_counter(second, access_mode=AccessMode.STATIC)
    assert phone.post(URL, data=survey_form(service_id)).status_code == 303


def test_a_deactivated_counter_takes_no_answer_from_the_next_request_on(tmp_path):
    first, second, service_id = _two_workers(tmp_path)
    phone = first.test_client()
    assert phone.post(URL, data=survey_form(service_id)).status_code == 303
    _set_counter(second, active=False)
    assert phone.post(URL, data=survey_form(service_id)).status_code == 404
    _set_counter(second, access_mode=AccessMode.ASSISTED, active=True)
    assert phone.post(URL, data=survey_form(service_id)).status_code == 403
    assert _responses(first) == 1


def _statements_of(client, form) -> list[tuple[str, bool]]:
    statements = []

    def record(_conn, _cursor, statement, _params, _context, executemany):
        statements.append((statement.split()[0], executemany))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.post(URL, data=form).status_code == 303
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return statements


def test_a_stored_answer_costs_four_statements_and_the_first_of_a_bucket_five(app, demo, monkeypatch):
    """The access rule (1), the counts (1), every count's upsert (1 executemany) and the response (1): no directory
    hydrated, no statement per key. The first answer a process takes in a new bucket also deletes the buckets that
    aged out (1); the next ones in the same bucket have nothing to delete and do not scan the table for it."""
    monkeypatch.setattr(stuffing, "datetime", _Clock)
    _Clock.at = stuffing._bucket(stuffing.ADDRESS, datetime.now(UTC)) + timedelta(seconds=1)  # no bucket ends here
    client = app.test_client()
    client.get(URL)  # the device cookie: every kind of key is counted
    first = _statements_of(client, survey_form(demo.izin.id))
    assert first == [("SELECT", False), ("DELETE", False), ("SELECT", False), ("INSERT", True), ("INSERT", False)]
    assert _statements_of(client, survey_form(demo.izin.id)) == [first[0], *first[2:]]


class _Clock:
    """`datetime` for survey.stuffing, with `now` set by the test."""

    at = datetime.now(UTC)

    @classmethod
    def now(cls, tz=None):
        return cls.at

    fromtimestamp = staticmethod(datetime.fromtimestamp)


def test_the_first_answer_after_a_bucket_ages_out_deletes_it(app, demo, monkeypatch):
    monkeypatch.setattr(stuffing, "datetime", _Clock)
    half = timedelta(minutes=app.config["STUFFING_IP_WINDOW_MINUTES"]) / 2
    start = stuffing._bucket(stuffing.ADDRESS, datetime.now(UTC))
    _Clock.at = start + half / 10
    client = app.test_client()
    assert client.post(URL, data=survey_form(demo.izin.id)).status_code == 303
    # Aged out by the next bucket: the previous one is still read, this one (two back) no longer is.
    db.session.add(StuffingCount(kind="address", key_hash="b" * 64, bucket_start=start - half, count=2))
    db.session.commit()
    _Clock.at = start + half / 2  # the same bucket: nothing has aged out since this process pruned
    assert ("DELETE", False) not in _statements_of(client, survey_form(demo.izin.id))
    assert db.session.scalar(sa.select(sa.func.count()).where(StuffingCount.key_hash == "b" * 64)) == 1
    _Clock.at = start + half + half / 10  # the next bucket
    assert ("DELETE", False) in _statements_of(client, survey_form(demo.izin.id))
    assert db.session.scalar(sa.select(sa.func.count()).where(StuffingCount.key_hash == "b" * 64)) == 0


def test_a_prune_rolled_back_is_run_again_by_the_next_answer(app, demo, monkeypatch):
    monkeypatch.setattr(stuffing, "datetime", _Clock)
    _Clock.at = stuffing._bucket(stuffing.ADDRESS, datetime.now(UTC)) + timedelta(seconds=1)
    stuffing.assess_and_log(ip="10.0.0.9", device_id="phone-9", answers={"U1": 4})
    db.session.rollback()  # as when the answer's transaction fails after the prune
    assert ("DELETE", False) in _statements_of(app.test_client(), survey_form(demo.izin.id))


def test_the_anti_stuffing_statements_are_built_once(app, demo):
    client = app.test_client()
    client.get(URL)
    before = (stuffing._COUNTS, stuffing._PRUNE, directory._ACCESS)
    for _ in range(2):
        assert client.post(URL, data=survey_form(demo.izin.id)).status_code == 303
    dialect = db.engine.dialect.name
    assert stuffing._upsert_statement(dialect) is stuffing._upsert_statement(dialect)
    assert (stuffing._COUNTS, stuffing._PRUNE, directory._ACCESS) == before
    sql = str(stuffing._upsert_statement(dialect).compile(db.engine))
    assert "ON CONFLICT (kind, key_hash, bucket_start) DO UPDATE SET count = (survey_stuffing_counts.count +" in sql


def _counts_by_kind() -> dict[str, list[int]]:
    rows = db.session.execute(sa.select(StuffingCount.kind, StuffingCount.count).order_by(StuffingCount.kind))
    counts: dict[str, list[int]] = {}
    for kind, count in rows:
        counts.setdefault(kind, []).append(count)
    return counts


@pytest.mark.parametrize("kiosk", [False, True])
def test_each_key_counts_once_per_answer_and_the_flags_follow_the_counts(app, demo, kiosk):
    app.config.update(STUFFING_IP_BURST=3, STUFFING_IDENTICAL_BURST=2)
    access = CounterAccess.of(demo.static)
    flags = []
    for _ in range(4):
        stored = record_response(
            counter=access,
            service_id=demo.izin.id,
            answers={"U1": 4},
            profile=Profile(),
            channel=Channel.KIOSK if kiosk else Channel.ONLINE,
            device_id="kiosk-1" if kiosk else "phone-1",
            ip="10.0.0.7",
        )
        flags.append(" ".join(stored.flags))
        assert db.session.get(Response, stored.id).flags == flags[-1]
    if kiosk:  # per kiosk, no device or pattern check; the address only past 3x the burst
        assert _counts_by_kind() == {"address": [4], "device": [4], "kiosk": [4]}
        assert flags == ["", "", "ip_burst", "ip_burst"]
    else:
        assert _counts_by_kind() == {"address": [4], "device": [4], "pattern": [4]}
        assert flags == [
            "",
            "device_repeat identical_burst",
            "device_repeat ip_burst identical_burst",
            "device_repeat ip_burst identical_burst",
        ]


def test_counts_of_buckets_no_check_reads_are_not_counted(app, demo):
    """A bucket older than the previous one is neither counted nor kept (pruned with the same answer)."""
    device = stuffing.keyed_hash("device", "phone-1")
    window = timedelta(minutes=app.config["STUFFING_DEVICE_WINDOW_MINUTES"])
    old = stuffing._bucket(stuffing.DEVICE, datetime.now(UTC)) - window  # two buckets back
    db.session.add(StuffingCount(kind="device", key_hash=device, bucket_start=old, count=5))
    db.session.commit()
    stored = record_response(
        counter=CounterAccess.of(demo.static), service_id=demo.izin.id, answers={"U1": 4}, profile=Profile(),
        device_id="phone-1", ip="10.0.0.8",
    )  # fmt: skip
    assert stored.flags == ()
    assert _counts_by_kind()["device"] == [1]


def test_an_answer_without_a_session_cookie_builds_no_session_signer(app, demo, admin, monkeypatch):
    """A citizen's POST carries no session cookie: its session starts empty without building the signer; a
    logged-in officer's session is still read (and so still ends when it is stale)."""
    built = []
    signer = app.session_interface.get_signing_serializer
    monkeypatch.setattr(app.session_interface, "get_signing_serializer", lambda a: built.append(1) or signer(a))
    assert app.test_client().post(URL, data=survey_form(demo.izin.id)).status_code == 303
    assert built == []
    officer = app.test_client()
    login = {"username": "admin", "password": "correct horse battery"}
    assert officer.post("/auth/login", data=login).status_code == 302
    built.clear()
    assert officer.get("/admin/pengguna/").status_code == 200 and built  # the cookie is read, so signed
