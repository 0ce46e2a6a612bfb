"""The findings of the office-sheet check (`analytics.sheet_check`): one per office figure, with its sentence.

Each finding carries the office's figure, the exact one shown with the office's decimals, the difference, cause
codes (stable, for programs) and one Indonesian sentence (a translatable Message) saying what was found.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from analytics.ikm import half_up
from app.errors import Message
from app.i18n import N_
from app.tabular import row_list
from survey.sheet_figures import COUNT, IKM, NIK, NRR, NRR_WEIGHTED, RESPONDENTS, SUM, SummaryRow

FIGURE_NAMES = {
    SUM: N_("Σ (jumlah nilai per unsur)"),
    COUNT: N_("Jumlah kuesioner terisi"),
    RESPONDENTS: N_("Jumlah responden"),
    NRR: N_("NRR"),
    NRR_WEIGHTED: N_("NRR tertimbang"),
    IKM: N_("IKM"),
    NIK: N_("NIK (IKM x 25)"),
}
# The sentence of a figure by verdict, for one figure (False) or a row of figures per element (True).
SENTENCES = {
    ("match", False): N_("%(figure)s kantor di baris %(row)d (%(office)s) sesuai dengan angka persis."),
    ("match", True): N_("%(figure)s kantor di baris %(row)d sesuai dengan angka persis di %(count)d unsur."),
    ("explained", False): N_(
        "%(figure)s kantor di baris %(row)d (%(office)s) berselisih %(difference)s dari angka persis %(exact)s: angka "
        "kantor itu didapat lagi dari jawaban yang sama bila %(causes)s."
    ),
    ("explained", True): N_(
        "%(figure)s kantor di baris %(row)d berbeda dari angka persis di %(count)d unsur (selisih terbesar "
        "%(difference)s di %(code)s: %(office)s, persis %(exact)s): angka kantor itu didapat lagi dari jawaban yang "
        "sama bila %(causes)s."
    ),
    ("unexplained", False): N_(
        "%(figure)s kantor di baris %(row)d (%(office)s) berselisih %(difference)s dari angka persis %(exact)s; tidak "
        "ada cara hitung keliru yang umum yang menghasilkan angka kantor itu."
    ),
    ("unexplained", True): N_(
        "%(figure)s kantor di baris %(row)d berbeda dari angka persis di %(count)d unsur (selisih terbesar "
        "%(difference)s di %(code)s: %(office)s, persis %(exact)s); tidak ada cara hitung keliru yang umum yang "
        "menghasilkan angka kantor itu."
    ),
}
CAUSES = {
    "respondent_twice": N_("jawaban responden baris %(row)s dihitung dua kali"),
    "respondent_left_out": N_("jawaban responden baris %(row)s tidak ikut dihitung"),
    "blank_as_zero": N_("jawaban kosong dihitung 0 (NRR dibagi jumlah semua responden, bukan yang menjawab unsur itu)"),
    "count_extra": N_(
        "pembagi NRR kelebihan %(extra)d (baris ringkasan atau catatan ikut terhitung sebagai responden)"
    ),
    "nrr_rounded": N_("NRR dibulatkan ke %(places)d desimal sebelum diberi bobot"),
    "weight": N_("NRR dikalikan bobot %(weight)s, bukan tepat 1/%(k)d"),
    "weighted_rounded": N_("NRR tertimbang dibulatkan ke %(places)d desimal sebelum dijumlahkan"),
    "ikm_rounded": N_("IKM dibulatkan ke %(places)d desimal sebelum dikalikan 25"),
}
SAME_ANSWERS = N_("%(row)d (atau baris %(others)s, yang jawabannya sama)")
AND = N_("%(first)s dan %(last)s")
OR = N_("%(first)s, atau bila %(last)s")
COMMA = N_("%(first)s, %(last)s")
WEIGHT_SHOWN = N_("Bobot kantor di baris %(row)d (%(office)s) adalah 1/%(k)d yang ditampilkan dengan %(places)d "
                  "desimal; NRR tertimbang, IKM dan NIK menunjukkan apakah hitungannya memakai angka yang dibulatkan "
                  "itu.")  # fmt: skip
WEIGHT_OTHER = N_("Bobot kantor di baris %(row)d (%(office)s) bukan 1/%(k)d (%(exact)s).")
CATEGORY = {
    "match": N_("Mutu kantor di baris %(row)d (%(office)s) sesuai dengan mutu persis untuk NIK %(nik)s."),
    "table_2004": N_(
        "Mutu kantor di baris %(row)d (%(office)s) mengikuti tabel interval Kepmenpan 25/2004 (NIK "
        "81,26-100 = A, 62,51-81,25 = B, 43,76-62,50 = C) untuk NIK %(office_nik)s, bukan tabel "
        "PermenPAN-RB 14/2017 yang memberi NIK %(nik)s mutu %(exact)s."
    ),
    "follows_office_nik": N_(
        "Mutu kantor di baris %(row)d (%(office)s) mengikuti NIK kantor %(office_nik)s; NIK "
        "persis %(nik)s bermutu %(exact)s."
    ),
    "unexplained": N_(
        "Mutu kantor di baris %(row)d (%(office)s) berbeda dari mutu persis %(exact)s untuk NIK %(nik)s."
    ),
}


@dataclass(frozen=True)
class Finding:
    """One office figure checked: what the office wrote, the exact figure at its decimals, and the verdict."""

    figure: str  # sum, count, respondents, nrr, nrr_weighted, weight, ikm, nik, mutu
    row: int
    label: str
    office: Decimal | dict[str, Decimal] | str
    exact: Decimal | dict[str, Decimal] | str
    difference: Decimal | dict[str, Decimal] | None
    causes: tuple[str, ...]  # ("match",), ("unexplained",) or the cause codes found
    sentence: Message
    alternatives: tuple[tuple[str, ...], ...] = ()  # other cause codes that give the office's figure as well

    @property
    def matches(self) -> bool:
        return self.causes == ("match",)

    def as_dict(self) -> dict:
        def plain(value):
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            return float(value) if isinstance(value, Decimal) else value

        return {
            "figure": self.figure,
            "row": self.row,
            "label": self.label,
            "office": plain(self.office),
            "exact": plain(self.exact),
            "difference": plain(self.difference),
            "cause": self.causes[0],
            "causes": list(self.causes),
            "alternatives": [list(codes) for codes in self.alternatives],
            "sentence": str(self.sentence),
        }


def number(value: Decimal, sign: bool = False) -> str:
    """A decimal the Indonesian way (91,48; with sign: +0,92)."""
    text = f"{value:f}".replace(".", ",")
    return f"+{text}" if sign and value > 0 else text


def cause_codes(recipe, same: dict[int, list[int]], k: int = 9) -> list[tuple[str, dict]]:
    """The departures of a recipe (`analytics.sheet_check.Recipe`) from the exact method, as (code, params);
    `same`: row -> the other rows with the same answers (a respondent twice could be any of them); `k`: the
    elements answered (the exact weight is 1/k)."""
    found = []
    if recipe.rows:
        at = recipe.rows[1]
        others = same.get(at)
        row = Message(SAME_ANSWERS, {"row": at, "others": row_list(others)}) if others else str(at)
        found.append((f"respondent_{recipe.rows[0]}", {"row": row}))
    if recipe.count == "all":
        found.append(("blank_as_zero", {}))
    elif recipe.count != "answered":
        found.append(("count_extra", {"extra": recipe.count}))
    if recipe.nrr_places is not None:
        found.append(("nrr_rounded", {"places": recipe.nrr_places}))
    if recipe.weight is not None:
        weight = number(Decimal(recipe.weight.numerator) / recipe.weight.denominator)
        found.append(("weight", {"weight": weight, "k": k}))
    if recipe.weighted_places is not None:
        found.append(("weighted_rounded", {"places": recipe.weighted_places}))
    if recipe.ikm_places is not None:
        found.append(("ikm_rounded", {"places": recipe.ikm_places}))
    return found


def _joined(parts: list[Message], last: str = "") -> Message:
    """One phrase of several: "a", "a dan b", "a, b dan c" (with `last=OR`: "a, atau bila b")."""
    if len(parts) == 1:
        return parts[0]
    joiner = (last or AND) if len(parts) == 2 else COMMA
    return Message(joiner, {"first": parts[0], "last": _joined(parts[1:], last)})


def figure_finding(
    row: SummaryRow,
    exact_figure: dict[str, Fraction] | Fraction,
    recipes: list,
    *,
    same: dict[int, list[int]],
    k: int = 9,
) -> Finding:
    """The finding for a row of figures: `recipes` are the ways that gave the office's figure again (none: the
    difference is unexplained; several: the figure cannot tell them apart); `same`, `k`: see `cause_codes`."""
    ways = [cause_codes(recipe, same, k) for recipe in recipes]
    codes = tuple(code for code, _ in ways[0]) if ways else ("unexplained",)
    codes = codes or ("match",)
    alternatives = tuple(tuple(code for code, _ in way) for way in ways[1:])
    described = [_joined([Message(CAUSES[code], params) for code, params in way]) for way in ways if way]
    causes = _joined(described, last=OR) if described else ""
    params = {"figure": Message(FIGURE_NAMES[row.kind]), "row": row.number, "causes": causes}
    if isinstance(exact_figure, dict):
        office = {code: row.values[code].value for code in exact_figure}
        exact = {code: half_up(value, row.values[code].places) for code, value in exact_figure.items()}
        difference = {code: office[code] - exact[code] for code in exact}
        worst = max(exact, key=lambda code: (abs(difference[code]), -list(exact).index(code)))
        count = sum(1 for d in difference.values() if d) if codes != ("match",) else len(exact)
        params |= {"count": count, "code": worst, "difference": number(difference[worst], sign=True),
                   "office": row.values[worst].text, "exact": number(exact[worst])}  # fmt: skip
        per_element = True
    else:
        office, exact = row.value.value, half_up(exact_figure, row.value.places)
        difference = office - exact
        params |= {"office": row.value.text, "exact": number(exact), "difference": number(difference, sign=True)}
        per_element = False
    text = SENTENCES[codes[0] if codes[0] in ("match", "unexplained") else "explained", per_element]
    return Finding(row.kind, row.number, row.label, office, exact, difference, codes, Message(text, params),
                   alternatives)  # fmt: skip


def weight_finding(row: SummaryRow, *, exact_weight: Fraction) -> Finding:
    """The office's weight (bobot) against exactly 1/k."""
    written = row.value if row.value is not None else next(iter(row.values.values()))
    exact = half_up(exact_weight, written.places)
    params = {"row": row.number, "office": written.text, "k": exact_weight.denominator, "places": written.places,
              "exact": number(exact)}  # fmt: skip
    if exact == written.value:
        return Finding(row.kind, row.number, row.label, written.value, exact, Decimal(0), ("match",),
                       Message(WEIGHT_SHOWN, params))  # fmt: skip
    message = Message(WEIGHT_OTHER, params)
    return Finding(row.kind, row.number, row.label, written.value, exact, written.value - exact, ("unexplained",),
                   message)  # fmt: skip


def category_finding(row: SummaryRow, *, office: str, exact: str, nik: Decimal, office_nik: Decimal,
                     cause: str) -> Finding:  # fmt: skip
    """The office's mutu against the mutu of the exact NIK (PermenPAN-RB 14/2017)."""
    params = {"row": row.number, "office": row.text, "exact": exact, "nik": number(nik),
              "office_nik": number(office_nik)}  # fmt: skip
    return Finding("mutu", row.number, row.label, office, exact, None, (cause,), Message(CATEGORY[cause], params))
