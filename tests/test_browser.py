"""End to end in Debian's Chromium: a cheap Android phone fills the survey without JavaScript.

The real app runs on a free 127.0.0.1 port in a thread, on an SQLite file shared
with the test, with CSRF on: the same path a citizen takes after scanning the
counter's QR code. Screenshots of the phone view go to docs/screenshots/.
"""

import os
import struct
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from werkzeug.serving import make_server

from app.extensions import db
from survey.models import Channel, Response
from survey.questionnaire import ELEMENTS
from tests.conftest import REQUIRE_SERVICES, make_app
from tests.factories import PASSWORD, make_directory, make_kiosk, make_user

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

# A Samsung Galaxy A10-class phone: 360 CSS pixels wide, no JavaScript.
PHONE = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "java_script_enabled": False,
    "locale": "id-ID",
    "timezone_id": "Asia/Makassar",
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 11; SM-A105F) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36"
    ),
}
# The counter's kiosk tablet, also without JavaScript.
TABLET = {**PHONE, "viewport": {"width": 800, "height": 1280}, "device_scale_factor": 1}

FORM = "/s/dpmptsp-uji/loket-2"  # two services: the respondent picks one
KIOSK_FORM = "/s/dpmptsp-uji/loket-1"  # on a registered kiosk; one service, pre-selected
KIOSK_THANKS_SECONDS = 2

# The phone respondent's answers (score per element); U4 is deliberately left unanswered.
SCORES = {"U1": 4, "U2": 3, "U3": 2, "U4": None, "U5": 4, "U6": 3, "U7": 4, "U8": 1, "U9": 3}
SARAN = "Antrean di loket 2 terlalu lama, mohon tambah petugas pada jam sibuk."


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright; skipped when either is missing (outside CI)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} not installed (make browser)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if REQUIRE_SERVICES:
            pytest.fail("the playwright package is required (REQUIRE_SERVICES=1) but not installed")
        pytest.skip("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def live(tmp_path):
    """The real app on a free local port, on an SQLite file with the demo directory; yields (app, base URL)."""
    app = make_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'e2e.sqlite'}",
        WTF_CSRF_ENABLED=True,
        KIOSK_THANKS_SECONDS=KIOSK_THANKS_SECONDS,
    )
    with app.app_context():
        db.create_all()
        make_directory()
        db.session.remove()
    with serve(app) as base:
        yield app, base


@contextmanager
def serve(app):
    """Serve `app` on a free 127.0.0.1 port in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


def log_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    """Log `username` in through the login form on `page`."""
    page.goto(base + "/auth/login")
    page.get_by_role("textbox", name="Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
    assert "/auth/login" not in page.url, page.url


def _watch(page) -> tuple[list, list]:
    """Record the page's requests and any console error/warning (CSP violations land there)."""
    requests, problems = [], []

    def on_console(msg) -> None:
        # Chromium probes /favicon.ico by itself (404: the app has none); the page did not ask for it.
        if msg.type in ("error", "warning") and not msg.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"{msg.type}: {msg.text} ({msg.location.get('url')})")

    page.on("request", lambda req: requests.append(req))
    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on("requestfailed", lambda req: problems.append(f"requestfailed: {req.url} {req.failure}"))
    return requests, problems


def _png_width(path: Path) -> int:
    with path.open("rb") as fh:
        header = fh.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", header[16:20])[0]


def _answer(page, code: str, score: int) -> None:
    """Tap the label of one answer, as a thumb would."""
    element = next(e for e in ELEMENTS if e.code == code)
    fieldset = page.locator("fieldset", has_text=element.question)
    fieldset.get_by_text(element.options[score - 1], exact=True).tap()
    assert fieldset.get_by_role("radio", name=element.options[score - 1], exact=True).is_checked()


def _stored(app) -> list[Response]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Response).options(joinedload(Response.service))).all()
        db.session.expunge_all()
        db.session.remove()
    return rows


def test_phone_fills_the_survey_without_javascript(browser, live):
    app, base = live
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        requests, problems = _watch(page)

        response = page.goto(base + FORM)
        assert response.status == 200
        # One request: the stylesheet is inline, and there is no script, font or image.
        assert [(r.method, r.resource_type, r.url) for r in requests] == [("GET", "document", base + FORM)]
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert page.locator("input[type=radio]:checked").count() == 0

        page.locator("select[name=layanan]").select_option(label="Konsultasi")
        for code, score in SCORES.items():
            if score is not None:
                _answer(page, code, score)
        page.get_by_role("combobox", name="Jenis kelamin").select_option(label="Perempuan")
        page.get_by_role("spinbutton", name="Usia (tahun)").fill("34")
        page.get_by_role("combobox", name="Pendidikan terakhir").select_option(label="D4/S1")
        page.get_by_role("combobox", name="Pekerjaan", exact=True).select_option(label="Wirausaha")
        page.get_by_role("textbox", name="Kritik dan saran (tidak wajib)").press_sequentially(SARAN)

        filled = SCREENSHOTS / "survey-phone-360.png"
        page.screenshot(path=filled, full_page=True)
        # A full-page capture is as wide as the document: wider than 360 CSS px means sideways scrolling.
        assert _png_width(filled) == 360 * PHONE["device_scale_factor"]

        requests.clear()
        page.get_by_role("button", name="Kirim jawaban").tap()
        page.wait_for_url(f"{base}{FORM}/terima-kasih")
        # The POST and its 303 to the thank-you page: still no sub-resource.
        assert [(r.method, r.resource_type) for r in requests] == [("POST", "document"), ("GET", "document")]
        assert page.get_by_role("heading", level=1).inner_text() == "Terima kasih!"
        assert page.locator('meta[http-equiv="refresh"]').count() == 0  # only kiosks go back to a fresh form
        thanks = SCREENSHOTS / "survey-thanks-360.png"
        page.screenshot(path=thanks, full_page=True)
        assert _png_width(thanks) == 360 * PHONE["device_scale_factor"]
        assert problems == []
    finally:
        context.close()

    [row] = _stored(app)
    assert row.scores() == SCORES  # U4 unanswered: NULL, not a score
    assert row.service.name == "Konsultasi"
    assert (row.gender, row.age, row.education, row.occupation) == ("P", 34, "S1", "WIRAUSAHA")
    assert row.occupation_other is None
    assert row.suggestion == SARAN
    assert row.channel == Channel.ONLINE
    assert row.assisted is False


def kiosk_context(browser, live, **options):
    """A browser context that is a registered kiosk of loket-1 (its signed cookie, as staff registration sets)."""
    from app.directory import get_counter
    from survey import kiosks

    app, base = live
    with app.app_context():
        _kiosk, cookie = make_kiosk(get_counter("dpmptsp-uji", "loket-1"))
        db.session.remove()
    context = browser.new_context(**options)
    context.add_cookies([{"name": kiosks.COOKIE, "value": cookie, "url": base}])
    return context


def _register_kiosk(page, live) -> None:
    """An officer logs in on the tablet and registers it as loket-1's kiosk: the tablet is left on the survey."""
    from app.directory import get_counter

    app, base = live
    with app.app_context():
        make_user("loket", unit=get_counter("dpmptsp-uji", "loket-1").unit, username="petugas")
        counter_id = get_counter("dpmptsp-uji", "loket-1").id
        db.session.remove()
    page.goto(f"{base}/auth/login?next=/admin/counters/{counter_id}/kiosks")
    page.get_by_label("Nama pengguna").fill("petugas")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").tap()
    page.get_by_label("Nama perangkat").fill("Tablet loket 1")
    page.get_by_role("button", name="Daftarkan perangkat ini sebagai kios").tap()
    page.wait_for_url(base + KIOSK_FORM)


def test_kiosk_returns_to_a_fresh_form(browser, live):
    app, base = live
    context = browser.new_context(**TABLET)
    try:
        page = context.new_page()
        _register_kiosk(page, live)
        page.goto(base + "/admin/")
        assert "/auth/login" in page.url  # the officer was logged out on the tablet
        requests, problems = _watch(page)

        page.goto(base + KIOSK_FORM)
        assert len(requests) == 1 and page.locator("#kiosk").count() == 1
        for code in ("U1", "U3", "U7"):
            _answer(page, code, 3)
        page.get_by_role("textbox", name="Kritik dan saran (tidak wajib)").fill("Kios mudah dipakai.")
        page.get_by_role("button", name="Kirim jawaban").tap()

        page.wait_for_url(f"{base}/s/dpmptsp-uji/loket-1/terima-kasih")
        assert page.get_by_role("heading", level=1).inner_text() == "Terima kasih!"
        refresh = page.locator('meta[http-equiv="refresh"]').get_attribute("content")
        assert refresh == f"{KIOSK_THANKS_SECONDS};url={KIOSK_FORM}"

        # The meta refresh (no script needed) brings the next citizen a blank form.
        page.wait_for_url(base + KIOSK_FORM, timeout=(KIOSK_THANKS_SECONDS + 5) * 1000)
        page.wait_for_load_state()
        assert page.locator("input[type=radio]").count() == 4 * len(ELEMENTS)
        assert page.locator("input[type=radio]:checked").count() == 0
        assert page.get_by_role("textbox", name="Kritik dan saran (tidak wajib)").input_value() == ""

        # Nor does the back button show the previous citizen's answers (no-store, autocomplete=off).
        page.go_back()  # the thank-you page
        form = page.go_back()  # the form as it was filled
        assert page.url == base + KIOSK_FORM
        assert form is not None and form.status == 200  # fetched again, not restored from a cache
        assert page.locator("input[type=radio]:checked").count() == 0
        assert page.get_by_role("textbox", name="Kritik dan saran (tidak wajib)").input_value() == ""
        assert problems == []
    finally:
        context.close()

    [row] = _stored(app)
    assert row.channel == Channel.KIOSK
    assert row.scores() == {e.code: (3 if e.code in ("U1", "U3", "U7") else None) for e in ELEMENTS}
    assert row.suggestion == "Kios mudah dipakai."
