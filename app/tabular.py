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

    @property
    def problem(self) -> Message:
        return self.params["problem"]


class TableError(DomainError):
    """The file cannot be read as a table; the message says why."""


# What an honest spreadsheet of questionnaires needs, and a bound on what a hostile one can cost: an .xlsx is a ZIP
# whose parts may unpack a thousandfold, and whose sheet may declare a million rows by sixteen thousand columns.
XLSX_MAX_UNPACKED = 64 * 1024 * 1024
XLSX_MAX_PARTS = 500
MAX_COLUMNS = 64
MAX_TABLE_ROWS = 20_001  # header and the 20,000-row limit of an import; a longer table is cut here and refused


def read_table(filename: str, content: bytes) -> list[list[object]]:
    """Return the rows of a CSV or XLSX file (first row = header), at most MAX_TABLE_ROWS + 1 of them."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(content)
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


def _read_csv(content: bytes) -> list[list[object]]:
    text = _decode(content)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(islice(csv.reader(io.StringIO(text), dialect), MAX_TABLE_ROWS + 1))
    except csv.Error:  # e.g. a field over the csv module's size limit, or a NUL byte
        raise TableError(N_("berkas CSV tidak dapat dibaca (isian terlalu panjang atau karakter tidak sah)")) from None


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


def _read_xlsx(content: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    _check_zip(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or foreign file
        raise TableError(N_("berkas .xlsx tidak dapat dibaca")) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # never trust the declared size (A1:XFD1048576 would be filled in)
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        return [_trimmed(row) for row in islice(rows, MAX_TABLE_ROWS + 1)]
    except Exception:  # a damaged sheet fails while its rows are read
        raise TableError(N_("berkas .xlsx tidak dapat dibaca")) from None
    finally:
        workbook.close()
