"""Public pages pass axe-core (axe-playwright-python) with no serious or critical violation, in both languages."""

from datetime import date

import pytest

from analytics.publishing import publish_period
from app.extensions import db
from app.periods import month
from tests.factories import make_response
from tests.test_browser import browser, live  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

PAGES = ("/", "/s/dpmptsp-uji/loket-1", "/s/dpmptsp-uji/loket-1/terima-kasih", "/hasil/", "/hasil/dpmptsp-uji",
         "/s/dpmptsp-uji/loket-3")  # fmt: skip


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
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    nodes = "; ".join(n["target"][0] for n in violation["nodes"][:3])
                    problems.append(f"{path}: {violation['id']} ({violation['impact']}): {nodes}")
            assert results.response["passes"], f"axe checked nothing on {path}"
    finally:
        context.close()
    assert not problems, "\n".join(problems)
