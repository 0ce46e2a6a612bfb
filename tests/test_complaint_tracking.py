"""Tracking by code at /pengaduan/lacak and /wbs/lacak: status, dates and public responses only; one 404 for
every unknown code; the reporter's forms (add information, answer, rate) within their windows."""

import random

import pytest
import sqlalchemy as sa

from app.extensions import db
from complaints import service, tracking
from complaints.models import Attachment, Complaint, ComplaintEvent, EventKind, Status
from tests.factories import limited_app, make_user
from tests.test_attachments import jpeg_with_gps, multipart
from tests.test_complaint_intake import (
    DESCRIPTION,
    EMAIL,
    NAME,
    PHONE,
    TITLE,
    complaint_form,
    file_and_get_code,
    wbs_form,
)

NOTE = "Catatan internal: pelapor pernah mengadu tahun lalu"
RESPONSE = "Petugas sudah ditegur dan uang dikembalikan."


@pytest.fixture
def filed(client, demo):
    """A non-anonymous complaint filed through the form: (its code, the complaint)."""
    code = file_and_get_code(client, "/pengaduan/", complaint_form(demo.unit, lampiran=(jpeg_with_gps(), "a.jpg")))
    return code, db.session.scalars(sa.select(Complaint)).one()


@pytest.fixture
def officer(app):
    return make_user("pengaduan", username="petugas-budi")


def answered(c, officer, unit):
    """Verify, route and answer `c` publicly, with an internal note on the way; commits."""
    service.verify(c, by=officer)
    service.add_note(c, by=officer, body=NOTE)
    service.route(c, by=officer, unit_id=unit.id)
    service.respond(c, by=officer, body=RESPONSE, attachments=[])
    db.session.commit()


def page(client, code: str, stream: str = "pengaduan") -> str:
    response = client.get(f"/{stream}/lacak/{code}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    return response.get_data(as_text=True)


# -- looking a code up --------------------------------------------------------------------------------------------


def test_the_lookup_asks_for_the_code_and_redirects_to_its_grouped_form(client, filed):
    code, _c = filed
    form = client.get("/pengaduan/lacak")
    assert form.status_code == 200 and 'name="kode"' in form.get_data(as_text=True)
    assert form.headers["Referrer-Policy"] == "no-referrer"
    typed = " " + code.lower().replace("-", " ").replace("0", "o").replace("1", "l") + " "
    response = client.get("/pengaduan/lacak", query_string={"kode": typed})
    assert response.status_code == 303 and response.headers["Location"] == f"/pengaduan/lacak/{code}"
    compact = client.get(f"/pengaduan/lacak/{code.replace('-', '').lower()}")
    assert compact.status_code == 303 and compact.headers["Location"] == f"/pengaduan/lacak/{code}"


def _neighbours(code: str) -> list[str]:
    """Every code one character away from `code` (each position changed to another valid character)."""
    compact = tracking.normalise(code)
    out = []
    for position in range(len(compact)):
        other = next(ch for ch in tracking.ALPHABET if ch != compact[position])
        out.append(tracking.display(compact[:position] + other + compact[position + 1 :]))
    return out


def test_unknown_random_neighbouring_and_malformed_codes_all_get_the_same_404(client, filed):
    code, _c = filed
    rng = random.Random(7)
    randoms = [tracking.new_code() for _ in range(5)]
    malformed = ["", "x", "ABCD-EFGH", code + "0", code[:-1], "<script>", "%00", "../../etc/passwd", "A" * 80,
                 code.replace("-", "_", 1) + "!", "".join(rng.choice("UI") for _ in range(16))]  # fmt: skip
    bodies = set()
    for candidate in randoms + _neighbours(code) + malformed:
        for response in (
            client.get(f"/pengaduan/lacak/{candidate}") if candidate else client.get("/pengaduan/lacak/%20"),
            client.get("/pengaduan/lacak", query_string={"kode": candidate or " "}),
            client.post(f"/pengaduan/lacak/{candidate or 'x'}/informasi", data={"informasi-isi": "halo"}),
            client.post(f"/pengaduan/lacak/{candidate or 'x'}/lain", data={}),
        ):
            assert response.status_code == 404, candidate
            assert response.headers["Referrer-Policy"] == "no-referrer", (candidate, response.request.path)
            bodies.add(response.get_data())
    assert len(bodies) == 1  # one body: nothing tells a near miss from a wild guess
    body = bodies.pop().decode()
    assert "Kode tidak ditemukan" in body and code not in body
    assert client.get(f"/pengaduan/lacak/{code}").status_code == 200  # while the real one works


def test_a_code_of_one_stream_is_unknown_in_the_other(client, demo, filed):
    code, _c = filed
    wbs_code = file_and_get_code(client, "/wbs/", wbs_form(demo.unit))
    complaint_404 = client.get(f"/pengaduan/lacak/{tracking.new_code()}").get_data()
    assert client.get(f"/pengaduan/lacak/{wbs_code}").get_data() == complaint_404
    assert client.get(f"/wbs/lacak/{code}").status_code == 404
    assert "Belum Terverifikasi" in page(client, wbs_code, "wbs")


def test_lookups_are_rate_limited_across_pages_and_streams():
    with limited_app(TRACKING_LIMIT="4 per minute") as (app, _demo):
        client = app.test_client()
        codes = [
            client.get("/pengaduan/lacak").status_code,
            client.get(f"/pengaduan/lacak/{tracking.new_code()}").status_code,
            client.get("/wbs/lacak", query_string={"kode": tracking.new_code()}).status_code,
            client.post(f"/wbs/lacak/{tracking.new_code()}/penilaian", data={}).status_code,
            client.get(f"/pengaduan/lacak/{tracking.new_code()}").status_code,
        ]
        assert codes == [200, 404, 404, 404, 429]  # the fifth look-up in a minute is refused


# -- what the page shows ------------------------------------------------------------------------------------------


def test_the_tracking_page_shows_status_dates_and_public_responses_but_nothing_of_the_reporter(
    client, demo, filed, officer
):
    code, c = filed
    first = page(client, code)
    assert "Belum Terverifikasi" in first and "Batas verifikasi" in first
    answered(c, officer, demo.unit)
    html = page(client, code)
    assert "Ditindaklanjuti" in html and RESPONSE in html and "Anda dapat menanggapi sampai" in html
    assert "Terverifikasi" in html and "Didisposisikan" in html  # the public history of status changes
    for secret in (NAME, EMAIL, PHONE, "0812", TITLE, DESCRIPTION, "Uang dikembalikan.", NOTE, "lampiran-1",
                   "a.jpg", officer.username, officer.full_name, "/admin/"):  # fmt: skip
        assert secret not in html, secret


def test_the_reporters_own_words_are_not_shown_back(client, filed):
    code, c = filed
    response = client.post(f"/pengaduan/lacak/{code}/informasi", data={"informasi-isi": "Nomor antrean saya 17."})
    assert response.status_code == 303
    html = page(client, code)
    assert "Nomor antrean saya 17." not in html and "Anda menambahkan keterangan." in html
    assert "Keterangan tambahan Anda sudah kami terima." in html


def test_a_duplicate_shows_the_original_progress_but_not_its_reporter_nor_the_words_to_them(
    client, demo, filed, officer
):
    code, original = filed
    dup_code = file_and_get_code(client, "/pengaduan/", complaint_form(demo.unit, judul="Sama", nama="Orang Lain"))
    duplicate = db.session.scalars(sa.select(Complaint).where(Complaint.id != original.id)).one()
    service.mark_duplicate(duplicate, by=officer, original=original)
    db.session.commit()
    answered(original, officer, demo.unit)
    html = page(client, dup_code)
    assert "Ditolak" in html and "Laporan yang sama sedang ditangani" in html
    assert "Ditindaklanjuti" in html and "Tanggapan petugas" in html  # the original was answered, and when
    assert "Anda dapat menanggapi sampai" not in html  # the original's answer window is its reporter's, not theirs
    for secret in (NAME, EMAIL, TITLE, DESCRIPTION, NOTE, code, RESPONSE):  # the answer may name the other reporter
        assert secret not in html, secret


def test_a_wbs_report_is_tracked_at_its_own_address(client, demo):
    code = file_and_get_code(client, "/wbs/", wbs_form(demo.unit, anonim=None, nama="Saksi Mata"))
    html = page(client, code, "wbs")
    assert "Belum Terverifikasi" in html and "Saksi Mata" not in html and "amplop" not in html


# -- the reporter's forms -----------------------------------------------------------------------------------------


def test_information_with_a_photo_is_added_while_the_report_is_open(client, filed):
    code, c = filed
    data = {"informasi-isi": "Kuitansi palsu terlampir.", "informasi-lampiran": (jpeg_with_gps(), "bukti.jpg")}
    response = client.post(f"/pengaduan/lacak/{code}/informasi", **multipart(data))
    assert response.status_code == 303 and response.headers["Location"] == f"/pengaduan/lacak/{code}"
    event = db.session.scalars(sa.select(ComplaintEvent).where(ComplaintEvent.kind == EventKind.CITIZEN_INFO)).one()
    assert event.body == "Kuitansi palsu terlampir." and not event.public
    photo = db.session.scalars(sa.select(Attachment).where(Attachment.event_id == event.id)).one()
    assert b"Exif" not in photo.data and photo.filename == "lampiran-2.jpg"


def test_a_refused_file_or_empty_text_on_the_tracking_page_keeps_the_text_and_stores_nothing(client, filed):
    code, c = filed
    events = len(c.events)
    data = {"informasi-isi": "Teks saya tetap ada.", "informasi-lampiran": (b"MZ\x90\x00" * 10, "bukti.jpg")}
    response = client.post(f"/pengaduan/lacak/{code}/informasi", **multipart(data))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Teks saya tetap ada.</textarea>" in html and "Jenis berkas tidak diterima" in html
    assert 'href="#informasi-lampiran"' in html and "lampiran harus dipilih lagi" in html
    empty = client.post(f"/pengaduan/lacak/{code}/informasi", data={"informasi-isi": "  "})
    assert empty.status_code == 400 and 'href="#informasi-isi"' in empty.get_data(as_text=True)
    db.session.expire_all()
    assert len(c.events) == events and len(c.attachments) == 1


def test_the_reporter_answers_a_response_within_the_window_and_handling_reopens(client, demo, filed, officer):
    code, c = filed
    assert "Tanggapi jawaban petugas" not in page(client, code)
    answered(c, officer, demo.unit)
    html = page(client, code)
    assert "Tanggapi jawaban petugas" in html and "Tambah keterangan" not in html
    response = client.post(f"/pengaduan/lacak/{code}/tanggapan", data={"tanggapan-isi": "Uang belum kembali."})
    assert response.status_code == 303
    db.session.expire_all()
    assert c.status == Status.ROUTED and c.followup_due is not None
    assert "Tanggapi jawaban petugas" not in page(client, code)
    late = client.post(f"/pengaduan/lacak/{code}/tanggapan", data={"tanggapan-isi": "Lagi."})
    assert late.status_code == 400 and "Batas waktu untuk menanggapi" in late.get_data(as_text=True)


def test_the_reporter_rates_the_handling_once_when_it_is_done(client, demo, filed, officer):
    code, c = filed
    refused = client.post(f"/pengaduan/lacak/{code}/penilaian", data={"penilaian-nilai": "4"})
    assert refused.status_code == 400 and "belum selesai" in refused.get_data(as_text=True)
    answered(c, officer, demo.unit)
    service.close(c, by=officer)
    db.session.commit()
    html = page(client, code)
    assert "Nilai penanganan laporan Anda" in html and "Sangat puas" in html and "Tidak puas" in html
    missing = client.post(f"/pengaduan/lacak/{code}/penilaian", data={})
    assert missing.status_code == 400 and 'href="#penilaian-nilai-0"' in missing.get_data(as_text=True)
    for wrong in ("5", "0", "abc", "4.0"):
        assert client.post(f"/pengaduan/lacak/{code}/penilaian", data={"penilaian-nilai": wrong}).status_code == 400
    assert client.post(f"/pengaduan/lacak/{code}/penilaian", data={"penilaian-nilai": "3"}).status_code == 303
    db.session.expire_all()
    assert c.rating == 3
    html = page(client, code)
    assert "Nilai penanganan laporan Anda" not in html and "Penilaian Anda: <strong>Puas</strong>" in html
    again = client.post(f"/pengaduan/lacak/{code}/penilaian", data={"penilaian-nilai": "1"})
    assert again.status_code == 400
    db.session.expire_all()
    assert c.rating == 3


def test_a_csrf_failure_on_the_tracking_page_keeps_the_text():
    from tests.conftest import make_app
    from tests.factories import make_directory

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        demo = make_directory()
        _c, code = service.file_complaint(stream="pengaduan", unit_id=demo.unit.id, title="Judul", description="Isi")
        db.session.commit()
        client = app.test_client()
        client.get(f"/pengaduan/lacak/{code}")
        response = client.post(f"/pengaduan/lacak/{code}/informasi", data={"informasi-isi": "Keterangan saya."})
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "Sesi formulir sudah kedaluwarsa" in html and "Keterangan saya.</textarea>" in html
        assert response.headers["Referrer-Policy"] == "no-referrer"
        not_found = client.get(f"/pengaduan/lacak/{tracking.new_code()}").get_data()
        for path in (f"{tracking.new_code()}/informasi", f"{code}/lain", "a/b"):
            unknown = client.post(f"/pengaduan/lacak/{path}", data={"informasi-isi": "x"})
            assert (unknown.status_code, unknown.get_data()) == (404, not_found), path
