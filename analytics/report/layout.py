"""Text, numbers, fonts, styles and small flowable builders shared by the SKM report's parts.

Numbers are printed the Indonesian way: decimal comma, dot for thousands. Every
piece of user-controlled text that reaches Paragraph markup goes through `esc()`;
`plain()` is for canvas strings and plain table cells. reportlab is imported
inside the functions (perf-security A.2).
"""

import importlib.util
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from xml.sax.saxutils import escape

from analytics.dashboard import Dashboard
from analytics.dashboard import ordered_profile as ordered_profile  # one order for the page and the documents
from analytics.dashboard import profile_label as profile_label
from analytics.ikm import IkmResult, decimal_text
from analytics.report_text import Texts
from app.unit_settings import ReportSettings
from survey.questionnaire import ELEMENTS

TITLE = "LAPORAN SURVEI KEPUASAN MASYARAKAT"
DEFAULT_FROZEN_NOTE = "Angka pada laporan ini dibekukan saat publikasi."

CHANNEL_LABELS = {
    "online": "Kuesioner elektronik (kode QR/tautan, perangkat responden)",
    "kiosk": "Kios (tablet di loket)",
    "paper": "Kuesioner kertas (dimasukkan petugas)",
}
PROFILE_TITLES = {
    "gender": "Jenis kelamin",
    "age_band": "Usia",
    "education": "Pendidikan",
    "occupation": "Pekerjaan",
    "service": "Jenis layanan",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# ---------------------------------------------------------------------------------------------------------------
# Text and number helpers (no reportlab)


def esc(text: object) -> str:
    """Escape user text for reportlab Paragraph markup (&, <, > and quotes; control characters dropped)."""
    return escape(_CONTROL.sub("", str(text)), {'"': "&quot;", "'": "&#39;"})


def plain(text: object) -> str:
    """User text for places that are not markup (canvas strings, plain table cells): control characters dropped."""
    return _CONTROL.sub("", str(text))


def fmt_int(value: int) -> str:
    """1234567 -> "1.234.567" (Indonesian thousands separator)."""
    return f"{value:,}".replace(",", ".")


def fmt_dec(value: Fraction | Decimal | None, places: int) -> str:
    """Round half-up to `places` decimals and print with a decimal comma; "-" for no data."""
    return "-" if value is None else decimal_text(value, places)


def fmt_pct(part: int, whole: int) -> str:
    return fmt_dec(Fraction(100 * part, whole), 1) + "%" if whole else "-"


def weight_text(result: IkmResult) -> str:
    """ "1/9", or "1/k" when some elements had no answers (the rule's 1/9 when there is no data at all)."""
    if result.weight is None:
        return f"1/{len(ELEMENTS)}"
    return f"{result.weight.numerator}/{result.weight.denominator}"


# ---------------------------------------------------------------------------------------------------------------
# Fonts and styles


def _font_dir() -> Path | None:
    """DejaVu Sans ships with matplotlib (a pinned dependency); found without importing matplotlib."""
    candidates = []
    spec = importlib.util.find_spec("matplotlib")
    if spec and spec.submodule_search_locations:
        candidates.append(Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf")
    candidates.append(Path("/usr/share/fonts/truetype/dejavu"))
    for folder in candidates:
        if all((folder / f"DejaVuSans{s}.ttf").is_file() for s in ("", "-Bold", "-Oblique", "-BoldOblique")):
            return folder
    return None


_FONTS: tuple[str, str, str] | None = None


def _fonts() -> tuple[str, str, str]:
    """Register a Unicode TrueType family once (Σ, ×, ≥ and non-Latin names); Helvetica if none is found."""
    global _FONTS
    if _FONTS is None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        folder = _font_dir()
        if folder is None:
            _FONTS = ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique")
        else:
            for name, suffix in (("SKMSans", ""), ("SKMSans-Bold", "-Bold"), ("SKMSans-Italic", "-Oblique"),
                                 ("SKMSans-BoldItalic", "-BoldOblique")):  # fmt: skip
                pdfmetrics.registerFont(TTFont(name, str(folder / f"DejaVuSans{suffix}.ttf")))
            pdfmetrics.registerFontFamily(
                "SKMSans",
                normal="SKMSans",
                bold="SKMSans-Bold",
                italic="SKMSans-Italic",
                boldItalic="SKMSans-BoldItalic",
            )
            _FONTS = ("SKMSans", "SKMSans-Bold", "SKMSans-Italic")
    return _FONTS


def _styles() -> dict:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    regular, bold, italic = _fonts()
    base = ParagraphStyle("body", fontName=regular, fontSize=10, leading=14, alignment=TA_JUSTIFY, spaceAfter=6)
    return {
        "body": base,
        "left": ParagraphStyle("left", parent=base, alignment=TA_LEFT),
        "bullet": ParagraphStyle("bullet", parent=base, leftIndent=16, bulletIndent=4, spaceAfter=3),
        "bab": ParagraphStyle("bab", parent=base, fontName=bold, fontSize=14, leading=19, alignment=TA_CENTER,
                              spaceAfter=14),
        "h2": ParagraphStyle("h2", parent=base, fontName=bold, fontSize=11, leading=15, alignment=TA_LEFT,
                             spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "h3": ParagraphStyle("h3", parent=base, fontName=bold, fontSize=10, leading=14, alignment=TA_LEFT,
                             spaceBefore=4, spaceAfter=3, keepWithNext=1),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, alignment=TA_LEFT, spaceAfter=0),
        "cellr": ParagraphStyle("cellr", parent=base, fontSize=8.5, leading=10.5, alignment=TA_RIGHT, spaceAfter=0),
        "cellb": ParagraphStyle("cellb", parent=base, fontName=bold, fontSize=8.5, leading=10.5, alignment=TA_LEFT,
                                spaceAfter=0),
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5, alignment=TA_LEFT),
        "note": ParagraphStyle("note", parent=base, fontName=italic, fontSize=9, leading=12, alignment=TA_LEFT),
        "frozen": ParagraphStyle("frozen", parent=base, fontName=bold, fontSize=10, leading=14, alignment=TA_LEFT,
                                 textColor=colors.HexColor("#7a1f00"), spaceAfter=0),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=20, leading=27, alignment=TA_CENTER,
                                spaceAfter=18),
        "cover": ParagraphStyle("cover", parent=base, fontName=bold, fontSize=14, leading=19, alignment=TA_CENTER,
                                spaceAfter=8),
        "coversub": ParagraphStyle("coversub", parent=base, fontSize=11.5, leading=16, alignment=TA_CENTER,
                                   spaceAfter=4),
        "sign": ParagraphStyle("sign", parent=base, alignment=TA_CENTER, spaceAfter=0),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT, spaceAfter=0),
        "caption": ParagraphStyle("caption", parent=base, fontName=italic, fontSize=9, leading=12,
                                  alignment=TA_CENTER, spaceBefore=2, spaceAfter=10),
        "toc0": ParagraphStyle("toc0", parent=base, fontName=bold, alignment=TA_LEFT, spaceBefore=4, spaceAfter=0),
        "toc1": ParagraphStyle("toc1", parent=base, alignment=TA_LEFT, leftIndent=18, spaceAfter=0),
        "fonts": (regular, bold, italic),
    }  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# Small flowable builders


def _para(markup: str, style, bullet: str | None = None):
    from reportlab.platypus import Paragraph

    return Paragraph(markup, style, bulletText=bullet)


def _heading(markup: str, style, outline: tuple[str, int] | None = None):
    para = _para(markup, style)
    if outline:
        para._skm_outline = outline  # read by the doc template's afterFlowable
    return para


def _table(rows: list[list], widths: list[float], *, header_rows: int = 1, right: Iterable[int] = (),
           center: Iterable[int] = (), bold_rows: Iterable[int] = (), font_size: float = 8.5, long: bool = False,
           row_heights=None, padding: float = 3):  # fmt: skip
    """A bordered table with a shaded header; plain-string cells are drawn as text, never parsed as markup."""
    from reportlab.lib import colors
    from reportlab.platypus import LongTable, Table, TableStyle

    regular, bold, _ = _fonts()
    style = [
        ("FONTNAME", (0, 0), (-1, -1), regular),
        ("FONTSIZE", (0, 0), (-1, -1), font_size),
        ("LEADING", (0, 0), (-1, -1), font_size + 2),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#777777")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), padding - 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        style += [
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#dfe7ef")),
            ("FONTNAME", (0, 0), (-1, header_rows - 1), bold),
            ("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER"),
        ]
    for col in right:
        style.append(("ALIGN", (col, header_rows), (col, -1), "RIGHT"))
    for col in center:
        style.append(("ALIGN", (col, header_rows), (col, -1), "CENTER"))
    for row in bold_rows:
        style += [
            ("FONTNAME", (0, row), (-1, row), bold),
            ("BACKGROUND", (0, row), (-1, row), colors.HexColor("#f1f1f1")),
        ]
    if header_rows:
        from reportlab.lib.enums import TA_CENTER
        from reportlab.lib.styles import ParagraphStyle

        head = ParagraphStyle("head", fontName=bold, fontSize=font_size, leading=font_size + 2, alignment=TA_CENTER)
        rows = [[_para(esc(c), head) if isinstance(c, str) else c for c in row] for row in rows[:header_rows]] + rows[
            header_rows:
        ]
    cls = LongTable if long else Table
    table = cls(rows, colWidths=widths, repeatRows=header_rows, rowHeights=row_heights, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def _boxed(flowable, width: float, color: str = "#7a1f00", background: str = "#fff4e5"):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    box = Table([[flowable]], colWidths=[width], hAlign="LEFT")
    box.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 1.2, colors.HexColor(color)),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(background)),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
    ]))  # fmt: skip
    return box


def _style_like(parent, **changes):
    """A copy of a paragraph style with some attributes changed."""
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(f"{parent.name}-x", parent=parent, **changes)


# ---------------------------------------------------------------------------------------------------------------
# What every part of the report is built from


@dataclass
class _Ctx:
    """The dashboard being rendered, the styles, the frame width, the signatory, the unit's settings and texts."""

    dashboard: Dashboard
    styles: dict
    width: float  # frame width in points
    office_head: str
    settings: ReportSettings
    texts: Texts

    @property
    def figures(self) -> Dashboard:
        return self.dashboard

    @property
    def frozen_note(self) -> str | None:
        return self.dashboard.status_note

    @property
    def unit(self) -> str:
        return self.dashboard.unit_name

    @property
    def period(self):
        return self.dashboard.period
