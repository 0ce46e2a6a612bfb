"""The one error convention of every domain, and error pages that leak nothing and leave the session clean.

A domain error (`DomainError` and its subclasses in each package) carries `Message`s: an Indonesian msgid
marked with `N_` where it is written, its parameters, and optionally the field or cell it is about. A message
is translated when it is shown (English interface: English), so views, templates and the CLI handle every
domain error the same way: `exc.messages` to list them, `exc.by_field()` for a form, `str(exc)` for a line.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import Flask, Response, flash, has_app_context, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from app.extensions import db

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """A translatable message: msgid (Indonesian, marked with N_), parameters, and the field it is about."""

    text: str
    params: Mapping[str, object] = field(default_factory=dict)
    field: str = ""

    def __str__(self) -> str:
        text = _(self.text) if has_app_context() else self.text
        return text % dict(self.params) if self.params else text


def as_message(value: "Message | str", /, *, field: str = "", **params) -> Message:
    """Return `value` as a Message (a plain msgid becomes one with the given field and parameters)."""
    if isinstance(value, Message):
        return value
    return Message(value, params, field)


class DomainError(ValueError):
    """Input that breaks a domain rule; nothing was written. Carries one or more translatable messages.

    ``DomainError(N_("Kode '%(slug)s' sudah dipakai."), slug=slug)`` for one message, or
    ``DomainError({"age": N_("..."), "gender": N_("...")})`` for one message per field.
    """

    def __init__(self, *messages: "Message | str | Mapping[str, Message | str]", **params):
        collected: list[Message] = []
        for item in messages:
            if isinstance(item, Mapping):
                collected += [as_message(text, field=name, **params) for name, text in item.items()]
            else:
                collected.append(as_message(item, **params))
        self.messages: tuple[Message, ...] = tuple(collected)
        super().__init__("; ".join(m.text % dict(m.params) if m.params else m.text for m in collected))

    def by_field(self) -> dict[str, Message]:
        """The messages keyed by field ("" for the whole input), for a form."""
        return {m.field: m for m in self.messages}

    def __str__(self) -> str:
        return "; ".join(str(m) for m in self.messages)


_MESSAGES = {
    400: _l("Permintaan tidak dapat diproses. Periksa isian Anda lalu coba lagi."),
    403: _l("Anda tidak berhak membuka halaman ini."),
    404: _l("Halaman tidak ditemukan."),
    405: _l("Metode permintaan tidak diizinkan."),
    409: _l("Permintaan bertentangan dengan data yang sudah ada."),
    413: _l("Berkas atau isian terlalu besar."),
    429: _l("Terlalu banyak permintaan. Tunggu sebentar lalu coba lagi."),
    500: _l("Terjadi kesalahan pada server. Kejadian ini sudah dicatat; silakan coba lagi nanti."),
}


def flash_errors(exc: DomainError) -> None:
    """Flash every message of a domain error, translated, for the next page."""
    for message in exc.messages:
        flash(str(message), "error")


def show_errors(exc: DomainError, form) -> None:
    """Put each message of a domain error beside its field of `form` (WTForms: shown under the field) and flash the
    messages about no field of it, for a page rendered again with the form."""
    for message in exc.messages:
        target = form._fields.get(message.field) if message.field else None
        if target is None:
            flash(str(message), "error")
        else:
            target.errors = [*target.errors, str(message)]


def _page(code: int, message: str | None = None):
    db.session.rollback()
    text = message or str(_MESSAGES.get(code, _MESSAGES[400]))
    return render_template("errors/error.html", code=code, message=text), code


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error and every unexpected exception as a plain page."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _page(400, _("Sesi formulir sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi."))

    @app.errorhandler(SecurityError)
    def untrusted_host(_error: SecurityError):
        # A Host header outside TRUSTED_HOSTS: no URL can be built for it, so no page template either.
        db.session.rollback()
        return Response(_("Alamat situs ini tidak dikenal."), 400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _page(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        logger.exception("Unhandled error")
        return _page(500)
