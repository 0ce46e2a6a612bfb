"""Error pages that leak nothing and leave the database session clean."""

import logging

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db

logger = logging.getLogger(__name__)

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


def _page(code: int, message: str | None = None):
    db.session.rollback()
    text = message or str(_MESSAGES.get(code, _MESSAGES[400]))
    return render_template("errors/error.html", code=code, message=text), code


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error and every unexpected exception as a plain page."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _page(400, _("Sesi formulir sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _page(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        logger.exception("Unhandled error")
        return _page(500)
