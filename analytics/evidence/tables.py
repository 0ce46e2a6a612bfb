"""Tables written into the evidence pack, as CSV and as XLSX, safe against formula injection."""

import csv
import io
from collections.abc import Sequence


def _safe(value):
    from analytics.export import safe_cell

    return safe_cell(value)


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """UTF-8 CSV with a BOM (spreadsheets then read it as UTF-8); text a spreadsheet would evaluate is defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else _safe(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, header: Sequence[str], rows: Sequence[Sequence], *, heading: str = "") -> bytes:
    """One-sheet workbook: an optional heading line, the header in bold, the rows, frozen under the header."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    if heading:
        sheet.append([_safe(heading)])
        sheet["A1"].font = Font(bold=True)
    sheet.append(list(header))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(value) for value in row])
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
