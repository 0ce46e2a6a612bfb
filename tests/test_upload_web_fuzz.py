"""Hypothesis posts arbitrary files to the staff upload pages (issue 11): the paper import and the attachments of a
complaint registered or answered by an officer. Never a 5xx; a refused file gets a message and leaves nothing
behind; an accepted one stores exactly what it holds (every row of a sheet, every named attachment)."""

import csv
import io
import os
from functools import cache

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.extensions import db
from complaints.models import Attachment, Complaint, ComplaintEvent
from survey.models import ImportBatch
from survey.sheets import read_answer_sheet
from tests.complaint_factories import StaffClient, make_cast, make_complaint
from tests.factories import count_responses, log_in, make_user
from tests.test_attachments import jpeg_with_gps, multipart, png_bytes
from tests.test_complaint_staff import register_form

# The variables of the other fuzz tests: make bench sets UPLOAD_FUZZ_EXAMPLES=10000 and FUZZ_RANDOM=1. Unset (CI),
# each test here runs fewer examples than the reader's 800: every one is a whole request with a database write.
EXAMPLES = int(os.environ.get("UPLOAD_FUZZ_EXAMPLES", 0)) or 200
DERANDOMIZE = os.environ.get("FUZZ_RANDOM") != "1"
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=DERANDOMIZE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
MESSAGES = ('class="err"', 'class="flash error"')  # a field's message, or the list of what was wrong


def _mangled(content: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Bytes as written, cut short, with a few bytes changed, or with junk after them."""

    def mangle(data: bytes, how: str, where: float, junk: bytes) -> bytes:
        at = int(len(data) * where)
        if how == "cut":
            return data[:at]
        if how == "flip":
            return data[:at] + bytes(b ^ 0x5A for b in data[at : at + len(junk) + 1]) + data[at + len(junk) + 1 :]
        if how == "append":
            return data + junk
        return data

    return st.builds(
        mangle,
        content,
        st.sampled_from(["none", "none", "none", "cut", "flip", "append"]),
        st.floats(0, 1),
        st.binary(min_size=1, max_size=40),
    )


# -- the paper import ---------------------------------------------------------------------------------------------

PROFILE = {  # the first values are read, the others are refused with a located message
    "jenis_kelamin": ["L", "P", "Perempuan", "laki-laki", "X"],
    "usia": ["34", "10", "120", "9", "abc", "٣٤"],
    "pendidikan": ["S1", "SMA/SMK", "SD", "Doktor"],
    "pekerjaan": ["PNS", "Swasta", "LAINNYA", "nelayan"],
    "saran": ["", "Ruang tunggu panas", 'Antrean; "lama", tapi ramah', "x" * 2001],
    "tanggal": ["2026-10-05", "15/10/2026", "31-10-2026", "2026-11-01", "kemarin"],
}
READ = 3  # how many of each column's values are read
huge = st.integers(min_value=1000, max_value=100_000).map(lambda n: "é" * n)  # far past any column's limit
hostile = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["5", "0", "-1", "4,0", "4.5", "²", "Sangat baik", "\x00", '"', "=1+1", "\r\n", ";", "\t"]),
    huge,
)


@st.composite
def tables(draw) -> list[list[str]]:
    """A questionnaire table: the nine element columns (now and then one missing or misspelt), some profile
    columns, and rows of answers and profile values that are read, with now and then a cell that is not."""
    header = [f"U{n}" for n in range(1, 10)]
    if draw(st.integers(0, 9)) == 0:
        header[draw(st.integers(0, 8))] = draw(st.sampled_from(["", "U10", "u 1", "Unsur"]))
    profile = draw(st.lists(st.sampled_from(sorted(PROFILE)), unique=True, max_size=4))
    answer = st.sampled_from(["1", "2", "3", "4", "4", ""])
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        cells = [draw(answer) for _ in header] + [draw(st.sampled_from(PROFILE[name][:READ])) for name in profile]
        if draw(st.integers(0, 7)) == 0:
            column = draw(st.integers(0, len(cells) - 1))
            name = profile[column - 9] if column >= 9 else None
            cells[column] = draw(st.sampled_from(PROFILE[name][READ:]) if name and draw(st.booleans()) else hostile)
        rows.append(cells)
    return [header + profile, *rows]


def _csv(table: list[list[str]], separator: str, encoding: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(table)
    return out.getvalue().encode(encoding, errors="replace")


def _cell(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)[:32767]


def _xlsx(table: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in table:  # numbers as numbers, text without the control characters a workbook cannot hold
        sheet.append([int(c) if c.isascii() and c.isdigit() and len(c) < 4 else _cell(c) for c in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


csv_file = st.builds(
    _csv, tables(), st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "shift_jis"]),
)  # fmt: skip
xlsx_file = st.builds(_xlsx, tables())
stem = st.one_of(st.sampled_from(["isian", "kuesioner oktober", "../../etc/passwd", "naïve-ñ", "a;b", "ISIAN"]),
                 st.text(alphabet="abcXYZ019 _-.", max_size=12))  # fmt: skip


def _named(*extensions: str) -> st.SearchStrategy[str]:
    return st.builds(str.__add__, stem, st.sampled_from(extensions))


sheet_upload = st.one_of(
    st.tuples(_named(".csv", ".CSV", ".txt"), _mangled(csv_file)),
    st.tuples(_named(".xlsx", ".XLSX"), _mangled(xlsx_file)),
    st.tuples(  # any name, no name, or one that does not say what the bytes are
        st.one_of(st.just(""), _named(".csv", ".xlsx", ".xls", ".csv.exe", "")),
        st.one_of(csv_file, xlsx_file, st.binary(max_size=3000)),
    ),
)


def _import_counts() -> tuple[int, int]:
    return count_responses(), db.session.scalar(sa.select(sa.func.count(ImportBatch.id)))


@pytest.fixture
def counter_staff(client, demo):
    """The test client, logged in as the unit's counter officer (once: fixtures outlive the examples)."""
    log_in(client, make_user("loket", unit=demo.unit))
    return client


@FUZZ
@given(upload=sheet_upload)
def test_any_file_posted_to_the_paper_import_is_stored_whole_or_refused_with_a_message(counter_staff, demo, upload):
    client = counter_staff
    name, content = upload
    before = _import_counts()
    form = {"service": str(demo.izin.id), "period": "2026-10", "file": (content, name)}
    response = client.post(f"/admin/units/{demo.unit.id}/import", **multipart(form))
    event(f"status {response.status_code}")
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code == 303:  # checked and kept for the preview: confirm it, with any tick it asks for
        assert _import_counts()[0] == before[0]
        response = client.post(response.headers["Location"], data={"allow_duplicate": "y", "into_published": "y"})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
    responses, batches = _import_counts()
    if response.status_code == 303:
        stored = db.session.scalars(sa.select(ImportBatch).order_by(ImportBatch.id.desc())).first()
        rows = len(read_answer_sheet(name, content).rows)
        assert (responses - before[0], batches - before[1], stored.row_count) == (rows, 1, rows)
    else:
        assert response.status_code == 400
        assert any(marker in response.get_data(as_text=True) for marker in MESSAGES)
        assert (responses, batches) == before
    db.session.rollback()


# -- attachments of a complaint, registered or answered by an officer -----------------------------------------------


@cache
def _pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    drawing = canvas.Canvas(out)
    drawing.drawString(72, 720, "Kuitansi pungutan Rp 200.000")
    drawing.save()
    return out.getvalue()


@cache
def _jpeg() -> bytes:
    return jpeg_with_gps(size=(48, 32))


@cache
def _png() -> bytes:
    return png_bytes(size=(30, 20), mode="RGB")


KINDS = {"jpeg": _jpeg, "png": _png, "pdf": _pdf}
document = st.one_of(
    _mangled(st.sampled_from(sorted(KINDS)).map(lambda kind: KINDS[kind]())),
    st.builds(bytes.__add__, st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-1.7\n", b"PK\x03\x04"]),
              st.binary(max_size=400)),
    st.binary(max_size=400),
)  # fmt: skip
attachment = st.tuples(
    document, st.one_of(st.just(""), st.builds(str.__add__, stem, st.sampled_from([".jpg", ".png", ".pdf", ""])))
)


def _complaint_counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Complaint, ComplaintEvent, Attachment)
    )


@pytest.fixture
def officer(app, demo):
    """A complaint officer's client, the register form's other fields, and a routed report to answer."""
    cast = make_cast(demo)
    routed = make_complaint(cast.unit_a, status="didisposisikan", assigned_unit=cast.unit_a)
    return StaffClient(app, cast.pengaduan), register_form(cast), f"/admin/pengaduan/{routed.id}/respond"


@FUZZ
@given(files=st.lists(attachment, max_size=4), respond=st.booleans())
def test_any_attachment_an_officer_posts_is_stored_with_the_report_or_refused_with_a_message(officer, files, respond):
    client, register, respond_url = officer
    before = _complaint_counts()
    if respond:
        url, data = respond_url, {"respond-body": "Sudah kami tindak lanjuti.", "respond-attachments": files}
    else:
        url, data = "/admin/pengaduan/baru", {**register, "attachments": files}
    response = client.post(url, **multipart(data))
    event(f"{'respond' if respond else 'register'} {response.status_code}")
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    after = _complaint_counts()
    named = sum(1 for _content, name in files if name)  # a file part without a name is no file
    if response.status_code == 303:
        assert (after[0] - before[0], after[2] - before[2]) == (0 if respond else 1, named)
        assert after[1] > before[1]  # the filing, or the response (and the first time its status change)
    else:
        assert response.status_code == 400 and named  # the rest of the form is valid: only a file is refused
        assert any(marker in response.get_data(as_text=True) for marker in MESSAGES)
        assert after == before
    db.session.rollback()
