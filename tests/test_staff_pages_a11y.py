"""Staff pages on a 360 px phone, on the seeded demo: no serious or critical axe-core violation, nothing wider
than the screen (a wide table scrolls inside its own box), and no console error (the CSP blocks style attributes).

One demo app and one browser context for the whole module; the context logs in again only to change account.
"""

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.conftest import make_app
from tests.factories import PASSWORD, make_response
from tests.test_accessibility import _serious
from tests.test_browser import _watch, browser, log_in, serve  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

# (account, page); {unit}, {slug}, {month}, {log_month}, {done} and {open} come from the seeded data.
PAGES = (
    ("admin", "/analitik/?unit={slug}&periode={month}"),
    ("admin", "/analitik/rtl/units/{unit}"),
    ("admin", "/analitik/rtl/aksi/{done}"),
    ("admin", "/analitik/rtl/aksi/{open}"),
    ("admin", "/analitik/log-publikasi/?periode={log_month}"),
    ("admin", "/analitik/log-publikasi/?periode=Oktober+2026"),  # a period typed as words: the error on the page
    ("admin", "/analitik/bukti-zi/units/{unit}"),
    ("admin", "/admin/units/{unit}/saran?periode={month}"),
    ("admin", "/analitik/teks-laporan/{unit}?periode={month}"),
    ("admin", "/admin/units/{unit}/laporan"),
    ("pengaduan", "/analitik/rekap-pengaduan/pengaduan?periode={month}"),
    ("wbs", "/analitik/rekap-pengaduan/wbs"),
    # Older staff pages whose tables scroll in the same wrapper.
    ("pengaduan", "/admin/pengaduan/"),
    ("pengaduan", "/admin/pengaduan/{complaint}"),
    ("admin", "/admin/"),
    ("admin", "/admin/loket"),
    ("admin", "/admin/pengguna/"),
    ("admin", "/admin/pengguna/audit"),
    ("admin", "/admin/units/{unit}/imports"),
)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo (`flask seed-demo`) served on a free port, with a logo, a suggestion, a queued evidence pack and a
    complaint linked to a follow-up; yields (base URL, the values that fill PAGES' placeholders)."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path_factory.mktemp('staff') / 'demo.sqlite'}",
                   WTF_CSRF_ENABLED=True)  # fmt: skip
    with app.app_context():
        db.create_all()
        values = _seed()
        db.session.commit()
        db.session.remove()
    with serve(app) as base:
        yield base, values


def _seed() -> dict:
    from PIL import Image

    from analytics import followup
    from analytics.evidence.queue import request_pack
    from analytics.followup_models import ActionStatus, FollowUpAction
    from analytics.models import PublicationLogEntry
    from app import clock, unit_settings
    from app.auth import Role
    from app.demo import seed_demo
    from complaints.models import Complaint, Stream

    unit = seed_demo(passwords=dict.fromkeys((Role.ADMIN, Role.PENGADUAN, Role.WBS), PASSWORD), responses=120)
    logo = io.BytesIO()
    Image.new("RGB", (900, 600), (11, 79, 138)).save(logo, "PNG")  # wider than a phone
    unit_settings.save_report_settings(unit_id=unit.id, head_name="Drs. Budi Santoso, M.Si.", head_nip="",
                                       head_position="Kepala Dinas", city="Bontang", logo=logo.getvalue())  # fmt: skip
    last_month = clock.current_period("month").start - timedelta(days=1)
    make_response(SimpleNamespace(unit=unit), last_month, (4, 3, 3, 4, 3, 3, 4, 2, 3), service=unit.services[0],
                  suggestion="Antrean di loket 2 terlalu lama. Hubungi saya di 081234567890.")  # fmt: skip
    request_pack(unit=unit, year=last_month.year, requested_by="admin", this_year=clock.today().year)
    actions = db.session.scalars(sa.select(FollowUpAction).order_by(FollowUpAction.id)).all()
    done = next(a for a in actions if a.status == ActionStatus.DONE)
    complaint = db.session.scalars(sa.select(Complaint).where(Complaint.stream == Stream.COMPLAINT)).first()
    followup.link_complaint(action=done, complaint=complaint, by="admin")
    log_month = db.session.scalars(sa.select(PublicationLogEntry.period_key)).first()
    return {"unit": unit.id, "slug": unit.slug, "month": f"{last_month:%Y-%m}", "log_month": log_month,
            "done": done.id, "open": next(a for a in actions if a.status != ActionStatus.DONE).id,
            "complaint": complaint.id}  # fmt: skip


@pytest.fixture(scope="module")
def phone(browser, demo_site):  # noqa: F811
    """One phone-sized context (with the CSP in force, as staff get it); yields open(account, path), which
    returns (page, HTTP status, console errors of that page)."""
    base, values = demo_site
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = context.new_page()
    _requests, problems = _watch(page)
    account = None

    def open_page(user: str, path: str):
        nonlocal account
        if user != account:
            context.clear_cookies()
            log_in(page, base, user)
            account = user
        problems.clear()
        response = page.goto(base + path.format(**values))
        return page, response.status, problems

    yield open_page
    context.close()


@pytest.mark.parametrize(("user", "path"), PAGES, ids=[path for _user, path in PAGES])
def test_staff_page_fits_a_phone_and_passes_axe(phone, user, path):
    from axe_playwright_python.sync_playwright import Axe

    page, status, console = phone(user, path)
    expected = 400 if "Oktober" in path else 200
    assert status == expected, page.url
    if expected == 400:  # Chromium logs the status itself; the period's error is beside its field
        console = [m for m in console if "status of 400" not in m]
        assert page.locator("input[name=periode][aria-invalid=true]").count() == 1
    wide = page.evaluate(WIDER_THAN_SCREEN)
    assert not wide, f"{path}: the page is wider than the 360 px screen; too wide: {wide}"
    assert not console, console
    unnamed = page.evaluate("() => [...document.querySelectorAll('th')].filter(th => !th.textContent.trim()).length")
    assert unnamed == 0, f"{path}: {unnamed} column heading(s) without a name (a screen reader reads nothing)"
    problems = _serious(Axe(), page, path)
    assert not problems, "\n".join(problems)


# The document's width if it exceeds the window, with the outermost elements that stick out of it and are not in a
# box of their own that scrolls or clips.
WIDER_THAN_SCREEN = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= window.innerWidth) return null;
  const sticksOut = e => e.getBoundingClientRect().right > window.innerWidth + 1;
  const inBox = e => { for (let a = e.parentElement; a !== document.body; a = a.parentElement)
    if (getComputedStyle(a).overflowX !== "visible") return true; return false; };
  const out = [...document.body.querySelectorAll("*")].filter(
    e => sticksOut(e) && !(e.parentElement !== document.body && sticksOut(e.parentElement)) && !inBox(e));
  return {scrollWidth: root.scrollWidth, elements: out.slice(0, 5).map(e => e.outerHTML.slice(0, 120))};
}"""
