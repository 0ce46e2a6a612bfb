"""The SKM questionnaire of PermenPAN-RB 14/2017, defined once as data.

Element codes follow the regulation's definition order (product decision 4):
U8 is Penanganan Pengaduan, Saran dan Masukan and U9 is Sarana dan Prasarana.
Each option list is bound to its element; the question wording is the
regulation's example questionnaire, verbatim (including its "Bagamana").
Scale: a = 1, b = 2, c = 3, d = 4. No Flask and no database here.
"""

import re
import unicodedata
from dataclasses import dataclass

SCALE = (1, 2, 3, 4)


def N_(message: str) -> str:
    """Mark a label for translation without importing Flask (translated where it is shown)."""
    return message


@dataclass(frozen=True)
class Element:
    """One of the nine service elements (unsur pelayanan) and its question."""

    id: str  # stable key, never a position
    code: str  # U1..U9
    name: str  # official element name
    question: str  # official question wording (Indonesian, verbatim)
    options: tuple[str, str, str, str]  # labels for scores 1..4
    name_en: str
    question_en: str
    options_en: tuple[str, str, str, str]

    def label(self, score: int) -> str:
        """Return the Indonesian label of a score 1-4."""
        return self.options[score - 1]


ELEMENTS: tuple[Element, ...] = (
    Element(
        id="persyaratan",
        code="U1",
        name="Persyaratan",
        question="Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
        options=("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
        name_en="Requirements",
        question_en="How well do the service requirements fit the type of service?",
        options_en=("Not appropriate", "Less appropriate", "Appropriate", "Very appropriate"),
    ),
    Element(
        id="prosedur",
        code="U2",
        name="Sistem, Mekanisme, dan Prosedur",
        question="Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        options=("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
        name_en="System, mechanism and procedure",
        question_en="How easy is the service procedure in this unit?",
        options_en=("Not easy", "Less easy", "Easy", "Very easy"),
    ),
    Element(
        id="waktu",
        code="U3",
        name="Waktu Penyelesaian",
        question="Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
        options=("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
        name_en="Completion time",
        question_en="How fast is the service delivered?",
        options_en=("Not fast", "Less fast", "Fast", "Very fast"),
    ),
    Element(
        id="biaya",
        code="U4",
        name="Biaya/Tarif",
        question="Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
        options=("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
        name_en="Cost/fee",
        question_en="How reasonable is the cost/fee of the service?",
        options_en=("Very expensive", "Quite expensive", "Cheap", "Free"),
    ),
    Element(
        id="produk",
        code="U5",
        name="Produk Spesifikasi Jenis Pelayanan",
        question=(
            "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam "
            "standar pelayanan dengan hasil yang diberikan?"
        ),
        options=("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
        name_en="Service product specification",
        question_en="How well does the service product match what the service standard promises?",
        options_en=("Not appropriate", "Less appropriate", "Appropriate", "Very appropriate"),
    ),
    Element(
        id="kompetensi",
        code="U6",
        name="Kompetensi Pelaksana",
        question="Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        options=("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
        name_en="Staff competence",
        question_en="How competent/capable are the staff who served you?",
        options_en=("Not competent", "Less competent", "Competent", "Very competent"),
    ),
    Element(
        id="perilaku",
        code="U7",
        name="Perilaku Pelaksana",
        question="Bagamana pendapat saudara perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
        options=("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"),
        name_en="Staff behaviour",
        question_en="How polite and friendly were the staff?",
        options_en=(
            "Not polite and friendly",
            "Less polite and friendly",
            "Polite and friendly",
            "Very polite and friendly",
        ),
    ),
    Element(
        id="pengaduan",
        code="U8",
        name="Penanganan Pengaduan, Saran dan Masukan",
        question="Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
        options=("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"),
        name_en="Handling of complaints, suggestions and feedback",
        question_en="How are complaints from service users handled?",
        options_en=("None", "Exists but does not work", "Works, not fully", "Well managed"),
    ),
    Element(
        id="sarana",
        code="U9",
        name="Sarana dan Prasarana",
        question="Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        options=("Buruk", "Cukup", "Baik", "Sangat Baik"),
        name_en="Facilities and infrastructure",
        question_en="How good are the facilities and infrastructure?",
        options_en=("Poor", "Fair", "Good", "Very good"),
    ),
)

ELEMENTS_BY_CODE: dict[str, Element] = {e.code: e for e in ELEMENTS}
ELEMENTS_BY_ID: dict[str, Element] = {e.id: e for e in ELEMENTS}
ELEMENT_CODES: tuple[str, ...] = tuple(e.code for e in ELEMENTS)

# Respondent profile (Lampiran example form). Stored values are the keys.
GENDERS: tuple[tuple[str, str], ...] = (("L", N_("Laki-laki")), ("P", N_("Perempuan")))
EDUCATIONS: tuple[tuple[str, str], ...] = (
    ("SD", N_("SD ke bawah")),
    ("SMP", N_("SMP")),
    ("SMA", N_("SMA/SMK")),
    ("D1-D3", N_("D1-D3")),
    ("S1", N_("D4/S1")),
    ("S2", N_("S2")),
    ("S3", N_("S3")),
)
OCCUPATIONS: tuple[tuple[str, str], ...] = (
    ("PNS", N_("PNS")),
    ("TNI", N_("TNI")),
    ("POLRI", N_("POLRI")),
    ("SWASTA", N_("Swasta")),
    ("WIRAUSAHA", N_("Wirausaha")),
    ("LAINNYA", N_("Lainnya")),
)
MIN_AGE, MAX_AGE = 10, 120
MAX_SUGGESTION_LENGTH = 2000
MAX_OCCUPATION_OTHER_LENGTH = 100


SCORE_ERROR = N_("nilai '%(value)s' harus 1, 2, 3, atau 4")


class ScoreError(ValueError):
    """A raw answer that is not 1-4 or blank; `value` is what was given (shortened), for the message."""

    def __init__(self, value: object):
        self.value = str(value)[:20]
        super().__init__(SCORE_ERROR % {"value": self.value})


def parse_score(value: object) -> int | None:
    """Turn one raw answer into a score 1-4, or None when blank.

    :raise ScoreError: anything else (0, 5, 2.5, text, a boolean).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ScoreError(value)
    if isinstance(value, float):
        if value != value:  # NaN from a spreadsheet is a blank cell
            return None
        if not value.is_integer():
            raise ScoreError(f"{value:g}")
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return None
        if text.endswith(".0") and text[:-2].isdigit():  # "3.0" from a spreadsheet export
            text = text[:-2]
        if not text.isascii() or not text.isdigit():
            raise ScoreError(text)
        value = int(text)
    if not isinstance(value, int) or value not in SCALE:
        raise ScoreError(value)
    return value


def plain_words(text: str) -> str:
    """Text compared tolerantly: lower case, punctuation and repeated spaces dropped, a leading "1." removed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\w]+", " ", text).strip()
    return re.sub(r"^\d{1,2} ", "", text)


_CODE = re.compile(r"u0*([1-9])(?:[\s.:()\-]+(?:(?!u\d)[^\W\d].*)?)?", re.IGNORECASE | re.DOTALL)


# The Permen's example questionnaire asks about facilities 8th and complaints 9th; some offices' sheets number them so.
PERMEN_EXAMPLE_ORDER = {"U8": "U9", "U9": "U8"}


def element_for_heading(heading: str, *, u8_facilities: bool = False) -> Element | None:
    """The element a column heading names: its code ("U1", "u1", "U01", "U1. Persyaratan") or its question as
    worded above (as a Google Forms export heads the column, perhaps numbered "1." or followed by "[...]").

    :param u8_facilities: the sheet numbers the last two elements as the Permen's example does (U8 facilities,
        U9 complaints): a heading by code U8 is then this questionnaire's U9 and U9 its U8 (a question text
        names its element whatever the numbering).
    """
    text = heading.strip()
    if match := _CODE.fullmatch(text):
        code = f"U{match.group(1)}"
        return ELEMENTS_BY_CODE.get(PERMEN_EXAMPLE_ORDER.get(code, code) if u8_facilities else code)
    words = plain_words(text)
    if len(words) < 20:
        return None
    for element in ELEMENTS:
        if plain_words(element.question) in words:
            return element
    return None


def score_for_option(element: Element, answer: str) -> int | None:
    """The score 1-4 of an answer written as one of the element's own option labels (any case), else None."""
    return _OPTION_SCORES[element.code].get(plain_words(answer))


_OPTION_SCORES: dict[str, dict[str, int]] = {
    e.code: {plain_words(label): score for score, label in enumerate(e.options, start=1)} for e in ELEMENTS
}
