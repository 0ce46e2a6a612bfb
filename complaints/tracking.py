"""Tracking codes: 80 random bits as 16 Crockford base32 characters in four groups; only their hash is stored."""

import hashlib
import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
GROUPS = 4
GROUP_SIZE = 4
LENGTH = GROUPS * GROUP_SIZE  # 16 characters x 5 bits = 80 bits
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")
_VALID = frozenset(ALPHABET)


def new_code() -> str:
    """Return a fresh code such as "7K3M-Q9XB-2HVD-R4TZ" (80 bits from `secrets`)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(chars[i : i + GROUP_SIZE] for i in range(0, LENGTH, GROUP_SIZE))


def normalise(text: str | None) -> str | None:
    """Return the 16 canonical characters of a typed code (case, spaces, dashes, O/I/L tolerated), or None."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    compact = _SEPARATORS.sub("", text).upper().translate(_READ_AS)
    if len(compact) != LENGTH or not set(compact) <= _VALID:
        return None
    return compact


def display(text: str) -> str | None:
    """Return a typed code in its printed form (groups of four), or None when it is not a code."""
    compact = normalise(text)
    if compact is None:
        return None
    return "-".join(compact[i : i + GROUP_SIZE] for i in range(0, LENGTH, GROUP_SIZE))


def code_hash(code: str | None) -> str | None:
    """Return the sha256 hex digest of the normalised code (what the database keeps), or None."""
    compact = normalise(code)
    if compact is None:
        return None
    return hashlib.sha256(compact.encode("ascii")).hexdigest()
