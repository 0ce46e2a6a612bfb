"""Security baseline: headers on every page, cookies, secrets, error pages."""

import re

import pytest

from app import create_app
from app.config import DEV_SECRET_KEY
from app.extensions import db
from tests.conftest import make_app
from tests.factories import survey_form

PUBLIC_PAGES = [
    "/",
    "/s/dpmptsp-uji/loket-1",
    "/s/dpmptsp-uji/loket-1/terima-kasih",
    "/s/dpmptsp-uji/loket-3",
    "/auth/login",
    "/tidak-ada",
    "/s/dpmptsp-uji/loket-1?lang=en",
]


def assert_security_headers(response, *, kiosk: bool = False):
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    if kiosk:  # the kiosk's idle-reset script, by its hash only
        assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'$", csp)
    else:
        assert "script-src" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_security_headers_on_every_public_page(client, demo, path):
    response = client.get(path)
    assert_security_headers(response)
    if response.mimetype == "text/html":
        assert response.headers["Cache-Control"] == "no-store"
        assert "<script" not in response.get_data(as_text=True)


def test_only_the_kiosk_form_may_run_its_one_script(client, demo):
    from tests.factories import as_kiosk

    as_kiosk(client, demo.static)
    for _ in range(2):
        response = client.get("/s/dpmptsp-uji/loket-1")
        assert_security_headers(response, kiosk=True)
        assert response.get_data(as_text=True).count("<script>") == 1


def test_security_headers_on_errors_and_posts(client, demo):
    assert_security_headers(client.post("/s/dpmptsp-uji/loket-1", data={"u1": "9"}))
    assert_security_headers(client.post("/s/dpmptsp-uji/loket-1", data=survey_form(demo.izin.id)))


def test_inline_stylesheet_matches_its_csp_hash(client, demo):
    import base64
    import hashlib
    import re

    response = client.get("/s/dpmptsp-uji/loket-1")
    css = re.search(r"<style>(.*?)</style>", response.get_data(as_text=True), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in response.headers["Content-Security-Policy"]


def test_hsts_only_over_https(client, demo):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://skm.example.go.id")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_production_refuses_the_development_secret(monkeypatch):
    for secret in (DEV_SECRET_KEY, "", "short"):
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app({"SKM_ENV": "production", "SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_refuses_to_start_without_a_public_base_url():
    # Printed QR codes must never carry whatever Host header a request brought, nor a local address.
    for base in ("", "skm.example.go.id"):
        with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
            create_app({"SKM_ENV": "production", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                        "PUBLIC_BASE_URL": base})  # fmt: skip


def test_cli_warns_when_printed_links_point_at_this_computer(app, runner, demo, tmp_path):
    app.config["PUBLIC_BASE_URL"] = ""  # development without a base: links fall back to 127.0.0.1
    tokens = runner.invoke(args=["survey", "tokens", "dpmptsp-uji", "loket-3", "--count", "1"])
    assert tokens.exit_code == 0 and "a phone cannot open it" in tokens.output
    poster = runner.invoke(args=["survey", "poster", "dpmptsp-uji", "loket-1", "-o", str(tmp_path / "p.pdf")])
    assert "PUBLIC_BASE_URL" in poster.output
    app.config["PUBLIC_BASE_URL"] = "https://skm.example.go.id"
    tokens = runner.invoke(args=["survey", "tokens", "dpmptsp-uji", "loket-3", "--count", "1"])
    assert tokens.exit_code == 0 and "a phone cannot open it" not in tokens.output


def test_production_cookies_are_secure():
    app = create_app({"SKM_ENV": "production", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "PUBLIC_BASE_URL": "https://skm.example.go.id"})  # fmt: skip
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"


def test_postgres_urls_use_psycopg3():
    app = create_app({"SKM_ENV": "development", "SQLALCHEMY_DATABASE_URI": "postgres://u@h/db"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    import sqlalchemy as sa

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/x.sqlite")
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(sa.text("PRAGMA synchronous")).scalar() == 1  # NORMAL
            assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() == 5000
        db.engine.dispose()


def test_unexpected_error_leaks_nothing_and_rolls_back(app, client, demo):
    from app.directory import Unit

    @app.route("/boom")
    def boom():
        db.session.add(Unit(name="half written", slug="half"))
        db.session.flush()
        raise RuntimeError("secret internal detail")

    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internal detail" not in body and "Traceback" not in body
    assert_security_headers(response)
    import sqlalchemy as sa

    assert db.session.scalar(sa.select(Unit).where(Unit.slug == "half")) is None


def test_404_page_is_plain(client):
    response = client.get("/nope/../../etc/passwd")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


def test_login_is_rate_limited(app, client, admin):
    app.config["RATELIMIT_ENABLED"] = True
    from app.extensions import limiter

    limiter.enabled = True
    try:
        codes = [
            # A different account each time: the per-account backoff (tests/test_login_throttle.py) stays out of it.
            client.post("/auth/login", data={"username": f"orang{i}", "password": "wrong password!"}).status_code
            for i in range(12)
        ]
    finally:
        limiter.enabled = False
        limiter.reset()
    assert codes[:10] == [401] * 10
    assert codes[10:] == [429, 429]


def test_login_logout_and_admin_protection(client, admin):
    assert client.get("/admin/").status_code == 302
    bad = client.post("/auth/login", data={"username": "admin", "password": "nope nope nope"})
    assert bad.status_code == 401 and "salah" in bad.get_data(as_text=True)
    ok = client.post("/auth/login?next=/admin/", data={"username": "ADMIN", "password": "correct horse battery"})
    assert ok.status_code == 302 and ok.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/auth/logout").status_code == 405  # logout is POST only
    client.post("/auth/logout")
    assert client.get("/admin/").status_code == 302


def test_login_ignores_offsite_next(client, admin):
    # Browsers drop tabs and newlines in a Location: "/%09/evil.example" would become "//evil.example".
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "/%09/evil.example", "/%0a/x",
                   "/%0d/evil.example", "/%20/evil.example"):  # fmt: skip
        result = client.post(
            f"/auth/login?next={target}", data={"username": "admin", "password": "correct horse battery"}
        )
        assert result.headers["Location"] == "/admin/"
        client.post("/auth/logout")


def test_passwords_are_argon2id(admin):
    assert admin.password_hash.startswith("$argon2id$")


def test_production_refuses_a_public_base_url_on_this_computer():
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app({"SKM_ENV": "production", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "PUBLIC_BASE_URL": "http://127.0.0.1:5000"})  # fmt: skip


@pytest.mark.usefixtures("fast_hashing")
@pytest.mark.parametrize(
    ("role", "path", "method"),
    [
        ("pengaduan", "/admin/pengaduan/99999999999999999999", "GET"),
        ("pengaduan", "/admin/pengaduan/99999999999999999999/verify", "POST"),
        ("pengaduan", "/admin/pengaduan/1/lampiran/99999999999999999999", "GET"),
        ("wbs", "/admin/wbs/99999999999999999999", "GET"),
        ("admin", "/admin/pengguna/99999999999999999999/ubah", "GET"),
        ("admin", "/admin/pengguna/2147483648/ubah", "GET"),
        ("admin", "/admin/pengguna/\u0661\u0662/ubah", "GET"),  # Arabic-Indic digits are not an id
    ],
)
def test_an_absurd_id_in_a_url_is_a_404_never_a_500(client, demo, role, path, method):
    from tests.factories import log_in, make_user

    log_in(client, make_user(role))
    assert client.open(path, method=method).status_code == 404


def test_trusted_hosts_refuse_any_other_host_header(app, client, demo):
    app.config["TRUSTED_HOSTS"] = ["skm.example.go.id"]
    assert client.get("/", headers={"Host": "skm.example.go.id"}).status_code == 200
    refused = client.get("/s/dpmptsp-uji/loket-1", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and b"evil.example" not in refused.data


def test_a_forged_host_header_never_reaches_a_printed_link(app, demo, login, tmp_path):
    """Posters, slips and the codes' CSV print PUBLIC_BASE_URL, whatever Host the officer's request carried."""
    import csv
    import io
    import shutil
    import subprocess

    evil = {"Host": "evil.example"}
    session = app.config["SESSION_COOKIE_NAME"]
    login.set_cookie(session, login.get_cookie(session).value, domain="evil.example")  # the officer, tricked
    poster = login.get(f"/admin/counters/{demo.static.id}/poster.png", headers=evil)
    assert poster.status_code == 200
    if shutil.which("zbarimg"):  # Debian zbar-tools (make browser); the CSV check below stands without it
        path = tmp_path / "poster.png"
        path.write_bytes(poster.data)
        decoded = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True, check=True)
        assert decoded.stdout.split() == ["https://skm.example.go.id/s/dpmptsp-uji/loket-1"]
    codes = login.post(f"/admin/counters/{demo.token.id}/tokens", data={"count": "2", "fmt": "csv"}, headers=evil)
    links = [row["tautan"] for row in csv.DictReader(io.StringIO(codes.get_data(as_text=True)))]
    assert len(links) == 2 and all(link.startswith("https://skm.example.go.id/s/") for link in links)
