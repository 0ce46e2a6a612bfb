"""Hostile input gets a clear 4xx, never a 500 (issue 11, first findings): digits that are not ASCII, NUL bytes."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.text import ascii_int, clean
from complaints.models import Complaint
from survey.models import Response
from tests.factories import PASSWORD, count_responses, log_in, make_user, survey_form

SUPERSCRIPT_TWO, CIRCLED_ONE = "\u00b2", "\u2460"  # str.isdigit() says yes, int() says no


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, CIRCLED_ONE, "\u0663", "1" * 10, "-1", " 1", ""])
def test_only_short_runs_of_ascii_digits_are_numbers(value):
    assert ascii_int(value) is None


def test_clean_drops_control_and_direction_characters_but_keeps_line_breaks_in_long_text():
    assert clean("a\x00b\u202ec\x1bd") == "abcd"
    assert clean("baris 1\r\nbaris 2\tx", multiline=True) == "baris 1\nbaris 2\tx"
    assert clean("baris 1\nbaris 2") == "baris 1 baris 2"


@pytest.mark.parametrize("field", ["usia", "layanan"])
def test_survey_numbers_in_other_scripts_are_a_message(client, demo, field):
    result = client.post("/s/dpmptsp-uji/loket-1", data=survey_form(demo.izin.id, **{field: SUPERSCRIPT_TWO}))
    assert result.status_code == 400 and "Kesalahan:" in result.get_data(as_text=True)
    assert count_responses() == 0


def test_survey_text_loses_control_characters(client, demo):
    data = survey_form(
        demo.izin.id, saran="Antre\x00an\x1b lama\r\nsekali", pekerjaan="LAINNYA", pekerjaan_lain="Pe\x00tani"
    )
    assert client.post("/s/dpmptsp-uji/loket-1", data=data).status_code == 303
    row = db.session.scalar(sa.select(Response))
    assert (row.suggestion, row.occupation_other) == ("Antrean lama\nsekali", "Petani")


def test_a_nul_in_the_login_name_is_a_failed_login_not_a_500(client, demo):
    make_user("admin", username="admin")
    result = client.post("/auth/login", data={"username": "ad\x00min", "password": "wrong"})
    assert result.status_code == 401  # a failed login, as without the NUL
    assert client.post("/auth/login", data={"username": "ad\x00min", "password": PASSWORD}).status_code == 302


def test_dashboard_and_population_refuse_numbers_in_other_scripts(client, demo):
    log_in(client, make_user("admin"))
    assert client.get(f"/analitik/?layanan={SUPERSCRIPT_TWO}").status_code == 400
    result = client.post(
        f"/analitik/units/{demo.unit.id}/populasi", data={"periode": "2026-10", "populasi": CIRCLED_ONE}
    )
    assert result.status_code in (302, 303, 400)
    assert client.get(f"/analitik/?layanan={demo.izin.id}").status_code == 200


def test_a_complaint_with_a_nul_byte_is_stored_without_it(client, demo):
    data = {
        "klasifikasi": "pengaduan",
        "unit": str(demo.unit.id),
        "judul": "Antre\x00an",
        "uraian": "Menunggu\x00 lama sekali di loket dua.",
    }
    assert client.post("/pengaduan/", data=data).status_code == 303
    complaint = db.session.scalar(sa.select(Complaint))
    assert "\x00" not in complaint.title + complaint.description


def test_logging_out_revokes_a_copied_session_cookie(app, demo):
    user = make_user("admin")
    owner, thief = app.test_client(), app.test_client()
    log_in(owner, user)
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], owner.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
    assert thief.get("/admin/").status_code == 200  # the copy works while the owner is logged in
    owner.post("/auth/logout")
    assert thief.get("/admin/").status_code == 302  # and not after the owner logged out


def test_an_idle_staff_session_ends(app, client, demo, monkeypatch):
    import time

    log_in(client, make_user("admin"))
    assert client.get("/admin/").status_code == 200
    later = time.time() + app.config["STAFF_IDLE_MINUTES"] * 60 + 5
    monkeypatch.setattr(time, "time", lambda: later)
    result = client.get("/admin/")
    assert result.status_code == 302 and "/auth/login" in result.headers["Location"]
    assert client.get("/admin/").status_code == 302  # logged out for good


def _xlsx_declaring(dimension: str) -> bytes:
    """A small real workbook (a header and one row) whose sheet declares the given size."""
    import io
    import re
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["U1", "U2"])
    book.active.append([4, 3])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # openpyxl writes `<dimension ref="A1:B2" />`, or without the space when lxml is installed
                data = re.sub(rb'<dimension ref="A1:B2"\s*/>', f'<dimension ref="{dimension}" />'.encode(), data)
                assert dimension.encode() in data
            dst.writestr(item, data)
    return out.getvalue()


def test_an_xlsx_declaring_a_whole_sheet_reads_only_its_real_rows():
    """A 5 KB workbook declaring A1:XFD1048576 made openpyxl build 17 billion empty cells; now two rows, at once."""
    import subprocess
    import sys

    body = _xlsx_declaring("A1:XFD1048576")
    assert len(body) < 8000
    script = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30));"
        "from app.tabular import read_table; print(read_table('a.xlsx', sys.stdin.buffer.read()))"
    )
    done = subprocess.run([sys.executable, "-c", script], input=body, capture_output=True, timeout=60, check=True)
    assert done.stdout.decode().strip() == "[['U1', 'U2'], [4, 3]]"


def test_an_xlsx_that_unpacks_past_the_limit_is_refused_before_it_is_opened():
    import io
    import zipfile

    from app.tabular import XLSX_MAX_UNPACKED, TableError, read_table

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (XLSX_MAX_UNPACKED + 1))
    assert len(bomb.getvalue()) < 200_000
    with pytest.raises(TableError, match="terlalu besar"):
        read_table("bom.xlsx", bomb.getvalue())


def test_the_survey_accepts_only_what_its_form_sends(client, demo):
    data = survey_form(demo.izin.id)
    multipart = client.post("/s/dpmptsp-uji/loket-1", data=data, content_type="multipart/form-data")
    assert multipart.status_code == 415
    assert client.post("/s/dpmptsp-uji/loket-1", json=data).status_code == 415
    big = {**data, "saran": "x" * (5 << 20)}  # 5 MB: refused before anything is parsed, and not echoed back
    result = client.post("/s/dpmptsp-uji/loket-1", data=big)
    assert result.status_code == 413 and len(result.data) < 20_000
    assert count_responses() == 0


@pytest.mark.parametrize(
    "encoding, text, saran",
    [
        ("utf-16", "U1\tU2\tsaran\n4\t3\tAntrean lama\n", "Antrean lama"),
        (
            "cp1252",
            "U1;U2;saran\n4;3;Caf\u00e9 yang nyaman dan pelayanan r\u00e1pido\n",
            "Caf\u00e9 yang nyaman dan pelayanan r\u00e1pido",
        ),
    ],
)
def test_csv_from_excel_in_other_encodings_is_read_as_written(encoding, text, saran):
    from app.tabular import read_table

    assert read_table("kuesioner.csv", text.encode(encoding))[1] == ["4", "3", saran]


def test_csv_in_an_encoding_that_cannot_be_told_apart_is_refused_not_garbled():
    from app.tabular import TableError, read_table

    text = "U1;U2;saran\n4;3;窓口の対応がとても丁寧でした。待ち時間も短かったです。\n"
    with pytest.raises(TableError, match="UTF-8"):
        read_table("kuesioner.csv", text.encode("shift_jis"))


def test_a_binary_file_named_csv_is_refused_with_a_message():
    from app.tabular import TableError, read_table

    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    with pytest.raises(TableError, match="CSV"):
        read_table("kuesioner.csv", png)
