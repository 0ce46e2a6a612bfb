"""How long a staff session lives: it ends after STAFF_IDLE_MINUTES without a request, and logging out ends every
session of the account (a copied cookie stops working too)."""

import time

from flask import Flask, flash, redirect, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import current_user, logout_user

from app.extensions import db
from app.i18n import N_

_SEEN = "seen"  # the session's last request, in seconds since the epoch
IDLE_MESSAGE = N_("Sesi Anda berakhir karena terlalu lama tidak dipakai. Silakan masuk lagi.")


def end_everywhere(user) -> None:
    """Make every session of `user` stale, this one included (the session id carries the version). Flushes."""
    user.session_version += 1
    db.session.flush()


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, whose signer (an HMAC key derivation) is built only for a request that
    carries a session cookie. A citizen's survey POST carries none: it starts with an empty session, as Flask's
    own interface gives it, without that work."""

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    """End a logged-in session left idle; remember each request's time in the (signed) session cookie."""
    app.session_interface = CookieSessions()

    @app.before_request
    def end_idle_sessions():
        if not current_user.is_authenticated:
            return None
        now = int(time.time())
        seen = session.get(_SEEN)
        if isinstance(seen, int) and now - seen > app.config["STAFF_IDLE_MINUTES"] * 60:
            logout_user()
            session.clear()
            flash(str(IDLE_MESSAGE), "error")
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        session[_SEEN] = now
        return None
