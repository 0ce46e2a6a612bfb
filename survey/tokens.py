"""One-time survey tokens printed on receipts or queue tickets.

A token is signed (itsdangerous) so it cannot be forged; it is spent by the
first response that carries it, and the database's UNIQUE(token_hash) is what
enforces single use, even under concurrent submissions.
"""

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.errors import DomainError
from app.i18n import N_

_SALT = "skm-survey-token-v1"


class TokenError(DomainError):
    """A token that cannot be used; the message is shown to the citizen."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue_tokens(*, counter_id: int, count: int) -> list[str]:
    """Return `count` fresh signed tokens for a counter."""
    if not 1 <= count <= 5000:
        raise TokenError(N_("Jumlah token harus 1-5000."))
    serializer = _serializer()
    return [serializer.dumps({"c": counter_id, "n": secrets.token_urlsafe(12)}) for _ in range(count)]


def check_token(token: str, *, counter_id: int) -> str:
    """Verify a token for a counter and return its hash (the single-use key)."""
    max_age = current_app.config["SURVEY_TOKEN_MAX_AGE_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError(N_("Kode survei sudah kedaluwarsa.")) from None
    except BadSignature:
        raise TokenError(N_("Kode survei tidak sah.")) from None
    if not isinstance(data, dict) or data.get("c") != counter_id or not isinstance(data.get("n"), str):
        raise TokenError(N_("Kode survei ini bukan untuk loket ini."))
    return hashlib.sha256(data["n"].encode("utf-8")).hexdigest()
