"""Issue 9, item 1, end to end: the office's files through `flask ikm --csv FILE --json`, `flask survey import` and
the web import, each read to the same 29 respondents and NIK, with the reader's notes shown on the command line."""

import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from survey.importer import ImportRejected, import_file
from survey.models import Response
from tests.factories import count_responses, web_import
from tests.test_sheet_reader import (
    ANSWERS,
    CODES,
    EXPECTED,
    SUMMARY,
    csv_bytes,
    google_forms_rows,
    plain_rows,
    xlsx_bytes,
)


def office_files() -> dict[str, bytes]:
    """One file per shape of issue 9 point 1, each holding the same 29 respondents."""
    lembar = [["LEMBAR PENGOLAHAN DATA SKM"], [], ["No", "NILAI UNSUR PELAYANAN"], *plain_rows(), *SUMMARY,
              ["Keterangan: nilai 1-4"]]  # fmt: skip
    numbers = [[int(c) if c.isdigit() else (c or None) for c in row] for row in lembar]
    forms = google_forms_rows(answer=lambda e, v: e.label(v).upper())
    return {
        "lembar.csv": csv_bytes(lembar, sep=";", encoding="utf-8-sig", newline="\r\n"),
        "unicode.txt": csv_bytes(lembar, sep="\t", encoding="utf-16", newline="\r\n"),
        "lembar.xlsx": xlsx_bytes({"Petunjuk": [["Isi kolom U1-U9"]], "Olah": numbers}, merge={"Olah": "B3:J3"}),
        "forms.csv": csv_bytes(forms),
        "desimal.csv": csv_bytes(
            plain_rows(header=["No", *(f"U0{n}" for n in range(1, 10)), "Saran"], answer=lambda e, v: f"{v},00"),
            sep=";",
        ),  # fmt: skip
    }


@pytest.mark.parametrize("name", list(office_files()))
def test_the_calculator_reads_every_shape_to_the_same_figures(runner, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(office_files()[name])
    result = runner.invoke(args=["ikm", "--csv", str(path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["respondents"] == 29 and out["nik"] == float(EXPECTED.nik)
    if name in ("lembar.csv", "unicode.txt", "lembar.xlsx"):
        assert "Catatan: baris " in result.stderr and "ringkasan (Jumlah, NRR" in result.stderr
        assert "catatan atau nomor tanpa jawaban di bawah data" in result.stderr
    if name == "lembar.xlsx":
        assert "Catatan: data dibaca dari lembar 'Olah' (lembar 2 dari 2)" in result.stderr


@pytest.mark.parametrize("name", list(office_files()))
def test_the_paper_import_reads_every_shape_to_the_same_respondents(app, demo, name):
    notes = []
    batch = import_file(unit=demo.unit, service=demo.izin, period="2026-10", filename=name,
                        content=office_files()[name], notes=notes)  # fmt: skip
    assert batch.row_count == 29 and count_responses() == 29
    stored = [r.scores() for r in db.session.scalars(sa.select(Response).order_by(Response.id))]
    assert stored == [dict(zip(CODES, row, strict=True)) for row in ANSWERS]
    assert all(str(note) for note in notes)


def test_the_cli_import_shows_the_notes(runner, demo, tmp_path):
    path = tmp_path / "lembar.xlsx"
    path.write_bytes(office_files()["lembar.xlsx"])
    args = ["survey", "import", str(path), "--unit", "dpmptsp-uji", "--service", "PBG", "--period", "2026-10"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Imported 29 responses" in result.stdout
    assert "Catatan: data dibaca dari lembar 'Olah'" in result.stderr and "baris 34-40" in result.stderr


def test_import_errors_are_grouped_per_column_and_value(app, demo):
    rows = plain_rows()
    for row in (rows[3], rows[8], rows[11]):
        row[3] = "5"
    rows[20][9] = "7"
    with pytest.raises(ImportRejected) as exc:
        import_file(unit=demo.unit, service=demo.izin, period="2026-10", filename="k.csv", content=csv_bytes(rows))
    assert [str(m) for m in exc.value.messages] == [
        "kolom U3, nilai '5' harus 1, 2, 3, atau 4: baris 4, 9, 12",
        "baris 21, kolom U9: nilai '7' harus 1, 2, 3, atau 4",
    ]
    assert count_responses() == 0


def test_a_swallowed_row_stops_the_cli_import_and_names_the_lines(runner, demo, tmp_path):
    lines = csv_bytes(plain_rows()).decode().splitlines()
    lines[10] = lines[10].rsplit(",", 1)[0] + ',"ruang tunggu panas'
    lines[14] += ' sekali"'
    path = tmp_path / "saran.csv"
    path.write_text("\n".join(lines) + "\n")
    args = ["survey", "import", str(path), "--unit", "dpmptsp-uji", "--service", "PBG", "--period", "2026-10"]
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and count_responses() == 0
    assert "baris 11, kolom Saran: tanda kutip" in result.stderr and "baris teks 15" in result.stderr


def test_the_web_import_reads_a_google_forms_export(login, demo):
    content = office_files()["forms.csv"]
    result = web_import(login, demo.unit, demo.izin, content, "forms.csv")
    assert result.status_code == 303 and count_responses() == 29
