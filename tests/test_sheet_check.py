"""Issue 9, item 2: the office's own sheet checked. Sheets built here carry the office's Σ, NRR, NRR tertimbang, IKM,
NIK and mutu computed the wrong ways offices compute them (weight 0,11 or 0,111, NRR rounded before weighting, the
2004 interval table, a respondent counted twice, extra rows in the divisor) and the right way; each is read back
with its diagnosis, through `check_office_figures` and `flask ikm --csv FILE --json`.

The office's figures are computed here independently of the engine, with Decimal, as a spreadsheet would.
"""

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest

from analytics.calculator import calculate_file
from analytics.sheet_check import check_office_figures, grade
from survey.sheet_figures import written
from survey.sheets import read_answer_sheet
from tests.test_sheet_reader import CODES, csv_bytes, xlsx_bytes

# 29 respondents, one blank answer (NULL). Exact NIK 87,11 (B); with 0,11: 86,24; with 0,111: 87,03; with the NRRs
# rounded to 2 decimals before weighting: 87,08.
ANSWERS = [[(2, 3, 3, 4, 4, 4, 4)[(r + e + r * e) % 7] for e in range(9)] for r in range(29)]
ANSWERS[10][3] = None


def shown(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def text(value: Decimal, places: int) -> str:
    return f"{shown(value, places):f}".replace(".", ",")


def office_figures(answers, *, weight="1/9", nrr_places=None, twice=None, dropped=None, extra=0, zeros=False,
                   ikm_places=None, table="2017") -> dict:  # fmt: skip
    """The office's figures, computed as its spreadsheet would (Decimal, 28 digits): `twice` / `dropped` is a
    respondent index counted twice / left out, `extra` rows added to each NRR divisor, `zeros` blanks counted as 0,
    `ikm_places` the IKM rounded before x 25, `table` the interval table giving the mutu."""
    counted = answers + ([answers[twice]] if twice is not None else [])
    counted = [row for i, row in enumerate(counted) if i != dropped]
    sums = [sum(row[e] or 0 for row in counted) for e in range(9)]
    answered = [len(counted) if zeros else sum(1 for row in counted if row[e] is not None) for e in range(9)]
    nrr = [Decimal(s) / (n + extra) for s, n in zip(sums, answered, strict=True)]
    if nrr_places is not None:
        nrr = [shown(v, nrr_places) for v in nrr]
    weighted = [v / 9 if weight == "1/9" else v * Decimal(weight) for v in nrr]
    ikm = sum(weighted)
    nik = shown((ikm if ikm_places is None else shown(ikm, ikm_places)) * 25, 2)
    bands = ((Decimal("88.31"), "A"), (Decimal("76.61"), "B"), (Decimal("65"), "C"), (0, "D"))
    if table == "2004":
        bands = ((Decimal("81.26"), "A"), (Decimal("62.51"), "B"), (Decimal("43.76"), "C"), (0, "D"))
    mutu = next(letter for bound, letter in bands if nik >= bound)
    return {"sums": sums, "nrr": nrr, "weighted": weighted, "ikm": ikm, "nik": nik, "mutu": mutu}


def office_rows(figures: dict, *, nik: str | None = None) -> list[list[str]]:
    """The lembar pengolahan data as text (decimal commas): respondents, then the office's summary rows."""
    rows = [["No", *CODES, "Saran"]]
    rows += [[str(n), *("" if v is None else str(v) for v in row), ""] for n, row in enumerate(ANSWERS, start=1)]
    rows += [
        ["Jumlah", *(str(s) for s in figures["sums"])],
        ["NRR", *(text(v, 3) for v in figures["nrr"])],
        ["NRR tertimbang", *(text(v, 3) for v in figures["weighted"])],
        ["IKM", text(figures["ikm"], 3)],
        ["Nilai IKM (konversi)", nik or text(figures["nik"], 2)],
        ["Mutu pelayanan", figures["mutu"]],
    ]
    return rows


def findings(rows) -> dict[str, dict]:
    """The check of a CSV sheet, one finding per figure (as JSON)."""
    sheet = read_answer_sheet("olah.csv", csv_bytes(rows, sep=";"))
    assert len(sheet.rows) == 29 and not sheet.errors
    return {f.figure: f.as_dict() for f in check_office_figures(sheet=sheet)}


def test_the_reader_keeps_the_office_figures_with_their_rows(app):
    rows = office_rows(office_figures(ANSWERS))
    rows[-3][1] = "3.485"  # a decimal point instead of a comma
    sheet = read_answer_sheet("olah.csv", csv_bytes(rows, sep=";"))
    assert len(sheet.rows) == 29 and [r.number for r in sheet.summary] == [31, 32, 33, 34, 35, 36]
    kinds = [(r.kind, r.label) for r in sheet.summary]
    assert kinds == [("sum", "Jumlah"), ("nrr", "NRR"), ("nrr_weighted", "NRR tertimbang"), ("ikm", "IKM"),
                     ("nik", "Nilai IKM (konversi)"), ("mutu", "Mutu pelayanan")]  # fmt: skip
    assert sheet.summary[0].values["U1"].value == 98 and sheet.summary[1].values["U1"].text == "3,379"
    assert (sheet.summary[3].value.value, sheet.summary[3].value.places) == (Decimal("3.485"), 3)
    assert sheet.summary[4].value.text == "87,11" and sheet.summary[5].text == "B"
    for cell, value, places in (("4,00", 4, 2), ("4.00", 4, 2), ("90,11", Decimal("90.11"), 2), (3, 3, 0),
                                (2.5, Decimal("2.5"), 1), ("1.234,5", Decimal("1234.5"), 1)):  # fmt: skip
        assert (written(cell).value, written(cell).places) == (value, places)
    assert written(3.4848484848484853).places == 9 and written("-") is None


CASES = {
    "benar": (
        {},
        {"sum": "match", "nrr": "match", "nrr_weighted": "match", "ikm": "match", "nik": "match", "mutu": "match"},
    ),  # fmt: skip
    "bobot_011": ({"weight": "0.11"}, {"nrr": "match", "nrr_weighted": "weight", "nik": "weight"}),
    "bobot_0111": ({"weight": "0.111"}, {"ikm": "weight", "nik": "weight"}),
    "nrr_dibulatkan": ({"nrr_places": 2}, {"sum": "match", "nrr": "nrr_rounded", "nik": "nrr_rounded"}),
    "tabel_2004": ({"table": "2004"}, {"nik": "match", "mutu": "table_2004"}),
    "dua_kali": ({"twice": 6}, {"sum": "respondent_twice", "nrr": "respondent_twice", "nik": "respondent_twice"}),
    "pembagi": ({"extra": 2}, {"sum": "match", "nrr": "count_extra", "nik": "count_extra"}),
    "terlewat": (
        {"dropped": 28},
        {"sum": "respondent_left_out", "nrr": "respondent_left_out", "nik": "respondent_left_out"},
    ),
    "dibulatkan_dan_011": ({"weight": "0.11", "nrr_places": 2}, {"nrr": "nrr_rounded", "nik": "nrr_rounded"}),
    "ikm_dibulatkan": ({"ikm_places": 2}, {"ikm": "match", "nik": "ikm_rounded"}),
    "kosong_nol": ({"zeros": True}, {"sum": "match", "nrr": "blank_as_zero", "nik": "blank_as_zero"}),
}
SENTENCES = {
    "benar": "NIK (IKM x 25) kantor di baris 35 (87,11) sesuai dengan angka persis.",
    "bobot_011": "NIK (IKM x 25) kantor di baris 35 (86,24) berselisih -0,87 dari angka persis 87,11: angka kantor "
    "itu didapat lagi dari jawaban yang sama bila NRR dikalikan bobot 0,11, bukan tepat 1/9.",
    "bobot_0111": "bila NRR dikalikan bobot 0,111, bukan tepat 1/9.",
    "nrr_dibulatkan": "NIK (IKM x 25) kantor di baris 35 (87,08) berselisih -0,03 dari angka persis 87,11: angka "
    "kantor itu didapat lagi dari jawaban yang sama bila NRR dibulatkan ke 2 desimal sebelum diberi bobot.",
    "tabel_2004": "Mutu kantor di baris 36 (A) mengikuti tabel interval Kepmenpan 25/2004",
    "dua_kali": "bila jawaban responden baris 8 (atau baris 15, 22, 29, yang jawabannya sama) dihitung dua kali.",
    "pembagi": "bila pembagi NRR kelebihan 2 (baris ringkasan atau catatan ikut terhitung sebagai responden).",
    "terlewat": "bila jawaban responden baris 2 (atau baris 9, 16, 23, 30, yang jawabannya sama) tidak ikut dihitung.",
    "dibulatkan_dan_011": "bila NRR dibulatkan ke 2 desimal sebelum diberi bobot dan NRR dikalikan bobot 0,11, bukan "
    "tepat 1/9.",
    "ikm_dibulatkan": "NIK (IKM x 25) kantor di baris 35 (87,00) berselisih -0,11 dari angka persis 87,11: angka "
    "kantor itu didapat lagi dari jawaban yang sama bila IKM dibulatkan ke 2 desimal sebelum dikalikan 25, atau bila "
    "NRR tertimbang dibulatkan ke 2 desimal sebelum dijumlahkan.",  # the NIK cannot tell these two apart
    "kosong_nol": "bila jawaban kosong dihitung 0 (NRR dibagi jumlah semua responden, bukan yang menjawab unsur itu).",
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_way_of_computing_is_recognised(app, case):
    options, expected = CASES[case]
    found = findings(office_rows(office_figures(ANSWERS, **options)))
    assert {figure: found[figure]["cause"] for figure in expected} == expected
    figure = "mutu" if case == "tabel_2004" else "nik"
    assert SENTENCES[case] in found[figure]["sentence"]
    assert found[figure]["alternatives"] == ([["weighted_rounded"]] if case == "ikm_dibulatkan" else [])
    if case == "dibulatkan_dan_011":
        assert found["nik"]["causes"] == ["nrr_rounded", "weight"]


def test_a_figure_no_known_mistake_explains_is_said_to_differ(app):
    found = findings(office_rows(office_figures(ANSWERS), nik="87,48"))
    assert found["ikm"]["cause"] == "match" and found["nik"]["causes"] == ["unexplained"]
    assert found["nik"]["difference"] == pytest.approx(0.37) and found["nik"]["sentence"] == (
        "NIK (IKM x 25) kantor di baris 35 (87,48) berselisih +0,37 dari angka persis 87,11; tidak ada cara hitung "
        "keliru yang umum yang menghasilkan angka kantor itu."
    )


def excel_rows(figures: dict) -> list[list[object]]:
    """The office's sheet as Excel keeps it: numbers, and unrounded floats where a formula computed the figure."""
    rows = [["No", *CODES, "Saran"]]
    rows += [[n, *row, None] for n, row in enumerate(ANSWERS, start=1)]
    rows += [
        ["Σ", *figures["sums"]],
        ["NRR per unsur", *(float(v) for v in figures["nrr"])],
        ["NRR tertimbang", *(float(v) for v in figures["weighted"])],
        ["Jumlah NRR tertimbang (IKM)", float(figures["ikm"])],
        ["IKM x 25", float(figures["nik"])],
        ["Kinerja unit pelayanan", "Baik"],
    ]
    return rows


def test_a_workbook_with_weight_011_through_the_calculator_command(runner, tmp_path):
    path = tmp_path / "olah.xlsx"
    path.write_bytes(xlsx_bytes({"Olah data": excel_rows(office_figures(ANSWERS, weight="0.11"))}))
    result = runner.invoke(args=["ikm", "--csv", str(path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["respondents"] == 29 and out["nik"] == 87.11
    check = {f["figure"]: f for f in out["office_check"]}
    assert [check[k]["cause"] for k in ("sum", "nrr", "nrr_weighted", "ikm", "nik", "mutu")] == [
        "match", "match", "weight", "weight", "weight", "match"]  # fmt: skip
    assert check["nik"] | {"sentence": ""} == {"figure": "nik", "row": 35, "label": "IKM x 25", "office": 86.24,
        "exact": 87.11, "difference": -0.87, "cause": "weight", "causes": ["weight"], "alternatives": [],
        "sentence": ""}  # fmt: skip
    assert "bobot 0,11, bukan tepat 1/9" in check["nik"]["sentence"]


def test_the_calculation_sheet_is_followed_by_the_check(runner, tmp_path):
    path = tmp_path / "olah.csv"
    path.write_bytes(csv_bytes(office_rows(office_figures(ANSWERS, nrr_places=2)), sep=";"))
    result = runner.invoke(args=["ikm", "--csv", str(path)])
    assert result.exit_code == 0, result.output
    sheet, check = result.stdout.split(
        "\n\nPemeriksaan angka kantor di lembar ini (dibandingkan dengan angka persis):\n"
    )
    assert sheet.endswith("Mutu pelayanan: B   Kinerja unit pelayanan: Baik")
    lines = check.splitlines()
    assert len(lines) == 6 and lines[0].startswith("- Σ (jumlah nilai per unsur) kantor di baris 31 sesuai")
    assert lines[4].startswith("- NIK (IKM x 25) kantor di baris 35 (87,08) berselisih -0,03 dari angka persis 87,11")
    plain = tmp_path / "polos.csv"
    plain.write_bytes(csv_bytes(office_rows(office_figures(ANSWERS))[:30], sep=";"))
    result = runner.invoke(args=["ikm", "--csv", str(plain)])
    assert "Pemeriksaan" not in result.stdout and result.stdout.rstrip().endswith("Kinerja unit pelayanan: Baik")
    result = runner.invoke(args=["ikm", "--csv", str(plain), "--json"])
    assert "office_check" not in json.loads(result.stdout)


def test_a_weight_row_and_a_mutu_that_follows_the_office_nik(app):
    rows = office_rows(office_figures(ANSWERS), nik="88,40")
    rows[-1][1] = "A (Sangat Baik)"
    rows.insert(33, ["Bobot", "0,111"])
    found = findings(rows)
    assert found["nik"]["cause"] == "unexplained" and found["mutu"]["cause"] == "follows_office_nik"
    assert found["mutu"]["sentence"] == ("Mutu kantor di baris 37 (A (Sangat Baik)) mengikuti NIK kantor 88,40; NIK "
                                         "persis 87,11 bermutu B.")  # fmt: skip
    assert (
        found["weight"]["cause"] == "match" and "1/9 yang ditampilkan dengan 3 desimal" in found["weight"]["sentence"]
    )
    assert grade("Baik") == "B" and grade("kurang baik") == "C" and grade("b") == "B" and grade("Bagus") is None


def test_odd_summary_rows_are_kept_or_ignored_without_a_traceback(app):
    rows = office_rows(office_figures(ANSWERS))[:30]
    rows += [["Jumlah", "1" * 40, *("x" for _ in CODES[1:])], ["NRR", "", "3,5", "-", "1e5", "2,9"], ["IKM", "abc"],
             ["IKM ="], ["Mutu", "Z"], ["NRR tertimbang", *("0,3" for _ in CODES)], ["NIK", str(10**40)],
             ["Nilai IKM: 87,11 (B)"], ["Bobot", "0,12"]]  # fmt: skip
    calculation = calculate_file("aneh.csv", csv_bytes(rows, sep=";"))
    assert calculation.result.respondents == 29
    found = {(f.figure, f.row): f for f in calculation.check}
    assert sorted(found) == [("nik", 38), ("nrr", 32), ("nrr_weighted", 36), ("weight", 39)]
    assert found["nik", 38].matches and found["nrr", 32].causes == ("unexplained",)
    assert str(found["weight", 39].sentence) == "Bobot kantor di baris 39 (0,12) bukan 1/9 (0,11)."
