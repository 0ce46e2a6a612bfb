"""Public pages pass axe-core (axe-playwright-python) with no serious or critical violation, in both languages."""

from datetime import date

import pytest

from analytics.publishing import publish_period
from app.extensions import db
from app.periods import month
from tests.factories import make_response, make_user
from tests.test_browser import browser, live  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

PAGES = ("/", "/s/dpmptsp-uji/loket-1", "/s/dpmptsp-uji/loket-1/terima-kasih", "/hasil/", "/hasil/dpmptsp-uji",
         "/s/dpmptsp-uji/loket-3")  # fmt: skip


# The table cells holding a figure ("2,810", "62,5%") whose text the browser broke over more than one line (a phone's
# narrow columns used to split "2,8" from "10").
BROKEN_FIGURES = """() => [...document.querySelectorAll("td")].filter(td => /^[\\d.,%]+$/.test(td.textContent.trim()))
  .filter(td => { const r = document.createRange(); r.selectNodeContents(td);
    return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1; })
  .map(td => td.textContent.trim())"""


@pytest.fixture
def published(live):  # noqa: F811
    """The live app with a published month, so the public results pages show figures and a poster."""
    app, base = live
    with app.app_context():
        from types import SimpleNamespace

        from app.directory import get_unit_by_slug

        unit = get_unit_by_slug("dpmptsp-uji")
        for day in (1, 2, 3):
            make_response(SimpleNamespace(unit=unit), date(2026, 10, day), (3, 4, 3, 4, 3, 3, 4, 2, 3),
                          service=unit.services[0])  # fmt: skip
        db.session.commit()
        publish_period(unit=unit, period=month(2026, 10), published_by="admin")
        db.session.commit()
        db.session.remove()
    return base


@pytest.mark.parametrize("lang", ["id", "en"])
def test_public_pages_have_no_serious_accessibility_violation(browser, published, lang):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(viewport={"width": 360, "height": 640}, bypass_csp=True)  # axe is a script
    page = context.new_page()
    problems = []
    try:
        for path in PAGES:
            page.goto(f"{published}{path}?lang={lang}")
            problems += _serious(axe, page, path)
            problems += [f"{path}: a figure broken over lines: {cell}" for cell in page.evaluate(BROKEN_FIGURES)]
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def _serious(axe, page, label: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now (rule id, impact, first elements)."""
    results = axe.run(page)
    assert results.response["passes"], f"axe checked nothing on {label}"
    return [
        f"{label}: {v['id']} ({v['impact']}): " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def tracked(live):  # noqa: F811
    """The live app with a complaint answered by its unit; yields (base URL, tracking code of that complaint)."""
    app, base = live
    with app.app_context():
        from app.directory import list_units
        from complaints import service

        [unit] = list_units()
        officer = make_user("pengaduan")
        complaint, code = service.file_complaint(
            stream="pengaduan", unit_id=unit.id, title="Antrean lama", description="Menunggu dua jam di loket."
        )
        service.verify(complaint, by=officer)
        service.route(complaint, by=officer, unit_id=unit.id)
        service.respond(complaint, by=officer, body="Loket kedua dibuka pada jam sibuk mulai pekan ini.")
        db.session.commit()
        db.session.remove()
    return base, code


COMPLAINT_PAGES = ("/pengaduan/", "/pengaduan/lacak", "/wbs/", "/wbs/lacak")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_public_complaint_pages_have_no_serious_accessibility_violation(browser, tracked, lang):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    base, code = tracked
    axe = Axe()
    context = browser.new_context(viewport={"width": 360, "height": 640}, bypass_csp=True)  # axe is a script
    page = context.new_page()
    problems = []
    try:
        for path in (*COMPLAINT_PAGES, f"/pengaduan/lacak/{code}"):
            assert page.goto(f"{base}{path}?lang={lang}").status == 200, path
            if path.endswith(code):  # the answered complaint: its history and the reporter's reply form
                assert "Loket kedua" in page.inner_text("main") and page.locator("form textarea").count() == 1
            problems += _serious(axe, page, path.replace(code, "<code>"))
        # The receipt: a complaint filed through the form, in this browser (the code is shown once).
        page.goto(f"{base}/pengaduan/?lang={lang}")
        page.locator("input[name=judul]").fill("Toilet rusak")
        page.locator("textarea[name=uraian]").fill("Toilet di ruang tunggu rusak sejak sepekan.")
        with page.expect_navigation():
            page.locator("form[enctype] button").click()
        assert page.url == f"{base}/pengaduan/tanda-terima", page.url
        assert page.locator("p.flash strong").count() == 1  # the code, not the "already shown" page
        problems += _serious(axe, page, "/pengaduan/tanda-terima")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
