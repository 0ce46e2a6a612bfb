"""Security headers and the inline stylesheet allowed by the Content-Security-Policy."""

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


def _load_css(app: Flask, name: str) -> tuple[str, str]:
    path = os.path.join(app.root_path, "static", name)
    with open(path, encoding="utf-8") as fh:
        css = fh.read().strip()
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return css, f"'sha256-{digest}'"


def init_app(app: Flask) -> None:
    """Serve the inline stylesheets and add strict security headers to every response."""
    css, css_hash = _load_css(app, "app.css")
    admin_css, admin_css_hash = _load_css(app, "admin.css")
    # No script anywhere: the pages work without JavaScript. The only inline
    # content is the stylesheets, allowed by their hashes so a page is one request.
    csp = (
        "default-src 'none'; "
        f"style-src {css_hash} {admin_css_hash}; "
        "img-src 'self' data:; "
        "form-action 'self'; "
        "frame-ancestors 'none'; "
        "base-uri 'none'; "
        "object-src 'none'"
    )

    @app.context_processor
    def inline_css() -> dict:
        return {"inline_css": Markup(css), "admin_css": Markup(admin_css)}

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure and app.config.get("HSTS_SECONDS"):
            headers.setdefault("Strict-Transport-Security", f"max-age={app.config['HSTS_SECONDS']}")
        if response.mimetype == "text/html":
            # Survey answers and officer pages must never come back from a cache
            # or the back button on a shared kiosk.
            headers.setdefault("Cache-Control", "no-store")
        return response
