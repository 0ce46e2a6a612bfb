"""One-time codes on the staff side: cut-out slips (PDF), the queue-system CSV, the page, the CLI, pruning, posters."""

import csv
import io
import math
import shutil
import subprocess
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.auth import Role
from app.extensions import db
from app.links import survey_url
from survey.models import SurveyToken, TokenBatch
from survey.tokens import check_token, display, issue_tokens, normalize
from tests.factories import log_in, make_user, pdf_text

CSV_HEADER = ["no", "kode", "tautan", "berlaku_sampai"]


def read_pdf(data: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data))


def batches() -> int:
    return db.session.scalar(sa.select(sa.func.count(TokenBatch.id)))


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def assert_valid_csv(text: str, counter, count: int) -> None:
    """Columns, one row per code, each code usable at its counter, its link and its last day."""
    rows = csv_rows(text)
    assert rows[0] == CSV_HEADER and len(rows) == count + 1
    expires = db.session.scalar(sa.select(TokenBatch.expires_on).order_by(TokenBatch.id.desc()).limit(1))
    for number, (no, kode, tautan, until) in enumerate(rows[1:], start=1):
        assert no == str(number) and len(kode) == 11 and kode[5] == "-"
        check_token(kode, counter_id=counter.id)  # raises if unknown, for another counter, or expired
        assert tautan == survey_url(counter, token=normalize(kode))
        assert until == expires.isoformat()
    assert len({row[1] for row in rows[1:]}) == count


@pytest.mark.parametrize("count", [1, 21, 22, 43])
def test_slips_take_a_page_per_21_codes_and_show_every_code_and_the_last_day(app, demo, count):
    from survey.slips import token_slips

    issued = issue_tokens(counter=demo.token, count=count)
    reader = read_pdf(token_slips(issued))
    assert len(reader.pages) == math.ceil(count / 21)
    assert reader.pages[0].mediabox.width == pytest.approx(595.44) and reader.pages[0].mediabox.height == 841.68
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert all(display(code) in text for code in issued.codes)
    assert text.count("Berlaku s.d. " + issued.expires_on.strftime("%d-%m-%Y")) == count
    assert "Pindai QR atau ketik kode di" in text and "skm.example.go.id/s/dpmptsp-uji/loket-3" in text
    assert "Loket 3" in text and "DPMPTSP Kota Uji" in text


def test_the_qr_codes_of_the_first_page_open_the_survey_with_their_code(app, demo, tmp_path):
    from survey.slips import token_slips

    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.skip("pdftoppm (poppler-utils) or zbarimg (zbar-tools) not installed")
    issued = issue_tokens(counter=demo.token, count=25)
    (tmp_path / "slips.pdf").write_bytes(token_slips(issued))
    subprocess.run(["pdftoppm", "-r", "300", "-f", "1", "-l", "1", "-png", str(tmp_path / "slips.pdf"),
                    str(tmp_path / "page")], check=True)  # fmt: skip
    (page,) = tmp_path.glob("page*.png")
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True).stdout.split()
    first_page = {survey_url(demo.token, token=code) for code in issued.codes[:21]}
    assert decoded and set(decoded) <= first_page
    assert len(set(decoded)) >= 18  # at print resolution nearly every slip reads back (21 in practice)


def test_a_name_with_dollar_signs_is_printed_as_written(app, demo):
    from survey.slips import token_slips

    demo.token.name = "Loket $5$ Ekspres"
    issued = issue_tokens(counter=demo.token, count=1)
    assert "Loket $5$" in read_pdf(token_slips(issued)).pages[0].extract_text()


def test_the_tokens_page_states_validity_secrecy_and_anonymity(app, login, demo):
    app.config["SURVEY_TOKEN_MAX_AGE_DAYS"] = 45
    html = login.get(f"/admin/counters/{demo.token.id}/tokens").get_data(as_text=True)
    until = clock.today() + timedelta(days=45)
    assert f"berlaku sampai {until.strftime('%d-%m-%Y')} (45 hari dari hari ini)" in html
    assert "satu jawaban" in html and "hanya ada di unduhan ini" in html and "Jangan menulis nama" in html
    assert "Lembar potong A4 (PDF)" in html and "CSV untuk sistem antrean" in html and 'value="63"' in html


def test_the_page_hands_out_a_csv_for_a_queue_system(login, demo):
    result = login.post(f"/admin/counters/{demo.token.id}/tokens", data={"count": "5", "fmt": "csv"})
    assert result.status_code == 200 and result.mimetype == "text/csv"
    assert result.headers["Cache-Control"] == "no-store" and "attachment" in result.headers["Content-Disposition"]
    assert_valid_csv(result.get_data(as_text=True), demo.token, 5)


def test_the_page_hands_out_slips_by_default(login, demo):
    result = login.post(f"/admin/counters/{demo.token.id}/tokens", data={"count": "22"})
    assert result.status_code == 200 and result.mimetype == "application/pdf"
    assert result.headers["Content-Disposition"].endswith('.pdf"')
    assert len(read_pdf(result.data).pages) == 2
    assert db.session.scalar(sa.select(TokenBatch.size)) == 22  # committed: the codes work once handed out


@pytest.mark.parametrize("data", [{"count": "0"}, {"count": "5001", "fmt": "csv"}, {"count": "631", "fmt": "pdf"},
                                  {"count": "3", "fmt": "xlsx"}, {"count": "lima"}])  # fmt: skip
def test_a_refused_request_issues_nothing(login, demo, data):
    result = login.post(f"/admin/counters/{demo.token.id}/tokens", data=data)
    assert result.status_code == 400 and batches() == 0
    if data.get("fmt") == "pdf":
        assert "paling banyak 630 kode" in result.get_data(as_text=True)


def test_only_token_counters_have_a_tokens_page(login, demo):
    for counter in (demo.static, demo.multi, demo.assisted):
        assert login.get(f"/admin/counters/{counter.id}/tokens").status_code == 404
        assert login.post(f"/admin/counters/{counter.id}/tokens", data={"count": "2", "fmt": "csv"}).status_code == 404
    assert login.get("/admin/counters/9999/tokens").status_code == 404
    assert batches() == 0


@pytest.mark.usefixtures("fast_hashing")
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_only_counter_staff_of_the_unit_issue_codes(client, demo, role):
    log_in(client, make_user(role, unit=demo.unit if role in (Role.LOKET, Role.UNIT) else None))
    page = client.get(f"/admin/counters/{demo.token.id}/tokens")
    issue = client.post(f"/admin/counters/{demo.token.id}/tokens", data={"count": "2", "fmt": "csv"})
    allowed = role in (Role.ADMIN, Role.LOKET)
    assert (page.status_code, issue.status_code) == ((200, 200) if allowed else (403, 403))
    assert batches() == (1 if allowed else 0)


@pytest.mark.usefixtures("fast_hashing")
def test_a_loket_of_another_unit_and_a_visitor_issue_nothing(client, demo):
    from app import directory

    path = f"/admin/counters/{demo.token.id}/tokens"
    anonymous = client.post(path, data={"count": "2", "fmt": "csv"})
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    other = directory.create_unit(name="Dinas Lain", slug="dinas-lain")
    db.session.commit()
    log_in(client, make_user("loket", unit=other))
    assert client.get(path).status_code == 404 and client.post(path, data={"count": "2"}).status_code == 404
    assert batches() == 0


def test_cli_prints_the_csv_and_writes_the_slips(runner, demo, tmp_path):
    result = runner.invoke(args=["survey", "tokens", "dpmptsp-uji", "loket-3", "--count", "3"])
    assert result.exit_code == 0, result.output
    assert_valid_csv(result.stdout, demo.token, 3)
    out = tmp_path / "slips.pdf"
    result = runner.invoke(args=["survey", "tokens", "dpmptsp-uji", "loket-3", "--count", "22", "--format", "pdf",
                                 "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0 and "Wrote 22 codes" in result.output
    assert len(read_pdf(out.read_bytes()).pages) == 2
    out = tmp_path / "codes.csv"
    result = runner.invoke(args=["survey", "tokens", "dpmptsp-uji", "loket-3", "--count", "2", "-o", str(out)])
    assert result.exit_code == 0
    assert_valid_csv(out.read_text(), demo.token, 2)
    assert db.session.scalars(sa.select(TokenBatch.size).order_by(TokenBatch.id)).all() == [3, 22, 2]


@pytest.mark.parametrize("args", [["loket-3", "--format", "pdf"], ["loket-3", "--count", "0"], ["loket-1"],
                                  ["tidak-ada"]])  # fmt: skip
def test_cli_refuses_without_issuing(runner, demo, args):
    result = runner.invoke(args=["survey", "tokens", "dpmptsp-uji", *args])
    assert result.exit_code != 0 and batches() == 0


def test_prune_log_removes_expired_batches_and_is_safe_to_run_twice(runner, demo):
    expired = issue_tokens(counter=demo.token, count=3)
    kept = issue_tokens(counter=demo.token, count=2)
    db.session.get(TokenBatch, expired.batch_id).expires_on = clock.today() - timedelta(days=1)
    db.session.commit()
    first = runner.invoke(args=["survey", "prune-log"])
    assert first.exit_code == 0 and "Removed 1 expired token batches." in first.output
    assert db.session.scalars(sa.select(TokenBatch.id)).all() == [kept.batch_id]
    assert set(db.session.scalars(sa.select(SurveyToken.batch_id))) == {kept.batch_id}
    second = runner.invoke(args=["survey", "prune-log"])
    assert second.exit_code == 0 and "Removed 0 expired token batches." in second.output
    check_token(kept.codes[0], counter_id=demo.token.id)


def test_a_token_counters_poster_says_to_type_the_code(login, demo, tmp_path):
    from survey.counter_poster import INSTRUCTION, TOKEN_ENGLISH, TOKEN_INSTRUCTION

    token = pdf_text(login.get(f"/admin/counters/{demo.token.id}/poster.pdf").data, tmp_path)
    assert TOKEN_INSTRUCTION in token and TOKEN_ENGLISH in token and INSTRUCTION not in token
    assert "https://skm.example.go.id/s/dpmptsp-uji/loket-3" in token  # the address to type at, without a code
    static = pdf_text(login.get(f"/admin/counters/{demo.static.id}/poster.pdf").data, tmp_path)
    assert INSTRUCTION in static and TOKEN_INSTRUCTION not in static and "Ketik kode" not in static


def test_counter_lists_warn_about_token_posters_next_to_them(login, demo):
    warning = "Loket token: poster dinding hanya mengarahkan ke isian kode"
    tokens_link = f'href="/admin/counters/{demo.token.id}/tokens"'
    for page in ("/admin/", "/admin/loket"):
        html = login.get(page).get_data(as_text=True)
        assert html.count(warning) == 1 and html.count(tokens_link) == 2  # the old link and the warning's
        assert html.index(f"/admin/counters/{demo.token.id}/poster.pdf") < html.index(warning)
