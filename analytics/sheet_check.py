"""Check the office's own sheet: its Σ, NRR, NRR tertimbang, IKM, NIK and mutu against the exact figures.

The office's figures are the summary rows `survey.sheets` keeps (`AnswerSheet.summary`). Each one is compared, at
the decimals the office showed, with the exact figure of the same answers (`analytics.ikm`). A difference is
explained only by recomputing the office's figure the suspected way from the same answers and finding the written
figure again: weight 0,11 or 0,111 instead of 1/9, NRR (or NRR tertimbang, or the IKM) rounded before the next
step, blanks counted as 0, a divisor with extra rows, a respondent counted twice or left out, the Kepmenpan 25/2004
interval table. The simplest such way wins (fewest departures from the exact method, those already found on the
sheet's earlier rows first); if none gives the written figure, the check says the figures differ and by how much.

`check_office_figures(sheet=...)` is the one entry point (the calculator uses it; a paper-import preview can too).
No Flask and no database here.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from itertools import combinations, product

from analytics.ikm import CONVERSION, Tally, classify, half_up
from analytics.sheet_check_text import Finding, category_finding, figure_finding, weight_finding
from survey.questionnaire import ELEMENT_CODES
from survey.sheet_figures import COUNT, IKM, MUTU, NIK, NRR, NRR_WEIGHTED, RESPONDENTS, SUM, WEIGHT, SummaryRow
from survey.sheets import AnswerSheet

PER_ELEMENT = (SUM, COUNT, NRR, NRR_WEIGHTED)
ORDER = (WEIGHT, SUM, COUNT, RESPONDENTS, NRR, NRR_WEIGHTED, IKM, NIK, MUTU)  # upstream figures first
MAX_ROW_SEARCH = 500  # the largest file whose NRRs are tried with each respondent counted twice or left out
LEGACY_WEIGHTS = (Fraction(11, 100), Fraction(111, 1000))
# Kepmenpan KEP/25/M.PAN/2/2004: NIK 81,26-100 A, 62,51-81,25 B, 43,76-62,50 C, 25-43,75 D.
TABLE_2004 = ((Decimal("81.26"), "A"), (Decimal("62.51"), "B"), (Decimal("43.76"), "C"), (Decimal("25"), "D"))


@dataclass(frozen=True)
class Recipe:
    """One way of computing the sheet's figures; the default is the exact method of PermenPAN-RB 14/2017."""

    rows: tuple[str, int] | None = None  # ("twice", row) or ("left_out", row): a respondent counted twice / left out
    count: str | int = "answered"  # divisor of NRR: "answered" (exact), "all" (blanks as 0) or answered + n
    nrr_places: int | None = None  # NRR rounded before weighting
    weight: Fraction | None = None  # None: exactly 1/k
    weighted_places: int | None = None  # NRR tertimbang rounded before summing
    ikm_places: int | None = None  # IKM rounded before x 25

    def departures(self) -> int:
        return sum(getattr(self, name) != getattr(EXACT, name) for name in FIELDS)


EXACT = Recipe()
FIELDS = ("rows", "count", "nrr_places", "weight", "weighted_places", "ikm_places")
# The other values each field may take, and the figures it can change.
OPTIONS = {
    "count": ("all", 1, 2),
    "nrr_places": (2, 3),
    "weight": LEGACY_WEIGHTS,
    "weighted_places": (2, 3),
    "ikm_places": (2, 3),
}
AFFECTS = {
    SUM: (),
    COUNT: ("count",),
    RESPONDENTS: (),
    NRR: ("nrr_places", "count"),
    NRR_WEIGHTED: ("weight", "nrr_places", "weighted_places", "count"),
    IKM: ("weight", "nrr_places", "weighted_places", "count"),
    NIK: ("weight", "nrr_places", "ikm_places", "weighted_places", "count"),
}  # in the order tried: the commonest departures first
MAX_ALTERNATIVES = 3


@dataclass(frozen=True)
class Figures:
    """Every figure of a sheet computed one way: per element Σ, count, NRR, NRR tertimbang; then IKM and NIK."""

    respondents: int
    per_element: dict[str, dict[str, Fraction]]  # kind -> code -> value (elements nobody answered are absent)
    ikm: Fraction | None
    nik: Fraction | None


class Answers:
    """The respondents' answers as the check needs them: the tally, each row's scores, and the rows sharing answers."""

    def __init__(self, rows: Sequence[tuple[int, dict[str, int | None]]]):
        self.tally = Tally.of_answers(scores for _number, scores in rows)
        self.scores = dict(rows)
        self.twins = twins(rows)
        # each distinct set of answers (0 for a blank) -> its first row
        self.by_answers: dict[tuple, int] = {}
        for number in reversed(self.twins):
            self.by_answers[tuple(self.scores[number].get(c) or 0 for c in ELEMENT_CODES)] = number

    def varied(self, rows: tuple[str, int] | None) -> Tally:
        """The tally with one respondent counted twice or left out (`Recipe.rows`)."""
        if rows is None:
            return self.tally
        how, number = rows
        sign = 1 if how == "twice" else -1
        scores = self.scores[number]
        elements = {
            code: (n + sign, s + sign * scores[code]) if scores.get(code) is not None else (n, s)
            for code, (n, s) in self.tally.elements.items()
        }
        return Tally(self.tally.respondents + sign, elements)


def compute(recipe: Recipe, answers: Answers) -> Figures:
    """The sheet's figures computed by `recipe` from the respondents' answers."""
    tally = answers.varied(recipe.rows)
    sums = {code: Fraction(s) for code, (n, s) in tally.elements.items() if n}
    counts = {code: Fraction(n) for code, (n, _s) in tally.elements.items() if n}
    nrrs, weighted = {}, {}
    k = len(sums)
    weight = recipe.weight if recipe.weight is not None else (Fraction(1, k) if k else None)
    for code in sums:
        divisor = {"answered": counts[code], "all": Fraction(tally.respondents)}.get(recipe.count)
        nrr = sums[code] / (divisor if divisor is not None else counts[code] + recipe.count)
        nrrs[code] = rounded(nrr, recipe.nrr_places)
        weighted[code] = rounded(nrrs[code] * weight, recipe.weighted_places)
    ikm = rounded(sum(weighted.values(), Fraction(0)), recipe.ikm_places) if k else None
    per_element = {SUM: sums, COUNT: counts, NRR: nrrs, NRR_WEIGHTED: weighted}
    return Figures(tally.respondents, per_element, ikm, ikm * CONVERSION if ikm is not None else None)


def rounded(value: Fraction, places: int | None) -> Fraction:
    return value if places is None else Fraction(half_up(value, places))


def shown(value: Fraction, places: int) -> Decimal:
    """An exact value as the office would show it with `places` decimals (half-up)."""
    return half_up(value, places)


def agrees(written, value: Fraction) -> bool:
    """The office's written number is `value` shown with the decimals the office showed."""
    return shown(value, written.places) == written.value


def office_figure(row: SummaryRow, figures: Figures) -> dict[str, Fraction] | Fraction | None:
    """The figure `figures` has for what the office's row holds (None when there is nothing to compare)."""
    if row.kind in PER_ELEMENT:
        values = {code: v for code, v in figures.per_element[row.kind].items() if code in row.values}
        return values or None
    return {RESPONDENTS: Fraction(figures.respondents), IKM: figures.ikm, NIK: figures.nik}.get(row.kind)


def reproduces(row: SummaryRow, figures: Figures) -> bool:
    figure = office_figure(row, figures)
    if isinstance(figure, dict):
        return all(agrees(row.values[code], value) for code, value in figure.items())
    return figure is not None and agrees(row.value, figure)


def candidates(row: SummaryRow, known: Sequence[Recipe], answers: Answers) -> Iterator[tuple[int, Recipe]]:
    """Ways to compute the figures of an office's row, simplest first, with their tier: 0 the exact method and the
    ways found on earlier rows, 1 each with one more departure (a respondent twice or left out: see
    `_respondents`), 2 with two more."""
    bases = list(dict.fromkeys([EXACT, *known]))
    fields = AFFECTS.get(row.kind, ())
    yield from ((0, base) for base in bases)
    for depth in (1, 2):
        for base in bases:
            free = [name for name in fields if getattr(base, name) == getattr(EXACT, name)]
            for names in combinations(free, depth):
                for values in product(*(OPTIONS[name] for name in names)):
                    yield depth, replace(base, **dict(zip(names, values, strict=True)))
            if depth == 1 and base.rows is None:
                yield from ((1, replace(base, rows=rows)) for rows in _respondents(row, answers))


def _respondents(row: SummaryRow, answers: Answers) -> Iterator[tuple[str, int]]:
    """Respondents that may be counted twice or left out in a row of nine figures: from an office Σ, the one whose
    answers are the difference; from NRRs of a small file, every distinct set of answers (one row changes the NRR
    of a large file too little to be seen). Counts alone cannot tell which respondent it was."""
    if row.kind == SUM:
        sums = {code: s for code, (n, s) in answers.tally.elements.items() if n}
        if set(row.values) != set(sums) or any(w.value != int(w.value) for w in row.values.values()):
            return
        difference = [int(row.values[code].value) - sums[code] if code in sums else 0 for code in ELEMENT_CODES]
        for how, sign in (("twice", 1), ("left_out", -1)):
            number = answers.by_answers.get(tuple(sign * d for d in difference))
            if number is not None:
                yield how, number
    elif row.kind in (NRR, NRR_WEIGHTED) and answers.tally.respondents <= MAX_ROW_SEARCH:
        for number in answers.twins:  # one row per set of answers: the others give the same figures
            yield "twice", number
            yield "left_out", number


def twins(answers: Sequence[tuple[int, dict[str, int | None]]]) -> dict[int, list[int]]:
    """The first row of each set of identical answers -> the other rows with the same answers."""
    first: dict[tuple, int] = {}
    found: dict[int, list[int]] = {}
    for number, scores in answers:
        key = tuple(scores.get(code) for code in ELEMENT_CODES)
        found.setdefault(first.setdefault(key, number), []).extend([] if first[key] == number else [number])
    return found


def check_office_figures(*, sheet: AnswerSheet) -> tuple[Finding, ...]:
    """Compare each figure the office wrote on its sheet with the exact one and explain every difference."""
    answers = Answers([(row.number, row.scores) for row in sheet.rows])
    exact = compute(EXACT, answers)
    known: list[Recipe] = []
    findings: list[Finding] = []
    office_nik = None
    for row in sorted(sheet.summary, key=lambda r: (ORDER.index(r.kind) if r.kind in ORDER else 99, r.number)):
        if row.kind == WEIGHT:
            findings.append(weight_finding(row, exact_weight=Fraction(1, max(len(exact.per_element[SUM]), 1))))
        elif row.kind == MUTU and exact.nik is not None and grade(row.text) is not None:
            findings.append(_category(row, exact.nik, office_nik))
        elif row.kind in AFFECTS and office_figure(row, exact) is not None:
            office_nik = row.value if row.kind == NIK else office_nik
            recipes = _explain(row, known, answers)
            if recipes and recipes[0] not in known and recipes[0] != EXACT:
                known.append(recipes[0])
            k = len(exact.per_element[SUM])
            findings.append(figure_finding(row, office_figure(row, exact), recipes, same=answers.twins, k=k))
    return tuple(findings)


def _explain(row: SummaryRow, known: list[Recipe], answers: Answers) -> list[Recipe]:
    """The simplest recipes that give the office's figure again from the same answers: the exact method alone if
    it does, else every recipe of the first tier that does (several when the figure cannot tell them apart)."""
    tried: set[Recipe] = set()
    found: list[Recipe] = []
    found_tier = 0
    for tier, recipe in candidates(row, known, answers):
        if found and (tier > found_tier or len(found) == MAX_ALTERNATIVES):
            break
        if recipe not in tried:
            tried.add(recipe)
            if reproduces(row, compute(recipe, answers)):
                if recipe == EXACT:
                    return [EXACT]
                found, found_tier = [*found, recipe], tier
    return found


def grade(text: str) -> str | None:
    """The mutu letter an office wrote: "B", "B (Baik)", "Baik", "Sangat Baik"..."""
    words = text.strip().casefold()
    if len(words) >= 1 and words[0] in "abcd" and (len(words) == 1 or not words[1].isalpha()):
        return words[0].upper()
    for phrase, letter in (("sangat baik", "A"), ("kurang baik", "C"), ("tidak baik", "D"), ("baik", "B")):
        if phrase in words:
            return letter
    return None


def grade_2004(nik: Decimal) -> str:
    return next(letter for threshold, letter in TABLE_2004 if nik >= threshold or letter == "D")


def _category(row: SummaryRow, nik_exact: Fraction, office_nik) -> Finding:
    office = grade(row.text)
    nik = half_up(nik_exact)
    exact = classify(nik)[0]
    basis = office_nik.value if office_nik is not None else nik
    if office == exact:
        cause = "match"
    elif grade_2004(basis) == office and classify(basis)[0] != office:
        cause = "table_2004"
    elif office_nik is not None and classify(office_nik.value)[0] == office:
        cause = "follows_office_nik"
    else:
        cause = "unexplained"
    return category_finding(row, office=office, exact=exact, nik=nik, office_nik=basis, cause=cause)
