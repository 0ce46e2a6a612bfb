"""One reader for questionnaire spreadsheets, shared by the paper import and the IKM calculator.

A header row names the columns: U1..U9 (the element codes of product decision 4, required) and optional
profile columns in several common spellings. Every later row is one respondent. One rule for rows without
answers, the same everywhere: a blank line is skipped; a row with other content but no answer at all is an
error (it is neither counted as a respondent nor silently dropped). Every problem is located by spreadsheet
row and column.
"""

from dataclasses import dataclass, field

from app.errors import DomainError, Message
from app.i18n import N_
from app.tabular import CellError, read_table
from survey.questionnaire import ELEMENT_CODES, SCORE_ERROR, ScoreError, parse_score

MAX_ROWS = 20000

# Accepted header spellings (lower-case) for the optional profile columns.
PROFILE_COLUMNS = {
    "gender": ("jenis_kelamin", "jenis kelamin", "jk", "gender"),
    "age": ("usia", "umur", "age"),
    "education": ("pendidikan", "education"),
    "occupation": ("pekerjaan", "occupation"),
    "occupation_other": ("pekerjaan_lain", "pekerjaan lainnya", "occupation_other"),
    "suggestion": ("saran", "kritik dan saran", "suggestion"),
    "date": ("tanggal", "tanggal_survei", "date"),
}
NO_ANSWERS = N_("tidak ada jawaban sama sekali")


class SheetError(DomainError):
    """The spreadsheet cannot be used; `messages` are CellErrors naming every problem found."""


@dataclass(frozen=True)
class SheetRow:
    """One respondent's row: its spreadsheet number, scores (None = unanswered) and raw profile cells."""

    number: int
    scores: dict[str, int | None]
    cells: dict[str, object]
    errors: tuple[CellError, ...] = ()


@dataclass(frozen=True)
class AnswerSheet:
    """The rows of a questionnaire spreadsheet, with the problems of each row."""

    header: list[str]
    columns: dict[str, int]  # element code or profile key -> column index
    rows: list[SheetRow] = field(default_factory=list)

    def column_name(self, key: str) -> str:
        return self.header[self.columns[key]] if key in self.columns else key

    @property
    def errors(self) -> list[CellError]:
        return [error for row in self.rows for error in row.errors]


def cell_text(value: object) -> str:
    """A cell as trimmed text ("" for empty; 3.0 -> "3")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_answer_sheet(filename: str, content: bytes) -> AnswerSheet:
    """Read a CSV/XLSX questionnaire file into rows with their scores and problems.

    :raise SheetError: the file cannot be read, has no header, lacks a U column, has too many rows, or has
        no respondent at all. Problems inside rows are kept on the rows (`AnswerSheet.errors`).
    """
    try:
        table = read_table(filename, content)
    except DomainError as exc:
        raise SheetError(*(CellError.at(0, "berkas", m) for m in exc.messages)) from None
    if not table:
        raise SheetError(CellError.at(1, "-", N_("berkas kosong")))
    header = [cell_text(h) for h in table[0]]
    columns = _columns(header)
    if len(table) - 1 > MAX_ROWS:
        raise SheetError(CellError.at(0, "-", N_("maksimal %(n)d baris per berkas"), n=MAX_ROWS))
    sheet = AnswerSheet(header, columns)
    for number, raw in enumerate(table[1:], start=2):
        if all(cell_text(v) == "" for v in raw):
            continue  # a blank spreadsheet line is not a respondent
        sheet.rows.append(_read_row(sheet, number, raw))
    if not sheet.rows:
        raise SheetError(CellError.at(2, "-", N_("tidak ada baris responden")))
    return sheet


def _columns(header: list[str]) -> dict[str, int]:
    lowered = [h.lower() for h in header]
    columns: dict[str, int] = {}
    missing = []
    for code in ELEMENT_CODES:
        if code.lower() in lowered:
            columns[code] = lowered.index(code.lower())
        else:
            missing.append(CellError.at(1, code, N_("kolom wajib tidak ada")))
    if missing:
        raise SheetError(*missing)
    for key, names in PROFILE_COLUMNS.items():
        for name in names:
            if name in lowered:
                columns[key] = lowered.index(name)
                break
    return columns


def _read_row(sheet: AnswerSheet, number: int, raw: list[object]) -> SheetRow:
    def cell(key: str) -> object:
        index = sheet.columns.get(key)
        return raw[index] if index is not None and index < len(raw) else None

    errors = []
    scores: dict[str, int | None] = {}
    for code in ELEMENT_CODES:
        try:
            scores[code] = parse_score(cell(code))
        except ScoreError as exc:
            errors.append(CellError.at(number, sheet.column_name(code), SCORE_ERROR, value=exc.value))
    if not errors and all(v is None for v in scores.values()):
        errors.append(CellError.at(number, "U1-U9", NO_ANSWERS))
    cells = {key: cell(key) for key in PROFILE_COLUMNS if key in sheet.columns}
    return SheetRow(number, scores, cells, tuple(errors))


def located(sheet: AnswerSheet, number: int, key: str, problem: Message | str, **params) -> CellError:
    """A problem in a row's profile column, located by the column's own header."""
    return CellError.at(number, sheet.column_name(key), problem, **params)
