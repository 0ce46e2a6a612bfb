"""Text typed by anyone, made safe to store and show: one cleaner for every form."""

import re
import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_LINE_BREAKS = re.compile(r"\r\n?")


def clean(value: object, *, multiline: bool = False) -> str:
    """Strip control characters (NUL included: PostgreSQL cannot store it) and direction overrides, keeping line
    breaks and tabs in long text, and trim."""
    if value is None:
        return ""
    text = _LINE_BREAKS.sub("\n", str(value)).translate(_INVISIBLE)
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    keep = "\n\t" if multiline else ""
    text = "".join(ch for ch in text if ch in keep or unicodedata.category(ch) not in ("Cc", "Cs"))
    return text.strip()


def ascii_int(value: object, *, max_digits: int = 9) -> int | None:
    """A number typed or posted as a short run of ASCII digits ("²" and "①" are digits to Python, not to us)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= max_digits:
        return int(value)
    return None
