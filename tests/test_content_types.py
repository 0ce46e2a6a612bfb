"""The public complaint forms read only what their forms send: any other body (JSON, text, XML) is refused with 415
before the form is parsed, and stores nothing; a body beyond the route's limit is refused with 413."""

import json
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from app.extensions import db
from complaints import service
from complaints.models import Complaint
from complaints.views import BODIES, RATING_BYTES
from tests.conftest import make_app
from tests.factories import make_directory, make_user
from tests.test_attachments import multipart
from tests.test_complaint_intake import complaint_form, counts, wbs_form

STREAMS = ("pengaduan", "wbs")
ACTIONS = ("submit", "informasi", "tanggapan", "penilaian")
ENDPOINTS = {"submit": "submit", "informasi": "add_info", "tanggapan": "reply", "penilaian": "rate"}


def _report(unit, officer, stream: str, *, answered: bool = False, done: bool = False) -> str:
    """File a report through the service and take it as far as asked; commits; returns its tracking code."""
    c, code = service.file_complaint(stream=stream, unit_id=unit.id, title="Antrean lama", description="Isi")
    if answered or done:
        service.verify(c, by=officer)
        service.route(c, by=officer, unit_id=unit.id)
        service.respond(c, by=officer, body="Sudah ditangani.", attachments=[])
    if done:
        service.close(c, by=officer)
    db.session.commit()
    return code


def _posts(unit, stream: str) -> dict[str, tuple[str, dict]]:
    """Per action: its address and the fields of a valid post, each report in the state that accepts it."""
    officer = make_user("pengaduan", username=f"petugas-{stream}")
    intake = complaint_form(unit) if stream == "pengaduan" else wbs_form(unit)
    open_, answered, done = (_report(unit, officer, stream, answered=a, done=d) for a, d in ((0, 0), (1, 0), (1, 1)))
    return {
        "submit": (f"/{stream}/", intake),
        "informasi": (f"/{stream}/lacak/{open_}/informasi", {"informasi-isi": "Kuitansi terlampir."}),
        "tanggapan": (f"/{stream}/lacak/{answered}/tanggapan", {"tanggapan-isi": "Uang belum kembali."}),
        "penilaian": (f"/{stream}/lacak/{done}/penilaian", {"penilaian-nilai": "3"}),
    }


def _state() -> tuple:
    """Every row count, and every report's status, rating and history length."""
    reports = db.session.scalars(sa.select(Complaint).order_by(Complaint.id)).all()
    db.session.expire_all()
    return counts(), [(c.status, c.rating, len(c.events)) for c in reports]


def _foreign_bodies(fields: dict) -> dict[str, tuple[str, str]]:
    """The same fields as bodies no form of ours sends."""
    return {
        "json": (json.dumps(fields), "application/json"),
        "text": (urlencode(fields), "text/plain"),
        "xml": ("<form>" + "".join(f"<f n='{k}'>{v}</f>" for k, v in fields.items()) + "</form>", "application/xml"),
        "json with a charset": (json.dumps(fields), "application/json; charset=utf-8"),
    }


def test_every_public_post_route_declares_what_it_reads(app):
    posts = {
        rule.endpoint.split(".", 1)[1]
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in ("complaints", "wbs") and "POST" in rule.methods
    }
    # Anything else under /lacak/ is not a form but the one 404 page, whatever it is sent.
    assert posts == set(BODIES) | {"unknown_address"}
    assert set(BODIES) == set(ENDPOINTS.values())


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("stream", STREAMS)
def test_a_body_no_form_sends_is_refused_with_415_and_stores_nothing(client, demo, stream, action):
    url, fields = _posts(demo.unit, stream)[action]
    before = _state()
    for kind, (body, content_type) in _foreign_bodies(fields).items():
        response = client.post(url, data=body, content_type=content_type)
        assert response.status_code == 415, kind
        assert "<h1>415</h1>" in response.get_data(as_text=True), kind  # the error page, not a stack trace
        assert _state() == before, kind
    # The same fields as the form sends them are read: the refusals above were about the body alone.
    assert client.post(url, data=fields).status_code == 303
    assert _state() != before


@pytest.mark.parametrize("stream", STREAMS)
def test_the_forms_with_attachments_take_multipart_and_the_rating_only_a_plain_form(client, demo, stream):
    posts = _posts(demo.unit, stream)
    for action in ("submit", "informasi"):
        url, fields = posts[action]
        assert client.post(url, **multipart(fields)).status_code == 303, action
    url, fields = posts["penilaian"]
    before = _state()
    assert client.post(url, **multipart(fields)).status_code == 415
    assert _state() == before


def test_without_a_body_or_a_type_the_form_answers_for_itself(client, demo):
    url, _fields = _posts(demo.unit, "pengaduan")["penilaian"]
    response = client.post(url)  # nothing to parse: the rating form says what is missing
    assert response.status_code == 400 and 'href="#penilaian-nilai-0"' in response.get_data(as_text=True)


def test_the_refusals_come_before_the_csrf_check_and_unknown_codes_get_the_same_answer():
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        demo = make_directory()
        posts = _posts(demo.unit, "pengaduan")
        client = app.test_client()
        client.get("/pengaduan/")  # the session holds a CSRF secret; no post below carries its token
        before = _state()
        for action, (url, fields) in posts.items():
            body, content_type = _foreign_bodies(fields)["json"]
            assert client.post(url, data=body, content_type=content_type).status_code == 415, action
            assert client.post(url, data=fields).status_code == 400, action  # the form is read: no token
        unknown = "/pengaduan/lacak/0000-0000-0000-0000/penilaian"
        assert client.post(unknown, data="{}", content_type="application/json").status_code == 415
        # A rating is tiny: a body beyond its limit is refused before the CSRF check reads it.
        url, _fields = posts["penilaian"]
        assert client.post(url, data={"penilaian-nilai": "3" * RATING_BYTES}).status_code == 413
        assert _state() == before
