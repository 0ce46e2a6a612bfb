"""The databases of the complaint benchmark: schema, directory, one officer, and N complaints by SQL inserts.

Run by tests/bench/complaints_bench.py after `flask db upgrade`, with the server's environment (DATABASE_URL):
`python -m tests.bench.complaints_seed --complaints N`. When the migrations do not yet build every table and
column of the models (the complaint tables arrive with a later revision), the file is made again with
`db.create_all()`; so it refuses any database but an SQLite file in the benchmark's temporary directory. Prints one
JSON line: the schema used, the officer's login, a tracking code and a unit id.
"""

import argparse
import functools
import json
import random
import secrets
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

from app import clock, create_app
from app import directory as d
from app.auth import Role, User, create_user
from app.extensions import db
from complaints import deadlines, tracking
from complaints.models import Complaint, ComplaintEvent, Reporter, Stream
from complaints.staff_inbox import Filters, inbox_page
from tests.bench.complaints_config import WORKDIR_PREFIX

UNITS = {
    "DPMPTSP Kota Bench": ("Perizinan Berusaha", "PBG", "Konsultasi"),
    "Dinas Kependudukan dan Pencatatan Sipil": ("KTP-el", "Kartu Keluarga", "Akta Kelahiran"),
    "Dinas Kesehatan": ("Surat Keterangan Sehat", "Izin Praktik"),
    "Dinas Perhubungan": ("Uji KIR", "Izin Trayek"),
}
TITLES = (
    "Antrean izin terlalu lama", "Petugas tidak ramah", "Biaya di luar tarif resmi", "Berkas hilang",
    "Situs layanan tidak bisa dibuka", "Persyaratan tidak jelas", "Toilet ruang tunggu rusak",
    "Jadwal layanan tidak sesuai", "Pertanyaan syarat izin usaha", "Usulan layanan antar-jemput berkas",
)  # fmt: skip
DESCRIPTION = "Saya sudah datang tiga kali ke loket dan berkas belum juga diproses. " * 6
RESPONSE = "Berkas Anda sudah kami proses dan petugas yang bersangkutan sudah dibina. Terima kasih."


def schema(url: str) -> str:
    """Keep the migrated schema when it has every table and column of the models; else build it with create_all."""
    inspector = sa.inspect(db.engine)
    live = {name: {c["name"] for c in inspector.get_columns(name)} for name in inspector.get_table_names()}
    gaps = [t.name for t in db.metadata.sorted_tables if t.name not in live]
    gaps += [f"{t.name}.{c.name}" for t in db.metadata.sorted_tables if t.name in live for c in t.columns
             if c.name not in live[t.name]]  # fmt: skip
    if not gaps:
        head = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        return f"`flask db upgrade` (head {head})"
    db.session.remove()
    db.engine.dispose()
    path = Path(sa.engine.make_url(url).database)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db.create_all()
    shown = ", ".join(gaps[:6]) + (f" and {len(gaps) - 6} more" if len(gaps) > 6 else "")
    return f"`db.create_all()`: the migrations at head do not build {shown} yet"


def directory() -> list:
    """The units and services of the benchmark office; committed."""
    units = []
    for name, services in UNITS.items():
        unit = d.create_unit(name=name)
        for service in services:
            d.create_service(unit=unit, name=service)
        units.append(unit)
    db.session.commit()
    return units


def officer() -> tuple[User, str]:
    """An office-wide petugas pengaduan with a random password; committed."""
    password = secrets.token_urlsafe(18)
    user = create_user(username="bench-pengaduan", password=password, full_name="Petugas Bench", role=Role.PENGADUAN)
    db.session.commit()
    return user, password


def inbox_plans(user: User) -> list[str]:
    """SQLite's plan of every statement the inbox's first page runs for `user` (EXPLAIN QUERY PLAN)."""
    captured = []

    def grab(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM complaints" in statement:
            captured.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", grab)
    try:
        inbox_page(user, Stream.COMPLAINT, Filters())
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", grab)
    conn = db.session.connection()
    return ["; ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params))
            for statement, params in captured]  # fmt: skip


# Statuses by age in days (over 60, over 10, the last 10), with their weights: older ones are mostly closed.
BY_AGE = (
    (60, ("diarsipkan", "selesai", "ditolak"), (70, 20, 10)),
    (10, ("selesai", "ditindaklanjuti", "didisposisikan", "ditolak"), (50, 25, 20, 5)),
    (-1, ("belum_terverifikasi", "terverifikasi", "didisposisikan", "ditindaklanjuti"), (40, 20, 30, 10)),
)


def _status(rng: random.Random, age: int) -> str:
    """A status that fits a complaint received `age` days ago."""
    statuses, weights = next((s, w) for limit, s, w in BY_AGE if age > limit)
    return rng.choices(statuses, weights)[0]


EVENT_DEFAULTS = dict(actor_id=None, from_status=None, to_status=None)
STEPS = ("belum_terverifikasi", "terverifikasi", "didisposisikan", "ditindaklanjuti", "selesai", "diarsipkan")


def _moment(day, hour: int) -> datetime:
    """An office-local day and hour as a UTC moment (what the database keeps)."""
    return datetime.combine(day, time(hour), tzinfo=clock.office_tz()).astimezone(UTC)


def complaint_row(rng: random.Random, ident: int, today, units, services) -> tuple[dict, list[dict]]:
    """One complaint's columns and its history events, consistent with its status and deadlines."""
    age = rng.randint(0, 364)
    received = today - timedelta(days=age)
    status = _status(rng, age)
    unit = rng.choice(units)
    row = dict(
        id=ident, stream="pengaduan", tracking_hash=tracking.code_hash(tracking.new_code()),
        classification=rng.choices(("pengaduan", "aspirasi", "informasi"), (80, 10, 10))[0],
        channel=rng.choices(("web", "loket", "telepon", "lapor"), (70, 15, 10, 5))[0], unit_id=unit.id,
        service_id=rng.choice(services[unit.id]), title=f"{rng.choice(TITLES)} ({ident})", description=DESCRIPTION,
        anonymous=rng.random() < 0.3, status=status, received_at=_moment(received, 9), received_on=received,
        verify_due=_due("verify_due", received),
    )  # fmt: skip
    events = [_event(ident, row["received_at"], None, "belum_terverifikasi")]
    reached = STEPS.index(status) if status != "ditolak" else 0
    day = received
    for previous, step in zip(STEPS, STEPS[1 : reached + 1], strict=False):
        day = min(today, day + timedelta(days=rng.randint(1, 3)))
        at = _moment(day, 10)
        _step_columns(row, step, day, at, unit.id)
        events.append(_event(ident, at, previous, step))
        if step == "ditindaklanjuti":
            events.append(EVENT_DEFAULTS | dict(complaint_id=ident, kind="response", public=True, at=at, body=RESPONSE))
    if status == "ditolak":
        row.update(rejection_reason="Bukan kewenangan kantor ini.", done_at=_moment(received + timedelta(1), 10))
        events.append(_event(ident, row["done_at"], "belum_terverifikasi", "ditolak", row["rejection_reason"]))
    row["due_on"], row["due_step"] = deadlines.current_due(_dates(row))
    return row, events


def _event(ident: int, at: datetime, before: str | None, after: str, body: str = "") -> dict:
    """A public status change of complaint `ident`."""
    return dict(complaint_id=ident, kind="transition", actor_id=None, from_status=before, to_status=after,
                public=True, at=at, body=body)  # fmt: skip


@functools.cache
def _due(kind: str, day):
    """A deadline from complaints.deadlines, once per day (the working-day arithmetic is not free)."""
    return getattr(deadlines, kind)(day)


def _step_columns(row: dict, step: str, day, at: datetime, unit_id: int) -> None:
    if step == "terverifikasi":
        row.update(verified_at=at, complete_on=day, completion_due=_due("completion_due", day))
    elif step == "didisposisikan":
        row.update(routed_at=at, assigned_unit_id=unit_id, followup_due=_due("followup_due", day))
    elif step == "ditindaklanjuti":
        row.update(responded_at=at, reply_due=_due("reply_due", day))
    elif step == "selesai":
        row.update(done_at=at)
    elif step == "diarsipkan":
        row.update(archived_at=at)


def _dates(row: dict) -> SimpleNamespace:
    """What deadlines.current_due reads of a complaint."""
    return SimpleNamespace(**{k: row.get(k) for k in ("status", "verify_due", "followup_due", "reply_due",
                                                        "completion_due")})  # fmt: skip


# Every column the rows set, so that one executemany inserts them all (absent ones are NULL or the default).
DEFAULTS = dict(lapor_id="", element=None, reported_party="", requested_resolution="", event_date=None,
                confidential=False, registered_by_id=None, verified_at=None, complete_on=None, completion_due=None,
                routed_at=None, assigned_unit_id=None, assigned_user_id=None, followup_due=None, responded_at=None,
                reply_due=None, done_at=None, archived_at=None, rejection_reason="", duplicate_of_id=None,
                escalated_at=None, escalated_step="", rating=None, rated_at=None)  # fmt: skip


def seed_complaints(count: int, units: list) -> str:
    """Insert `count` complaints with their events and reporters (SQL executemany); the code of a followed-up one."""
    rng = random.Random(20261128)
    today = clock.today()
    services = {u.id: [s.id for s in u.services] for u in units}
    rows, events, reporters = [], [], []
    for ident in range(1, count + 1):
        row, history = complaint_row(rng, ident, today, units, services)
        rows.append(DEFAULTS | row)
        events += history
        if not row["anonymous"]:
            reporters.append(dict(complaint_id=ident, name=f"Warga {ident}", email=f"warga{ident}@example.org",
                                  phone=f"0812{ident:08d}"))  # fmt: skip
    code = tracking.new_code()  # the tracked complaint: the newest one that has an answer
    tracked = max((r for r in rows if r["status"] == "ditindaklanjuti"), key=lambda r: (r["received_on"], r["id"]))
    tracked["tracking_hash"] = tracking.code_hash(code)
    for table, values in ((Complaint, rows), (ComplaintEvent, events), (Reporter, reporters)):
        for start in range(0, len(values), 2000):
            db.session.execute(sa.insert(table.__table__), values[start : start + 2000])
    db.session.commit()
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.complaints_seed", description=__doc__.split("\n")[0])
    parser.add_argument("--complaints", type=int, default=0)
    args = parser.parse_args(argv)
    app = create_app()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    database = sa.engine.make_url(url).database or ""
    if not url.startswith("sqlite:///") or not Path(database).parent.name.startswith(WORKDIR_PREFIX):
        # It may delete and rebuild the file: never let it near a database that is not the benchmark's own.
        print(f"complaints_seed fills only an SQLite file in a {WORKDIR_PREFIX}* directory", file=sys.stderr)
        return 2
    with app.app_context():
        how = schema(url)
        units = directory()
        user, password = officer()
        code = seed_complaints(args.complaints, units) if args.complaints else ""
        plans = inbox_plans(user)
        counts = {t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}"))  # noqa: S608 - fixed names
                  for t in ("complaints", "complaint_events", "complaint_reporters")}  # fmt: skip
        result = dict(schema=how, username=user.username, password=password, code=code, unit_id=units[0].id,
                      counts=counts, plans=plans)  # fmt: skip
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
