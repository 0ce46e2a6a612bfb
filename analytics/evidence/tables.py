"""Tables written into the evidence pack, as CSV and as XLSX, through pandas (outside any web request: the pack is
built by a command), every text cell defused against formula injection."""

import io
from collections.abc import Sequence


def frame(header: Sequence[str], rows: Sequence[Sequence]):
    """A DataFrame of `rows` under `header`; a shorter row (a blank spacer, a closing note) is padded with blanks,
    and text a spreadsheet would evaluate ("=...", "+...") is defused (analytics.export.safe_cell)."""
    import pandas as pd

    from analytics.export import safe_cell

    width = len(header)
    padded = [[safe_cell(value) for value in row] + [None] * (width - len(row)) for row in rows]
    return pd.DataFrame(padded, columns=list(header), dtype=object)


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """UTF-8 CSV with a BOM (spreadsheets then read it as UTF-8), CRLF line ends."""
    text = frame(header, rows).to_csv(index=False, lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def xlsx_bytes(title: str, header: Sequence[str], rows: Sequence[Sequence], *, heading: str = "") -> bytes:
    """One-sheet workbook: an optional heading line, the header in bold, the rows, frozen under the header."""
    import pandas as pd
    from openpyxl.styles import Font

    from analytics.export import safe_cell

    buffer = io.BytesIO()
    start = 1 if heading else 0
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame(header, rows).to_excel(writer, sheet_name=title[:31], index=False, startrow=start,
                                     freeze_panes=(start + 1, 0))  # fmt: skip
        if heading:
            cell = writer.sheets[title[:31]]["A1"]
            cell.value, cell.font = safe_cell(heading), Font(bold=True)
    return buffer.getvalue()
