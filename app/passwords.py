"""Password hashing (argon2id) and the password policy: length, a shipped list of common passwords, not the name."""

import functools
import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.errors import DomainError
from app.i18n import N_

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128  # argon2 of a huge input costs CPU: cap it (ASVS allows >= 64)
COMMON_PASSWORDS_FILE = os.path.join(os.path.dirname(__file__), "data", "common_passwords.txt")

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
# Verified when the account is unknown, so a wrong username costs as much as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class PasswordError(DomainError):
    """A password that the policy refuses; the message says why (never repeats the password)."""


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-case."""
    with open(COMMON_PASSWORDS_FILE, encoding="utf-8") as fh:
        return frozenset(line.strip().lower() for line in fh if line.strip() and not line.startswith("#"))


def check_password_policy(password: str, *, username: str = "") -> None:
    """Raise PasswordError unless the password is 10-128 characters, not common and not the username."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise PasswordError(
            {"password": N_("Kata sandi harus %(low)d-%(high)d karakter.")},
            low=MIN_PASSWORD_LENGTH,
            high=MAX_PASSWORD_LENGTH,
        )
    folded = password.strip().lower()
    if username and folded == username.strip().lower():
        raise PasswordError({"password": N_("Kata sandi tidak boleh sama dengan nama pengguna.")})
    if folded in common_passwords() or len(set(folded)) < 3:
        raise PasswordError(
            {"password": N_("Kata sandi ini terlalu umum dan mudah ditebak. Pilih kalimat yang lebih panjang.")}
        )


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against a hash (against a dummy hash when there is none, to take the same time)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with older argon2 parameters."""
    return _hasher.check_needs_rehash(password_hash)
