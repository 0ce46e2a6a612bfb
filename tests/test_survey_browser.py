"""Issue 8 in Debian's Chromium at 360x640: no answer is lost, errors say where, a typed code works once."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from survey import tokens
from tests.test_accessibility import _serious
from tests.test_browser import PHONE, SCREENSHOTS, _answer, _stored, _watch, browser, live  # noqa: F401

pytestmark = pytest.mark.browser

FORM = "/s/dpmptsp-uji/loket-1"
TOKEN_FORM = "/s/dpmptsp-uji/loket-3"
SARAN = "Mohon kursi tunggu ditambah."


@pytest.fixture(params=[False, True], ids=["no-js", "js"])
def phone(request, browser):  # noqa: F811
    context = browser.new_context(**{**PHONE, "java_script_enabled": request.param})
    try:
        yield context
    finally:
        context.close()


def test_answers_survive_cleared_cookies(phone, live):  # noqa: F811
    app, base = live
    page = phone.new_page()
    _requests, problems = _watch(page)
    page.goto(base + FORM)
    for code, score in (("U1", 4), ("U5", 2), ("U9", 3)):
        _answer(page, code, score)
    page.get_by_role("textbox", name="Kritik dan saran (tidak wajib)").fill(SARAN)
    phone.clear_cookies()  # the browser dropped every cookie (or refuses them) while the citizen answered
    page.get_by_role("button", name="Kirim jawaban").tap()
    page.wait_for_url(f"{base}{FORM}/terima-kasih")
    [row] = _stored(app)
    assert (row.u1, row.u5, row.u9, row.suggestion) == (4, 2, 3, SARAN)
    assert problems == []


def test_the_language_button_keeps_the_answers(phone, live):  # noqa: F811
    app, base = live
    page = phone.new_page()
    page.goto(base + FORM)
    _answer(page, "U2", 3)
    _answer(page, "U7", 4)
    page.get_by_role("textbox", name="Kritik dan saran (tidak wajib)").fill(SARAN)
    with page.expect_navigation():
        page.get_by_role("button", name="English").tap()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("input[name=u2][value='3']").is_checked()
    assert page.locator("input[name=u7][value='4']").is_checked()
    assert page.locator("textarea[name=saran]").input_value() == SARAN
    assert _stored(app) == []  # switching stores nothing
    page.get_by_role("button", name="Submit answers").tap()
    page.wait_for_url(f"{base}{FORM}/terima-kasih?lang=en")
    [row] = _stored(app)
    assert (row.u2, row.u7, row.suggestion) == (3, 4, SARAN)


def test_the_error_summary_links_move_focus_to_the_field(phone, live, browser):  # noqa: F811
    _app, base = live
    page = phone.new_page()
    page.goto(base + FORM)
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim jawaban").tap()  # nothing answered
    assert page.title().startswith("Kesalahan: ")
    summary = page.get_by_role("alert")
    assert summary.bounding_box()["y"] < 640  # seen without scrolling
    page.screenshot(path=SCREENSHOTS / "survey-errors-360.png")
    summary.get_by_role("link", name="Jawab setidaknya satu pertanyaan.").tap()
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    assert focused == "u1"
    assert page.locator("#u1").bounding_box()["y"] < 640  # the field is on screen


def test_a_code_typed_by_hand_is_accepted_once(phone, live):  # noqa: F811
    app, base = live
    with app.app_context():
        from app.directory import get_counter

        code = tokens.issue_tokens(counter=get_counter("dpmptsp-uji", "loket-3"), count=1).codes[0]
        db.session.commit()
        db.session.remove()
    page = phone.new_page()
    typed = tokens.display(code).lower()
    for attempt in range(2):
        page.goto(base + TOKEN_FORM)
        page.get_by_role("textbox", name="Kode survei").fill(typed)
        if attempt == 0:
            page.screenshot(path=SCREENSHOTS / "survey-code-360.png")
        with page.expect_navigation():
            page.get_by_role("button", name="Lanjut ke survei").tap()
        if attempt == 1:
            assert "sudah dipakai" in page.content()
            break
        _answer(page, "U3", 2)
        page.get_by_role("button", name="Kirim jawaban").tap()
        page.wait_for_url(f"{base}{TOKEN_FORM}/terima-kasih")
    assert [row.u3 for row in _stored(app)] == [2]


def test_error_and_code_pages_pass_axe(browser, live):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    _app, base = live
    context = browser.new_context(viewport={"width": 360, "height": 640}, bypass_csp=True)
    page = context.new_page()
    problems = []
    try:
        page.goto(base + FORM)
        with page.expect_navigation():
            page.get_by_role("button", name="Kirim jawaban").click()
        problems += _serious(Axe(), page, "survey with errors")
        page.goto(f"{base}{TOKEN_FORM}?t=ZZZZZ-ZZZZZ")
        assert page.get_by_role("alert").count() == 1
        problems += _serious(Axe(), page, "code page with an error")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_stored_rows_keep_no_time(live):  # noqa: F811
    app, _base = live
    with app.app_context():
        assert "submitted_at" not in {c["name"] for c in sa.inspect(db.engine).get_columns("responses")}
