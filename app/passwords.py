"""Password hashing (argon2id) and the password policy: length, a shipped list of common passwords, not the name."""

import functools
import os
import threading
from typing import TYPE_CHECKING

from app.errors import DomainError
from app.i18n import N_

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128  # argon2 of a huge input costs CPU: cap it (ASVS allows >= 64)
COMMON_PASSWORDS_FILE = os.path.join(os.path.dirname(__file__), "data", "common_passwords.txt")

# argon2 (and its C bindings) is imported by the first hash or check, not by a web worker at start.
_hasher: "PasswordHasher | None" = None  # argon2id, RFC 9106 low-memory profile, once made; tests put a cheaper one
_dummy_lock = threading.Lock()
_dummy_hash: str | None = None


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


def hasher() -> "PasswordHasher":
    """The process's argon2id hasher, made on first use."""
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher

        _hasher = PasswordHasher()
    return _hasher


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password."""
    return hasher().hash(password)


def dummy_hash() -> str:
    """The hash checked when the account is unknown, so a wrong username costs as much as a wrong password.

    Made on first use, once per process (again only if the hasher's parameters change, so it always costs what a
    real hash costs): at import it cost every web worker ~0.2 s and a 64 MiB argon2 buffer.
    """
    global _dummy_hash
    with _dummy_lock:
        if _dummy_hash is None or hasher().check_needs_rehash(_dummy_hash):
            _dummy_hash = hasher().hash("not-a-real-password")
        return _dummy_hash


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against a hash (against a dummy hash when there is none, to take the same time)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    dummy = dummy_hash()  # made by a process's first check, whether the account exists or not: same time either way
    try:
        return hasher().verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with older argon2 parameters."""
    return hasher().check_needs_rehash(password_hash)
