"""Issue 9, item 1: the files offices have, read to the right respondents by the one sheet reader (paper import and
IKM calculator alike). A 29-respondent case in every shape: no respondent added or lost without a note, no
traceback, and a file that cannot be read says what was looked for and where."""

import io

import pytest
from openpyxl import Workbook

from analytics.calculator import CalculatorError, calculate_file
from analytics.ikm import Tally, compute_ikm
from survey.questionnaire import ELEMENT_CODES, ELEMENTS, ELEMENTS_BY_CODE
from survey.sheets import SheetError, read_answer_sheet

CODES = list(ELEMENT_CODES)
# 29 respondents, answers 1-4 spread over every element (a few blanks: NULL, never 0).
ANSWERS = [[(r * 7 + e * 3 + r // 3) % 4 + 1 for e in range(9)] for r in range(29)]
ANSWERS[5][3] = None
ANSWERS[17][8] = None
EXPECTED = compute_ikm(Tally.of_answers({c: v for c, v in zip(CODES, row, strict=True)} for row in ANSWERS))


def csv_bytes(rows: list[list[str]], sep: str = ",", encoding: str = "utf-8", newline: str = "\n") -> bytes:
    def quoted(cell: str) -> str:
        return f'"{cell}"' if any(ch in cell for ch in f'{sep}"\n') else cell

    return newline.join(sep.join(quoted(c) for c in row) for row in rows).encode(encoding) + newline.encode(encoding)


def plain_rows(header: list[str] | None = None, answer=lambda e, v: str(v)) -> list[list[str]]:
    header = header or ["No", *CODES, "Saran"]
    rows = [header]
    for n, answers in enumerate(ANSWERS, start=1):
        cells = ["" if v is None else answer(ELEMENTS[i], v) for i, v in enumerate(answers)]
        rows.append([str(n), *cells, "pelayanan baik" if n % 5 else ""])
    return rows


def xlsx_bytes(sheets: dict[str, list[list[object]]], merge: dict[str, str] | None = None) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if merge and title in merge:
            sheet.merge_cells(merge[title])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def check(filename: str, content: bytes) -> list[str]:
    """Both readers agree with the 29-respondent figures; return the notes as text."""
    sheet = read_answer_sheet(filename, content)
    assert not sheet.errors, [str(e) for e in sheet.errors]
    assert len(sheet.rows) == 29
    calculation = calculate_file(filename, content)
    assert calculation.result.respondents == 29
    assert calculation.result.nik == EXPECTED.nik and calculation.result.ikm == EXPECTED.ikm
    return [str(note) for note in calculation.notes]


SUMMARY = [
    ["Jumlah", *("116" for _ in CODES)],
    ["NRR", *("2,89" for _ in CODES)],
    ["NRR tertimbang", *("0,32" for _ in CODES)],
    ["NRR per unsur tertimbang", *("0,32" for _ in CODES)],
    ["IKM", "2,89"],
    ["Nilai IKM (konversi)", "72,22"],
    ["Rata-rata", "2,89"],
]


def test_summary_rows_and_a_footer_note_are_left_out_with_a_note(app):
    rows = plain_rows() + [[]] + SUMMARY + [["Keterangan: U1-U9 = unsur pelayanan, sumber data kuesioner 2024"]]
    notes = check("olah.csv", csv_bytes(rows))
    assert "baris 32-38 tidak dihitung sebagai responden: baris ringkasan (Jumlah, NRR, NRR tertimbang" in notes[0]
    assert notes[1].startswith("baris 39 tidak dihitung sebagai responden: catatan")


def test_sigma_rows_and_formulas_in_a_workbook_are_left_out(app):
    rows = plain_rows()
    rows = [[int(c) if c.isdigit() else (c or None) for c in row] for row in rows]
    rows.append(["Σ", *(f"=SUM({chr(66 + i)}2:{chr(66 + i)}30)" for i in range(9))])
    rows.append(["IKM", "=AVERAGE(B31:J31)/29"])
    rows.append(["Sumber: hasil olah data"])
    rows.append(["Disusun oleh: Tim SKM"])
    notes = check("olah.xlsx", xlsx_bytes({"Data": rows}))
    assert any("baris 31-32" in n and "Σ" in n for n in notes)
    assert any("baris 33-34" in n and "catatan" in n for n in notes)


def test_unused_numbered_rows_of_a_template_are_left_out_but_an_empty_row_inside_the_data_is_an_error(app):
    rows = plain_rows() + [[str(n)] for n in range(30, 41)]
    assert any("baris 31-41" in n for n in check("templat.csv", csv_bytes(rows)))
    rows = plain_rows()
    rows.insert(5, ["5a", *([""] * 9), "lupa diisi"])
    with pytest.raises(CalculatorError, match="baris 6, kolom U1-U9"):
        calculate_file("x.csv", csv_bytes(rows))


def test_a_bad_answer_at_the_bottom_is_an_error_not_a_note(app):
    rows = plain_rows(header=[*CODES, "No"])
    rows = [row[1:10] + row[:1] if i else row for i, row in enumerate(rows)]
    rows.append(["5"])
    with pytest.raises(CalculatorError, match="baris 31, kolom U1: nilai '5'"):
        calculate_file("x.csv", csv_bytes(rows))


def test_an_unclosed_quote_that_swallows_rows_is_an_error_naming_its_lines(app):
    lines = csv_bytes(plain_rows()).decode().splitlines()
    lines[10] = lines[10].rsplit(",", 1)[0] + ',"ruang tunggu panas'  # opened at line 11, closed four lines later
    lines[14] = lines[14] + ' sekali"'
    content = ("\n".join(lines) + "\n").encode()
    with pytest.raises(CalculatorError) as exc:
        calculate_file("saran.csv", content)
    assert "baris 11, kolom Saran: tanda kutip" in str(exc.value) and "baris teks 11" in str(exc.value)
    assert "baris teks 15" in str(exc.value)
    sheet = read_answer_sheet("saran.csv", content)  # the row is kept, with its error: the import refuses it too
    assert len(sheet.rows) == 25 and [(e.row, e.column) for e in sheet.errors] == [(11, "Saran")]


def test_an_unclosed_quote_to_the_end_of_the_file_is_an_error(app):
    lines = csv_bytes(plain_rows()).decode().splitlines()
    lines[20] = lines[20].rsplit(",", 1)[0] + ',"kurang'
    with pytest.raises(CalculatorError, match="baris teks 21 berkas baru ditutup di baris teks 30"):
        calculate_file("saran.csv", ("\n".join(lines) + "\n").encode())


def test_a_suggestion_over_two_lines_is_one_respondent_with_a_note(app):
    rows = plain_rows()
    rows[3][-1] = "antrian lama,\nmohon ditambah kursi"
    notes = check("saran.csv", csv_bytes(rows))
    assert notes == ["baris 4: isian kolom Saran memuat ganti baris (baris teks 4-5 berkas), dibaca sebagai satu "
                     "responden"]  # fmt: skip


@pytest.mark.parametrize(
    ("encoding", "sep", "newline"),
    [("utf-16", "\t", "\r\n"), ("utf-16-le", "\t", "\r\n"), ("utf-8-sig", ";", "\r\n"), ("utf-8", ",", "\n"),
     ("utf-8-sig", ",", "\n"), ("utf-8", "\t", "\n"), ("cp1252", ";", "\r\n"), ("utf-8", ";", "\r")],
)  # fmt: skip
def test_encodings_and_separators(app, encoding, sep, newline):
    content = csv_bytes(plain_rows(), sep=sep, encoding=encoding, newline=newline)
    if encoding == "utf-16-le":
        content = b"\xff\xfe" + content  # Excel's "Unicode Text": little-endian with its BOM
    assert check("unicode.txt", content) == []


def test_a_title_and_a_merged_group_row_above_the_header(app):
    rows = plain_rows()
    layout = [["LEMBAR PENGOLAHAN DATA SURVEI KEPUASAN MASYARAKAT"], ["DPMPTSP Kota Uji, Triwulan I 2024"], [],
              ["NO. RESP", "NILAI UNSUR PELAYANAN"], *rows]  # fmt: skip
    layout = [[int(c) if isinstance(c, str) and c.isdigit() else (c or None) for c in row] for row in layout]
    notes = check("lembar.xlsx", xlsx_bytes({"Olah Data": layout}, merge={"Olah Data": "B4:J4"}))
    assert notes == ["judul kolom ada di baris 5; baris di atasnya (judul lembar) dilewati"]
    notes = check("lembar.csv", csv_bytes([["" if c is None else str(c) for c in r] for r in layout]))
    assert notes == ["judul kolom ada di baris 5; baris di atasnya (judul lembar) dilewati"]


@pytest.mark.parametrize(
    "header",
    [[c.lower() for c in CODES], [f"U0{n}" for n in range(1, 10)],
     [f"U{n}. {ELEMENTS_BY_CODE[f'U{n}'].name}" for n in range(1, 10)], [f"u{n} " for n in range(1, 10)]],
)  # fmt: skip
def test_header_spellings(app, header):
    assert check("k.csv", csv_bytes(plain_rows(header=["No", *header, "Saran"]))) == []


def google_forms_rows(question=lambda e, n: f"{n}. {e.question}", answer=lambda e, v: e.label(v)):
    header = ["Timestamp", "Jenis Kelamin", "Usia", *(question(e, n) for n, e in enumerate(ELEMENTS, 1)),
              "Kritik dan Saran"]  # fmt: skip
    rows = [header]
    for n, answers in enumerate(ANSWERS):
        cells = ["" if v is None else answer(e, v) for e, v in zip(ELEMENTS, answers, strict=True)]
        rows.append([f"2024/03/{n % 28 + 1:02d} 10:00:00 GMT+8", "Perempuan" if n % 2 else "Laki-laki", "34",
                     *cells, "-"])  # fmt: skip
    return rows


def test_google_forms_export_with_question_text_and_option_labels(app):
    assert check("forms.csv", csv_bytes(google_forms_rows())) == []
    shouting = google_forms_rows(question=lambda e, n: f" {e.question.upper().rstrip('?')} ",
                                 answer=lambda e, v: f"  {e.label(v).lower()} ")  # fmt: skip
    assert check("forms.csv", csv_bytes(shouting)) == []


def test_an_option_of_another_element_is_an_error(app):
    rows = google_forms_rows()
    rows[3][3] = "Sangat Baik"  # U1 is "sangat sesuai", not U9's "Sangat Baik"
    with pytest.raises(CalculatorError, match="baris 4, kolom 1. Bagaimana .*nilai 'Sangat Baik'"):
        calculate_file("forms.csv", csv_bytes(rows))


def test_answers_written_as_decimals(app):
    assert check("k.csv", csv_bytes(plain_rows(answer=lambda e, v: f"{v},00"), sep=";")) == []
    assert check("k.csv", csv_bytes(plain_rows(answer=lambda e, v: f"{v}.0"))) == []


def test_the_sheet_that_holds_the_data_is_chosen_and_named(app):
    guide = [["Petunjuk pengisian"], ["Isi satu baris per responden, kolom U1-U9 dengan nilai 1-4."]]
    data = [[int(c) if c.isdigit() else c for c in row] for row in plain_rows()]
    notes = check("skm.xlsx", xlsx_bytes({"Petunjuk": guide, "Data SKM": data, "Grafik": [["IKM", 72.2]]}))
    assert notes == ["data dibaca dari lembar 'Data SKM' (lembar 2 dari 3)"]


def test_a_file_that_is_not_skm_data_gets_one_message_saying_what_was_looked_for(app):
    content = csv_bytes([["Nama", "Alamat"], ["Budi", "Jl. Mawar"]] * 10)
    with pytest.raises(SheetError) as exc:
        read_answer_sheet("alamat.csv", content)
    assert len(exc.value.messages) == 1
    assert str(exc.value).startswith("bukan data SKM yang dikenali: tidak ada baris judul dengan kolom U1-U9")
    assert str(exc.value).endswith("di 30 baris pertama berkas")
    content = xlsx_bytes({"Petunjuk": [["Petunjuk"]], "Alamat": [["Nama", "Alamat"]]})
    with pytest.raises(CalculatorError) as exc:
        calculate_file("alamat.xlsx", content)
    assert len(exc.value.messages) == 1 and "lembar 'Petunjuk', 'Alamat'" in str(exc.value)


def test_an_incomplete_header_is_named_by_its_row_and_sheet(app):
    content = xlsx_bytes({"Petunjuk": [["x"]], "Data": [["judul"], ["No", "U1", "U2", "U3"], [1, 4, 4, 4]]})
    with pytest.raises(SheetError) as exc:
        read_answer_sheet("k.xlsx", content)
    assert [(e.row, e.column) for e in exc.value.messages] == [(2, c) for c in CODES[3:]]
    assert "baris 2, kolom U4: kolom wajib tidak ada (judul kolom dicari di lembar 'Data')" in str(exc.value)


def test_ten_thousand_bad_rows_give_a_short_report(app):
    rows = [CODES] + [["4", "4", "5" if n % 2 else "0", "4", "4", "4", "4", "4", f"x{n % 3}"] for n in range(10_000)]
    with pytest.raises(CalculatorError) as exc:
        calculate_file("buruk.csv", csv_bytes(rows))
    lines = [str(m) for m in exc.value.messages]
    assert len(lines) == 5 and all(len(line) < 200 for line in lines)
    assert lines[0].startswith("kolom U3, nilai '0' harus 1, 2, 3, atau 4: baris 2, 4, 6,")
    assert lines[0].endswith("dan 4988 baris lain")
    assert any(line.startswith("kolom U9, nilai 'x1' harus 1, 2, 3, atau 4: baris 3, 6, 9,") for line in lines)


def test_many_different_bad_values_are_cut_short(app):
    rows = [CODES] + [["4"] * 8 + [f"nilai{n}"] for n in range(500)]
    with pytest.raises(CalculatorError) as exc:
        calculate_file("buruk.csv", csv_bytes(rows))
    assert len(exc.value.messages) == 41 and str(exc.value.messages[-1]) == "... dan 460 masalah lain di 460 baris"


def test_a_respondent_without_answers_at_the_bottom_is_still_an_error(app):
    rows = google_forms_rows()
    rows.append(["2024/03/30 10:00:00 GMT+8", "Laki-laki", "40", *([""] * 9), "-"])
    with pytest.raises(CalculatorError, match="baris 31, kolom U1-U9: tidak ada jawaban"):
        calculate_file("forms.csv", csv_bytes(rows))
    rows[-1] = ["Diekspor dari Google Formulir"]
    assert check("forms.csv", csv_bytes(rows)) == ["baris 31 tidak dihitung sebagai responden: catatan atau nomor "
                                                   "tanpa jawaban di bawah data"]  # fmt: skip


@pytest.mark.parametrize("label", ["NIK", "Nilai Interval Konversi", "Jml", "∑ nilai", "Nilai Penimbang", "Mutu"])
def test_more_summary_labels(app, label):
    rows = plain_rows() + [[label, *("3,5" for _ in CODES)]]
    assert check("k.csv", csv_bytes(rows, sep=";"))[0].startswith("baris 31 tidak dihitung")


def test_a_footer_note_that_swallows_respondents_is_not_left_out(app):
    lines = csv_bytes(plain_rows()).decode().splitlines()
    lines.insert(20, '"Keterangan: data triwulan I')  # the quote is closed only in the last row's suggestion
    lines[-1] += ' selesai"'
    with pytest.raises(CalculatorError, match="baris 21, kolom No: tanda kutip"):
        calculate_file("k.csv", ("\n".join(lines) + "\n").encode())


def test_other_sheets_with_data_and_a_second_column_of_an_element_are_named(app):
    data = [[int(c) if c.isdigit() else c for c in row] for row in plain_rows()]
    twice = [[*row, row[1]] for row in data]
    twice[0][-1] = "U1 (ulang)"
    notes = check("skm.xlsx", xlsx_bytes({"Januari": twice, "Februari": data[:3]}))
    assert notes == [
        "data dibaca dari lembar 'Januari' (lembar 1 dari 2)",
        "lembar 'Februari' juga berisi kolom U1-U9 tetapi tidak dibaca; impor satu lembar per berkas",
        "kolom U1 (ulang) juga berjudul unsur U1 dan tidak dibaca (yang dibaca: kolom U1)",
    ]


def test_a_tab_separated_file_with_commas_and_semicolons_in_its_text(app):
    rows = [["LEMBAR PENGOLAHAN DATA, SKM; 2024"], *plain_rows()]
    for row in rows[2:]:
        row[-1] = "antri lama, panas; kursi kurang"
    assert check("unicode.txt", csv_bytes(rows, sep="\t", encoding="utf-16"))[0].startswith(
        "judul kolom ada di baris 2"
    )


def test_semicolons_with_decimal_commas_and_commas_in_every_suggestion(app):
    header, *rows = plain_rows(answer=lambda e, v: f"{v},00")
    rows = [header] + [[*(cell or "3,00" for cell in row[:-1]), "antri, lama, panas"] for row in rows]
    sheet = read_answer_sheet("k.csv", csv_bytes(rows, sep=";"))
    assert len(sheet.rows) == 29 and not sheet.errors and sheet.rows[0].cells["suggestion"] == "antri, lama, panas"
