"""Demo complaints for `flask seed-demo`: a dozen reports in every status, made with the service functions.

Each step runs through complaints.service (events, audit, deadlines, notifications) and is then dated back to
its place on a timeline relative to the office's today, with its deadline recomputed from that date, so some
reports are overdue and one is waiting for the reporter's answer. Reporters' e-mails use example.org.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from app import clock
from app.auth import Role, User
from app.directory import Counter, Service, Unit
from app.extensions import db
from app.periods import period_of
from complaints import deadlines, service
from complaints.handling import refresh_due
from complaints.models import Channel, Classification, Complaint, ComplaintEvent, Stream


@dataclass
class Story:
    """One demo report: what was filed and the steps taken, each `days` calendar days ago."""

    title: str
    description: str
    received: int
    steps: list[tuple[str, int]] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


STORIES = [
    Story(
        "Antrean loket perizinan sangat lama",
        "Saya menunggu lebih dari tiga jam di loket 1 tanpa kepastian.",
        0,
        extra={"name": "Rina Wulandari", "email": "rina@example.org", "element": "U3"},
    ),
    Story(
        "Petugas meminta biaya tambahan",
        "Ada permintaan uang di luar tarif resmi saat mengurus izin.",
        12,
        extra={"anonymous": True, "email": "anonim@example.org", "element": "U4"},
    ),
    Story(
        "Persyaratan PBG tidak jelas",
        "Daftar persyaratan di situs berbeda dengan di loket.",
        4,
        [("verify", 3)],
        extra={"name": "Agus Salim", "element": "U1"},
    ),
    Story("Keluhan jalan rusak", "Jalan di depan rumah rusak parah.", 20, [("reject", 18)]),
    Story(
        "Berkas hilang di loket",
        "Berkas asli saya tidak ditemukan saat diambil.",
        30,
        [("verify", 29), ("route", 28)],
        extra={"channel": Channel.COUNTER, "name": "Hendra"},
    ),
    Story(
        "Data pribadi tercantum di papan pengumuman",
        "Nama dan NIK pemohon ditempel di papan.",
        4,
        [("verify", 3), ("route", 1)],
        extra={"confidential": True},
    ),
    Story(
        "Aplikasi OSS sering gagal",
        "Unggah dokumen di OSS gagal berulang kali.",
        15,
        [("verify", 14), ("route", 12), ("respond", 2)],
        extra={"email": "budi@example.org", "name": "Budi"},
    ),
    Story(
        "Izin reklame belum terbit",
        "Sudah lewat batas waktu layanan.",
        25,
        [("verify", 24), ("route", 22), ("respond", 10), ("reply", 6)],
        extra={"name": "Sari"},
    ),
    Story(
        "Ruang tunggu panas",
        "Pendingin ruangan ruang tunggu tidak berfungsi.",
        40,
        [("verify", 39), ("route", 37), ("respond", 30), ("close", 28), ("rate", 27)],
        extra={"element": "U9", "classification": Classification.ASPIRATION},
    ),
    Story(
        "Permintaan salinan SOP",
        "Mohon salinan SOP perizinan berusaha.",
        90,
        [("verify", 89), ("route", 88), ("respond", 80), ("close", 70), ("archive", 60)],
        extra={"classification": Classification.INFORMATION},
    ),
    Story("Aplikasi OSS gagal unggah", "Dokumen tidak bisa diunggah di OSS.", 13, [("duplicate", 12)]),
    Story(
        "Laporan SP4N-LAPOR! tentang jam layanan",
        "Loket tutup sebelum jam layanan berakhir.",
        2,
        extra={"channel": Channel.LAPOR, "lapor_id": "LAPOR-2611-0042"},
    ),
]
WBS_STORY = Story("Dugaan pungutan liar oleh petugas", "Seorang petugas meminta imbalan untuk mempercepat izin.",
                  6, [("verify", 5), ("route", 4)], extra={"anonymous": True})  # fmt: skip


def _staff(role: Role, fallback: User) -> User:
    """The first active account of `role`, else `fallback`."""
    user = db.session.scalar(sa.select(User).where(User.role == role, User.active.is_(True)).order_by(User.id))
    return user or fallback


def _moment(days_ago: int, rng: random.Random) -> datetime:
    """A moment in office hours `days_ago` calendar days before today."""
    day = clock.today() - timedelta(days=days_ago)
    local = datetime.combine(day, time(rng.randrange(8, 15), rng.randrange(60)), clock.office_tz())
    return local.astimezone(UTC)


STAMPS = ("received_at", "verified_at", "routed_at", "responded_at", "done_at", "archived_at", "rated_at")


def _redate(c: Complaint, moment: datetime, first_event_id: int) -> None:
    """Date the events since `first_event_id` and the fields the last step stamped at `moment`; redo deadlines."""
    for event in db.session.scalars(
        sa.select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id, ComplaintEvent.id >= first_event_id)
    ):
        event.at = moment
    for name in STAMPS:  # earlier steps were dated back already: only the last step's stamps are today
        value = getattr(c, name)
        if value is not None and clock.local_date(value) == clock.today():
            setattr(c, name, moment)
    c.received_on = clock.local_date(c.received_at)
    c.verify_due = deadlines.verify_due(c.received_on)
    if c.verified_at is not None:
        c.complete_on = clock.local_date(c.verified_at)
        c.completion_due = deadlines.completion_due(c.complete_on)
    _redate_handling(c)
    refresh_due(c)
    db.session.flush()


def _redate_handling(c: Complaint) -> None:
    """Recompute the follow-up and reply deadlines from the dated disposition, response and reply."""
    if c.reply_due is not None and c.responded_at is not None:
        c.reply_due = deadlines.reply_due(clock.local_date(c.responded_at))
    if c.followup_due is not None:
        replies = [e.at for e in c.events if e.kind == "citizen_reply"]
        start = clock.local_date(max(replies)) if replies else clock.local_date(c.routed_at)
        c.followup_due = deadlines.followup_due(start)


def _steps(officer: User, answerer: User, original: Complaint | None) -> dict[str, Callable[[Complaint], None]]:
    """The demo steps by name, acting as the given staff."""
    return {
        "verify": lambda c: service.verify(c, by=officer),
        "reject": lambda c: service.reject(c, by=officer, reason="Di luar kewenangan instansi ini."),
        "route": lambda c: service.route(c, by=officer, unit_id=c.unit_id),
        "respond": lambda c: service.respond(c, by=answerer, body="Terima kasih, laporan sedang kami perbaiki."),
        "reply": lambda c: service.citizen_reply(c, body="Masalahnya belum selesai."),
        "close": lambda c: service.close(c, by=officer),
        "archive": lambda c: service.archive(c, by=officer),
        "rate": lambda c: service.rate(c, rating=4),
        "duplicate": lambda c: service.mark_duplicate(c, by=officer, original=original),
    }


def _play(story: Story, *, stream: Stream, unit: Unit, services: list[Service], officer: User, steps, rng) -> Complaint:
    """File one story and take its steps, each dated back to its day."""
    extra = dict(story.extra)
    if extra.get("channel") not in (None, Channel.WEB):
        extra["registered_by"] = officer
    with_service = {"service_id": rng.choice(services).id} if services and stream == Stream.COMPLAINT else {}
    c, _code = service.file_complaint(stream=stream, unit_id=unit.id, title=story.title,
                                      description=story.description, **with_service, **extra)  # fmt: skip
    _redate(c, _moment(story.received, rng), 0)
    for name, days_ago in story.steps:
        first = (db.session.scalar(sa.select(sa.func.max(ComplaintEvent.id))) or 0) + 1
        steps[name](c)
        _redate(c, _moment(days_ago, rng), first)
    return c


def seed_complaints(
    *, unit: Unit, counters: list[Counter], services: list[Service], count: int, rng: random.Random
) -> None:
    """Add the demo complaints and one WBS report through the service functions. Flushes."""
    admin = db.session.scalar(sa.select(User).order_by(User.id))
    if admin is None:
        return
    officer = _staff(Role.PENGADUAN, admin)
    answerer = _staff(Role.UNIT, officer)
    made: list[Complaint] = []
    for story in STORIES:
        original = made[6] if len(made) > 6 else None
        steps = _steps(officer, answerer, original)
        made.append(_play(story, stream=Stream.COMPLAINT, unit=unit, services=services, officer=officer,
                          steps=steps, rng=rng))  # fmt: skip
    handler = _staff(Role.WBS, officer)
    _play(WBS_STORY, stream=Stream.WBS, unit=unit, services=services, officer=handler,
          steps=_steps(handler, handler, None), rng=rng)  # fmt: skip
    _monitoring(unit, officer, handler)


def _monitoring(unit: Unit, officer: User, handler: User) -> None:
    """The last two closed quarters' monitoring and evaluation, complaints and WBS apart, the follow-up carried out
    (two, so the year of every month the demo publishes has one)."""
    from complaints.monitoring import can_write
    from complaints.service import save_monitoring_record

    last = period_of(clock.current_period("quarter").start - timedelta(days=1), "quarter")
    for quarter in (period_of(last.start - timedelta(days=1), "quarter"), last):
        done_on = min(clock.today(), quarter.end + timedelta(days=10))
        for stream, user, findings, follow_up in (
            (Stream.COMPLAINT, officer, "Verifikasi pengaduan lewat loket sering melewati 3 hari kerja.",
             "Petugas cadangan verifikasi ditunjuk; rekap mingguan ke pimpinan."),
            (Stream.WBS, handler, "Laporan WBS ditangani sesuai prosedur; kanal WBS belum banyak dikenal.",
             "Sosialisasi kanal WBS di ruang tunggu dan situs web."),
        ):  # fmt: skip
            if can_write(user, stream, unit.id):
                save_monitoring_record(unit_id=unit.id, period=quarter, stream=stream, findings=findings,
                                       follow_up=follow_up, follow_up_done=True, follow_up_done_on=done_on,
                                       by=user)  # fmt: skip
