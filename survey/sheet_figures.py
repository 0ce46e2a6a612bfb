"""The office's own figures on its sheet: the summary rows `survey.sheets` leaves out of the respondents.

An office's "lembar pengolahan data" ends with rows it computed itself: per element Σ (Jumlah), the answered count,
NRR and NRR tertimbang, sometimes the weight (bobot 0,111), then the IKM (1-4), the NIK (25-100) and the mutu or
kinerja. They are kept here as written (value and the decimals shown, "4,00", "4.00" and "90,11" alike) with the
row each came from, so the figures can be checked against the exact ones. Nothing is computed here.
"""

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from survey.questionnaire import ELEMENT_CODES, plain_words

# What an office's summary row holds, by the words of its label (plain_words: lower case, no punctuation).
SUM, COUNT, NRR, NRR_WEIGHTED, WEIGHT = "sum", "count", "nrr", "nrr_weighted", "weight"
IKM, NIK, MUTU, RESPONDENTS, OTHER = "ikm", "nik", "mutu", "respondents", "other"

MAX_PLACES = 9  # decimals kept of a number written with more (an unformatted spreadsheet result)
MAX_DIGITS = 12  # digits before the decimal mark of a figure (longer: an identifier, not a figure)
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:\.\d{3})+,\d+|\d{1,3}(?:,\d{3})+\.\d+|\d+(?:[.,]\d+)?)")
_WORDS = {
    WEIGHT: ("bobot", "penimbang"),
    NRR_WEIGHTED: ("tertimbang",),
    COUNT: ("responden", "kuesioner", "terisi", "menjawab"),
    NRR: ("nrr", "rata rata", "rata2", "rerata"),
    SUM: ("jumlah", "jml", "total", "sum"),
}
_INDEX_WORDS = ("ikm", "skm", "nik", "indeks", "konversi", "tertimbang", "nilai")
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


def written(cell: object, *, within: bool = False) -> Written | None:
    """A cell as a written number: 3 -> 3 (0 places), 2.5 -> 2,5, "4,00" / "4.00" -> 4 (2 places),
    "1.234,5" -> 1234,5; a long tail (an unformatted Excel result) is kept to MAX_PLACES, rounded half-up.
    `within`: the first number in a text ("87,11 (Baik)"), else the whole cell must be the number."""
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, int):
        return _kept(Decimal(cell), 0, str(cell))
    if isinstance(cell, float):
        text = repr(cell)
        if "e" in text or "inf" in text or "nan" in text:
            return None
        return _kept(Decimal(text), 0 if cell.is_integer() else len(text.split(".")[1]), text)
    match = _NUMBER.search(str(cell)) if within else _NUMBER.fullmatch(str(cell).strip())
    return _parse(match.group()) if match else None


def _parse(text: str) -> Written | None:
    if "," in text and "." in text:  # the later mark is the decimal one, the other groups thousands
        decimal_mark = "," if text.rindex(",") > text.rindex(".") else "."
        digits = text.replace("." if decimal_mark == "," else ",", "").replace(",", ".")
    else:
        decimal_mark = "," if "," in text else "."
        digits = text.replace(",", ".")
    places = len(text.rsplit(decimal_mark, 1)[1]) if decimal_mark in text else 0
    return _kept(Decimal(digits), places, text)


def _kept(value: Decimal, places: int, text: str) -> Written | None:
    """The number with at most MAX_PLACES decimals; None for one too large to be an office's figure."""
    if value.adjusted() > MAX_DIGITS:
        return None
    places = min(places, MAX_PLACES)
    return Written(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP), places, text[:40])


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
    value = next((w for w in (written(c, within=True) for c in cells) if w), None) or written(after, within=True)
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
