"""Complaint statistics (analytics/complaints.py) over hand-built complaints, the public pages and the panel."""

import re
import secrets
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa

from analytics.complaints import complaint_stats
from app import clock, directory
from app.extensions import db
from app.periods import quarter, year
from complaints.models import Complaint, ComplaintEvent, EventKind, Status, Stream
from tests.factories import build, make_responses

Y2026 = year(2026)
MARCH_2 = date(2026, 3, 2)
SECRET_TITLE = "Pungutan liar oleh petugas loket tiga"
WBS_TITLE = "Kepala seksi meminta imbalan"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def add_complaint(unit, status=Status.RECEIVED, *, received_on=MARCH_2, response_at=None, **columns) -> Complaint:
    """Add (not commit) one complaint of `unit`, with a public response at `response_at` when given."""
    complaint = Complaint(
        stream=columns.pop("stream", Stream.COMPLAINT),
        tracking_hash=secrets.token_hex(32),
        unit_id=unit.id,
        title=columns.pop("title", "Antrean terlalu lama"),
        description=columns.pop("description", "Uraian pengaduan"),
        status=status,
        received_on=received_on,
        verify_due=received_on + timedelta(days=3),
        **columns,
    )
    if response_at is not None:
        complaint.events.append(ComplaintEvent(kind=EventKind.RESPONSE, at=response_at, body="Jawaban", public=True))
        # a later answer does not make a timely first answer late
        complaint.events.append(ComplaintEvent(kind=EventKind.RESPONSE, at=response_at + timedelta(days=30),
                                               body="Jawaban kedua", public=True))  # fmt: skip
    db.session.add(complaint)
    return complaint


FIRST_ANSWER = utc(2026, 3, 9, 2)  # 9 March, 10.00 WITA


def done(unit, *, done_at, completion_due=date(2026, 4, 30), response_at=FIRST_ANSWER, **columns):
    """A Selesai complaint routed on 2 March, first follow-up due 10 March, completion due 30 April."""
    columns.setdefault("status", Status.DONE)
    return add_complaint(unit, done_at=done_at, completion_due=completion_due, followup_due=date(2026, 3, 10),
                         response_at=response_at, **columns)  # fmt: skip


@pytest.fixture
def sample(demo):
    """Eleven complaints of the demo unit in 2026 and some that must not count."""
    unit = demo.unit
    for status in (Status.RECEIVED, Status.ROUTED, Status.FOLLOWED_UP):
        add_complaint(unit, status)
    # Rejected, then archived; rejecting stamps done_at too (complaints.service), the reason tells them apart.
    add_complaint(unit, Status.REJECTED, rejection_reason="Di luar kewenangan", done_at=utc(2026, 3, 3))
    add_complaint(unit, Status.ARCHIVED, rejection_reason="Duplikat", done_at=utc(2026, 3, 3), completion_due=None)
    add_complaint(unit, Status.VERIFIED, confidential=True, title=SECRET_TITLE)
    done(unit, done_at=utc(2026, 4, 1, 3), rating=4)  # on time
    done(unit, done_at=utc(2026, 4, 2, 3), completion_due=date(2026, 4, 1), rating=2)  # completed late
    done(unit, status=Status.ARCHIVED, done_at=utc(2026, 4, 1, 3), response_at=utc(2026, 3, 12, 2), rating=3)
    done(unit, done_at=utc(2026, 4, 30, 15, 30))  # 23.30 WITA on 30 April: on time on the office clock
    done(unit, done_at=utc(2026, 4, 30, 16, 30))  # 00.30 WITA on 1 May: one day late
    # Not counted for the unit in 2026: a WBS report, last year's complaint, another unit's complaint.
    done(unit, stream=Stream.WBS, title=WBS_TITLE, done_at=utc(2026, 4, 1, 3), rating=1)
    add_complaint(unit, Status.DONE, received_on=date(2025, 12, 31), done_at=utc(2026, 1, 5), rating=1)
    other = directory.create_unit(name="Dinas Lain", slug="dinas-lain")
    add_complaint(other, Status.ROUTED)
    db.session.commit()
    return demo


def test_counts_per_status_and_the_three_lke_counts(app, sample):
    stats = complaint_stats(period=Y2026, unit_id=sample.unit.id)

    assert stats.by_status == {
        Status.RECEIVED: 1, Status.VERIFIED: 1, Status.REJECTED: 1, Status.ROUTED: 1, Status.FOLLOWED_UP: 1,
        Status.DONE: 4, Status.ARCHIVED: 2,
    }  # fmt: skip
    assert list(stats.by_status) == list(Status)  # workflow order
    assert stats.total == 11
    assert (stats.to_handle, stats.handled, stats.in_progress) == (8, 5, 3)
    assert stats.handled_percent == Decimal("62.5")


def test_on_time_uses_the_office_date_and_the_first_response(app, sample):
    stats = complaint_stats(period=Y2026, unit_id=sample.unit.id)

    assert stats.on_time == 2  # the first, and the one done at 23.30 WITA on its due date
    assert stats.on_time_percent == Decimal("40.0")


def test_handling_ratings_on_the_skm_scale(app, sample):
    stats = complaint_stats(period=Y2026, unit_id=sample.unit.id)

    assert (stats.rated, stats.rating_sum) == (3, 9)  # the WBS and last year's ratings of 1 stay out
    assert stats.rating_mean == Fraction(3)
    assert stats.rating_nik == Decimal("75.00") and stats.rating_mutu == "C"


def test_wbs_reports_are_never_counted(app, sample):
    everything = complaint_stats(period=Y2026)
    wbs_rows = db.session.scalar(sa.select(sa.func.count()).where(Complaint.stream == Stream.WBS))

    assert wbs_rows == 1
    assert everything.total == 12  # the unit's eleven and the other unit's one; not the WBS report
    assert everything.by_status[Status.ROUTED] == 2


def test_periods_and_units_select_by_the_date_of_receipt(app, sample):
    assert complaint_stats(period=year(2025), unit_id=sample.unit.id).total == 1
    assert complaint_stats(period=quarter(2026, 2), unit_id=sample.unit.id).total == 0  # done in Q2, received Q1
    empty = complaint_stats(period=quarter(2026, 2))
    assert empty.handled_percent is None and empty.on_time_percent is None and empty.rating_mean is None


def test_the_statistics_take_one_query(app, sample):
    unit_id, statements = sample.unit.id, []
    engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        complaint_stats(period=Y2026, unit_id=unit_id)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == 1 and "GROUP BY" in statements[0]


def this_years_complaints(demo) -> None:
    """Two complaints received today (one rahasia, done on time) and a WBS report."""
    today = clock.today()
    moment = datetime.now(UTC)
    add_complaint(demo.unit, Status.ROUTED, received_on=today)
    add_complaint(demo.unit, Status.DONE, received_on=today, confidential=True, title=SECRET_TITLE,
                  description="Isi rahasia pengaduan", done_at=moment, completion_due=today + timedelta(days=60),
                  followup_due=today + timedelta(days=7), response_at=moment, rating=4)  # fmt: skip
    add_complaint(demo.unit, Status.RECEIVED, received_on=today, stream=Stream.WBS, title=WBS_TITLE)
    db.session.commit()


@pytest.mark.parametrize("path", ["/hasil/", "/hasil/dpmptsp-uji"])
def test_the_public_pages_show_counts_and_no_content(app, client, demo, path):
    this_years_complaints(demo)

    response = client.get(path)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"Pengaduan: Tahun {clock.today().year}" in html
    assert re.search(r"<th>Jumlah pengaduan diterima</th><th>2</th>", html)  # the WBS report is not counted
    assert re.search(r"<td>Didisposisikan</td><td>1</td>", html) and re.search(r"<td>Selesai</td><td>1</td>", html)
    assert "Selesai ditindaklanjuti: 1 dari 2" in html and "Diselesaikan tepat waktu: 100,0%" in html
    for secret in (SECRET_TITLE, "Isi rahasia", WBS_TITLE, "WBS"):
        assert secret not in html
    if {"complaints.index", "complaints.form"} & set(app.view_functions):
        assert 'href="/pengaduan/"' in html


def test_the_public_page_without_complaints_says_so(app, client, demo):
    html = client.get("/hasil/dpmptsp-uji").get_data(as_text=True)
    assert "Belum ada pengaduan yang diterima pada periode ini." in html


def test_the_link_to_the_complaint_form_is_left_out_when_the_form_is_missing(app, client, demo):
    for endpoint in ("complaints.index", "complaints.form"):
        app.view_functions.pop(endpoint, None)
    html = client.get("/hasil/").get_data(as_text=True)
    assert "Sampaikan atau lacak pengaduan" not in html


def test_the_dashboard_panel_shows_the_lke_counts_and_the_rating_beside_u8(app, login, sample):
    make_responses(sample, MARCH_2, 2, score=3)
    assert build(sample, Y2026).complaints.handled == 5

    html = login.get("/analitik/?unit=dpmptsp-uji&periode=2026").get_data(as_text=True)

    panel = html[html.index("<h3>Pengaduan</h3>") : html.index("Integritas data")]
    cells = re.findall(r"<td>([^<]*)</td>", panel)
    assert cells == ["11", "8", "5", "3", "62,5%", "40,0%"]  # received, the LKE three, % handled, on time
    assert "<strong>3,000</strong> (3 penilaian)" in panel  # the reporters' mean rating
    assert "NRR U8 dari survei: <strong>3,000</strong>" in panel
    assert SECRET_TITLE not in html and WBS_TITLE not in html


def test_the_dashboard_panel_of_a_quiet_period(app, login, demo):
    html = login.get("/analitik/?unit=dpmptsp-uji&periode=2026-03").get_data(as_text=True)
    panel = html[html.index("<h3>Pengaduan</h3>") : html.index("Integritas data")]
    assert re.findall(r"<td>([^<]*)</td>", panel) == ["0", "0", "0", "0", "–", "–"]
    assert "belum ada penilaian" in panel


def test_complaints_worked_through_the_service_are_counted(app, demo):
    """The rules above hold for complaints the complaint service itself moved (its timestamps and stamps)."""
    from complaints import service
    from tests.factories import make_user

    officer, responder = make_user("pengaduan"), make_user("unit", unit=demo.unit)
    filed = [
        service.file_complaint(stream=Stream.COMPLAINT, unit_id=demo.unit.id, title=f"Keluhan {i}",
                               description="Antrean di loket terlalu lama dan tidak ada nomor antrean.")[0]
        for i in range(3)
    ]  # fmt: skip
    handled, rejected, waiting = filed
    for c in (handled, rejected):
        service.verify(c, by=officer)
    service.route(handled, by=officer, unit_id=demo.unit.id)
    service.respond(handled, by=responder, body="Nomor antrean sudah disediakan mulai hari ini.")
    service.close(handled, by=officer)
    service.rate(handled, rating=4)
    service.reject(rejected, by=officer, reason="Bukan kewenangan dinas ini.")
    service.archive(rejected, by=officer)
    db.session.commit()

    stats = complaint_stats(period=clock.current_period("year"), unit_id=demo.unit.id)

    assert stats.by_status[Status.DONE] == 1 and stats.by_status[Status.ARCHIVED] == 1
    assert stats.by_status[Status.RECEIVED] == 1
    assert (stats.to_handle, stats.handled, stats.on_time, stats.rated) == (1, 1, 1, 1)
    assert stats.handled_percent == Decimal("100.0") and stats.rating_mean == 4
