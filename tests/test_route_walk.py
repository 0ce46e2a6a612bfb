"""Every route, found by walking app.url_map (issue 11's proof harness): state-changing requests without our form
token are refused, and every answer carries the security headers."""

import pytest

from tests.conftest import make_app
from tests.factories import make_directory

DUMMY = {"int": "1", "default": "x", "string": "x", "path": "x/y"}
# The survey's answer form needs no session: its cross-site check reads the browser's headers instead.
ORIGIN_CHECKED = {"survey.submit"}


def _url(rule, demo) -> str:
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__.replace("Converter", "").lower()
        choices = getattr(converter, "items", None)  # <any(a, b):name>
        values[name] = sorted(choices)[0] if choices else DUMMY.get(kind, DUMMY["int"] if "id" in kind else "x")
    if rule.endpoint.startswith("survey."):
        values.update(unit_slug=demo.unit.slug, counter_slug=demo.static.slug)
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def guarded():
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from app.extensions import db

        db.create_all()
        yield app, make_directory()


def _state_changing(app):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"GET", "HEAD", "OPTIONS"}):
            yield rule, method


def test_every_state_changing_route_refuses_a_missing_or_junk_token(guarded):
    app, demo = guarded
    client = app.test_client()
    checked = []
    for rule, method in _state_changing(app):
        url = _url(rule, demo)
        if rule.endpoint in ORIGIN_CHECKED:
            response = client.open(url, method=method, data={"u1": "4"}, headers={"Sec-Fetch-Site": "cross-site"})
        else:
            response = client.open(url, method=method, data={"csrf_token": "junk", "x": "1"})
        # 404: a tracking-code route answers an unknown code with the same 404 whatever else is wrong (by design).
        assert response.status_code in (400, 404), f"{method} {url} ({rule.endpoint}) answered {response.status_code}"
        checked.append(response.status_code)
    assert checked.count(400) >= 25  # the walk did reach the application's forms (28 when written)


def test_every_route_answers_with_the_security_headers(guarded):
    app, demo = guarded
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        response = client.get(_url(rule, demo))
        assert response.status_code < 500, rule.endpoint
        csp = response.headers.get("Content-Security-Policy", "")
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, rule.endpoint
        assert response.headers["X-Content-Type-Options"] == "nosniff", rule.endpoint
