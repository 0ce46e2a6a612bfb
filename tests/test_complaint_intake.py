"""Public intake at /pengaduan/ and /wbs/: one complete report per valid POST, the code shown once on the receipt,
every error shown with everything typed, and the promises of the anonim and rahasia switches kept."""

import re

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from app import directory
from app.audit import AuditEntry
from app.extensions import db
from app.outbox import OutboxMessage
from complaints import service
from complaints.models import Attachment, Complaint, ComplaintEvent, Reporter, Stream
from tests.conftest import make_app
from tests.factories import log_in, make_directory, make_user
from tests.test_attachments import jpeg_with_gps, multipart

CODE = re.compile(r"<strong>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</strong>")
NAME, EMAIL, PHONE = "Ratna Kusumawati", "ratna.k@example.org", "0812 7777 4321"
TITLE, DESCRIPTION = "Pungutan di loket PBG", "Petugas meminta uang tambahan Rp 200.000 tanpa kuitansi."


def complaint_form(unit, /, **fields) -> dict:
    """A complete, valid complaint POST, with overrides (None drops a field)."""
    data = {
        "klasifikasi": "pengaduan",
        "unit": str(unit.id),
        "judul": TITLE,
        "uraian": DESCRIPTION,
        "tanggal": "2026-03-02",
        "permintaan": "Uang dikembalikan.",
        "nama": NAME,
        "email": EMAIL,
        "telepon": PHONE,
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def counts() -> dict:
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (Complaint, ComplaintEvent, Attachment, Reporter, OutboxMessage)}  # fmt: skip


def file_and_get_code(client, url: str, data: dict) -> str:
    """POST the form, follow the 303 to the receipt, and read the tracking code from it."""
    response = client.post(url, **multipart(data))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    receipt = client.get(response.headers["Location"])
    match = CODE.search(receipt.get_data(as_text=True))
    assert match, receipt.get_data(as_text=True)
    return match.group(1)


def only_complaint() -> Complaint:
    return db.session.scalars(sa.select(Complaint)).one()


# -- the form -----------------------------------------------------------------------------------------------------


def test_the_form_works_without_script_and_states_its_limits(client, demo):
    html = client.get("/pengaduan/").get_data(as_text=True)
    assert "<script" not in html
    assert 'enctype="multipart/form-data"' in html and 'name="csrf_token"' not in html  # CSRF off in tests
    for value in ("pengaduan", "aspirasi", "informasi"):
        assert f'value="{value}"' in html
    assert "paling banyak 3 berkas, masing-masing paling besar 5 MB" in html
    assert "U8 Penanganan Pengaduan, Saran dan Masukan" in html and "U9 Sarana dan Prasarana" in html
    assert f'name="unit" id="unit" value="{demo.unit.id}"' in html  # the only unit is pre-selected
    assert "Perizinan Berusaha" in html


def test_the_unit_is_chosen_by_the_link_when_there_are_several(client, demo):
    other = directory.create_unit(name="Dinas Kesehatan", slug="dinkes")
    db.session.commit()
    html = client.get("/pengaduan/?unit=dinkes").get_data(as_text=True)
    assert f'<option selected value="{other.id}">Dinas Kesehatan</option>' in html
    plain = client.get("/pengaduan/").get_data(as_text=True)
    assert '<option selected value="">Pilih unit</option>' in plain  # no unit is guessed


def test_the_form_is_linked_from_the_home_page_the_survey_thanks_and_the_poster(client, demo, tmp_path):
    assert 'href="/pengaduan/"' in client.get("/").get_data(as_text=True)
    thanks = client.get("/s/dpmptsp-uji/loket-1/terima-kasih").get_data(as_text=True)
    assert 'href="/pengaduan/?unit=dpmptsp-uji"' in thanks
    from survey.counter_poster import poster_of
    from tests.factories import pdf_text

    text = pdf_text(poster_of(demo.static), tmp_path)
    assert "Pengaduan: https://skm.example.go.id/pengaduan/?unit=dpmptsp-uji" in text


def test_english_interface(client, demo):
    html = client.get("/pengaduan/?lang=en").get_data(as_text=True)
    assert "U8 Handling of complaints, suggestions and feedback" in html
    assert "<html lang=en>" in html


# -- a valid report -----------------------------------------------------------------------------------------------


def test_a_valid_report_answers_303_to_a_receipt_whose_code_tracks_it(app, client, demo, caplog):
    caplog.set_level("DEBUG")
    response = client.post("/pengaduan/", **multipart(complaint_form(demo.unit, layanan=str(demo.pbg.id), unsur="U3")))
    assert response.status_code == 303 and response.headers["Location"] == "/pengaduan/tanda-terima"
    receipt = client.get("/pengaduan/tanda-terima")
    assert receipt.headers["Referrer-Policy"] == "no-referrer"
    html = receipt.get_data(as_text=True)
    code = CODE.search(html).group(1)
    c = only_complaint()
    assert (c.stream, c.title, c.description, c.service_id, c.element) == (
        Stream.COMPLAINT, TITLE, DESCRIPTION, demo.pbg.id, "U3")  # fmt: skip
    assert str(c.event_date) == "2026-03-02" and c.requested_resolution == "Uang dikembalikan."
    assert (c.reporter.name, c.reporter.email, c.reporter.phone) == (NAME, EMAIL, PHONE)
    assert format_date(c.verify_due, "full", locale="id") in html  # the real date, from the office calendar
    assert "3 hari kerja" in html and 'href="/pengaduan/lacak"' in html
    assert client.get(f"/pengaduan/lacak/{code}").status_code == 200
    assert service.find_by_code(code, stream="pengaduan").id == c.id
    # Shown once: the session no longer holds it, a reload shows no code, and no log line or audit entry has it.
    again = client.get("/pengaduan/tanda-terima").get_data(as_text=True)
    assert code not in again and "hanya ditampilkan sekali" in again
    with client.session_transaction() as session:
        assert code not in str(dict(session))
    assert code not in caplog.text and code.replace("-", "") not in caplog.text
    details = " ".join(e.detail or "" for e in db.session.scalars(sa.select(AuditEntry)))
    assert code not in details and code.replace("-", "") not in details


def test_a_report_with_a_photo_stores_the_photo(client, demo):
    data = complaint_form(demo.unit, lampiran=(jpeg_with_gps((640, 480)), "foto.jpg"))
    file_and_get_code(client, "/pengaduan/", data)
    assert only_complaint().attachments[0].filename == "lampiran-1.jpg"


# -- errors keep what was typed -----------------------------------------------------------------------------------


def _second_unit_service():
    unit = directory.create_unit(name="Dinas Kesehatan", slug="dinkes")
    service_ = directory.create_service(unit=unit, name="Izin Apotek")
    db.session.commit()
    return str(service_.id)


INVALID = [
    pytest.param({"judul": ""}, "judul", "Isian ini wajib diisi.", id="no-title"),
    pytest.param({"uraian": "   "}, "uraian", "Isian ini wajib diisi.", id="blank-description"),
    pytest.param({"judul": "x" * 201}, "judul", "maksimal 200 karakter", id="long-title"),
    pytest.param({"tanggal": "2099-01-01"}, "tanggal", "tidak boleh setelah hari ini", id="future-date"),
    pytest.param({"tanggal": "kemarin"}, "tanggal", "Tanggal tidak dikenal", id="bad-date"),
    pytest.param({"tanggal": "2026-02-30"}, "tanggal", "Tanggal tidak dikenal", id="impossible-date"),
    pytest.param({"email": "ratna@"}, "email", "Alamat e-mail tidak sah.", id="bad-email"),
    pytest.param({"telepon": "telepon saya"}, "telepon", "Nomor telepon hanya boleh", id="bad-phone"),
    pytest.param({"unit": "987654"}, "unit", "Pilih unit yang dituju.", id="unknown-unit"),
    pytest.param({"unit": "²"}, "unit", "Pilih unit yang dituju.", id="unicode-digit-unit"),
    pytest.param({"layanan": "99999999999999999999"}, "layanan", "Jenis layanan tidak dikenal.", id="huge-service-id"),
    pytest.param({"layanan": _second_unit_service}, "layanan", "bukan layanan DPMPTSP Kota Uji",
                 id="service-of-other-unit"),
    pytest.param({"unsur": "U10"}, "unsur", "Unsur pelayanan tidak dikenal.", id="unknown-element"),
    pytest.param({"klasifikasi": "gugatan"}, "klasifikasi-0", "Pilih klasifikasi laporan.", id="bad-classification"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "anchor", "message"), INVALID)
def test_every_validation_error_shows_the_form_again_with_everything_typed(client, demo, overrides, anchor, message):
    overrides = {k: v() if callable(v) else v for k, v in overrides.items()}
    before = counts()
    data = complaint_form(demo.unit, **{"layanan": str(demo.izin.id), "unsur": "U7", **overrides})
    data["lampiran"] = (jpeg_with_gps((64, 64)), "foto.jpg")
    response = client.post("/pengaduan/", **multipart(data))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    summary = html.split('id="kesalahan"')[1].split("</div>")[0]
    assert f'href="#{anchor}"' in summary and message in summary
    assert "lampiran harus dipilih lagi" in summary  # files cannot come back: say so
    for name in ("judul", "nama", "email", "telepon"):
        if name not in overrides:
            assert f'value="{data[name]}"' in html.replace("&#43;", "+"), name
    for name in ("uraian", "permintaan"):
        if name not in overrides:
            assert f">\r\n{data[name]}</textarea>" in html, name
    if "unsur" not in overrides:
        assert '<option value="U7" selected>' in html
    if "layanan" not in overrides:
        assert f'<option value="{demo.izin.id}" selected>' in html
    if "tanggal" in overrides:
        assert f'value="{overrides["tanggal"]}"' in html
    assert counts() == before  # nothing stored, not even the photo


def test_a_checked_switch_stays_checked_when_the_form_comes_back(client, demo):
    data = complaint_form(demo.unit, judul="", anonim="y", rahasia="y", klasifikasi="aspirasi")
    html = client.post("/pengaduan/", **multipart(data)).get_data(as_text=True)
    assert '<input checked id="anonim"' in html and '<input checked id="rahasia"' in html
    assert '<input checked id="klasifikasi-1" name="klasifikasi" type="radio" value="aspirasi">' in html


def test_a_csrf_failure_shows_the_form_again_with_everything_typed():
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        demo = make_directory()
        client = app.test_client()
        client.get("/pengaduan/")  # the session now holds a CSRF secret
        data = complaint_form(demo.unit, unsur="U4", csrf_token="forged-or-expired")
        response = client.post("/pengaduan/", **multipart(data))
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "Sesi formulir sudah kedaluwarsa" in html and 'id="kesalahan"' in html
        for name in ("judul", "nama", "email", "telepon"):
            assert f'value="{data[name]}"' in html, name
        assert f">\r\n{DESCRIPTION}</textarea>" in html and '<option value="U4" selected>' in html
        assert db.session.scalar(sa.select(sa.func.count(Complaint.id))) == 0
        # The page carries a fresh token: sending it again files the report.
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        retry = client.post("/pengaduan/", **multipart({**data, "csrf_token": token}))
        assert retry.status_code == 303
        assert db.session.scalar(sa.select(sa.func.count(Complaint.id))) == 1
        # A body too large to read (the CSRF check reads it first) still gets the form back with the limits.
        app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
        huge = client.post(
            "/pengaduan/", **multipart({**data, "lampiran": (b"\xff\xd8\xff" + b"\0" * 70_000, "a.jpg")})
        )
        assert huge.status_code == 413 and "paling banyak 3 lampiran" in huge.get_data(as_text=True)


def test_a_body_beyond_the_stated_limits_is_refused_with_the_limits(app, client, demo):
    app.config.update(COMPLAINT_MAX_ATTACHMENTS=1, COMPLAINT_ATTACHMENT_MAX_BYTES=1024 * 1024)
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    data = complaint_form(demo.unit, lampiran=(b"\xff\xd8\xff" + b"\0" * (3 * 1024 * 1024), "besar.jpg"))
    response = client.post("/pengaduan/", **multipart(data))
    assert response.status_code == 413
    assert "paling banyak 1 lampiran, masing-masing paling besar 1 MB" in response.get_data(as_text=True)
    assert counts()["Complaint"] == 0


# -- anonim and rahasia: each sentence on the form is true ------------------------------------------------------


ANONYMOUS_SENTENCE = (
    "Nama dan nomor telepon Anda tidak disimpan; email (jika diisi) hanya dipakai untuk mengirim kabar "
    "perkembangan dan tidak ditampilkan kepada petugas."
)
CONFIDENTIAL_SENTENCE = "Isi pengaduan tidak pernah ditampilkan kepada publik"


def test_anonymous_keeps_no_name_or_phone_and_shows_the_email_to_no_officer(app, client, demo):
    assert ANONYMOUS_SENTENCE in client.get("/pengaduan/").get_data(as_text=True)
    file_and_get_code(client, "/pengaduan/", complaint_form(demo.unit, anonim="y"))
    c = only_complaint()
    assert c.anonymous and (c.reporter.name, c.reporter.phone, c.reporter.email) == ("", "", EMAIL)
    stored = " ".join(str(v) for row in db.session.execute(sa.select(Reporter.__table__)) for v in row)
    assert NAME not in stored and "7777" not in stored
    # The e-mail is used for progress news only ...
    outbox = db.session.scalars(sa.select(OutboxMessage)).all()
    assert outbox and {m.recipient for m in outbox} == {EMAIL}
    assert all(TITLE not in m.body and DESCRIPTION not in m.body for m in outbox)
    # ... and no officer sees it: not the complaint officer, not the unit, not the pimpinan, not the admin.
    officer = make_user("pengaduan")
    service.verify(c, by=officer)
    service.route(c, by=officer, unit_id=demo.unit.id)
    db.session.commit()
    for role, unit in (("pengaduan", None), ("unit", demo.unit), ("pimpinan", None), ("admin", None)):
        user = make_user(role, unit=unit, username=f"lihat-{role}")
        assert service.reveal_identity(c, by=user) is None
        staff = app.test_client()
        log_in(staff, user)
        page = staff.get(f"/admin/pengaduan/{c.id}")
        assert page.status_code in (200, 403, 404), role
        html = page.get_data(as_text=True)
        assert EMAIL not in html and NAME not in html and "7777" not in html, role
        revealed = staff.post(f"/admin/pengaduan/{c.id}/identitas", follow_redirects=True)
        assert revealed.status_code < 500 and EMAIL not in revealed.get_data(as_text=True), role


def test_without_anonymous_the_identity_is_kept_for_the_officers_allowed(client, demo):
    file_and_get_code(client, "/pengaduan/", complaint_form(demo.unit))
    c = only_complaint()
    assert not c.anonymous
    reporter = service.reveal_identity(c, by=make_user("pengaduan"))
    assert (reporter.name, reporter.email, reporter.phone) == (NAME, EMAIL, PHONE)


def test_anonymous_without_email_keeps_no_contact_at_all(client, demo):
    file_and_get_code(client, "/pengaduan/", complaint_form(demo.unit, anonim="y", email=""))
    assert only_complaint().reporter is None and counts()["Reporter"] == 0


@pytest.mark.parametrize("confidential", [True, False])
def test_the_content_of_a_report_is_never_shown_to_the_public(client, demo, confidential):
    form = client.get("/pengaduan/").get_data(as_text=True)
    assert CONFIDENTIAL_SENTENCE in form
    extra = {"rahasia": "y"} if confidential else {}
    code = file_and_get_code(client, "/pengaduan/", complaint_form(demo.unit, **extra))
    c = only_complaint()
    assert c.confidential is confidential
    officer = make_user("pengaduan")
    service.verify(c, by=officer)
    service.route(c, by=officer, unit_id=demo.unit.id)
    service.respond(c, by=officer, body="Uang sudah dikembalikan kepada pelapor.")
    db.session.commit()
    public = {f"/pengaduan/lacak/{code}", "/", "/hasil/", "/hasil/dpmptsp-uji", "/pengaduan/", "/pengaduan/lacak"}
    for path in public:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        for secret in (TITLE, DESCRIPTION, "Uang dikembalikan.", "Rp 200.000"):
            assert secret not in html, (path, secret)


# -- WBS ----------------------------------------------------------------------------------------------------------


def wbs_form(unit, /, **fields) -> dict:
    data = {
        "unit": str(unit.id),
        "apa": "Suap izin reklame",
        "siapa": "Kepala seksi perizinan",
        "di_mana": "Ruang rapat lantai 2",
        "kapan": "01-03-2026",
        "bagaimana": "Pemohon diminta menyerahkan amplop agar izin cepat terbit.",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_wbs_is_anonymous_by_default_and_files_a_confidential_wbs_report(client, demo):
    form = client.get("/wbs/").get_data(as_text=True)
    assert '<input checked id="anonim"' in form and "klasifikasi" not in form and "layanan" not in form
    code = file_and_get_code(client, "/wbs/", wbs_form(demo.unit, anonim="y", nama="Saksi", telepon="0811111111"))
    c = only_complaint()
    assert (c.stream, c.title, c.reported_party) == (Stream.WBS, "Suap izin reklame", "Kepala seksi perizinan")
    assert c.description.startswith("Pemohon diminta") and "Ruang rapat lantai 2" in c.description
    assert str(c.event_date) == "2026-03-01" and c.anonymous and c.confidential and c.reporter is None
    assert client.get(f"/wbs/lacak/{code}").status_code == 200
    assert client.get(f"/pengaduan/lacak/{code}").status_code == 404  # a WBS code is not a complaint code


def test_a_wbs_error_keeps_what_was_typed(client, demo):
    response = client.post("/wbs/", **multipart(wbs_form(demo.unit, apa="", kapan="2099-12-31")))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'href="#apa"' in html and 'href="#kapan"' in html
    assert 'value="Kepala seksi perizinan"' in html and 'value="Ruang rapat lantai 2"' in html
    assert "amplop agar izin cepat terbit.</textarea>" in html
    assert counts()["Complaint"] == 0
