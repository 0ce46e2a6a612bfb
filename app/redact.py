"""A personal-data screen for free text that leaves the office: comments printed in a report or an evidence pack.

It masks what a citizen may type about themselves into a suggestion or a complaint:

* numbers of nine digits or more, written with or without spaces, dots, dashes, slashes or brackets: a NIK or KK
  number (16 digits), a mobile or landline number (``0812-3456-7890``, ``+62 812 3456 7890``, ``(0541) 123456``),
  an account number. An amount written after ``Rp``/``IDR`` in thousands (``Rp 15.000.000``) is a price, not a
  person, and is kept;
* e-mail addresses;
* a name given after ``nama saya``, ``saya bernama``, ``nama:``, ``atas nama``/``a.n.``, ``saya adalah`` (the words
  up to punctuation or a joining word, at most four), and capitalised words right after ``saya``
  (``Saya Budi Santoso dari ...``), except words that commonly start a sentence there (``Saya Sangat ...``).

It is a screen, not a guarantee: a name typed in lower case after a plain "saya", or an address, gets through.
That is why an officer can also hide a whole comment from the report. The raw text stays in the database.
"""

import re

NUMBER_MASK = "[nomor disamarkan]"
EMAIL_MASK = "[email disamarkan]"
NAME_MASK = "[nama disamarkan]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A leading + or bracket, then nine or more digits, each pair separated by at most two of " .-/()".
_NUMBER = re.compile(r"(?<![\w+])\+?\(?\d(?:[ .\-/()]{0,2}\d){8,}\)?(?!\w)")
_AMOUNT_BEFORE = re.compile(r"(?:rp|idr)\.?\s*$", re.IGNORECASE)
_AMOUNT = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?")  # 15.000.000 or 1.250.000,50: thousands by dots

_WORD = r"[^\W\d_][\w'’.-]*"
# Words that end a name: joining words and what usually follows a name in a comment.
_STOP = frozenset(
    "dan atau yang dari di ke dengan untuk pada sebagai selaku warga pemohon ingin mau sudah telah tidak "
    "sangat merasa mengurus datang ada adalah juga hanya akan bisa dapat mohon minta berharap kecewa puas "
    "senang terima kasih tinggal alamat beralamat rt rw no nomor kel kec kelurahan kecamatan".split()
)
_NAME_CUE = re.compile(
    r"\b(?:nama\s+saya|saya\s+bernama|saya\s+adalah|nama\s*:|atas\s+nama|a\.\s?n\.)\s*", re.IGNORECASE
)
_SAYA = re.compile(r"\bsaya\s+", re.IGNORECASE)
_NEXT_WORD = re.compile(r"\s*(" + _WORD + r")")


def _name_span(text: str, start: int, *, capitalised_only: bool) -> int:
    """The end of the name that starts at `start` (== start when there is none): up to four words, stopping at
    punctuation, a stop word or, when `capitalised_only`, a word that does not start with a capital."""
    end, words = start, 0
    while words < 4:
        match = _NEXT_WORD.match(text, end)
        if not match:
            break
        word = match.group(1).rstrip(".")
        if word.lower() in _STOP or (capitalised_only and not word[:1].isupper()):
            break
        end, words = match.end(1), words + 1
    return end


def _mask_names(text: str) -> str:
    spans: list[tuple[int, int]] = []
    for cue, capitalised_only in ((_NAME_CUE, False), (_SAYA, True)):
        for match in cue.finditer(text):
            end = _name_span(text, match.end(), capitalised_only=capitalised_only)
            if end > match.end():
                spans.append((match.end(), end))
    for start, end in sorted(set(spans), reverse=True):
        if not text[start:end].strip().startswith("["):  # already masked by an overlapping cue
            text = text[:start] + NAME_MASK + text[end:]
    return text


def _mask_number(match: re.Match) -> str:
    """An amount (Rp followed by a number written in thousands) is kept; any other long number is masked."""
    if _AMOUNT.fullmatch(match.group(0)) and _AMOUNT_BEFORE.search(match.string[: match.start()]):
        return match.group(0)
    return NUMBER_MASK


def mask_personal_data(text: str) -> str:
    """`text` with e-mail addresses, long numbers and self-given names masked (see the module's docstring)."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _NUMBER.sub(_mask_number, text)
    return _mask_names(text)
