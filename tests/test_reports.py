"""The SKM report PDF and the Excel workbook: outline, exact figures, escaping, formula injection, freezing."""

import io
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from analytics import report as report_pdf
from analytics.dashboard import build_dashboard, frozen_note_for
from analytics.export import export_workbook, safe_cell
from analytics.ikm import Tally, compute_ikm
from analytics.publishing import publish_period, set_population
from analytics.report import fmt_dec, skm_report_pdf
from app.extensions import db
from app.periods import month
from survey.models import Channel, Response
from tests.factories import make_response, pdf_text

PERIOD = month(2026, 3)
UNIT_NAME = 'Dinas <b>Uji</b> & "Kota"'
SCORES = (
    (4, 4, 4, 4, 4, 4, 4, 4, 4),
    (3, 3, 3, 3, 3, 3, 3, 3, 3),
    (2, 2, 2, 2, 2, 2, 2, 2, None),
    (4, 3, 4, 3, 4, 3, 4, 3, 4),
)
SUGGESTIONS = ('=HYPERLINK("http://x")', "+1", "-1", "@x")
# By hand: NRR U1/U3/U5/U7 = 13/4, U2/U4/U6/U8 = 3, U9 = 11/3 (one NULL); IKM = 86/27; NIK = 2150/27 = 79.6296...
EXPECTED_NIK = "79,63"
SECTIONS = (
    "1.1 Latar Belakang",
    "1.2 Dasar Pelaksanaan",
    "1.3 Maksud dan Tujuan",
    "2.1 Pelaksana SKM",
    "2.2 Metode Pengumpulan Data",
    "2.3 Lokasi Pengumpulan Data",
    "2.4 Waktu Pelaksanaan SKM",
    "2.5 Penentuan Jumlah Responden",
    "3.1 Jumlah Responden SKM",
    "3.2 Indeks Kepuasan Masyarakat",
    "4.1 Analisis Kelemahan dan Kelebihan",
    "4.2 Rencana Tindak Lanjut",
    "4.3 Tren Nilai SKM",
)


PROFILE = {"gender": "L", "age": 35, "education": "S1", "occupation": "SWASTA", "channel": Channel.ONLINE}


def add_response(demo, day: date, scores, **fields) -> Response:
    counter = demo.static if fields.pop("counter_id", demo.static.id) is not None else None
    return make_response(demo, day, scores, counter=counter, **{**PROFILE, **fields})


@pytest.fixture
def period_data(demo):
    """Four questionnaires in March 2026 with known scores and hostile suggestions, plus one outside the period."""
    for i, (scores, text) in enumerate(zip(SCORES, SUGGESTIONS, strict=True)):
        add_response(
            demo,
            date(2026, 3, 2 + i),
            scores,
            suggestion=text,
            gender="LP"[i % 2],
            channel=Channel.PAPER if i == 3 else Channel.ONLINE,
            counter_id=None if i == 3 else demo.static.id,
        )
    add_response(demo, date(2026, 4, 1), (1,) * 9, suggestion="April, bukan Maret")
    db.session.commit()
    return demo


def dashboard(demo, unit_name: str = UNIT_NAME):
    return build_dashboard(unit_id=demo.unit.id, unit_name=unit_name, period=PERIOD)


def workbook(dash, **kwargs):
    from openpyxl import load_workbook

    buffer = io.BytesIO()
    export_workbook(dash, buffer, **kwargs)
    buffer.seek(0)
    return load_workbook(buffer)


# ---------------------------------------------------------------------------------------------------------------
# PDF


def test_engine_agrees_with_the_hand_calculation(period_data):
    result = dashboard(period_data).result
    assert result.respondents == 4
    assert result.ikm == Fraction(86, 27)
    assert fmt_dec(result.nik, 2) == EXPECTED_NIK
    assert (result.mutu, result.kinerja) == ("B", "Baik")


def test_report_has_the_standard_outline_and_exact_figures(period_data, tmp_path):
    set_population(unit=period_data.unit, period_key=PERIOD.key, population=10)  # S = 10, collected 4
    db.session.commit()
    dash = dashboard(period_data)
    pdf = skm_report_pdf(dash, office_head="Dra. Kepala Uji")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    for heading in ("BAB I PENDAHULUAN", "BAB II PENGUMPULAN DATA SKM", "BAB III HASIL PENGOLAHAN DATA SKM",
                    "BAB IV ANALISIS HASIL SKM", "BAB V PENUTUP", "LAMPIRAN A KUESIONER",
                    "LAMPIRAN B HASIL OLAH DATA PER RESPONDEN"):  # fmt: skip
        assert heading in text
    for section in SECTIONS:
        assert section in text
    assert "LAPORAN SURVEI KEPUASAN MASYARAKAT" in text
    assert "Maret 2026" in text
    assert f"NIK (IKM × 25, dibulatkan setengah ke atas) {EXPECTED_NIK}" in text
    assert f"adalah {EXPECTED_NIK} dengan mutu pelayanan B (kinerja unit pelayanan Baik)" in text
    assert "3,1852" in text  # IKM 86/27 to four decimals
    assert "U9 Sarana dan Prasarana 3 11 3,667 0,407 91,67 A" in text  # per-element line: answered 3 of 4
    assert "bobot tepat 1/9" in text
    assert "Belum memenuhi" in text and "kurang 6 responden" in text
    assert "Dra. Kepala Uji" in text
    # Channel counts from the data (three electronic, one paper).
    assert "Kuesioner kertas (dimasukkan petugas) 1 25,0%" in text
    # Calculation sheet: the NULL answer is a blank cell; footer rows from the same engine.
    assert "Σ nilai per unsur 13 12 13 12 13 12 13 12 11" in text
    assert "Jumlah terisi 4 4 4 4 4 4 4 4 3" in text
    assert "No U1 U2 U3 U4 U5 U6 U7 U8 U9 1 4 4 4 4 4 4 4 4 4 2 3 3 3 3 3 3 3 3 3 3 2 2 2 2 2 2 2 2 4 4 3 4 3" in text
    # Suggestions are printed as text, in the period only.
    assert '=HYPERLINK("http://x")' in text
    assert "April, bukan Maret" not in text


def test_sample_statements(period_data, tmp_path):
    text = pdf_text(skm_report_pdf(dashboard(period_data)), tmp_path)
    assert "populasi belum diisi" in text
    set_population(unit=period_data.unit, period_key=PERIOD.key, population=4)  # below the table: S = N = 4
    db.session.commit()
    text = pdf_text(skm_report_pdf(dashboard(period_data)), tmp_path)
    assert "Memenuhi sampel minimum" in text and "Belum memenuhi" not in text


def test_user_text_is_escaped_not_interpreted(period_data, tmp_path):
    add_response(period_data, date(2026, 3, 20), (3,) * 9, suggestion="<i>tolong</i> & <font size=40>cepat")
    db.session.commit()
    text = pdf_text(skm_report_pdf(dashboard(period_data)), tmp_path)
    assert 'Dinas <b>Uji</b> & "Kota"' in text
    assert "<i>tolong</i> & <font size=40>cepat" in text


def test_frozen_period_reports_the_published_figures(period_data, tmp_path):
    publication, _dash = publish_period(unit=period_data.unit, period=PERIOD, published_by="admin")
    db.session.commit()
    add_response(period_data, date(2026, 3, 25), (1,) * 9, suggestion="terlambat")  # late paper data
    db.session.commit()
    dash = dashboard(period_data)
    assert dash.frozen and dash.result.respondents == 4 and dash.late_responses == 1
    note = frozen_note_for(publication.published_at)
    text = pdf_text(skm_report_pdf(dash), tmp_path)
    assert note in text
    assert text.count("dibekukan saat publikasi pada") >= 2  # cover and BAB III
    assert f"adalah {EXPECTED_NIK} dengan mutu pelayanan B" in text  # frozen, not the live figure
    assert "masuk 1 kuesioner lagi" in text and "terlambat" not in text  # the appendix is the published set

    book = workbook(dash)
    summary = [row for row in book["Ringkasan Unsur"].iter_rows(values_only=True)]
    assert any(note in str(row[0]) for row in summary)
    nik_row = next(row for row in summary if str(row[0]).startswith("NIK"))
    assert nik_row[1] == pytest.approx(79.63)
    tabulation = {row[0]: row for row in book["Tabulasi"].iter_rows(min_row=3, values_only=True)}
    assert tabulation["U1"][6] == 4  # the raw sheets hold the published respondent set too
    assert book["Responden"].max_row == 5


def test_frozen_note_names_the_publication_time_in_office_time(app):
    app.config["OFFICE_TIMEZONE"] = "Asia/Makassar"
    note = frozen_note_for(datetime(2026, 10, 1, 2, 30))  # naive from SQLite = UTC
    assert note == "Angka yang dipublikasikan, dibekukan saat publikasi pada 1 Oktober 2026 pukul 10.30 WITA."


def test_published_headline_never_changes(period_data):
    from analytics.snapshot import Snapshot

    dash = dashboard(period_data)
    frozen = Snapshot.of(dash.figures, watermark=10).to_json()
    assert Snapshot.from_json(frozen).result == dash.result  # rebuilt exactly from the snapshot's sums and counts
    frozen["result"].update(nik="76.60", mutu="C", kinerja="Kurang Baik")  # as published under an older rule
    result = Snapshot.from_json(frozen).result
    assert (result.nik, result.mutu, result.kinerja) == (Decimal("76.60"), "C", "Kurang Baik")


def test_element_without_answers_is_reported_with_weight_one_over_k(demo, tmp_path):
    add_response(demo, date(2026, 3, 3), (4, 4, 4, None, 4, 4, 4, 4, 4))
    add_response(demo, date(2026, 3, 4), (3, 3, 3, None, 3, 3, 3, 3, 3))
    db.session.commit()
    dash = dashboard(demo)
    assert dash.result.missing_elements == ("U4",)
    text = pdf_text(skm_report_pdf(dash), tmp_path)
    assert "bobot tepat 1/8" in text and "IKM dihitung dari 8 unsur yang terisi dengan bobot 1/8" in text
    assert "U4 Biaya/Tarif 0 0 - - - -" in text  # no data, never 0
    summary = [row[0] for row in workbook(dash)["Ringkasan Unsur"].iter_rows(values_only=True)]
    assert any(str(v).startswith("Unsur tanpa jawaban: U4") for v in summary)


def test_calculation_sheet_is_capped_for_large_periods(period_data, tmp_path, monkeypatch):
    monkeypatch.setattr(report_pdf, "CALC_SHEET_MAX_ROWS", 2)
    text = pdf_text(skm_report_pdf(dashboard(period_data)), tmp_path)
    assert "memuat 2 responden pertama" in text and "ekspor Excel" in text
    assert "Σ nilai per unsur 13 12 13 12 13 12 13 12 11" in text  # totals still cover all 4


def test_empty_period_says_no_data(demo, tmp_path):
    dash = build_dashboard(unit_id=demo.unit.id, unit_name="DPMPTSP Kota Uji", period=PERIOD)
    pdf = skm_report_pdf(dash)
    text = pdf_text(pdf, tmp_path)
    assert "Tidak ada data" in text and "tidak ada data" in text
    book = workbook(dash)
    assert book["Responden"].max_row == 1


def test_reportlab_and_openpyxl_are_imported_lazily():
    code = (
        "import sys, analytics.report, analytics.export; "
        "assert 'reportlab' not in sys.modules and 'openpyxl' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------------------------------------
# Workbook


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("aman", "aman"),
        ("a=b", "a=b"),
        ("bel\x07l", "bell"),
        (3, 3),
        (None, None),
        (2.5, 2.5),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_workbook_sheets_numbers_and_injection(period_data):
    dash = dashboard(period_data)
    book = workbook(dash)
    assert book.sheetnames == ["Ringkasan Unsur", "Olah Data", "Tabulasi", "Profil", "Responden"]  # one service

    raw = list(book["Responden"].iter_rows(values_only=True))
    header, rows = raw[0], raw[1:]
    assert len(rows) == 4
    column = {name: i for i, name in enumerate(header)}
    assert [r[column["saran"]] for r in rows] == ["'" + s for s in SUGGESTIONS]
    assert rows[2][column["U9"]] is None  # NULL stays an empty cell, never 0
    assert rows[2][column["U1"]] == 2 and isinstance(rows[2][column["U1"]], int)
    assert [r[column["No"]] for r in rows] == [1, 2, 3, 4]  # respondent numbers, no database id
    assert [r[column["jenis kelamin"]] for r in rows] == ["Laki-laki", "Perempuan"] * 2  # labels, not codes
    assert rows[3][column["kanal"]] == "Kertas" and rows[3][column["loket"]] is None
    assert rows[0][column["layanan"]] == "Perizinan Berusaha"
    assert rows[0][column["tanggal"]].date() == date(2026, 3, 2)
    cell = book["Responden"].cell(row=2, column=column["saran"] + 1)
    assert cell.data_type == "s"  # text, not a formula

    engine = {e.code: e for e in dash.result.elements}
    tabulation = {row[0]: row for row in book["Tabulasi"].iter_rows(min_row=3, values_only=True)}
    assert tabulation["U1"][2:9] == (0, 1, 1, 2, 4, 0, 13)  # counts of 1/2/3/4, answered, blank, sum
    assert tabulation["U9"][6:9] == (3, 1, 11)
    summary = {row[0]: row for row in book["Ringkasan Unsur"].iter_rows(values_only=True) if row[0]}
    exact = pytest.approx  # xlsx keeps 15-16 significant digits, as Excel does
    for code, element in engine.items():
        assert tabulation[code][9] == exact(float(element.nrr), rel=1e-14)
        assert summary[code][4] == exact(float(element.nrr), rel=1e-14)
        assert summary[code][5] == exact(float(element.nrr_weighted), rel=1e-14)
        assert summary[code][6] == float(element.nik)
        assert summary[code][7] == element.mutu
    assert book["Ringkasan Unsur"]["E4"].number_format == "0.000"
    nik = next(v for k, v in summary.items() if str(k).startswith("NIK"))
    assert nik[1] == 79.63 and isinstance(nik[1], float)
    assert summary["Mutu pelayanan"][1] == "B"
    assert summary["Kecukupan sampel"][1] == "populasi belum diisi"

    profile = list(book["Profil"].iter_rows(min_row=3, values_only=True))
    assert ("Jenis kelamin", "Laki-laki", 2, 0.5) in profile
    assert ("Jenis layanan", "Perizinan Berusaha", 4, 1.0) in profile


def test_office_entered_names_are_neutralised_in_every_sheet(demo):
    from app import directory

    service = directory.create_service(unit=demo.unit, name="=1+1 Layanan")
    add_response(demo, date(2026, 3, 3), (3,) * 9, service_id=service.id)
    db.session.commit()
    book = workbook(dashboard(demo, unit_name="@Dinas"))
    every = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    cells = [c.value for c in every if isinstance(c.value, str) and c.data_type != "f"]
    assert "'=1+1 Layanan" in cells and "=1+1 Layanan" not in cells
    assert not any(v.startswith(("=", "+", "-", "@")) for v in cells)
    formulas = [c.value for c in every if c.data_type == "f"]
    assert formulas  # the calculation sheet's own, built from cell addresses and constants only
    assert not any("1+1" in f or "Dinas" in f or "Layanan" in f for f in formulas)


def test_expected_figures_come_from_the_engine():
    """The hand numbers used above, from the pure engine (no database)."""
    rows = [{f"U{i}": v for i, v in enumerate(scores, start=1)} for scores in SCORES]
    result = compute_ikm(Tally.of_answers(rows))
    assert result.nik_exact == Fraction(2150, 27)
    assert fmt_dec(result.nik, 2) == EXPECTED_NIK
