"""One reader for questionnaire spreadsheets, shared by the paper import and the IKM calculator.

The files offices have: a header row found wherever it is (title rows or a merged group row above it, in the sheet
of a workbook that holds the data) naming the elements by code (U1, u1, U01, "U1. Persyaratan") or by the
questionnaire's own question (a Google Forms export), optional profile columns in several common spellings, and
answers as 1-4, "4,00", "4.0" or the element's own option label. Every later row is one respondent, except the
rows an office adds: summary rows (Jumlah, NRR, NRR tertimbang, IKM...) and notes below the data, which are left
out with a note saying so (the office's own figures in the summary rows are kept as written, with their rows, in
`AnswerSheet.summary`: see `survey.sheet_figures`). One rule for the other rows without answers, the same
everywhere: a blank line is skipped; a row with other content but no answer at all is an error (neither counted nor
silently dropped). A quoted CSV cell over several lines is reported with its line numbers. Every problem is located
by row and column.
"""

import re
from dataclasses import dataclass, field, replace

from app.errors import DomainError, Message
from app.i18n import N_
from app.tabular import CSV_DELIMITERS, HEADER_SCAN, MAX_TABLE_ROWS, CellError, Span, Table, read_tables, row_list
from survey.questionnaire import (
    ELEMENT_CODES,
    ELEMENTS_BY_CODE,
    SCORE_ERROR,
    Element,
    ScoreError,
    element_for_heading,
    parse_score,
    plain_words,
    score_for_option,
)
from survey.sheet_figures import SummaryRow, summary_row

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
    "service": ("layanan", "jenis layanan", "jenis_layanan", "nama layanan", "service"),  # read when asked for
}
NO_ANSWERS = N_("tidak ada jawaban sama sekali")
NO_HEADER = N_("bukan data SKM yang dikenali: tidak ada baris judul dengan kolom U1-U9 (U1, U01, \"U1. Persyaratan\" "
               "atau teks pertanyaan kuesioner) di %(rows)d baris pertama berkas")  # fmt: skip
NO_HEADER_IN_SHEETS = N_("bukan data SKM yang dikenali: tidak ada baris judul dengan kolom U1-U9 (U1, U01, "
                         "\"U1. Persyaratan\" atau teks pertanyaan kuesioner) di %(rows)d baris pertama lembar "
                         "%(sheets)s")  # fmt: skip
MISSING_COLUMN = N_("kolom wajib tidak ada")
MISSING_COLUMN_IN_SHEET = N_("kolom wajib tidak ada (judul kolom dicari di lembar '%(sheet)s')")
SHEET_NOTE = N_("data dibaca dari lembar '%(sheet)s' (lembar %(index)d dari %(count)d)")
OTHER_SHEETS_NOTE = N_("lembar %(sheets)s juga berisi kolom U1-U9 tetapi tidak dibaca; impor satu lembar per berkas")
DUPLICATE_NOTE = N_("kolom %(column)s juga berjudul unsur %(code)s dan tidak dibaca (yang dibaca: kolom %(used)s)")
HEADER_NOTE = N_("judul kolom ada di baris %(row)d; baris di atasnya (judul lembar) dilewati")
SUMMARY_NOTE = N_("baris %(rows)s tidak dihitung sebagai responden: baris ringkasan (%(labels)s)")
FOOTER_NOTE = N_("baris %(rows)s tidak dihitung sebagai responden: catatan atau nomor tanpa jawaban di bawah data")
SPAN_NOTE = N_("baris %(row)d: isian kolom %(column)s memuat ganti baris (baris teks %(first)d-%(last)d berkas), "
               "dibaca sebagai satu responden")  # fmt: skip
SWALLOWED = N_("tanda kutip (\") yang dibuka di baris teks %(first)d berkas baru ditutup di baris teks %(last)d: "
               "baris-baris itu terbaca sebagai satu isian; perbaiki tanda kutipnya")  # fmt: skip

# Labels of the rows an office's sheet adds below the respondents (Σ, Jumlah, NRR, NRR tertimbang, IKM, ...).
_SUMMARY = re.compile(r"(nilai )?(jumlah|jml|total|sum|nrr|ikm|nik|skm|indeks|konversi|interval|rata rata|rata2|"
                      r"rerata|mutu|kinerja|persepsi|predikat|bobot|penimbang|tertimbang)\b")  # fmt: skip
_NUMBER = re.compile(r"\d+(?:[.,]0+)?")


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
    """The rows of a questionnaire spreadsheet, with the problems of each row and notes on how it was read."""

    header: list[str]
    columns: dict[str, int]  # element code or profile key -> column index
    rows: list[SheetRow] = field(default_factory=list)
    notes: tuple[Message, ...] = ()  # which sheet, which header row, which rows were left out and why
    summary: list[SummaryRow] = field(default_factory=list)  # the office's own figures (Σ, NRR, IKM...), as written

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


def read_answer_sheet(filename: str, content: bytes, *, u8_facilities: bool = False) -> AnswerSheet:
    """Read a CSV/XLSX questionnaire file into rows with their scores and problems, and notes on how it was read.

    :param u8_facilities: columns headed U8 and U9 follow the Permen's example order (see `element_for_heading`).

    :raise SheetError: the file cannot be read, has no header with the nine elements, has too many rows, or has
        no respondent at all. Problems inside rows are kept on the rows (`AnswerSheet.errors`).
    """
    try:
        tables = read_tables(filename, content)
    except DomainError as exc:
        raise SheetError(*(CellError.at(0, "berkas", m) for m in exc.messages)) from None
    if not any(table.rows for table in tables):
        raise SheetError(CellError.at(1, "-", N_("berkas kosong")))
    tables, (table, at) = _header_of(filename, content, tables)
    others = [t for t in tables if t is not table and any(_complete(row) for row in t.rows[:HEADER_SCAN])]
    if len(table.rows) > MAX_TABLE_ROWS or len(table.rows) - at - 1 > MAX_ROWS:
        raise SheetError(CellError.at(0, "-", N_("maksimal %(n)d baris per berkas"), n=MAX_ROWS))
    header = [cell_text(h) for h in table.rows[at]]
    notes: list[Message] = []
    if table.sheets > 1:
        index = next(i for i, t in enumerate(tables, start=1) if t is table)
        notes.append(Message(SHEET_NOTE, {"sheet": table.name, "index": index, "count": table.sheets}))
    if others:
        notes.append(Message(OTHER_SHEETS_NOTE, {"sheets": ", ".join(f"'{t.name}'" for t in others)}))
    if at:
        notes.append(Message(HEADER_NOTE, {"row": at + 1}))
    sheet = AnswerSheet(header, _columns(header, notes, u8_facilities=u8_facilities))
    _read_rows(sheet, table, at, notes)
    if not sheet.rows:
        raise SheetError(CellError.at(at + 2, "-", N_("tidak ada baris responden")))
    return replace(sheet, notes=tuple(notes))


def _elements_in(row: list[object]) -> set[str]:
    found = (element_for_heading(cell_text(cell)) for cell in row if isinstance(cell, str))
    return {element.code for element in found if element is not None}


def _header_of(filename: str, content: bytes, tables: list[Table]) -> tuple[list[Table], tuple[Table, int]]:
    """The header as _find_header finds it; for a CSV file where it is not found, the file read with each other
    delimiter in turn (the Sniffer can be misled by a title row or by commas and semicolons in the text)."""
    try:
        return tables, _find_header(tables)
    except SheetError:
        for delimiter in CSV_DELIMITERS.replace(tables[0].delimiter, "") if tables[0].delimiter else "":
            other = read_tables(filename, content, delimiter=delimiter)
            if any(_complete(row) for row in other[0].rows[:HEADER_SCAN]):
                return other, _find_header(other)
        raise


def _complete(row: list[object]) -> bool:
    return len(_elements_in(row)) == len(ELEMENT_CODES)


def _find_header(tables: list[Table]) -> tuple[Table, int]:
    """The table and row index of the header: the first row naming all nine elements, in the first sheet that has
    one. Otherwise refuse, saying where the most likely header row is, or that none was found at all."""
    best: tuple[int, Table, int] | None = None
    for table in tables:
        for at, row in enumerate(table.rows[:HEADER_SCAN]):
            found = len(_elements_in(row))
            if found == len(ELEMENT_CODES):
                return table, at
            if found and (best is None or found > best[0]):
                best = (found, table, at)
    if best is None:
        if len(tables) == 1 and not tables[0].name:
            raise SheetError(CellError.whole_file(NO_HEADER, rows=HEADER_SCAN))
        names = ", ".join(f"'{t.name}'" for t in tables)
        raise SheetError(CellError.whole_file(NO_HEADER_IN_SHEETS, rows=HEADER_SCAN, sheets=names))
    _, table, at = best
    present = _elements_in(table.rows[at])
    problem = Message(MISSING_COLUMN_IN_SHEET, {"sheet": table.name}) if table.sheets > 1 else MISSING_COLUMN
    raise SheetError(*(CellError.at(at + 1, code, problem) for code in ELEMENT_CODES if code not in present))


def _columns(header: list[str], notes: list[Message], *, u8_facilities: bool) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, heading in enumerate(header):
        element = element_for_heading(heading, u8_facilities=u8_facilities)
        if element is None:
            continue
        if element.code in columns:
            used = header[columns[element.code]]
            notes.append(Message(DUPLICATE_NOTE, {"column": heading[:60], "code": element.code, "used": used[:60]}))
        columns.setdefault(element.code, index)
    spelled = [plain_words(h) for h in header]
    for key, names in PROFILE_COLUMNS.items():
        for name in names:
            if plain_words(name) in spelled:
                columns[key] = spelled.index(plain_words(name))
                break
    return columns


def _read_rows(sheet: AnswerSheet, table: Table, at: int, notes: list[Message]) -> None:
    """Read every row below the header into `sheet.rows`; note the rows left out and the cells over several lines."""
    first = min(sheet.columns[code] for code in ELEMENT_CODES)
    spans = {span.record: span for span in table.spans}
    summary: dict[int, str] = {}
    trailing: list[int] = []  # rows of notes or bare numbers, left out if no respondent follows them
    for number, raw in enumerate(table.rows[at + 1 :], start=at + 2):
        if all(cell_text(v) == "" for v in raw):
            continue  # a blank spreadsheet line is not a respondent
        span = spans.get(number)
        swallowed = span is not None and span.swallowed  # such a row is always shown, never left out
        if not swallowed and (label := _summary_label(raw[: max(first, 1)])):
            summary[number] = label[1]
            sheet.summary.append(summary_row(number, raw, label[0], sheet.columns))
            continue
        row = _read_row(sheet, number, raw)
        if span is not None:
            row = _spanning(sheet, row, span, notes)
        note = not swallowed and row.errors and _is_note(sheet, raw, max(first, 3))
        trailing = trailing + [number] if note else []
        sheet.rows.append(row)
    if summary:
        labels = ", ".join(list(dict.fromkeys(summary.values()))[:6])
        notes.append(Message(SUMMARY_NOTE, {"rows": row_list(list(summary)), "labels": labels}))
    if trailing:
        del sheet.rows[-len(trailing) :]
        notes.append(Message(FOOTER_NOTE, {"rows": row_list(trailing)}))


def _summary_label(cells: list[object]) -> tuple[int, str] | None:
    """The column and label of a summary row ("Jumlah", "NRR tertimbang", "Σ"...) in the cells left of the
    answers, or None."""
    for index, cell in enumerate(cells):
        text = cell_text(cell)
        if text.startswith(("Σ", "∑")) or _SUMMARY.match(plain_words(text)):
            return index, text[:40]
    return None


def _is_note(sheet: AnswerSheet, raw: list[object], width: int) -> bool:
    """A row whose only content is in its first `width` columns (a footer note, or a number with no answers), is
    text where it falls in an answer column, and leaves the profile columns empty (that would be a respondent)."""
    answers = [raw[sheet.columns[code]] for code in ELEMENT_CODES if sheet.columns[code] < len(raw)]
    numeric = any(not isinstance(v, str) or _NUMBER.fullmatch(v.strip()) for v in answers if cell_text(v))
    profile = any(cell_text(raw[i]) for key, i in sheet.columns.items() if key in PROFILE_COLUMNS and i < len(raw))
    return not numeric and not profile and all(cell_text(v) == "" for v in raw[width:])


def _spanning(sheet: AnswerSheet, row: SheetRow, span: Span, notes: list[Message]) -> SheetRow:
    """A row whose quoted cell ran over several lines: an error when those lines look like swallowed rows."""
    column = sheet.header[span.column] if span.column < len(sheet.header) and sheet.header[span.column] else "-"
    where = {"first": span.first_line, "last": span.last_line}
    if span.swallowed:
        return replace(row, errors=(*row.errors, CellError.at(row.number, column, SWALLOWED, **where)))
    notes.append(Message(SPAN_NOTE, {"row": row.number, "column": column, **where}))
    return row


def parse_answer(element: Element, value: object) -> int | None:
    """One answer of a sheet as a score: 1-4 (also "4,00", "4.0"), the element's own option label, or blank."""
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER.fullmatch(text):
            text = re.split("[.,]", text)[0]
        elif (score := score_for_option(element, text)) is not None:
            return score
        value = text
    return parse_score(value)


def _read_row(sheet: AnswerSheet, number: int, raw: list[object]) -> SheetRow:
    def cell(key: str) -> object:
        index = sheet.columns.get(key)
        return raw[index] if index is not None and index < len(raw) else None

    errors = []
    scores: dict[str, int | None] = {}
    for code in ELEMENT_CODES:
        try:
            scores[code] = parse_answer(ELEMENTS_BY_CODE[code], cell(code))
        except ScoreError as exc:
            errors.append(CellError.at(number, sheet.column_name(code), SCORE_ERROR, value=exc.value))
    if not errors and all(v is None for v in scores.values()):
        errors.append(CellError.at(number, "U1-U9", NO_ANSWERS))
    cells = {key: cell(key) for key in PROFILE_COLUMNS if key in sheet.columns}
    return SheetRow(number, scores, cells, tuple(errors))


def located(sheet: AnswerSheet, number: int, key: str, problem: Message | str, **params) -> CellError:
    """A problem in a row's profile column, located by the column's own header."""
    return CellError.at(number, sheet.column_name(key), problem, **params)
