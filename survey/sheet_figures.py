"""The office's own figures on its sheet: the summary rows `survey.sheets` leaves out of the respondents.

An office's "lembar pengolahan data" ends with rows it computed itself: per element Σ (Jumlah), the answered count,
NRR and NRR tertimbang, sometimes the weight (bobot 0,111), then the IKM (1-4), the NIK (25-100) and the mutu or
kinerja. They are kept here as written (value and the decimals shown, "4,00", "4.00" and "90,11" alike) with the
row each came from, so the figures can be checked against the exact ones. Nothing is computed here.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from survey.questionnaire import ELEMENT_CODES, plain_words

# What an office's summary row holds, by the words of its label (plain_words: lower case, no punctuation).
SUM, COUNT, NRR, NRR_WEIGHTED, WEIGHT = "sum", "count", "nrr", "nrr_weighted", "weight"
IKM, NIK, MUTU, RESPONDENTS, OTHER = "ikm", "nik", "mutu", "respondents", "other"

_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:\.\d{3})+,\d+|\d{1,3}(?:,\d{3})+\.\d+|\d+(?:[.,]\d+)?)")
_WORDS = {
    WEIGHT: ("bobot", "penimbang"),
    NRR_WEIGHTED: ("tertimbang",),
    COUNT: ("responden", "kuesioner", "terisi", "menjawab"),
    NRR: ("nrr", "rata rata", "rata2", "rerata"),
    SUM: ("jumlah", "jml", "total", "sum"),
}
_INDEX_WORDS = ("ikm", "skm", "nik", "indeks", "konversi", "tertimbang", "nrr", "nilai")
_GRADE_WORDS = ("mutu", "kinerja", "predikat", "kategori")


@dataclass(frozen=True)
class Written:
    """A number as the office wrote it: its value, the decimals it showed, and the text."""

    value: Decimal
    places: int
    text: str


@dataclass(frozen=True)
class SummaryRow:
    """One summary row of the office's sheet: its row number, label, what it holds and the figures written in it:
    per element (`values`, keyed U1..U9) or one figure (`value`, or `text` for a mutu/kinerja)."""

    number: int
    label: str
    kind: str
    values: dict[str, Written] = field(default_factory=dict)
    value: Written | None = None
    text: str = ""


def written(cell: object) -> Written | None:
    """A cell as a written number: 3 -> 3 (0 places), 2.5 -> 2,5, "4,00" / "4.00" -> 4 (2 places),
    "1.234,5" -> 1234,5; a float with a long tail (an unformatted Excel result) is kept to 9 places."""
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, int):
        return Written(Decimal(cell), 0, str(cell))
    if isinstance(cell, float):
        text = repr(cell)
        if "e" in text or "inf" in text or "nan" in text:
            return None
        places = min(len(text.split(".")[1]) if "." in text and not cell.is_integer() else 0, 9)
        return Written(round(Decimal(text), places), places, text)
    match = _NUMBER.search(str(cell))
    return _parse(match.group()) if match and str(cell).strip() else None


def _parse(text: str) -> Written:
    if "," in text and "." in text:  # the later mark is the decimal one, the other groups thousands
        decimal_mark = "," if text.rindex(",") > text.rindex(".") else "."
        digits = text.replace("." if decimal_mark == "," else ",", "").replace(",", ".")
    else:
        decimal_mark = "," if "," in text else "."
        digits = text.replace(",", ".")
    places = len(text.rsplit(decimal_mark, 1)[1]) if decimal_mark in text else 0
    return Written(Decimal(digits), places, text)


def summary_row(number: int, raw: list[object], label_at: int, columns: dict[str, int]) -> SummaryRow:
    """Read one summary row: the label is in column `label_at`, the element answers in `columns`."""
    label = str(raw[label_at]).strip()
    words = plain_words(label.replace("Σ", "jumlah ").replace("∑", "jumlah "))
    values = {}
    for code in ELEMENT_CODES:
        at = columns.get(code)
        if at is not None and at != label_at and at < len(raw) and (number_ := written(raw[at])) is not None:
            values[code] = number_
    cells = [c for i, c in enumerate(raw) if i > label_at and str(c if c is not None else "").strip()]
    if len(values) > 1:
        converted = _has(words, ("konversi", "nik", "x 25", "25", "interval"))  # NRR x 25 per element: not checked
        kind = OTHER if converted else next((kind for kind, names in _WORDS.items() if _has(words, names)), OTHER)
        return SummaryRow(number, label[:60], kind, values)
    after = re.split(r"[:=]", label, maxsplit=1)[1] if re.search(r"[:=]", label) else ""
    text = (str(cells[0]).strip() if cells else after.strip())[:40]
    if _has(words, _GRADE_WORDS):
        return SummaryRow(number, label[:60], MUTU if len(cells) <= 2 else OTHER, text=text)
    value = next((w for w in (written(c) for c in cells) if w is not None), None) or written(after)
    if value is None:
        return SummaryRow(number, label[:60], OTHER, text=text)
    return SummaryRow(number, label[:60], _single_kind(words, value), value=value)


def _single_kind(words: str, value: Written) -> str:
    if _has(words, _WORDS[WEIGHT]):
        return WEIGHT
    if _has(words, ("responden", "kuesioner")):
        return RESPONDENTS
    if not _has(words, _INDEX_WORDS):
        return OTHER
    if 1 <= value.value <= 4:
        return IKM
    return NIK if 25 <= value.value <= 100 else OTHER


def _has(words: str, names: tuple[str, ...]) -> bool:
    padded = f" {words} "
    return any(f" {name} " in padded or padded.startswith(f" {name}") for name in names)
