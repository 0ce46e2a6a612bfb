"""Read the rows of a CSV or XLSX file (paper questionnaires, spreadsheets for the IKM calculator)."""

import csv
import io
from dataclasses import dataclass


@dataclass(frozen=True)
class CellError:
    """One problem in a table: spreadsheet row number (header = 1, 0 = the whole file), column, message."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"baris {self.row}, kolom {self.column}: {self.message}"


class TableError(ValueError):
    """The file cannot be read as a table; the message says why."""


def read_table(filename: str, content: bytes) -> list[list[object]]:
    """Return the rows of a CSV or XLSX file (first row = header)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(content)
    raise TableError("format berkas harus .csv atau .xlsx")


def _read_csv(content: bytes) -> list[list[object]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _read_xlsx(content: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or foreign file
        raise TableError("berkas .xlsx tidak dapat dibaca") from None
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
