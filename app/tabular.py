"""Read the rows of a CSV or XLSX file (paper questionnaires, spreadsheets for the IKM calculator)."""

import csv
import io
from dataclasses import dataclass
from itertools import islice

from app.errors import DomainError, Message, as_message
from app.i18n import N_

CELL_MESSAGE = N_("baris %(row)d, kolom %(column)s: %(problem)s")


@dataclass(frozen=True)
class CellError(Message):
    """One problem in a table, located: spreadsheet row (header = 1, 0 = the whole file) and column."""

    row: int = 0
    column: str = ""

    @classmethod
    def at(cls, row: int, column: str, problem: "Message | str", /, **params) -> "CellError":
        """Locate a problem: ``CellError.at(3, "U1", N_("nilai '%(value)s' ..."), value="5")``."""
        return cls(CELL_MESSAGE, {"row": row, "column": column, "problem": as_message(problem, **params)},
                   column, row, column)  # fmt: skip

    @classmethod
    def whole_file(cls, problem: str, /, **params) -> "CellError":
        """A problem of the whole file, without a row and column to name (row 0)."""
        return cls(problem, params)

    @property
    def problem(self) -> Message:
        return self.params.get("problem", self)


GROUP_MESSAGE = N_("kolom %(column)s, %(problem)s: baris %(rows)s")
MORE_ROWS = N_("%(rows)s dan %(more)d baris lain")
MORE_PROBLEMS = N_("... dan %(more)d masalah lain di %(rows)d baris")
MAX_LISTED_ROWS = 12
MAX_GROUPS = 40


def row_list(numbers: "list[int]") -> "Message | str":
    """Row numbers for a message: "4, 9, 12-20", the first MAX_LISTED_ROWS ranges and how many more rows."""
    ranges: list[list[int]] = []
    for n in sorted(set(numbers)):
        if ranges and n == ranges[-1][1] + 1:
            ranges[-1][1] = n
        else:
            ranges.append([n, n])
    shown = [f"{a}" if a == b else f"{a}-{b}" for a, b in ranges[:MAX_LISTED_ROWS]]
    more = sum(b - a + 1 for a, b in ranges[MAX_LISTED_ROWS:])
    text = ", ".join(shown)
    return Message(MORE_ROWS, {"rows": text, "more": more}) if more else text


def group_errors(errors: "list[CellError] | tuple[CellError, ...]") -> list[CellError]:
    """One error per column and problem: a problem found in one row keeps its own line ("baris 4, kolom U3: ..."),
    the same problem in several rows becomes "kolom U3, nilai '5' ...: baris 4, 9, 12". At most MAX_GROUPS lines,
    then one line counting the rest, so a file with 10,000 bad rows gives a short report."""
    groups: dict[tuple, list[CellError]] = {}
    for error in errors:
        problem = error.problem
        key = (error.column, problem.text, tuple(sorted((k, str(v)) for k, v in problem.params.items())))
        groups.setdefault(key, []).append(error)
    lines = []
    for found in list(groups.values())[:MAX_GROUPS]:
        first = found[0]
        if len(found) == 1 or "problem" not in first.params:
            lines.append(first)
            continue
        rows = row_list([e.row for e in found])
        lines.append(CellError(GROUP_MESSAGE, {"column": first.column, "problem": first.problem, "rows": rows},
                               first.column, first.row, first.column))  # fmt: skip
    rest = [e for found in list(groups.values())[MAX_GROUPS:] for e in found]
    if rest:
        lines.append(CellError(MORE_PROBLEMS, {"more": len(rest), "rows": len({e.row for e in rest})}))
    return lines


class TableError(DomainError):
    """The file cannot be read as a table; the message says why."""


# What an honest spreadsheet of questionnaires needs, and a bound on what a hostile one can cost: an .xlsx is a ZIP
# whose parts may unpack a thousandfold, and whose sheet may declare a million rows by sixteen thousand columns.
XLSX_MAX_UNPACKED = 64 * 1024 * 1024
XLSX_MAX_PARTS = 500
MAX_COLUMNS = 64
HEADER_SCAN = 30  # a header may sit below this many title rows at most
MAX_TABLE_ROWS = HEADER_SCAN + 20_001  # title rows, header and the 20,000 rows of an import; longer is cut, refused


@dataclass(frozen=True)
class Span:
    """A CSV record whose quoted cell runs over several text lines; `swallowed` when those lines look like rows."""

    record: int  # the record's number (header = 1), as a spreadsheet shows it
    first_line: int
    last_line: int
    column: int  # index of the (first) cell holding a line break
    swallowed: bool


@dataclass(frozen=True)
class Table:
    """The rows of one sheet (or of a CSV file: name ""), and the records that ran over several text lines."""

    name: str
    rows: list[list[object]]
    spans: tuple[Span, ...] = ()
    sheets: int = 1  # how many sheets the file has
    delimiter: str = ""  # a CSV file's delimiter


MAX_SHEETS = 20


def read_table(filename: str, content: bytes) -> list[list[object]]:
    """Return the rows of a CSV or XLSX file (its first sheet), at most MAX_TABLE_ROWS + 1 of them."""
    return read_tables(filename, content)[0].rows


def read_tables(filename: str, content: bytes, *, delimiter: str | None = None) -> list[Table]:
    """Return the tables of a CSV file (one) or of an XLSX workbook (one per sheet, at most MAX_SHEETS). A CSV
    file's delimiter is the csv module Sniffer's guess unless one of CSV_DELIMITERS is given."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".csv") or name.endswith(".txt"):
        return [_read_csv(content, delimiter)]
    raise TableError(N_("format berkas harus .csv atau .xlsx"))


_WESTERN = frozenset({"ascii", "cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "mac_roman"})


def _decode(content: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with its BOM (Excel's "Unicode Text"), else the
    Windows-1252 when charset-normalizer finds a Western single-byte text. Anything else is refused, never
    garbled."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise TableError(N_("berkas CSV tidak dapat dibaca sebagai teks; simpan sebagai CSV UTF-8")) from None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # Excel on Windows saves "CSV" in Windows-1252; anything else that is not UTF-8 is refused rather than guessed
    # (a guess between Shift-JIS and Korean on a short file is a coin toss, and garbled text would be stored).
    best = from_bytes(content[:65536]).best()
    if best is None or b"\x00" in content or best.encoding not in _WESTERN:
        raise TableError(N_("berkas CSV tidak dapat dibaca sebagai teks; simpan sebagai CSV UTF-8"))
    return content.decode("cp1252", errors="replace")


CSV_DELIMITERS = ",;\t"


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """The CSV dialect of a sample: the csv module's Sniffer, else the most frequent of comma, semicolon, tab."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS)
    except csv.Error:
        return _with_delimiter(max(CSV_DELIMITERS, key=sample.count))


def _with_delimiter(delimiter: str) -> type[csv.Dialect]:
    return type("Delimited", (csv.excel,), {"delimiter": delimiter})


def _read_csv(content: bytes, delimiter: str | None) -> Table:
    text = _decode(content)
    dialect = _with_delimiter(delimiter) if delimiter else _dialect(text[:4096])
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[list[object]] = []
    spans: list[Span] = []
    line = 0
    try:
        for record in islice(reader, MAX_TABLE_ROWS + 1):
            rows.append(record)
            if reader.line_num > line + 1:
                spans.append(_span(len(rows), line + 1, reader.line_num, record, dialect.delimiter))
            line = reader.line_num
    except csv.Error:  # e.g. a field over the csv module's size limit, or a NUL byte
        raise TableError(N_("berkas CSV tidak dapat dibaca (isian terlalu panjang atau karakter tidak sah)")) from None
    return Table("", rows, tuple(spans), delimiter=dialect.delimiter)


def _span(record: int, first: int, last: int, cells: list[str], delimiter: str) -> Span:
    """Describe a record over several lines; a continuation line holding 8 delimiters looks like a swallowed row
    (nine answers), which a legitimate line break inside a suggestion does not."""
    column = next((i for i, c in enumerate(cells) if "\n" in c or "\r" in c), 0)
    swallowed = any(part.count(delimiter) >= 8 for c in cells for part in c.splitlines()[1:])
    return Span(record, first, last, column, swallowed)


def _trimmed(row: tuple) -> list[object]:
    """A row without the empty cells max_col pads it with."""
    cells = list(row)
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _check_zip(content: bytes) -> None:
    """Refuse an .xlsx whose ZIP would unpack past XLSX_MAX_UNPACKED or holds too many parts, before unpacking."""
    import zipfile

    try:
        parts = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TableError(N_("berkas .xlsx tidak dapat dibaca")) from None
    if len(parts) > XLSX_MAX_PARTS or sum(p.file_size for p in parts) > XLSX_MAX_UNPACKED:
        raise TableError(
            N_("berkas .xlsx terlalu besar setelah dibuka (maksimal %(mb)d MB)"), mb=XLSX_MAX_UNPACKED >> 20
        )


def _read_xlsx(content: bytes) -> list[Table]:
    from openpyxl import load_workbook

    _check_zip(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or foreign file
        raise TableError(N_("berkas .xlsx tidak dapat dibaca")) from None
    try:
        sheets = [s for s in workbook.worksheets if hasattr(s, "iter_rows")][:MAX_SHEETS]  # not chartsheets
        tables = [Table(str(sheet.title), _sheet_rows(sheet), sheets=len(sheets)) for sheet in sheets]
    except Exception:  # a damaged sheet fails while its rows are read
        raise TableError(N_("berkas .xlsx tidak dapat dibaca")) from None
    finally:
        workbook.close()
    if not tables:
        raise TableError(N_("berkas .xlsx tidak dapat dibaca"))
    return tables


def _sheet_rows(sheet) -> list[list[object]]:
    sheet.reset_dimensions()  # never trust the declared size (A1:XFD1048576 would be filled in)
    rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    return [_trimmed(row) for row in islice(rows, MAX_TABLE_ROWS + 1)]
