"""Paper questionnaire import: all rows or none, every error located by row and column."""

import io
import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from survey.importer import ImportRejected, import_file
from survey.models import Channel, ImportBatch, Response
from tests.factories import count_responses, upload_import, web_import

HEADER = "No,U1,U2,U3,U4,U5,U6,U7,U8,U9,jenis_kelamin,usia,pendidikan,pekerjaan,saran\n"
GOOD = HEADER + "1,4,3,3,4,3,4,4,3,3,L,34,S1,Swasta,Ruang tunggu panas\n2,3,3,2,,3,3,4,3,2,P,27,SMA/SMK,PNS,\n"


def do_import(demo, text: str | bytes, filename="kuesioner.csv", period="2026-10"):
    content = text.encode() if isinstance(text, str) else text
    return import_file(unit=demo.unit, service=demo.izin, period=period, filename=filename, content=content)


def test_good_csv_imports_every_row_with_nulls_for_blanks(app, demo):
    batch = do_import(demo, GOOD)
    db.session.commit()
    assert batch.row_count == 2 and count_responses() == 2
    rows = list(db.session.scalars(sa.select(Response).order_by(Response.id)))
    assert rows[0].scores() == {"U1": 4, "U2": 3, "U3": 3, "U4": 4, "U5": 3, "U6": 4, "U7": 4, "U8": 3, "U9": 3}
    assert rows[1].u4 is None
    assert (rows[0].gender, rows[0].age, rows[0].education, rows[0].occupation) == ("L", 34, "S1", "SWASTA")
    assert rows[1].education == "SMA" and rows[1].occupation == "PNS"
    assert all(r.channel == Channel.PAPER and r.import_batch_id == batch.id for r in rows)
    assert all(r.survey_date.isoformat() == "2026-10-01" and r.counter_id is None for r in rows)


def test_a_bad_file_imports_nothing_and_names_each_error(app, demo):
    bad = (
        HEADER
        + "1,4,3,3,4,3,4,4,3,3,L,34,S1,Swasta,\n2,0,3,3,4,3,4,4,3,5,L,34,S1,Swasta,\n3,4,x,3,4,3,4,4,3,3,Q,ab,S1,,\n"
    )
    with pytest.raises(ImportRejected) as exc:
        do_import(demo, bad)
    db.session.rollback()
    found = {(e.row, e.column) for e in exc.value.errors}
    assert found == {(3, "U1"), (3, "U9"), (4, "U2"), (4, "jenis_kelamin"), (4, "usia")}
    assert "baris 3, kolom U1" in str(exc.value)
    assert count_responses() == 0
    assert db.session.scalar(sa.select(sa.func.count(ImportBatch.id))) == 0


def test_missing_columns_are_reported(app, demo):
    with pytest.raises(ImportRejected) as exc:
        do_import(demo, "U1,U2,U3\n4,4,4\n")
    assert [e.column for e in exc.value.errors] == ["U4", "U5", "U6", "U7", "U8", "U9"]


def test_rows_without_answers_and_dates_outside_the_period_are_errors(app, demo):
    text = "U1,U2,U3,U4,U5,U6,U7,U8,U9,usia,tanggal\n,,,,,,,,,40,2026-10-02\n4,4,4,4,4,4,4,4,4,,2026-11-01\n"
    with pytest.raises(ImportRejected) as exc:
        do_import(demo, text)
    assert [(e.row, e.column) for e in exc.value.errors] == [(2, "U1-U9"), (3, "tanggal")]


def test_blank_lines_are_skipped_and_dates_are_used(app, demo):
    text = "U1;U2;U3;U4;U5;U6;U7;U8;U9;Tanggal\n4;4;4;4;4;4;4;4;4;15/10/2026\n;;;;;;;;;\n3;3;3;3;3;3;3;3;3;2026-10-31\n"
    do_import(demo, text)  # semicolon-separated, as Excel writes it in Indonesian locales
    assert [d.isoformat() for d in db.session.scalars(sa.select(Response.survey_date).order_by(Response.id))] == [
        "2026-10-15",
        "2026-10-31",
    ]


def test_xlsx_import(app, demo):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9", "Jenis Kelamin"])
    sheet.append([4, 3, 2, 1, 4, 3, 2, 1, None, "Perempuan"])
    sheet.append([4.0, 4, 4, 4, 4, 4, 4, 4, 4, "L"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    do_import(demo, buffer.getvalue(), filename="kertas.xlsx")
    rows = list(db.session.scalars(sa.select(Response).order_by(Response.id)))
    assert rows[0].scores()["U9"] is None and rows[0].gender == "P" and rows[1].u1 == 4


def test_bad_xlsx_value_is_located(app, demo):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"])
    sheet.append([4, 3, 2, 1, 4, 3, 2.5, 1, 4])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportRejected) as exc:
        do_import(demo, buffer.getvalue(), filename="kertas.xlsx")
    assert [(e.row, e.column) for e in exc.value.errors] == [(2, "U7")]


def test_garbage_files_are_rejected_cleanly(app, demo):
    for name, content in (("x.xlsx", b"not a zip"), ("x.pdf", b"%PDF"), ("x.csv", b""), ("x.csv", b"\xff\xfe\x00")):
        with pytest.raises(ImportRejected):
            do_import(demo, content, filename=name)
    with pytest.raises(ImportRejected):
        do_import(demo, GOOD, period="2026-13")
    assert count_responses() == 0


def test_the_same_file_cannot_be_imported_twice(app, demo):
    do_import(demo, GOOD)
    db.session.commit()
    with pytest.raises(ImportRejected, match="sudah diimpor"):
        do_import(demo, GOOD)
    assert count_responses() == 2


def test_cli_import_reports_errors_and_exits_nonzero(runner, demo, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "1,4,3,3,4,7,4,4,3,3,L,34,S1,Swasta,\n")
    result = runner.invoke(
        args=[
            "survey",
            "import",
            str(bad),
            "--unit",
            "dpmptsp-uji",
            "--service",
            "Perizinan Berusaha",
            "--period",
            "2026-10",
        ]
    )
    assert result.exit_code == 1
    assert "baris 2, kolom U5" in result.output
    assert count_responses() == 0
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    result = runner.invoke(
        args=[
            "survey",
            "import",
            str(good),
            "--unit",
            "dpmptsp-uji",
            "--service",
            "perizinan berusaha",
            "--period",
            "2026-10",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Imported 2 responses" in result.output and count_responses() == 2


def test_web_import(login, demo):
    client = login
    result = web_import(client, demo.unit, demo.izin, GOOD, "kuesioner.csv")
    assert result.status_code == 303 and count_responses() == 2
    result = upload_import(client, demo.unit, demo.izin, HEADER + "1,9,,,,,,,,,,,,,\n", "b.csv")
    assert result.status_code == 400 and "baris 2, kolom U1" in result.get_data(as_text=True)
    assert count_responses() == 2


def test_web_import_shows_the_readers_notes(login, demo):
    """A summary row under the data is left out, and the page says so (in the preview and beside a refusal)."""
    summary = GOOD + "Jumlah,7,6,5,4,6,7,8,6,5,,,,,\n"
    preview = login.get(upload_import(login, demo.unit, demo.izin, summary).headers["Location"])
    assert "Catatan pembacaan berkas" in preview.get_data(as_text=True) and count_responses() == 0
    assert "baris 4 tidak dihitung sebagai responden" in preview.get_data(as_text=True)
    page = login.post(preview.request.path, follow_redirects=True).get_data(as_text=True)
    assert count_responses() == 2 and "2 respons diimpor" in page
    refused = summary.replace("1,4,3,3", "1,9,3,3")
    page = upload_import(login, demo.unit, demo.izin, refused, "r.csv", "2026-11")
    assert page.status_code == 400 and "Catatan pembacaan berkas" in page.get_data(as_text=True)
    assert count_responses() == 2


def test_an_oversized_csv_field_is_refused_with_a_message(app, demo):
    with pytest.raises(ImportRejected) as exc:
        do_import(demo, "U1,U2,U3,U4,U5,U6,U7,U8,U9,saran\n4,4,4,4,4,4,4,4,4," + "x" * 200_000 + "\n")
    assert "tidak dapat dibaca" in str(exc.value) and count_responses() == 0


SARANA_FIRST = "U1,U2,U3,U4,U5,U6,U7,U8,U9\n4,4,4,4,4,4,4,1,3\n4,4,4,4,4,4,4,2,3\n"


def test_a_sheet_numbered_as_the_permens_example_can_be_read_the_right_way(app, demo):
    """U8 Sarana / U9 Pengaduan (the Permen's example order): the option swaps headings by code, never by text."""
    from survey.questionnaire import ELEMENTS_BY_CODE
    from survey.sheets import read_answer_sheet

    plain = read_answer_sheet("k.csv", SARANA_FIRST.encode())
    swapped = read_answer_sheet("k.csv", SARANA_FIRST.encode(), u8_facilities=True)
    assert [(r.scores["U8"], r.scores["U9"]) for r in plain.rows] == [(1, 3), (2, 3)]
    assert [(r.scores["U8"], r.scores["U9"]) for r in swapped.rows] == [(3, 1), (3, 2)]
    by_text = SARANA_FIRST.replace("U8", ELEMENTS_BY_CODE["U8"].question).replace("U9", ELEMENTS_BY_CODE["U9"].question)
    named = read_answer_sheet("k.csv", by_text.encode(), u8_facilities=True)
    assert [(r.scores["U8"], r.scores["U9"]) for r in named.rows] == [(1, 3), (2, 3)]


def test_the_u8_option_on_the_command_line_and_the_web_import(runner, login, demo, tmp_path):
    path = tmp_path / "sarana.csv"
    path.write_text(SARANA_FIRST)
    result = runner.invoke(args=["ikm", "--csv", str(path), "--json", "--u8-sarana"])
    assert result.exit_code == 0, result.output
    elements = {e["code"]: e for e in json.loads(result.stdout)["elements"]}
    assert elements["U8"]["answered"] == 2 and elements["U8"]["total"] == 6 and elements["U9"]["total"] == 3
    args = ["survey", "import", str(path), "--unit", "dpmptsp-uji", "--service", "pbg", "--period", "2026-10"]
    assert runner.invoke(args=[*args, "--u8-sarana"]).exit_code == 0
    confirm = {"allow_duplicate": "y"}  # the same answers as the command line's import, under another service
    result = web_import(login, demo.unit, demo.izin, SARANA_FIRST, "web.csv", "2026-11", confirm, u8_facilities="y")
    assert result.status_code == 303
    stored = db.session.execute(sa.select(Response.u8, Response.u9).order_by(Response.id)).all()
    assert [tuple(row) for row in stored] == [(3, 1), (3, 2)] * 2
