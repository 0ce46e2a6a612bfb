"""End to end in Debian's Chromium: a citizen files a complaint from a phone, officers work it through.

The real app runs on a free 127.0.0.1 port in a thread (tests/test_browser.py's `live` fixture), on an SQLite file
shared with the test, with CSRF on and JavaScript off in every browser context. Screenshots go to
docs/screenshots/complaint-*.png.
"""

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlalchemy.orm import selectinload, undefer

from app import clock, directory
from app.directory import ServiceKind
from app.extensions import db
from complaints.models import Attachment, Complaint, Status
from tests.factories import make_user
from tests.test_browser import PHONE, SCREENSHOTS, _png_width, _watch, browser, live, log_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

DESKTOP = {**PHONE, "viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1, "is_mobile": False,
           "has_touch": False, "user_agent": None}  # fmt: skip
CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")  # Crockford base32, four groups
GPS_IFD = 0x8825
TITLE = "Petugas loket meminta uang tambahan"
DESCRIPTION = "Saat mengurus izin usaha, petugas loket meminta Rp50.000 di luar tarif resmi tanpa kuitansi."
RESPONSE = "Petugas yang bersangkutan sudah dibina dan uang Anda dikembalikan. Terima kasih atas laporannya."


def photo_with_gps() -> bytes:
    """A real JPEG as a phone takes it: EXIF with the camera and the GPS position of the place."""
    image = Image.new("RGB", (800, 600))
    image.putdata([((x * 7) % 256, (y * 5) % 256, (x * y) % 256) for y in range(600) for x in range(800)])
    exif = image.getexif()
    exif[0x010F], exif[0x0110] = "Samsung", "SM-A105F"  # Make, Model
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "S", 2: (0.0, 8.0, 29.5), 3: "E", 4: (117.0, 30.0, 12.25)})  # Bontang, Kalimantan Timur
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)[2] == (0.0, 8.0, 29.5)  # the GPS is really there
    return data


@pytest.fixture
def office(live):  # noqa: F811
    """The live app with a second unit, a petugas pengaduan and the penanggung jawab of the first unit."""
    app, base = live
    with app.app_context():
        units = directory.list_units()
        other = directory.create_unit(name="Dinas Kesehatan Kota Uji", slug="dinkes-uji")
        directory.create_service(unit=other, name="Surat Keterangan Sehat", kind=ServiceKind.NONPERIZINAN)
        db.session.commit()
        triage = make_user("pengaduan")
        answerer = make_user("unit", unit=units[0])
        names = {"unit": units[0].name, "triage": triage.username, "answerer": answerer.username}
        db.session.remove()
    return app, base, names


def _stored(app) -> Complaint:
    with app.app_context():
        query = sa.select(Complaint).options(
            selectinload(Complaint.attachments).options(undefer(Attachment.data)), selectinload(Complaint.reporter)
        )
        [complaint] = db.session.scalars(query).all()
        db.session.expunge_all()
        db.session.remove()
    return complaint


def _fill_complaint(page, unit: str, photo: bytes, event_day) -> None:
    """Fill the public form as a thumb would: choices, text, a photo, and the anonymous switch."""
    page.get_by_role("radio", name=re.compile(r"^Pengaduan")).check()
    page.get_by_role("combobox", name="Unit yang dituju").select_option(label=unit)
    page.get_by_role("combobox", name="Jenis layanan").select_option(label="Perizinan Berusaha")
    page.get_by_role("combobox", name="Unsur pelayanan").select_option(value="U4")
    page.get_by_role("textbox", name="Judul singkat").fill(TITLE)
    page.get_by_role("textbox", name="Uraian").press_sequentially(DESCRIPTION[:40])
    page.get_by_role("textbox", name="Uraian").fill(DESCRIPTION)
    page.get_by_label("Tanggal kejadian").fill(event_day.isoformat())
    page.locator("input[type=file][name=lampiran]").set_input_files(
        files=[{"name": "IMG_20260302_101512.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    page.get_by_role("checkbox", name="Anonim").check()


def _shot(page, name: str, width: int | None = None) -> None:
    path = SCREENSHOTS / name
    page.screenshot(path=path, full_page=True)
    if width is not None:  # as wide as the screen: no sideways scrolling
        assert _png_width(path) == width


def test_phone_files_a_complaint_with_a_photo_and_follows_it(browser, office):  # noqa: F811
    app, base, names = office
    with app.app_context():
        event_day = clock.today() - timedelta(days=3)
    photo = photo_with_gps()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone_px = 360 * PHONE["device_scale_factor"]
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        requests, problems = _watch(page)
        response = page.goto(base + "/pengaduan/")
        assert response.status == 200
        assert [(r.method, r.resource_type) for r in requests] == [("GET", "document")]  # no script, no image
        _fill_complaint(page, names["unit"], photo, event_day)
        _shot(page, "complaint-form-360.png", phone_px)

        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.get_by_role("button", name="Kirim pengaduan").tap()
        assert posted.value.status == 303, posted.value.status
        page.wait_for_url(base + "/pengaduan/tanda-terima")
        assert page.get_by_role("heading", level=1).inner_text() == "Laporan Anda sudah kami terima"
        code = page.locator("p.flash strong").inner_text().strip()
        assert CODE.match(code), code
        _shot(page, "complaint-receipt-360.png", phone_px)

        page.goto(base + "/pengaduan/lacak")
        # Typed as a citizen copies it from a note: lower case, spaces for dashes.
        page.get_by_role("textbox", name="Kode pelacakan").press_sequentially(code.lower().replace("-", " "))
        page.get_by_role("button", name="Lacak").tap()
        page.wait_for_url(f"{base}/pengaduan/lacak/{code}")
        assert page.get_by_role("heading", level=1).inner_text() == "Status laporan"
        assert page.locator("p.flash strong").inner_text() == "Belum Terverifikasi"
        body = page.locator("main").inner_text()
        assert TITLE not in body and DESCRIPTION not in body  # status and dates only
        _shot(page, "complaint-tracking-360.png", phone_px)
        assert problems == []
    finally:
        context.close()

    complaint = _stored(app)
    assert (complaint.title, complaint.description, complaint.element) == (TITLE, DESCRIPTION, "U4")
    assert complaint.event_date == event_day and complaint.status == Status.RECEIVED
    assert complaint.anonymous is True
    assert complaint.reporter is None or (complaint.reporter.name, complaint.reporter.phone) == ("", "")
    [attachment] = complaint.attachments
    assert attachment.mimetype == "image/jpeg" and attachment.filename != "IMG_20260302_101512.jpg"
    stored = Image.open(io.BytesIO(attachment.data))
    assert stored.format == "JPEG" and stored.size == (800, 600)
    assert len(stored.getexif()) == 0 and "exif" not in stored.info
    assert b"Exif" not in attachment.data and b"SM-A105F" not in attachment.data


def _file_by_service(app, unit_name: str) -> tuple[int, str]:
    """A complaint filed through the service (the phone test covers the form); returns (id, tracking code)."""
    from complaints import service

    with app.app_context():
        unit = next(u for u in directory.list_units() if u.name == unit_name)
        complaint, code = service.file_complaint(
            stream="pengaduan", unit_id=unit.id, title=TITLE, description=DESCRIPTION, name="Siti Rahma",
            phone="081234567890",
        )  # fmt: skip
        db.session.commit()
        ident = complaint.id
        db.session.remove()
    return ident, code


def _log_in(browser, base: str, username: str):  # noqa: F811
    """A desktop browser with `username` logged in; returns (context, page)."""
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    log_in(page, base, username)
    page.locator("nav").get_by_role("link", name="Pengaduan", exact=True).click()
    assert page.url == base + "/admin/pengaduan/"
    return context, page


def _act(page, button: str, done: str, status: str) -> None:
    """Press an action's button on a report's page; the page comes back with the message and the new status."""
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name=button, exact=True).click()
    assert posted.value.status == 303, (button, posted.value.status)
    page.wait_for_load_state()
    assert done in page.inner_text("body"), (button, page.inner_text("body")[:500])
    assert page.locator("h1 + p > strong").inner_text() == status


def _open(page, ident: int) -> None:
    page.get_by_role("link", name=re.compile(rf"^#{ident} ")).click()
    page.wait_for_url(re.compile(rf"/admin/pengaduan/{ident}$"))


def test_officers_verify_route_answer_close_and_archive(browser, office):  # noqa: F811
    app, base, names = office
    ident, code = _file_by_service(app, names["unit"])
    contexts = []
    try:
        triage_context, triage = _log_in(browser, base, names["triage"])
        contexts.append(triage_context)
        _shot(triage, "complaint-inbox.png")
        _open(triage, ident)
        _act(triage, "Verifikasi", "Laporan diverifikasi.", "Terverifikasi")
        triage.get_by_role("combobox", name="Unit tujuan").select_option(label=names["unit"])
        _act(triage, "Disposisikan", "Laporan didisposisikan.", "Didisposisikan")

        answer_context, answerer = _log_in(browser, base, names["answerer"])
        contexts.append(answer_context)
        _open(answerer, ident)
        for other in ("Verifikasi", "Selesaikan", "Arsipkan", "Disposisikan"):  # a unit only answers and notes
            assert answerer.get_by_role("button", name=other, exact=True).count() == 0
        answerer.get_by_role("textbox", name=re.compile(r"^Tanggapan kepada pelapor")).fill(RESPONSE)
        _act(answerer, "Tanggapi pelapor", "Tanggapan dikirim kepada pelapor.", "Ditindaklanjuti")

        triage.reload()
        assert RESPONSE in triage.inner_text("body")
        # Receipt in the history and in the audit log: one moment, shown alike on the office clock.
        received = [triage.locator(f"h2:text-is('{h}') + .scroll table tr").nth(1).locator("td").first.inner_text()
                    for h in ("Riwayat", "Log audit laporan ini")]  # fmt: skip
        assert received[0] == received[1], received
        _shot(triage, "complaint-detail.png")
        _act(triage, "Selesaikan", "Laporan diselesaikan.", "Selesai")
        _act(triage, "Arsipkan", "Laporan diarsipkan.", "Diarsipkan")

        citizen = browser.new_context(**PHONE)
        contexts.append(citizen)
        page = citizen.new_page()
        assert page.goto(f"{base}/pengaduan/lacak/{code}").status == 200
        assert page.locator("p.flash strong").inner_text() == "Diarsipkan"
        history = page.locator("ol").first.inner_text()
        assert RESPONSE in history and "Status: Selesai" in history
        assert "Siti Rahma" not in page.inner_text("body")
    finally:
        for context in contexts:
            context.close()

    with app.app_context():
        complaint = db.session.get(Complaint, ident)
        assert complaint.status == Status.ARCHIVED and complaint.assigned_unit.name == names["unit"]
        assert complaint.done_at is not None and complaint.archived_at is not None
