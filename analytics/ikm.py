"""The IKM of PermenPAN-RB 14/2017, computed exactly (product decisions 1-3 and 5).

- NRR per element = sum of scores / number of questionnaires that answered it
  (NULL answers are not counted, never 0).
- Weight is exactly 1/k, k = elements with at least one answer (9 normally):
  IKM (1-4) = mean of the NRRs; NIK (25-100) = IKM x 25.
- Everything is a Fraction until the end; NIK is rounded once, half-up to two
  decimals, and the category is judged on that rounded value with thresholds
  88.31 (A), 76.61 (B), 65.00 (C).
No Flask and no database here: callers pass tallies (sums and counts).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from survey.questionnaire import ELEMENTS, ELEMENTS_BY_CODE, N_

CONVERSION = 25
CATEGORIES = (
    (Decimal("88.31"), "A", N_("Sangat Baik")),
    (Decimal("76.61"), "B", N_("Baik")),
    (Decimal("65.00"), "C", N_("Kurang Baik")),
    (Decimal("25.00"), "D", N_("Tidak Baik")),
)


def half_up(value: Fraction, places: int = 2) -> Decimal:
    """Round an exact fraction half-up, in integers (no binary float, no banker's rounding)."""
    scaled = abs(value) * 10**places
    whole, remainder = divmod(scaled.numerator, scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        whole += 1
    return Decimal(-whole if value < 0 else whole).scaleb(-places)


def decimal_text(value: Fraction | Decimal | int, places: int, *, decimal: str = ",", group: str = ".") -> str:
    """`value` rounded half-up to `places` decimals (exactly, as every figure here is), written with the given
    symbols: Indonesian by default, "76,25" and "1.234,5"."""
    text = str(half_up(Fraction(value), places))
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, decimals = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", group)
    return f"{sign}{grouped}{decimal}{decimals}" if decimals else f"{sign}{grouped}"


def classify(nik: Decimal) -> tuple[str, str]:
    """Return (mutu, kinerja) for a NIK already rounded to two decimals."""
    for threshold, mutu, kinerja in CATEGORIES:
        if nik >= threshold:
            return mutu, kinerja
    return "D", "Tidak Baik"


@dataclass(frozen=True)
class Tally:
    """Respondents and, per element code, (answered count, sum of scores)."""

    respondents: int = 0
    elements: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    def __add__(self, other: "Tally") -> "Tally":
        mine, theirs = self.elements, other.elements
        if mine.keys() == theirs.keys():  # the usual case: both have every element (a dashboard adds thousands)
            merged = {code: (n + theirs[code][0], s + theirs[code][1]) for code, (n, s) in mine.items()}
            return Tally(self.respondents + other.respondents, merged)
        codes = set(self.elements) | set(other.elements)
        merged = {}
        for code in codes:
            a_n, a_s = self.elements.get(code, (0, 0))
            b_n, b_s = other.elements.get(code, (0, 0))
            merged[code] = (a_n + b_n, a_s + b_s)
        return Tally(self.respondents + other.respondents, merged)

    @classmethod
    def of_sums(cls, values) -> "Tally":
        """A tally from an aggregate row: respondents, then per element in questionnaire order count and sum."""
        respondents, rest = values[0], values[1:]
        return cls(int(respondents), {e.code: (int(rest[2 * i]), int(rest[2 * i + 1])) for i, e in enumerate(ELEMENTS)})

    @classmethod
    def of_answers(cls, rows: Iterable[Mapping[str, int | None]]) -> "Tally":
        """Tally questionnaires given as {code: score or None}."""
        respondents = 0
        counts = {e.code: [0, 0] for e in ELEMENTS}
        for row in rows:
            respondents += 1
            for code, acc in counts.items():
                score = row.get(code)
                if score is not None:
                    acc[0] += 1
                    acc[1] += score
        return cls(respondents, {code: (n, s) for code, (n, s) in counts.items()})


def pool(tallies: Iterable[Tally]) -> Tally:
    """Pool several tallies (e.g. the months of a quarter): sums and counts add, means do not."""
    total = Tally()
    for tally in tallies:
        total = total + tally
    return total


@dataclass(frozen=True)
class ElementResult:
    """One element's line of the calculation sheet."""

    code: str
    name: str
    answered: int
    total: int
    nrr: Fraction | None  # None: nobody answered this element
    nrr_weighted: Fraction | None
    nik: Decimal | None  # NRR x 25, half-up to 2 decimals (for ranking elements)
    mutu: str | None


@dataclass(frozen=True)
class IkmResult:
    """The IKM of a selection; every figure is None when there is no data."""

    respondents: int
    elements: tuple[ElementResult, ...]
    ikm: Fraction | None  # 1-4
    nik_exact: Fraction | None  # 25-100, unrounded
    nik: Decimal | None  # 25-100, half-up to 2 decimals
    mutu: str | None
    kinerja: str | None
    weight: Fraction | None  # 1/k

    @property
    def has_data(self) -> bool:
        return self.ikm is not None

    @property
    def missing_elements(self) -> tuple[str, ...]:
        """Codes of elements without any answer (the IKM then uses weight 1/k)."""
        return tuple(e.code for e in self.elements if e.nrr is None)

    def weakest(self, count: int = 3) -> tuple[ElementResult, ...]:
        """The elements with the lowest NRR (priorities for the follow-up plan)."""
        answered = [e for e in self.elements if e.nrr is not None]
        return tuple(sorted(answered, key=lambda e: (e.nrr, e.code))[:count])

    def as_dict(self) -> dict:
        """A JSON-ready summary (floats for reading, the rounded NIK as the official figure)."""
        return {
            "respondents": self.respondents,
            "elements": [
                {
                    "code": e.code,
                    "name": e.name,
                    "answered": e.answered,
                    "total": e.total,
                    "nrr": None if e.nrr is None else float(e.nrr),
                    "nrr_weighted": None if e.nrr_weighted is None else float(e.nrr_weighted),
                    "nik": None if e.nik is None else float(e.nik),
                    "mutu": e.mutu,
                }
                for e in self.elements
            ],
            "ikm": None if self.ikm is None else float(self.ikm),
            "nik": None if self.nik is None else float(self.nik),
            "mutu": self.mutu,
            "kinerja": self.kinerja,
        }


def compute_ikm(tally: Tally) -> IkmResult:
    """Compute the IKM, per-element NRRs and the category from a tally."""
    nrrs: dict[str, Fraction | None] = {}
    for element in ELEMENTS:
        answered, total = tally.elements.get(element.code, (0, 0))
        nrrs[element.code] = Fraction(total, answered) if answered else None
    present = [v for v in nrrs.values() if v is not None]
    weight = Fraction(1, len(present)) if present else None

    elements = []
    for element in ELEMENTS:
        answered, total = tally.elements.get(element.code, (0, 0))
        nrr = nrrs[element.code]
        nik = half_up(nrr * CONVERSION) if nrr is not None else None
        elements.append(
            ElementResult(
                code=element.code,
                name=ELEMENTS_BY_CODE[element.code].name,
                answered=answered,
                total=total,
                nrr=nrr,
                nrr_weighted=nrr * weight if nrr is not None else None,
                nik=nik,
                mutu=classify(nik)[0] if nik is not None else None,
            )
        )
    if not present:
        return IkmResult(tally.respondents, tuple(elements), None, None, None, None, None, None)
    ikm = sum(present, Fraction(0)) * weight
    nik_exact = ikm * CONVERSION
    nik = half_up(nik_exact)
    mutu, kinerja = classify(nik)
    return IkmResult(tally.respondents, tuple(elements), ikm, nik_exact, nik, mutu, kinerja, weight)
