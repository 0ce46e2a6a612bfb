"""Interface language: Indonesian by default, English on request."""

from flask import Flask, Response, current_app, has_request_context, request, url_for
from flask_babel import get_locale, refresh

LANG_COOKIE = "lang"
_SWITCHED = "skm.lang"
_SHARED = "skm.shared_device"


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown (``_(message)`` in a template)."""
    return message


def _requested_lang() -> str | None:
    lang = request.args.get("lang")
    return lang if lang in current_app.config["LANGUAGES"] else None


def mark_shared_device() -> None:
    """This request comes from a device that serves one citizen after another (a registered kiosk): it never
    remembers a language. Call before anything is rendered."""
    request.environ[_SHARED] = True


def _shared_device() -> bool:
    return bool(request.environ.get(_SHARED))


def select_locale() -> str:
    """Pick the locale from a switch in this request, ?lang=, then the lang cookie (never on a kiosk), else the
    default (id; also outside a request)."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    lang = request.environ.get(_SWITCHED) or _requested_lang()
    if lang is None and not _shared_device():
        lang = request.cookies.get(LANG_COOKIE)
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def switch_locale(lang: str) -> bool:
    """Use `lang` for the rest of this request (a language button posted with a form); False if unknown."""
    if lang not in current_app.config["LANGUAGES"]:
        return False
    request.environ[_SWITCHED] = lang  # request-scoped (g can outlive a request in tests)
    refresh()
    return True


def lang_url(lang: str) -> str:
    """Return the current page's URL in another language."""
    kept = {k: v for k, v in request.args.items() if len(v) <= 100}  # a pasted megabyte is not carried along
    args = {**request.view_args, **kept, "lang": lang} if request.view_args is not None else {}
    if request.endpoint is None:
        return "?lang=" + lang
    return url_for(request.endpoint, **args)


def init_app(app: Flask) -> None:
    """Remember an explicit language choice in a cookie."""

    @app.after_request
    def remember_lang(response: Response) -> Response:
        lang = request.environ.get(_SWITCHED) or _requested_lang()
        if lang and request.cookies.get(LANG_COOKIE) != lang and not _shared_device():
            response.set_cookie(
                LANG_COOKIE,
                lang,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                secure=app.config["SESSION_COOKIE_SECURE"],
                httponly=True,
            )
        return response

    app.jinja_env.globals.update(lang_url=lang_url, get_locale=get_locale)
    app.jinja_env.filters["office_time"] = office_time
    app.jinja_env.filters["office_date"] = office_date


def office_time(moment) -> str:
    """A stored (UTC) moment on the office clock, as staff read it: "01-10-2026 10.30 WITA"."""
    from app.clock import local_datetime

    local = local_datetime(moment)
    return f"{local:%d-%m-%Y %H.%M} {local.tzname() or ''}".strip()


def office_date(moment) -> str:
    """The office date of a stored (UTC) moment: "02-11-2026" (what a citizen's calendar said then)."""
    from app.clock import local_date

    return f"{local_date(moment):%d-%m-%Y}"
