"""The report the office finishes and signs: unit settings (logo, head, NIP), its own foreword and closing, the
charts and contents, and the Word file holding the same figures, texts and pictures as the PDF."""

import io
import re
from datetime import date

import pytest

from analytics import report_text
from analytics.dashboard import build_dashboard
from analytics.report import fmt_dec, skm_report_docx, skm_report_pdf
from app import directory, unit_settings
from app.extensions import db
from app.periods import month
from tests.factories import log_in, make_response, make_user, pdf_text

PERIOD = month(2026, 3)
NIP = "197001012000031001"
NIK = "6474012345678901"
PHONE = "0812-3456-7890"
EMAIL = "budi.santoso@contoh.co.id"
SCORES = ((4, 3, 3, 2, 4, 3, 3, 4, 2), (3, 3, 4, 3, 4, 4, 3, 3, None), (2, 4, 3, 3, 3, 4, 4, 3, 3))
SUGGESTIONS = (f"NIK saya {NIK}, tolong diproses cepat", f"hubungi saya di {PHONE} ya", f"kirim ke {EMAIL} saja")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def png(size=(240, 120), color="navy") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_comment() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 64), "green").save(out, format="JPEG", comment=b"SECRET-CAMERA-SERIAL")
    return out.getvalue()


@pytest.fixture
def office(demo):
    """Three questionnaires in March 2026 whose suggestions carry a NIK, a phone number and an email; the unit's
    settings (logo, head, NIP, position, city) and its own foreword and closing for March."""
    for i, (scores, text) in enumerate(zip(SCORES, SUGGESTIONS, strict=True)):
        make_response(demo, date(2026, 3, 2 + i), scores, counter=demo.static, suggestion=text)
    unit_settings.save_report_settings(
        unit_id=demo.unit.id,
        head_name="Drs. Budi Hartono, M.Si.",
        head_nip=NIP,
        head_position="Kepala Dinas Penanaman Modal",
        city="Bontang",
        logo=png(),
    )
    report_text.save_report_text(unit_id=demo.unit.id, period_key=PERIOD.key, updated_by="test",
                                 foreword="Kata pengantar kantor kami untuk bulan Maret.",
                                 closing="Penutup khusus dari kantor: terima kasih.")  # fmt: skip
    db.session.commit()
    return demo


def words(text: str) -> str:
    return " ".join(text.split())


def docx_headings(body: bytes) -> list[str]:
    """The Word file's chapter and section headings."""
    import docx

    return [words(p.text) for p in docx.Document(io.BytesIO(body)).paragraphs if p.style.name.startswith("Heading")]


def docx_text(body: bytes) -> tuple[str, list[list[str]], int]:
    """The Word file's paragraphs and table rows as one whitespace-collapsed text, its table rows, its pictures."""
    import docx

    document = docx.Document(io.BytesIO(body))
    parts = [p.text for p in document.paragraphs]
    rows = []
    for table in document.tables:
        for row in table.rows:
            cells = [words(c.text) for c in row.cells]
            rows.append(cells)
            parts.append(" ".join(cells))
    return words(" ".join(parts)), rows, len(document.inline_shapes)


def pdf_images(pdf: bytes) -> list[int]:
    """The number of images on each page of the PDF."""
    from pypdf import PdfReader

    return [len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_pdf_and_word_carry_the_settings_texts_charts_and_the_same_figures(office, tmp_path):
    dash = build_dashboard(unit_id=office.unit.id, unit_name=office.unit.name, period=PERIOD)
    pdf = skm_report_pdf(dash)
    text = words(pdf_text(pdf, tmp_path))
    body = skm_report_docx(dash)
    word, rows, pictures = docx_text(body)
    headings = docx_headings(body)
    assert len(headings) >= 25 and "BAB V PENUTUP" in headings and "4.2 Rencana Tindak Lanjut" in headings
    for heading in headings:  # the same chapters and sections, in Word's heading styles
        assert heading in text, heading

    images = pdf_images(pdf)
    assert images[0] == 1  # the logo on the cover
    assert sum(images) == 3  # logo, element chart, trend chart
    assert pictures == 3  # the same three pictures in Word
    for document in (text, word):
        assert "Drs. Budi Hartono, M.Si." in document and f"NIP {NIP}" in document
        assert "Kepala Dinas Penanaman Modal" in document and "Bontang," in document
        assert "Kata pengantar kantor kami untuk bulan Maret." in document
        assert "Penutup khusus dari kantor: terima kasih." in document
        assert "Puji syukur" not in document and "Demikian laporan" not in document  # the office's text replaced them
        assert "DAFTAR ISI" in document and "Gambar 3.1" in document and "Gambar 4.1" in document
        for secret in (NIK, "6474", PHONE, "3456", EMAIL, "contoh.co.id"):
            assert secret not in document, secret
        assert "tolong diproses cepat" in document
    assert re.search(r"BAB III Hasil Pengolahan Data \.[ .]*\d", text)  # the contents list their pages
    # Every row of the per-element table (answered, total, NRR, weighted NRR, NRR × 25, mutu; the names wrap in
    # the PDF's cells) and of the summary table reads the same in the PDF.
    element_rows = [r for r in rows if re.fullmatch(r"U\d", r[0])]
    assert [r[0] for r in element_rows[:9]] == [f"U{i}" for i in range(1, 10)]
    for row in element_rows[:9]:
        assert " ".join(row[2:]) in text, row
    summary = [r for r in rows if r[0] in ("Jumlah responden", "NIK (IKM × 25, dibulatkan setengah ke atas)")]
    assert [r[1] for r in summary] == ["3", fmt_dec(dash.result.nik, 2)]
    for row in summary:
        assert " ".join(row) in text, row
    nik = fmt_dec(dash.result.nik, 2)
    assert f"adalah {nik} dengan mutu pelayanan" in word and f"adalah {nik} dengan mutu pelayanan" in text


def test_default_texts_and_the_command_override(office, tmp_path):
    db.session.delete(report_text.stored_text(unit_id=office.unit.id, period_key=PERIOD.key))
    db.session.commit()
    dash = build_dashboard(unit_id=office.unit.id, unit_name=office.unit.name, period=PERIOD)
    word, _rows, _pictures = docx_text(skm_report_docx(dash, office_head="Ir. Pengganti"))
    assert "Puji syukur" in word and "Demikian laporan" in word
    assert "Ir. Pengganti" in word and "Drs. Budi Hartono" not in word and f"NIP {NIP}" not in word


def test_word_download_and_command(app, fast_hashing, client, runner, office, tmp_path):
    log_in(client, make_user("loket", unit=office.unit))
    assert client.get(f"/analitik/laporan.docx?unit={office.unit.slug}&periode=2026-03").status_code == 403
    client.post("/auth/logout")
    log_in(client, make_user("ppid", unit=office.unit))
    got = client.get(f"/analitik/laporan.docx?unit={office.unit.slug}&periode=2026-03")
    assert got.status_code == 200 and got.mimetype == DOCX_TYPE
    assert "laporan-skm-" in got.headers["Content-Disposition"] and ".docx" in got.headers["Content-Disposition"]
    assert "Drs. Budi Hartono, M.Si." in docx_text(got.data)[0]
    page = client.get(f"/analitik/?unit={office.unit.slug}&periode=2026-03").get_data(as_text=True)
    assert "/analitik/laporan.docx" in page and f"/analitik/teks-laporan/{office.unit.id}?periode=2026-03" in page

    out = tmp_path / "laporan.docx"
    result = runner.invoke(args=["report", "--unit", office.unit.slug, "--period", "2026-03", "--format", "docx",
                                 "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"NIP {NIP}" in docx_text(out.read_bytes())[0]


def test_settings_page_validates_the_nip_and_the_logo(app, fast_hashing, client, demo):
    url = f"/admin/units/{demo.unit.id}/laporan"
    log_in(client, make_user("ppid", unit=demo.unit))
    assert client.get(url).status_code == 403
    client.post("/auth/logout")
    log_in(client, make_user("admin"))
    assert client.get(url).status_code == 200
    assert url in client.get("/admin/").get_data(as_text=True)
    fields = {"head_name": "Dra. Siti", "head_position": "Kepala Dinas", "city": "Bontang"}

    bad = client.post(url, data={**fields, "head_nip": "1970 0101"})
    assert bad.status_code == 400 and "NIP harus 18 angka" in bad.get_data(as_text=True)
    assert re.search(r'name="head_nip"[^>]*></label>\s*<p class="err">NIP harus 18 angka', bad.text)
    assert 'class="flash error"' not in bad.text  # beside the NIP, not at the top
    fake = client.post(url, data={**fields, "head_nip": NIP, "logo": (io.BytesIO(b"<html>not an image"), "l.png")},
                       content_type="multipart/form-data")  # fmt: skip
    assert fake.status_code == 400 and "Logo harus gambar PNG atau JPEG" in fake.get_data(as_text=True)
    broken = png()[:60]
    cut = client.post(url, data={**fields, "head_nip": NIP, "logo": (io.BytesIO(broken), "l.png")},
                      content_type="multipart/form-data")  # fmt: skip
    assert cut.status_code == 400 and "Gambar logo rusak" in cut.get_data(as_text=True)
    assert db.session.get(unit_settings.UnitReportSettings, demo.unit.id) is None  # nothing written

    good = client.post(url, data={**fields, "head_nip": NIP, "logo": (io.BytesIO(jpeg_with_comment()), "l.jpg")},
                       content_type="multipart/form-data")  # fmt: skip
    assert good.status_code == 302
    stored = unit_settings.report_settings(demo.unit.id)
    assert (stored.head_name, stored.head_nip, stored.city) == ("Dra. Siti", NIP, "Bontang")
    assert stored.logo_png.startswith(b"\x89PNG") and b"SECRET-CAMERA-SERIAL" not in stored.logo_png
    logo = client.get(f"/admin/units/{demo.unit.id}/logo.png")
    assert logo.status_code == 200 and logo.data == stored.logo_png

    kept = client.post(url, data={**fields, "head_nip": "", "city": "Samarinda"})  # no file: the logo stays
    assert kept.status_code == 302 and unit_settings.report_settings(demo.unit.id).logo_png == stored.logo_png
    removed = client.post(url, data={**fields, "head_nip": "", "remove_logo": "y"})
    assert removed.status_code == 302 and unit_settings.report_settings(demo.unit.id).logo_png is None
    assert client.get(f"/admin/units/{demo.unit.id}/logo.png").status_code == 404


def test_text_page_roles_bad_input_and_length(app, fast_hashing, client, demo):
    url = f"/analitik/teks-laporan/{demo.unit.id}?periode=2026-03"
    other = directory.create_unit(name="Dinas Lain", slug="dinas-lain", address="")
    db.session.commit()
    log_in(client, make_user("pimpinan"))
    assert client.get(url).status_code == 403  # reads results, does not publish them
    client.post("/auth/logout")
    log_in(client, make_user("ppid", unit=other))
    assert client.get(url).status_code == 404  # another unit's account
    client.post("/auth/logout")
    log_in(client, make_user("ppid", unit=demo.unit))
    assert client.get(url).status_code == 200
    assert client.get(f"/analitik/teks-laporan/{demo.unit.id}?periode=2026-13").status_code == 400
    assert client.get(f"/analitik/teks-laporan/{demo.unit.id}").status_code == 400

    long = client.post(url, data={"foreword": "x" * (report_text.TEXT_MAX_CHARS + 1), "closing": "ok"})
    assert long.status_code == 400 and "Teks terlalu panjang" in long.get_data(as_text=True)
    assert re.search(r'name="foreword"[^>]*>\s*x+</textarea></label>\s*<p class="err">Teks terlalu panjang', long.text)
    assert 'class="flash error"' not in long.text  # beside the foreword, not at the top
    assert report_text.stored_text(unit_id=demo.unit.id, period_key="2026-03") is None

    saved = client.post(url, data={"foreword": "Pengantar\r\nbaris kedua\x00", "closing": ""})
    assert saved.status_code == 303
    texts = report_text.report_texts(unit_id=demo.unit.id, period_key="2026-03", unit_name="U", period_label="Maret")
    assert texts.foreword == "Pengantar\nbaris kedua" and texts.own_foreword
    assert texts.closing == report_text.DEFAULT_CLOSING and not texts.own_closing
    assert "Pengantar" in client.get(url).get_data(as_text=True)

    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(url, data={"foreword": "tanpa token", "closing": ""}).status_code == 400
        assert client.post(f"/admin/units/{demo.unit.id}/laporan", data={"head_nip": NIP}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert report_text.stored_text(unit_id=demo.unit.id, period_key="2026-03").foreword == "Pengantar\nbaris kedua"


def test_a_logo_is_scaled_to_its_side_and_kept_a_png_with_its_transparency():
    from PIL import Image

    photo, out = Image.new("RGB", (1800, 1200), (200, 30, 30)), io.BytesIO()
    photo.save(out, format="JPEG")
    with Image.open(io.BytesIO(unit_settings.clean_logo(out.getvalue()))) as logo:
        assert (logo.format, logo.size) == ("PNG", (unit_settings.LOGO_SIDE, 400))

    seal, out = Image.new("RGBA", (300, 300), (0, 0, 0, 0)), io.BytesIO()
    seal.paste((10, 90, 160, 255), (100, 100, 200, 200))
    seal.save(out, format="PNG")
    with Image.open(io.BytesIO(unit_settings.clean_logo(out.getvalue()))) as logo:
        assert (logo.format, logo.mode, logo.size) == ("PNG", "RGBA", (300, 300))
        assert logo.getpixel((0, 0))[3] == 0 and logo.getpixel((150, 150)) == (10, 90, 160, 255)
