"""The counter's kiosk tablet in Debian's Chromium: the form starts again for the next citizen only after real
inactivity (survey/kiosk.html and app/static/kiosk.js), and never without JavaScript.

Long waits run on Playwright's fake clock with the real settings (300 s idle, warning 30 s before); one test runs
on the real clock with short settings, and the JavaScript-off tablet waits for real.
"""

import base64
import hashlib
import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from survey.questionnaire import ELEMENTS
from tests.test_browser import KIOSK_FORM, PHONE, TABLET, _answer, _watch, browser, kiosk_context, live  # noqa: F401

pytestmark = pytest.mark.browser

KIOSK = {**TABLET, "java_script_enabled": True}  # the same tablet with its (only) script
PHONE_FORM = "/s/dpmptsp-uji/loket-1"
IDLE, WARN = 300, 30  # the defaults (app/config.py)
SHORT_IDLE, SHORT_WARN = 4, 2
WARNING = "Formulir akan dimulai ulang dalam"
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def short(live):  # noqa: F811
    """The live app with a short idle reset, for the tests that wait on the real clock."""
    app, base = live
    app.config.update(KIOSK_IDLE_SECONDS=SHORT_IDLE, KIOSK_WARN_SECONDS=SHORT_WARN)
    return live


def _open_kiosk(browser, live, *, fake_clock: bool = True, **options):  # noqa: F811
    """A JavaScript tablet registered as loket-1's kiosk, on its form; on a fake clock paused just after the page
    loaded (returns the page, its requests and its console problems)."""
    base = live[1]
    context = kiosk_context(browser, live, **{**KIOSK, **options})
    page = context.new_page()
    requests, problems = _watch(page)
    if fake_clock:
        page.clock.install(time=START)
    assert page.goto(base + KIOSK_FORM).status == 200
    if fake_clock:
        page.clock.pause_at(START + timedelta(seconds=10))
    return page, requests, problems


def _documents(requests) -> list:
    return [r.url for r in requests if r.resource_type == "document"]


def _centre(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _checked(page) -> int:
    return page.locator("input[type=radio]:checked").count()


def test_a_slow_citizen_is_never_interrupted(browser, live):  # noqa: F811
    """One answer a minute for ten minutes, then four and a half minutes of reading: no warning, no reset."""
    _, base = live
    page, requests, problems = _open_kiosk(browser, live)
    try:
        for element in ELEMENTS:
            _answer(page, element.code, 2)
            page.clock.run_for(60_000)
        page.get_by_role("textbox", name="Kritik dan saran (tidak wajib)").press_sequentially("Petugas ramah.")
        page.clock.run_for(60_000)  # ten minutes since the first answer
        page.clock.run_for((IDLE - WARN - 60 - 1) * 1000)  # 269 s without a touch
        assert not page.get_by_role("alertdialog").is_visible()
        assert page.url == base + KIOSK_FORM and _documents(requests) == [base + KIOSK_FORM]
        assert _checked(page) == len(ELEMENTS)
        assert page.get_by_role("textbox", name="Kritik dan saran (tidak wajib)").input_value() == "Petugas ramah."
        page.clock.run_for(2_000)  # 271 s: now the warning
        assert page.get_by_role("alertdialog").is_visible()
        assert problems == []
    finally:
        page.context.close()


def test_the_warning_is_announced_and_a_touch_keeps_the_answers(browser, live):  # noqa: F811
    _, base = live
    page, requests, problems = _open_kiosk(browser, live)
    try:
        for code in ("U1", "U2", "U3"):
            _answer(page, code, 4)
        page.clock.run_for((IDLE - WARN) * 1000)
        dialog = page.get_by_role("alertdialog", name=re.compile(WARNING))
        assert dialog.is_visible()
        assert dialog.inner_text().startswith(f"{WARNING} {WARN} detik karena tidak ada aktivitas.")
        # A modal alert dialog: announced as it opens, with the focus on its button.
        continue_button = dialog.get_by_role("button", name="Lanjutkan mengisi")
        assert page.evaluate("document.activeElement.id") == "kiosk-continue"
        page.clock.run_for(10_000)
        assert f"dalam {WARN - 10} detik" in dialog.inner_text()
        continue_button.tap()
        assert not dialog.is_visible()
        page.clock.run_for(WARN * 1000)  # past the moment the reset was due
        assert _checked(page) == 3 and _documents(requests) == [base + KIOSK_FORM]

        # A touch anywhere keeps them too, and the tap never reaches the answer under the warning.
        page.clock.run_for((IDLE - 2 * WARN + 1) * 1000)
        assert dialog.is_visible()
        x, y = _centre(page.locator("input[name=u1][value='1']").locator(".."))
        warning_box = dialog.bounding_box()
        assert not (warning_box["y"] <= y <= warning_box["y"] + warning_box["height"])  # the backdrop, not the box
        page.touchscreen.tap(x, y)
        assert not dialog.is_visible()
        page.clock.run_for((IDLE - WARN - 1) * 1000)
        assert page.url == base + KIOSK_FORM and _documents(requests) == [base + KIOSK_FORM]
        assert [page.locator(f"input[name=u{i}][value='4']").is_checked() for i in (1, 2, 3)] == [True] * 3
        assert _checked(page) == 3
        assert problems == []
    finally:
        page.context.close()


def test_an_untouched_form_is_renewed_without_a_warning(browser, live):  # noqa: F811
    """Nothing to lose: a form nobody touched reloads after the idle time (a fresh form for the next citizen)."""
    _, base = live
    page, requests, problems = _open_kiosk(browser, live)
    try:
        page.clock.run_for((IDLE - WARN + 1) * 1000)
        assert not page.get_by_role("alertdialog").is_visible()
        with page.expect_navigation(url=base + KIOSK_FORM):
            page.clock.run_for(WARN * 1000)
        assert _documents(requests) == [base + KIOSK_FORM] * 2
        assert problems == []
    finally:
        page.context.close()


def test_an_abandoned_form_starts_again_empty(browser, short):  # noqa: F811
    """On the real clock and the real CSP: the warning after (idle - warn) seconds, a fresh form after idle."""
    page, requests, problems = _open_kiosk(browser, short, fake_clock=False)
    base = short[1]
    try:
        _answer(page, "U1", 3)
        page.get_by_role("textbox", name="Kritik dan saran (tidak wajib)").fill("Setengah jalan")
        touched = time.monotonic()
        dialog = page.get_by_role("alertdialog", name=re.compile(WARNING))
        with page.expect_navigation(url=base + KIOSK_FORM, timeout=(SHORT_IDLE + 5) * 1000):
            dialog.wait_for(state="visible", timeout=(SHORT_IDLE + 2) * 1000)
            assert time.monotonic() - touched >= SHORT_IDLE - SHORT_WARN - 0.5
        assert time.monotonic() - touched >= SHORT_IDLE - 0.5
        page.wait_for_load_state()
        assert _documents(requests) == [base + KIOSK_FORM] * 2
        assert _checked(page) == 0
        assert page.get_by_role("textbox", name="Kritik dan saran (tidak wajib)").input_value() == ""
        assert not dialog.is_visible()
        assert problems == []  # the script ran under the page's own policy
    finally:
        page.context.close()


def _script_hash(html: str) -> str:
    [script] = re.findall(r"<script>(.*?)</script>", html, re.S)
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def test_only_the_kiosk_form_carries_the_script(browser, live):  # noqa: F811
    _, base = live
    phone = browser.new_context(**PHONE)
    try:
        response = phone.new_page().goto(base + PHONE_FORM)
        assert "<script" not in response.text()
        assert "script-src" not in response.headers["content-security-policy"]
    finally:
        phone.close()
    page, requests, problems = _open_kiosk(browser, live, fake_clock=False)
    try:
        for _ in range(2):
            response = page.goto(base + KIOSK_FORM)
            csp = response.headers["content-security-policy"]
            assert "default-src 'none'" in csp and "unsafe" not in csp
            assert f"script-src {_script_hash(response.text())}" in csp
        # "Mulai ulang" leads to a fresh Indonesian form.
        page.goto(base + KIOSK_FORM + "?lang=en")
        assert page.locator("#kiosk-restart").get_attribute("href") == "/s/dpmptsp-uji/loket-1"
        assert problems == []
    finally:
        page.context.close()


def test_without_javascript_the_kiosk_form_never_reloads_itself(browser, short):  # noqa: F811
    base = short[1]
    context = kiosk_context(browser, short, **TABLET)  # java_script_enabled=False
    try:
        page = context.new_page()
        requests, problems = _watch(page)
        page.goto(base + KIOSK_FORM)
        assert page.locator('meta[http-equiv="refresh"]').count() == 0
        assert not page.get_by_role("alertdialog").is_visible()
        _answer(page, "U1", 1)
        _answer(page, "U5", 4)
        page.wait_for_timeout((SHORT_IDLE + 1) * 1000)
        assert _documents(requests) == [base + KIOSK_FORM] and _checked(page) == 2

        with page.expect_navigation():
            page.get_by_role("link", name="Mulai ulang").tap()
        assert _documents(requests) == [base + KIOSK_FORM] * 2
        assert page.url == base + KIOSK_FORM and _checked(page) == 0
        assert problems == []
    finally:
        context.close()


def test_the_kiosk_form_and_its_warning_pass_axe(browser, live):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    from tests.test_accessibility import _serious

    _, base = live
    axe = Axe()
    page, _requests, _problems = _open_kiosk(browser, live, bypass_csp=True)  # axe is a script
    try:
        page.clock.resume()  # axe runs on timers of its own: let the fake clock flow as the real one does
        problems = _serious(axe, page, "kiosk form")
        _answer(page, "U1", 3)
        page.clock.run_for((IDLE - WARN) * 1000)
        assert page.get_by_role("alertdialog").is_visible()  # the reset is still 30 s away
        problems += _serious(axe, page, "kiosk warning")
        assert page.get_by_role("alertdialog").is_visible()
    finally:
        page.context.close()
    assert not problems, "\n".join(problems)
