"""Rate limits are shared between app servers through Redis."""

import uuid

import sqlalchemy as sa

from app.extensions import db, limiter
from survey.models import Response
from tests.conftest import TEST_REDIS_URL, make_app, require
from tests.factories import make_directory, survey_form


def test_survey_post_limit_is_shared_across_servers_via_redis(tmp_path):
    require(TEST_REDIS_URL, "Redis")
    prefix = f"skm-test-{uuid.uuid4().hex[:8]}"
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/shared.sqlite",  # both "servers" share one database
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": TEST_REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "SURVEY_POST_LIMIT": "3 per minute",
    }
    server_a = make_app(**config)
    with server_a.app_context():
        db.create_all()
        demo = make_directory()
        service_id = demo.izin.id
        codes = [
            server_a.test_client().post("/s/dpmptsp-uji/loket-1", data=survey_form(service_id)).status_code
            for _ in range(3)
        ]
        assert codes == [303, 303, 303]
    # A second app instance builds its own storage connection: only Redis carries the count over.
    server_b = make_app(**config)
    try:
        with server_b.app_context():
            refused = server_b.test_client().post("/s/dpmptsp-uji/loket-1", data=survey_form(service_id))
            assert refused.status_code == 429
            assert "Terlalu banyak kiriman" in refused.get_data(as_text=True)  # the form again, answers kept
            assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 3
            db.engine.dispose()
    finally:
        limiter.reset()
        limiter.enabled = False
    with server_a.app_context():
        db.engine.dispose()


def test_the_survey_post_is_counted_once_by_its_own_check_and_flask_limiter_skips_it(monkeypatch, caplog):
    """One hit per answer on the limiter's strategy (the same key as Flask-Limiter's: the address, the endpoint);
    Flask-Limiter resolves no limit for the route; the refusal is logged as Flask-Limiter logs one, without the
    address."""
    from tests.factories import limited_app

    with limited_app(SURVEY_POST_LIMIT="2 per minute") as (app, demo):
        hits, resolved = [], []
        strategy, manager = limiter.limiter, limiter.limit_manager
        real_hit, real_resolve = strategy.hit, manager.resolve_limits

        def hit(item, *args, **kw):
            hits.append((str(item), args))
            return real_hit(item, *args, **kw)

        def resolve(*args, **kw):
            resolved.append(args[1])  # the endpoint
            return real_resolve(*args, **kw)

        monkeypatch.setattr(strategy, "hit", hit)
        monkeypatch.setattr(manager, "resolve_limits", resolve)
        client = app.test_client()
        caplog.set_level("INFO", logger="flask-limiter")
        codes = [client.post("/s/dpmptsp-uji/loket-1", data=survey_form(demo.izin.id)).status_code for _ in range(3)]
        assert codes == [303, 303, 429]
        assert hits == [("2 per 1 minute", ("127.0.0.1", "survey.submit"))] * 3
        assert "survey.submit" not in resolved
        assert client.get("/pengaduan/lacak").status_code in (200, 302) and resolved  # other routes: Flask-Limiter's
        lines = [r.getMessage() for r in caplog.records if r.name == "flask-limiter"]
        assert lines == ["ratelimit 2 per 1 minute (-) exceeded at endpoint: survey.submit"]


def test_every_part_of_the_survey_post_limit_counts_under_the_key_prefix():
    """A limit of several parts counts each, narrowest first, under RATELIMIT_KEY_PREFIX, as Flask-Limiter does."""
    from limits import parse

    from tests.factories import limited_app

    with limited_app(SURVEY_POST_LIMIT="5 per hour;2 per minute", RATELIMIT_KEY_PREFIX="kantor-a") as (app, demo):
        client = app.test_client()
        codes = [client.post("/s/dpmptsp-uji/loket-1", data=survey_form(demo.izin.id)).status_code for _ in range(3)]
        assert codes == [303, 303, 429]
        args = ("kantor-a", "127.0.0.1", "survey.submit")
        minute, hour = parse("2 per minute"), parse("5 per hour")
        assert limiter.limiter.get_window_stats(minute, *args).remaining == 0
        assert limiter.limiter.get_window_stats(hour, *args).remaining == 3  # the refused third: not counted here


def test_a_storage_error_on_the_survey_post_is_let_through_only_when_told_to(monkeypatch):
    from tests.factories import limited_app

    def broken(*_args, **_kw):
        raise ConnectionError("storage down")

    with limited_app() as (app, demo):
        monkeypatch.setattr(limiter.limiter, "hit", broken)
        refused = app.test_client().post("/s/dpmptsp-uji/loket-1", data=survey_form(demo.izin.id))
        assert refused.status_code == 500  # as with Flask-Limiter's own checks: no answer counted without its limit
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0
        app.config["RATELIMIT_SWALLOW_ERRORS"] = True
        assert app.test_client().post("/s/dpmptsp-uji/loket-1", data=survey_form(demo.izin.id)).status_code == 303
