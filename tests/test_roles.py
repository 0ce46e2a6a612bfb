"""Role gating of every staff page of the shell, the survey and analytics, for every role, with unit scope."""

from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa
from flask import url_for

from app import directory
from app.audit import Action, AuditEntry
from app.auth import Role
from app.extensions import db
from survey.models import Response
from tests.factories import log_in, make_kiosk, make_responses, make_user, survey_form

pytestmark = pytest.mark.usefixtures("fast_hashing")

A, LOKET, PENGADUAN, UNIT, PIMPINAN, PPID, WBS = list(Role)
EVERYONE = frozenset(Role)
RESULTS = frozenset({A, PENGADUAN, PIMPINAN, PPID})
COUNTER = frozenset({A, LOKET})
STAFF_BLUEPRINTS = (
    "admin", "survey_staff", "analytics", "accounts", "analytics_evidence", "survey_suggestions", "report_text",
)  # fmt: skip
Q = "?unit=dpmptsp-uji&periode=2025-03"


@dataclass(frozen=True)
class Route:
    """A staff route, the roles that may use it, and the answers for them and for the others."""

    endpoint: str
    method: str
    path: str  # formatted with the ids of the scene
    allowed: frozenset
    ok: int = 200
    denied: int = 403
    data: dict | None = None


# A table: one route a line (the few too long for one wrap at their data), which the formatter leaves alone.
ROUTES = (
    Route("admin.index", "GET", "/admin/", frozenset({A}), denied=302),  # the others are sent to their home
    Route("admin.counters", "GET", "/admin/loket", COUNTER),
    Route("admin.unit_new", "GET", "/admin/units/new", frozenset({A})),
    Route("admin.unit_edit", "GET", "/admin/units/{unit}/edit", frozenset({A})),
    Route("admin.unit_report_settings", "GET", "/admin/units/{unit}/laporan", frozenset({A})),
    Route("admin.unit_logo", "GET", "/admin/units/{unit}/logo.png", frozenset({A}), ok=404),  # no logo set
    Route("admin.service_new", "GET", "/admin/units/{unit}/services/new", frozenset({A})),
    Route("admin.service_edit", "GET", "/admin/services/{service}/edit", frozenset({A})),
    Route("admin.counter_new", "GET", "/admin/units/{unit}/counters/new", frozenset({A})),
    Route("admin.counter_edit", "GET", "/admin/counters/{counter}/edit", frozenset({A})),
    Route("survey_staff.counter_poster", "GET", "/admin/counters/{counter}/poster.png", COUNTER),
    Route("survey_staff.counter_tokens", "GET", "/admin/counters/{token}/tokens", COUNTER),
    Route("survey_staff.counter_kiosks", "GET", "/admin/counters/{counter}/kiosks", COUNTER),
    Route("survey_staff.switch_off_kiosk", "POST", "/admin/counters/{counter}/kiosks/{kiosk}/off", COUNTER, ok=302),
    Route("survey_staff.import_responses", "GET", "/admin/units/{unit}/import", COUNTER),
    Route("survey_staff.import_preview", "GET", "/admin/units/{unit}/import/999", COUNTER, ok=410),  # no such upload
    Route("survey_staff.import_discard", "POST", "/admin/units/{unit}/import/999/discard", COUNTER, ok=303),
    Route("survey_staff.import_history", "GET", "/admin/units/{unit}/imports", COUNTER),
    Route("survey_staff.import_cancel", "GET", "/admin/units/{unit}/imports/999/cancel", COUNTER, ok=404),
    Route("survey_staff.import_template", "GET", "/admin/units/{unit}/import/template.xlsx", COUNTER),
    Route("analytics.dashboard", "GET", "/analitik/" + Q, RESULTS),
    Route("analytics.poster", "GET", "/analitik/poster.png" + Q, RESULTS),
    Route("analytics.report", "GET", "/analitik/laporan.pdf" + Q, RESULTS),
    Route("analytics.report_docx", "GET", "/analitik/laporan.docx" + Q, RESULTS),
    Route("report_text.edit", "GET", "/analitik/teks-laporan/{unit}?periode=2025-03", frozenset({A, PPID})),
    Route("analytics.export", "GET", "/analitik/ekspor.xlsx" + Q, RESULTS),
    Route("analytics.publish", "GET", "/analitik/units/{unit}/publikasi?periode=2025-03", frozenset({A, PPID})),
    Route("analytics.set_population", "POST", "/analitik/units/{unit}/populasi", frozenset({A, PPID}), ok=303,
          data={"periode": "2025-03", "populasi": "100"}),
    Route("analytics.withdraw", "POST", "/analitik/units/{unit}/penarikan", frozenset({A, PPID}), ok=303,
          data={"periode": "2025-03", "alasan": "uji"}),
    Route("analytics.auto_publish_choice", "POST", "/analitik/units/{unit}/otomatis", frozenset({A, PPID}), ok=303,
          data={"otomatis": "1", "periode": "2025-03"}),
    Route("analytics_evidence.index", "GET", "/analitik/bukti-zi/", RESULTS, ok=302),
    Route("analytics_evidence.unit_packs", "GET", "/analitik/bukti-zi/units/{unit}", RESULTS),
    Route("analytics_evidence.ask", "POST", "/analitik/bukti-zi/units/{unit}", RESULTS, ok=303, data={"year": "2025"}),
    Route("analytics_evidence.download", "GET", "/analitik/bukti-zi/units/{unit}/999.zip", RESULTS, ok=404),
    Route("survey_suggestions.review", "GET", "/admin/units/{unit}/saran?periode=2025-03", frozenset({A, PPID})),
    Route("survey_suggestions.hide_or_show", "POST", "/admin/units/{unit}/saran", frozenset({A, PPID}), ok=404,
          data={"response": "999999", "action": "hide"}),  # no such response
    Route("accounts.users", "GET", "/admin/pengguna/", frozenset({A})),
    Route("accounts.new_user", "GET", "/admin/pengguna/baru", frozenset({A})),
    Route("accounts.edit_user", "GET", "/admin/pengguna/{target}/ubah", frozenset({A})),
    Route("accounts.reset_password", "GET", "/admin/pengguna/{target}/sandi", frozenset({A})),
    Route("accounts.deactivate", "POST", "/admin/pengguna/{target}/nonaktifkan", frozenset({A}), ok=303),
    Route("accounts.reactivate", "POST", "/admin/pengguna/{target}/aktifkan", frozenset({A}), ok=303),
    Route("accounts.audit_log", "GET", "/admin/pengguna/audit", frozenset({A})),
    Route("accounts.own_password", "GET", "/admin/pengguna/sandi", EVERYONE),
    Route("survey.form", "GET", "/s/dpmptsp-uji/meja", COUNTER),  # assisted entry
)  # fmt: skip


@pytest.fixture
def scene(demo):
    """The demo unit A (every role, the unit roles scoped to it), and unit B with its own counter and loket."""
    other = directory.create_unit(name="Dinas Lain", slug="dinas-lain")
    other_service = directory.create_service(unit=other, name="Layanan Lain")
    other_counter = directory.create_counter(unit=other, name="Loket B", slug="loket-b", services=[other_service])
    db.session.commit()
    users = {role: make_user(role, unit=demo.unit if role in (LOKET, UNIT) else None) for role in Role}
    target = make_user("pimpinan", username="sasaran")
    ids = {"unit": demo.unit.id, "service": demo.izin.id, "counter": demo.static.id, "token": demo.token.id,
           "target": target.id, "kiosk": make_kiosk(demo.static)[0].id}  # fmt: skip
    return {"demo": demo, "users": users, "ids": ids, "other": other, "other_service": other_service,
            "other_counter": other_counter}  # fmt: skip


def test_the_table_covers_every_staff_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] in STAFF_BLUEPRINTS}
    assert endpoints == {route.endpoint for route in ROUTES} - {"survey.form"}


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_reaches_exactly_its_pages(app, client, scene, role):
    make_responses(scene["demo"], date(2025, 3, 10), 3, counter=scene["demo"].static)
    log_in(client, scene["users"][role])
    wrong = []
    for route in ROUTES:
        path = route.path.format(**scene["ids"])
        response = client.open(path, method=route.method, data=route.data or {})
        expected = route.ok if role in route.allowed else route.denied
        if response.status_code != expected:
            wrong.append((route.endpoint, response.status_code, expected))
    assert wrong == []


def test_anonymous_visitors_are_sent_to_the_login_page(client, scene):
    for route in ROUTES:
        response = client.open(route.path.format(**scene["ids"]), method=route.method, data=route.data or {})
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], route.endpoint


def test_a_loket_of_another_unit_gets_404(client, scene):
    demo, other = scene["demo"], scene["other"]
    log_in(client, make_user("loket", unit=other))
    assert client.get(f"/admin/counters/{demo.static.id}/poster.png").status_code == 404
    assert client.get(f"/admin/counters/{demo.token.id}/tokens").status_code == 404
    assert client.post(f"/admin/counters/{demo.token.id}/tokens", data={"count": "2"}).status_code == 404
    assert client.get(f"/admin/units/{demo.unit.id}/import").status_code == 404
    assert client.get(f"/admin/counters/{scene['other_counter'].id}/poster.png").status_code == 200
    own_import = client.get(f"/admin/units/{other.id}/import").get_data(as_text=True)
    assert "Layanan Lain" in own_import and demo.izin.name not in own_import and demo.pbg.name not in own_import
    counters = client.get("/admin/loket").get_data(as_text=True)
    assert "Loket B" in counters and demo.static.name not in counters


def test_assisted_entry_needs_counter_work_for_that_counters_unit(client, scene):
    demo = scene["demo"]
    assert client.get("/s/dpmptsp-uji/meja").status_code == 302  # to the login page
    log_in(client, make_user("loket", unit=scene["other"]))
    assert client.get("/s/dpmptsp-uji/meja").status_code == 403
    assert client.post("/s/dpmptsp-uji/meja", data=survey_form(demo.izin.id)).status_code == 403
    client.post("/auth/logout")
    log_in(client, scene["users"][LOKET])
    assert client.post("/s/dpmptsp-uji/meja", data=survey_form(demo.izin.id)).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1


@pytest.mark.parametrize("role, assisted", [(PENGADUAN, False), (LOKET, True)])
def test_only_counter_staff_can_mark_an_answer_as_assisted(client, scene, role, assisted):
    log_in(client, scene["users"][role])
    form_page = client.get("/s/dpmptsp-uji/loket-1").get_data(as_text=True)
    assert ("name=dibantu" in form_page) is assisted
    client.post("/s/dpmptsp-uji/loket-1", data=survey_form(scene["demo"].izin.id, dibantu="1"))
    assert db.session.scalar(sa.select(Response.assisted)) is assisted


def test_a_unit_scoped_results_reader_sees_only_their_unit(client, scene):
    other = scene["other"]
    log_in(client, make_user("ppid", unit=other, username="ppid-b"))
    assert client.get("/analitik/?unit=dpmptsp-uji").status_code == 404
    assert client.get("/analitik/ekspor.xlsx?unit=dpmptsp-uji&periode=2025-03").status_code == 404
    page = client.get("/analitik/")
    assert page.status_code == 200 and "Dinas Lain" in page.get_data(as_text=True)
    assert "DPMPTSP Kota Uji" not in page.get_data(as_text=True)
    unit_a = scene["demo"].unit.id
    assert client.post(f"/analitik/units/{unit_a}/publikasi", data={"periode": "2025-03"}).status_code == 404
    assert client.post(f"/analitik/units/{unit_a}/penarikan", data={"periode": "2025-03"}).status_code == 404


def test_each_role_starts_on_its_own_first_page(app, client, scene):
    def first(*endpoints: str) -> str:
        with app.test_request_context():
            return url_for(next(e for e in endpoints if e in app.view_functions))

    complaints = "complaints_staff.inbox"  # the complaint pages come first when their blueprint has them
    expected = {
        A: first("admin.index"),
        LOKET: first("admin.counters"),
        PENGADUAN: first(complaints, "analytics.dashboard"),
        UNIT: first(complaints, "accounts.own_password"),
        PIMPINAN: first(complaints, "analytics.dashboard"),
        PPID: first("analytics.dashboard"),
        WBS: first("wbs_staff.inbox", "accounts.own_password"),
    }
    assert expected[A] == "/admin/" and expected[LOKET] == "/admin/loket" and expected[PPID] == "/analitik/"
    for role, home in expected.items():
        with app.test_client() as fresh:
            response = fresh.post("/auth/login", data={"username": scene["users"][role].username,
                                                       "password": "correct horse battery"})  # fmt: skip
            assert response.status_code == 302 and response.headers["Location"].split("?")[0] == home, role


def test_the_menu_shows_only_what_the_role_may_use(client, scene):
    log_in(client, scene["users"][LOKET])
    html = client.get("/admin/loket").get_data(as_text=True)
    assert 'href="/admin/loket"' in html and 'href="/admin/pengguna/sandi"' in html
    for forbidden in ('href="/admin/"', 'href="/admin/pengguna/"', 'href="/admin/pengguna/audit"', 'href="/analitik/"'):
        assert forbidden not in html, forbidden
    client.post("/auth/logout")
    log_in(client, scene["users"][A])
    html = client.get("/admin/").get_data(as_text=True)
    for link in ('href="/admin/"', 'href="/admin/pengguna/"', 'href="/admin/pengguna/audit"', 'href="/analitik/"'):
        assert link in html, link


@pytest.mark.parametrize(("role", "shown"), [(PPID, True), (A, True), (PIMPINAN, False), (PENGADUAN, False)])
def test_the_dashboard_offers_publishing_forms_only_to_roles_that_may_publish(client, scene, role, shown):
    make_responses(scene["demo"], date(2025, 3, 10), 3, counter=scene["demo"].static)
    log_in(client, scene["users"][role])
    html = client.get("/analitik/" + Q).get_data(as_text=True)
    assert ("/populasi" in html) is shown and ("/publikasi" in html) is shown


def test_export_publication_and_withdrawal_are_audited(client, scene):
    demo = scene["demo"]
    make_responses(demo, date(2025, 3, 10), 3, counter=demo.static, suggestion="Komentar mentah")
    ppid = scene["users"][PPID]
    log_in(client, ppid)
    assert client.get("/analitik/ekspor.xlsx" + Q).status_code == 200
    publish = client.post(f"/analitik/units/{demo.unit.id}/publikasi", data={"periode": "2025-03", "konfirmasi": "1"})
    assert publish.status_code == 303
    reason = "Salah hitung populasi"
    withdraw = client.post(f"/analitik/units/{demo.unit.id}/penarikan", data={"periode": "2025-03", "alasan": reason})
    assert withdraw.status_code == 303
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action != Action.LOGIN_OK)).all()
    assert [(e.action, e.actor_id, e.unit_id, e.detail) for e in entries] == [
        (Action.EXPORT, ppid.id, demo.unit.id, "xlsx 2025-03"),
        (Action.PUBLISHED, ppid.id, demo.unit.id, "2025-03"),
        (Action.WITHDRAWN, ppid.id, demo.unit.id, "2025-03"),
    ]


def test_every_staff_page_and_download_says_no_store(client, scene):
    """Officer pages and files (posters, exports, reports) are never kept by a browser or a proxy cache."""
    make_responses(scene["demo"], date(2025, 3, 10), 3, counter=scene["demo"].static)
    log_in(client, scene["users"][A])
    kinds = set()
    for route in ROUTES:
        if route.method != "GET":
            continue
        response = client.get(route.path.format(**scene["ids"]))
        if response.status_code == 200:
            kinds.add(response.mimetype)
            assert response.headers.get("Cache-Control") == "no-store", (route.endpoint, response.mimetype)
    assert {"text/html", "image/png", "application/pdf"} <= kinds  # pages and downloads were checked
