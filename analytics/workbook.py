"""Writing the SKM workbook: a write-only book, safe text cells, and the living calculation sheet.

The calculation sheet is the office's "lembar pengolahan data" (domain rules 1.5-1.6 and the "hasil olah data"
Lampiran of 1.8): one row per respondent (numbered 1..n, profile labels, the nine answers, a blank cell for a
missing answer, never 0), then rows of Excel formulas over those cells: per element the sum, the answered count,
NRR = sum / count and NRR tertimbang = NRR / k (k = 9 when every element has an answer, product decision 3), the
IKM as the mean of the NRRs present, NIK = IKM x 25 rounded half-up to 2 decimals, and the mutu and kinerja on
the thresholds of `analytics.ikm.CATEGORIES`. Beside them, under "Dihitung aplikasi", the exact engine's figures of
the same rows, as values.

Every text cell goes through `safe_cell`: a value that a spreadsheet would read as a formula (= + - @, tab,
carriage return) gets a leading apostrophe (perf-security B.1, formula injection), and characters XML cannot hold
are dropped. The only formulas written are built here from cell addresses and constants, never from text a
citizen or an officer typed. openpyxl is imported inside the functions (perf-security A.2).
"""

import re
from decimal import Decimal
from fractions import Fraction

from analytics.ikm import CATEGORIES, CONVERSION, IkmResult, Tally, compute_ikm
from survey.questionnaire import ELEMENTS

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
SHEET_TITLE_MAX = 31  # Excel's limit
NRR_FORMAT = "0.000"
NIK_FORMAT = "0.00"
IKM_FORMAT = "0.0000"
PCT_FORMAT = "0.0%"
CALC_SHEET_TITLE = "Olah Data"
APP_LABEL = "Dihitung aplikasi"


def safe_cell(value):
    """Return a value safe to put in a spreadsheet cell.

    Strings that a spreadsheet would evaluate (starting with = + - @, a tab or a
    carriage return) get a leading apostrophe, so "=HYPERLINK(...)" is stored as
    the text "'=HYPERLINK(...)"; control characters that XML cannot hold are
    dropped. Numbers, dates, booleans and None pass through unchanged.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_PREFIXES):
        value = "'" + value
    return _ILLEGAL_XML.sub("", value)


def number(value: Fraction | Decimal | None) -> float | None:
    """An exact value as a float cell (display rounding is the cell's number format, never a string)."""
    return None if value is None else float(value)


def sheet_title(name: str, taken: set[str], prefix: str = "Olah ") -> str:
    """A sheet title for `name`: Excel's forbidden characters removed, at most 31 characters, unique.

    `taken` holds the titles already used, lower-cased (Excel compares titles without case); the new one is added.
    """
    text = " ".join(_SHEET_TITLE_FORBIDDEN.sub(" ", name).split()).strip("'")
    base = (prefix + text).strip() if text else prefix + "Layanan"
    title, copy = base[:SHEET_TITLE_MAX].rstrip().rstrip("'"), 1
    while title.lower() in taken:
        copy += 1
        tail = f" ({copy})"
        title = base[: SHEET_TITLE_MAX - len(tail)].rstrip().rstrip("'") + tail
    taken.add(title.lower())
    return title


class Book:
    """A write-only workbook with the helpers to add sheets and (bold, header, formula) cells; imports openpyxl."""

    def __init__(self) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import Cell
        from openpyxl.styles import Font, PatternFill

        self.workbook = Workbook(write_only=True)
        self._new_cell, self._cell_type = WriteOnlyCell, Cell
        self.bold = Font(bold=True)
        self.header_fill = PatternFill("solid", fgColor="DFE7EF")
        self.app_fill = PatternFill("solid", fgColor="F3F3F3")

    def sheet(self, title: str, widths: list[int]):
        """A new sheet with its column widths."""
        from openpyxl.utils import get_column_letter

        sheet = self.workbook.create_sheet(title)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        return sheet

    def cell(self, sheet, value, number_format: str | None = None, *, header: bool = False, strong: bool = False):
        """A styled cell; the value goes through safe_cell."""
        c = self._new_cell(sheet, value=safe_cell(value))
        if number_format and value is not None:
            c.number_format = number_format
        if header or strong:
            c.font = self.bold
        if header:
            c.fill = self.header_fill
        return c

    def formula(self, sheet, text: str, number_format: str | None = None, *, strong: bool = False):
        """A formula cell. Only for formulas built in this module from addresses and constants (no typed text)."""
        c = self._new_cell(sheet, value=text)
        if number_format:
            c.number_format = number_format
        if strong:
            c.font = self.bold
        return c

    def app_value(self, sheet, value, number_format: str | None = None):
        """A value the application computed, shaded so it reads apart from the formulas beside it."""
        c = self.cell(sheet, value, number_format)
        c.fill = self.app_fill
        return c

    def put(self, sheet, values) -> None:
        """Append a row; every plain value goes through safe_cell (styled cells already did)."""
        sheet.append([v if isinstance(v, self._cell_type) else safe_cell(v) for v in values])

    def header(self, sheet, titles) -> None:
        """Append a row of bold, shaded header cells."""
        sheet.append([self.cell(sheet, t, header=True) for t in titles])


# ---------------------------------------------------------------------------------------------------------------
# The calculation sheet (lembar pengolahan data)


def classify_formula(ref: str, column: int) -> str:
    """Nested IFs giving CATEGORIES' column (1 mutu, 2 kinerja) for the rounded NIK in `ref`; blank without one."""
    *ranked, (_, *lowest) = CATEGORIES
    text = f'"{lowest[column - 1]}"'
    for threshold, *labels in reversed(ranked):
        text = f'IF({ref}>={threshold},"{labels[column - 1]}",{text})'
    return f'=IF({ref}="","",{text})'


def nik_formula(ref: str) -> str:
    """NIK = IKM x 25 rounded half-up to 2 decimals, written so binary floating point cannot tip a half.

    In binary an exact half such as 68,125 arrives as 68,12499999999999 after the mean of the NRRs, and some
    spreadsheet engines also see 32,035 as 32,03499...: so the hundredths (IKM x 2500) are first rounded to 9
    decimals, which takes off that noise (some 1e-11) and nothing a real figure holds, then rounded half-up to a
    whole number (ROUND rounds halves away from zero, which for these positive values is half-up), then divided
    by 100.
    """
    return f'=IF({ref}="","",ROUND(ROUND({ref}*{CONVERSION * 100},9),0)/100)'


class CalcSheet:
    """One "lembar pengolahan data": streamed respondent rows, then the formula rows and the app's figures."""

    def __init__(self, book: Book, title: str, heading: list[str], *, with_service: bool) -> None:
        self.book, self.with_service = book, with_service
        profile = ["Layanan"] * with_service + ["Jenis kelamin", "Usia", "Pendidikan", "Pekerjaan"]
        self.columns = ["No", *profile, *(e.code for e in ELEMENTS)]
        self.first_element = len(self.columns) - len(ELEMENTS) + 1  # 1-based column of U1
        widths = [6, *([28] * with_service), 12, 6, 12, 12, *([7] * len(ELEMENTS)), 26, *([9] * len(ELEMENTS))]
        self.sheet = book.sheet(title, widths)
        self.header_row = len(heading) + 2
        self.sheet.freeze_panes = f"B{self.header_row + 1}"  # before the first row: write-only writes it then
        self._print_setup()
        for line in heading:
            book.put(self.sheet, [book.cell(self.sheet, line, strong=line is heading[0])])
        book.put(self.sheet, [])
        book.header(self.sheet, self.columns)
        self.respondents = 0
        self.sums = {e.code: [0, 0] for e in ELEMENTS}

    def _print_setup(self) -> None:
        """Printed landscape, as wide as the page, with the column header on every page (the print area, the
        sheet without the application's figures, is set by `_FormulaRows` once the last row is known)."""
        from openpyxl.worksheet.properties import PageSetupProperties

        sheet = self.sheet
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = "9"  # A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.print_title_rows = f"{self.header_row}:{self.header_row}"

    def add(self, profile: list, scores: dict[str, int | None], service_name: str | None) -> None:
        """Append one respondent: its number on this sheet, its profile labels and answers (None stays blank)."""
        self.respondents += 1
        for code, score in scores.items():
            if score is not None:
                self.sums[code][0] += 1
                self.sums[code][1] += score
        service = [service_name] if self.with_service else []
        self.book.put(self.sheet, [self.respondents, *service, *profile, *scores.values()])

    def result(self) -> IkmResult:
        """The exact engine's figures of exactly the rows on this sheet."""
        return compute_ikm(Tally(self.respondents, {code: (n, total) for code, (n, total) in self.sums.items()}))

    def finish(self) -> None:
        """Write the formula rows under the data, with the application's figures beside them."""
        book, sheet = self.book, self.sheet
        book.put(sheet, [])
        if not self.respondents:
            book.put(sheet, [book.cell(sheet, "Tidak ada data pada pilihan ini.", strong=True)])
            return
        _FormulaRows(self, self.result()).write()


class _FormulaRows:
    """The rows under a calculation sheet's data; `row` is the sheet row each appended line lands on."""

    def __init__(self, calc: CalcSheet, result: IkmResult) -> None:
        from openpyxl.utils import get_column_letter

        self.calc, self.book, self.sheet, self.result = calc, calc.book, calc.sheet, result
        self.first, self.last = calc.header_row + 1, calc.header_row + calc.respondents
        self.row = self.last + 2  # after the blank row
        self.letters = [get_column_letter(calc.first_element + i) for i in range(len(ELEMENTS))]
        self.k = len(ELEMENTS) - len(result.missing_elements)

    def write(self) -> None:
        calc, book, sheet, r = self.calc, self.book, self.sheet, self.result
        codes = [e.code for e in ELEMENTS]
        lead = [None] * (calc.first_element - 1)
        book.put(sheet, [book.cell(sheet, "Perhitungan (rumus Excel)", header=True), *lead[1:],
                         *(book.cell(sheet, c, header=True) for c in codes),
                         book.cell(sheet, APP_LABEL, header=True),
                         *(book.cell(sheet, c, header=True) for c in codes)])  # fmt: skip
        self.row += 1
        rows = {}
        for key, label, fmt, formula, app in self._element_rows():
            rows[key] = self.row
            self._line(label, [formula(letter, rows) for letter in self.letters], [app(e) for e in r.elements], fmt)
        for key, label, fmt, formula, app in self._single_rows(rows):
            rows[key] = self.row
            self._line(label, [formula(rows)], [app], fmt)
        sheet.print_area = f"A1:{self.letters[-1]}{self.row - 1}"

    def _single_rows(self, rows: dict[str, int]):
        """(key, label, number format, formula(rows), app value) of the one-figure rows, each reading those above."""
        r, u1 = self.result, self.letters[0]
        nrrs = f"{u1}{rows['nrr']}:{self.letters[-1]}{rows['nrr']}"
        return (
            ("respondents", "Jumlah responden", None, lambda rows: f"=COUNT(A{self.first}:A{self.last})",
             r.respondents),
            ("k", "Unsur terisi (k)", None, lambda rows: f"=COUNT({nrrs})", self.k),
            ("ikm", "IKM (rata-rata NRR unsur terisi = Σ NRR tertimbang)", IKM_FORMAT,
             lambda rows: f'=IF(COUNT({nrrs})=0,"",AVERAGE({nrrs}))', number(r.ikm)),
            ("nik", "NIK (IKM × 25, dibulatkan setengah ke atas)", NIK_FORMAT,
             lambda rows: nik_formula(f"{u1}{rows['ikm']}"), number(r.nik)),
            ("mutu", "Mutu pelayanan", None, lambda rows: classify_formula(f"{u1}{rows['nik']}", 1), r.mutu),
            ("kinerja", "Kinerja unit pelayanan", None, lambda rows: classify_formula(f"{u1}{rows['nik']}", 2),
             r.kinerja),
        )  # fmt: skip

    def _element_rows(self):
        """(key, label, number format, formula(letter, rows), app value(element)) of the per-element rows."""
        first, last, k = self.first, self.last, self.k or len(ELEMENTS)
        return (
            ("sum", "Jumlah nilai (Σ)", "0", lambda c, rows: f"=SUM({c}{first}:{c}{last})", lambda e: e.total),
            ("count", "Jumlah kuesioner terisi", "0", lambda c, rows: f"=COUNT({c}{first}:{c}{last})",
             lambda e: e.answered),
            ("nrr", "NRR (Σ / terisi)", NRR_FORMAT,
             lambda c, rows: f'=IF({c}{rows["count"]}=0,"",{c}{rows["sum"]}/{c}{rows["count"]})',
             lambda e: number(e.nrr)),
            ("weighted", f"NRR tertimbang (NRR × 1/{k})", NRR_FORMAT,
             lambda c, rows: f'=IF({c}{rows["count"]}=0,"",{c}{rows["nrr"]}/{k})', lambda e: number(e.nrr_weighted)),
        )  # fmt: skip

    def _line(self, label: str, formulas: list[str], values: list, fmt: str | None) -> None:
        """One footer row: the label, the formulas from U1's column, then the app's values past APP_LABEL."""
        book, sheet = self.book, self.sheet
        cells = [book.cell(sheet, label, strong=True), *([None] * (self.calc.first_element - 2))]
        cells += [book.formula(sheet, f, fmt) for f in formulas] + [None] * (len(ELEMENTS) - len(formulas))
        cells += [book.cell(sheet, APP_LABEL)] + [book.app_value(sheet, v, fmt) for v in values]
        book.put(sheet, cells)
        self.row += 1
