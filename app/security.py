"""Security headers, and the inline stylesheets and kiosk script allowed by the Content-Security-Policy."""

import base64
import hashlib
import os

from flask import Flask, Response, request
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

MAX_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every URL: ASCII digits up to a 32-bit id, so an absurd id is a 404, never a database error."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ROW_ID, signed=False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _load_inline(app: Flask, name: str) -> tuple[str, str]:
    """A static file's text (stripped) and its CSP source expression: inline stylesheets and the kiosk script."""
    path = os.path.join(app.root_path, "static", name)
    with open(path, encoding="utf-8") as fh:
        text = fh.read().strip()
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return text, f"'sha256-{digest}'"


# Set on every response unless a view set its own.
ALWAYS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
_KIOSK_SCRIPT = "skm.kiosk_script"  # request.environ: this response's page includes the kiosk script


def _kiosk_script(tag: Markup) -> Markup:
    """The kiosk script for a template, noting that this request's page carries it (its CSP must allow it)."""
    request.environ[_KIOSK_SCRIPT] = True
    return tag


def init_app(app: Flask) -> None:
    """Serve the inline stylesheets (and the kiosk script) and add strict security headers to every response."""
    css, css_hash = _load_inline(app, "app.css")
    extra_css, extra_css_hash = _load_inline(app, "extra.css")
    admin_css, admin_css_hash = _load_inline(app, "admin.css")
    kiosk_js, kiosk_js_hash = _load_inline(app, "kiosk.js")
    kiosk_tag = Markup(f"<script>{kiosk_js}</script>")
    # The pages work without JavaScript. The inline content is the stylesheets, allowed by their hashes so a
    # page is one request, and on the counter's kiosk form only (survey/kiosk.html) the idle-reset script.
    csp = (
        "default-src 'none'; "
        f"style-src {css_hash} {extra_css_hash} {admin_css_hash}; "
        "img-src 'self' data:; "
        "form-action 'self'; "
        "frame-ancestors 'none'; "
        "base-uri 'none'; "
        "object-src 'none'"
    )
    kiosk_csp = f"{csp}; script-src {kiosk_js_hash}"

    @app.context_processor
    def inline_css() -> dict:
        return {
            "inline_css": Markup(css),
            "extra_css": Markup(extra_css),
            "admin_css": Markup(admin_css),
            "kiosk_js": Markup(kiosk_js),
        }

    # Kiosk pages are rendered for each request (the survey's form cache never holds one), so the flag set while
    # rendering is enough.
    app.jinja_env.globals["kiosk_script"] = lambda: _kiosk_script(kiosk_tag)

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        present = {key.lower() for key in headers.keys()}  # one pass, not one scan of the headers per name
        wanted = [("Content-Security-Policy", kiosk_csp if request.environ.get(_KIOSK_SCRIPT) else csp), *ALWAYS]
        if request.is_secure and app.config.get("HSTS_SECONDS"):
            wanted.append(("Strict-Transport-Security", f"max-age={app.config['HSTS_SECONDS']}"))
        if response.mimetype == "text/html":
            # Survey answers and officer pages must never come back from a cache
            # or the back button on a shared kiosk.
            wanted.append(("Cache-Control", "no-store"))
        headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
        return response
