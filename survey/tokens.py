"""One-time survey codes printed on receipts, queue tickets or cut-out slips.

A code is 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U), about 49 random bits, typed
as "ABCDE-FGHJK" or opened from the QR on the slip. Only a keyed hash of each code is stored, with its batch
and place in it. Spending flips that place's character in the batch's `spent` string with one guarded UPDATE:
the database's row lock decides a race, and nothing records when a code was spent or which response used it.
"""

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from app import clock
from app.directory import Counter
from app.errors import DomainError
from app.extensions import db
from app.i18n import N_
from survey.models import SurveyToken, TokenBatch

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
MAX_BATCH = 5000
_SEPARATORS = str.maketrans("", "", " -._\t")


class TokenError(DomainError):
    """A code that cannot be used; the message is shown to the citizen."""


@dataclass(frozen=True)
class IssuedTokens:
    """A fresh batch: the codes exist only here (the database keeps their hashes)."""

    batch_id: int
    counter: Counter
    codes: list[str]
    issued_on: date
    expires_on: date


@dataclass(frozen=True)
class TokenRef:
    """A valid code's place: its batch and its index in the batch."""

    batch_id: int
    position: int


def display(code: str) -> str:
    """ "ABCDEFGHJK" -> "ABCDE-FGHJK", as printed and as a citizen types it."""
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def normalize(raw: str | None) -> str | None:
    """Return the code in its stored form (upper case, no separators), or None if it cannot be one."""
    if not raw or len(raw) > 3 * CODE_LENGTH:
        return None
    code = unicodedata.normalize("NFKC", raw).translate(_SEPARATORS).upper()  # full-width keyboards too
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def _code_hash(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, f"survey-code:{code}".encode(), hashlib.sha256).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def issue_tokens(*, counter: Counter, count: int) -> IssuedTokens:
    """Create a batch of `count` codes for a counter, valid SURVEY_TOKEN_MAX_AGE_DAYS from today. Flushes."""
    if not 1 <= count <= MAX_BATCH:
        raise TokenError(N_("Jumlah kode harus 1-5000."))
    codes: list[str] = []
    seen: set[str] = set()
    while len(codes) < count:
        code = _new_code()
        if code not in seen:
            seen.add(code)
            codes.append(code)
    today = clock.today()
    expires_on = today + timedelta(days=current_app.config["SURVEY_TOKEN_MAX_AGE_DAYS"])
    batch = TokenBatch(counter_id=counter.id, issued_on=today, expires_on=expires_on, size=count, spent="0" * count)
    db.session.add(batch)
    db.session.flush()
    db.session.execute(
        sa.insert(SurveyToken),
        [{"code_hash": _code_hash(code), "batch_id": batch.id, "position": i} for i, code in enumerate(codes)],
    )
    return IssuedTokens(batch_id=batch.id, counter=counter, codes=codes, issued_on=today, expires_on=expires_on)


def check_token(raw: str | None, *, counter_id: int) -> TokenRef:
    """Find a code issued for this counter and still valid (spent or not: see `is_spent`).

    :raise TokenError: malformed or unknown, for another counter, or expired.
    """
    code = normalize(raw)
    row = None
    if code is not None:
        row = db.session.execute(
            sa.select(SurveyToken.batch_id, SurveyToken.position, TokenBatch.counter_id, TokenBatch.expires_on)
            .join(TokenBatch, TokenBatch.id == SurveyToken.batch_id)
            .where(SurveyToken.code_hash == _code_hash(code))
        ).first()
    if row is None:
        raise TokenError(N_("Kode survei tidak dikenal. Periksa lagi huruf dan angkanya."))
    if row.counter_id != counter_id:
        raise TokenError(N_("Kode survei ini bukan untuk loket ini."))
    if row.expires_on < clock.today():
        raise TokenError(N_("Kode survei sudah kedaluwarsa."))
    return TokenRef(batch_id=row.batch_id, position=row.position)


def is_spent(ref: TokenRef) -> bool:
    """Whether the code was already used."""
    spent = db.session.scalar(
        sa.select(sa.func.substr(TokenBatch.spent, ref.position + 1, 1)).where(TokenBatch.id == ref.batch_id)
    )
    return spent != "0"


def spend(ref: TokenRef) -> bool:
    """Mark a code used; True if this call spent it, False if it already was (or a concurrent call won)."""
    place = ref.position + 1
    result = db.session.execute(
        sa.update(TokenBatch)
        .where(TokenBatch.id == ref.batch_id, sa.func.substr(TokenBatch.spent, place, 1) == "0")
        .values(
            spent=sa.func.substr(TokenBatch.spent, 1, ref.position) + "1" + sa.func.substr(TokenBatch.spent, place + 1)
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def prune_expired(*, today: date | None = None) -> int:
    """Delete batches (and their codes) that expired before today; safe to run twice or from two hosts."""
    today = today or clock.today()
    expired = sa.select(TokenBatch.id).where(TokenBatch.expires_on < today)
    db.session.execute(sa.delete(SurveyToken).where(SurveyToken.batch_id.in_(expired)))
    return db.session.execute(sa.delete(TokenBatch).where(TokenBatch.expires_on < today)).rowcount or 0
