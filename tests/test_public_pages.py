"""Public pages: one title each, and a home page a thumb and a 200 % text size can use (Debian's Chromium)."""

import re

import pytest

from app import directory
from app.extensions import db
from tests.factories import as_kiosk
from tests.test_browser import browser, live  # noqa: F401 (fixtures)

PUBLIC_PAGES = (
    "/",
    "/s/dpmptsp-uji/loket-1",
    "/s/dpmptsp-uji/loket-2?lang=en",
    "/s/dpmptsp-uji/loket-1/terima-kasih",
    "/pengaduan/",
    "/pengaduan/lacak",
    "/wbs/",
    "/hasil/",
    "/hasil/dpmptsp-uji",
)


@pytest.mark.parametrize("path,kiosk", [(p, False) for p in PUBLIC_PAGES] + [(p, True) for p in PUBLIC_PAGES[1:4]])
def test_every_public_page_has_exactly_one_title(client, demo, path, kiosk):
    if kiosk:  # the same survey pages on the counter's registered kiosk
        as_kiosk(client, demo.static)
    response = client.get(path)
    assert response.status_code == 200
    titles = re.findall(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S | re.I)
    assert len(titles) == 1 and titles[0].strip()


LONG_WORD = "Penyelenggaraan" * 3  # 45 letters without a break: wider than a phone at 200 % text


@pytest.fixture
def home(live):  # noqa: F811
    """The live app with a second unit whose name and counter are one long word; yields the home page's URL."""
    app, base = live
    with app.app_context():
        unit = directory.create_unit(name=f"Dinas {LONG_WORD}", slug="dinas-panjang")
        izin = directory.create_service(unit=unit, name="Izin", kind=directory.ServiceKind.PERIZINAN)
        directory.create_counter(unit=unit, name=LONG_WORD, slug="loket-panjang", services=[izin])
        db.session.commit()
        db.session.remove()
    return base + "/"


def _headings(page) -> list[int]:
    return page.eval_on_selector_all("h1,h2,h3,h4,h5,h6", "hs => hs.map(h => Number(h.tagName[1]))")


def _short_links(page) -> list[str]:
    return [
        f"{a.inner_text()!r}: {box['height']:.1f}px"
        for a in page.locator("a").all()
        if (box := a.bounding_box()) is None or box["height"] < 44
    ]


def _sideways(page) -> int:
    """How far the page scrolls sideways, in CSS pixels (0: it does not)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture
def phone_page(browser):  # noqa: F811
    """A page in a 360x640 touch phone's browser (JavaScript on, to set the text size)."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, has_touch=True, is_mobile=True)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["id", "en"])
def test_home_page_fits_a_phone_and_a_thumb(phone_page, home, lang):
    page = phone_page
    page.goto(f"{home}?lang={lang}")
    levels = _headings(page)
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels  # no level skipped
    assert page.get_by_role("link", name=LONG_WORD).count() == 1
    assert _short_links(page) == []
    assert _sideways(page) == 0
    page.evaluate("document.documentElement.style.fontSize = '200%'")  # the phone's largest text setting
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "33.6px"  # 2 x 1.05rem
    assert _sideways(page) == 0
    assert _short_links(page) == []


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_survey_and_its_thank_you_page_fit_a_phone_at_200_percent_text(phone_page, home, lang):
    form = home + f"s/dinas-panjang/loket-panjang?lang={lang}"
    for url in (form, form.replace("loket-panjang?", "loket-panjang/terima-kasih?")):
        phone_page.goto(url)
        phone_page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert _sideways(phone_page) == 0, url
