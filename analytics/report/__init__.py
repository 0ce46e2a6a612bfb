"""The SKM report as PDF, in the standard outline of PermenPAN-RB 14/2017 (domain rules 1.8).

Cover, BAB I-V, signature block, then the appendices: A the questionnaire,
B the per-respondent x per-element calculation sheet (streamed from the
database; the first CALC_SHEET_MAX_ROWS respondents of a large period), C the
Krejcie-Morgan table, D the respondents' suggestions (when there are any).
Numbers are printed the Indonesian way: decimal comma, dot for thousands.

It renders a `Dashboard` as built: for a published period every figure, the
profile and the calculation sheet included, describes the published respondent
set; the report prints the dashboard's status note (frozen, provisional, or a
period still in progress) and, for a filtered selection, the filter in its title.

reportlab is imported inside the functions (perf-security A.2: keep it out of
the web worker's boot). Every piece of user-controlled text that reaches
Paragraph markup goes through `esc()`.
"""

import importlib.util
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from xml.sax.saxutils import escape

from analytics import data
from analytics.dashboard import Dashboard, fmt_date
from analytics.ikm import IkmResult, Tally, compute_ikm, half_up
from analytics.sample import KREJCIE_MORGAN
from survey.questionnaire import EDUCATIONS, ELEMENTS, GENDERS, OCCUPATIONS

CALC_SHEET_MAX_ROWS = 5000  # beyond this the appendix lists the first rows; the Excel export has them all
MAX_SUGGESTIONS = 100
MAX_SUGGESTION_CHARS = 600
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
PROFILE_LABELS = {"gender": dict(GENDERS), "education": dict(EDUCATIONS), "occupation": dict(OCCUPATIONS)}
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
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        value = Fraction(value)
    text = str(half_up(value, places))
    whole, _, decimals = text.partition(".")
    return f"{fmt_int(int(whole)) if whole.lstrip('-').isdigit() else whole},{decimals}"


def fmt_pct(part: int, whole: int) -> str:
    return fmt_dec(Fraction(100 * part, whole), 1) + "%" if whole else "-"


def weight_text(result: IkmResult) -> str:
    """ "1/9", or "1/k" when some elements had no answers (the rule's 1/9 when there is no data at all)."""
    if result.weight is None:
        return f"1/{len(ELEMENTS)}"
    return f"{result.weight.numerator}/{result.weight.denominator}"


def profile_label(group: str, key: str) -> str:
    if group == "age_band" and key != data.NOT_FILLED:
        return key.replace(">=", "≥") + " tahun"
    return PROFILE_LABELS.get(group, {}).get(key, key)


def ordered_profile(group: str, entries: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Profile rows in the questionnaire's order (age bands ascending); services by count; "Tidak diisi" last."""
    order = {
        "gender": [k for k, _ in GENDERS],
        "age_band": [label for _, _, label in data.AGE_BANDS],
        "education": [k for k, _ in EDUCATIONS],
        "occupation": [k for k, _ in OCCUPATIONS],
    }.get(group)
    if order is None:
        return sorted(entries, key=lambda item: (str(item[0]) == data.NOT_FILLED, -item[1], str(item[0])))
    rank = {key: i for i, key in enumerate(order)}
    return sorted(entries, key=lambda item: rank.get(str(item[0]), len(rank) + (str(item[0]) == data.NOT_FILLED)))


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


# ---------------------------------------------------------------------------------------------------------------
# The report


@dataclass
class _Ctx:
    dashboard: Dashboard
    styles: dict
    width: float  # frame width in points
    office_head: str

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


def skm_report_pdf(dashboard: Dashboard, *, office_head: str = "") -> bytes:
    """Render the SKM report of a dashboard's period as PDF bytes (cover, BAB I-V, appendices).

    :param office_head: the name printed in the signature block (dotted line when empty).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageBreak, PageTemplate

    styles = _styles()
    page_w, page_h = A4
    margin_x, margin_top, margin_bottom = 2.2 * cm, 2.0 * cm, 2.0 * cm
    frame_w = page_w - 2 * margin_x
    ctx = _Ctx(dashboard, styles, frame_w, office_head)

    regular, _bold, _italic = styles["fonts"]
    footer_left = f"SKM {plain(dashboard.unit_name)} · {dashboard.period.label}{plain(dashboard.title_suffix)}"

    def on_body_page(canvas, doc):
        from reportlab.pdfbase.pdfmetrics import stringWidth

        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
        canvas.line(margin_x, margin_bottom - 0.35 * cm, page_w - margin_x, margin_bottom - 0.35 * cm)
        page = f"Halaman {doc.page}"
        text = footer_left
        room = frame_w - stringWidth(page, regular, 7.5) - 12
        while text and stringWidth(text, regular, 7.5) > room:
            text = text[:-2]
        if text != footer_left:
            text = text.rstrip() + "…"
        canvas.drawString(margin_x, margin_bottom - 0.75 * cm, text)
        canvas.drawRightString(page_w - margin_x, margin_bottom - 0.75 * cm, page)
        canvas.restoreState()

    def on_cover_page(canvas, doc):
        canvas.saveState()
        canvas.setStrokeColorRGB(0.12, 0.23, 0.35)
        canvas.setLineWidth(2)
        canvas.rect(1.2 * cm, 1.2 * cm, page_w - 2.4 * cm, page_h - 2.4 * cm)
        canvas.setLineWidth(0.6)
        canvas.rect(1.4 * cm, 1.4 * cm, page_w - 2.8 * cm, page_h - 2.8 * cm)
        canvas.restoreState()

    class _Doc(BaseDocTemplate):
        def afterFlowable(self, flowable):
            outline = getattr(flowable, "_skm_outline", None)
            if outline:
                title, level = outline
                key = f"o{id(flowable)}"
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)

    buffer = io.BytesIO()
    frame = Frame(margin_x, margin_bottom, frame_w, page_h - margin_top - margin_bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
    doc = _Doc(
        buffer,
        pagesize=A4,
        title=f"{TITLE} - {plain(dashboard.unit_name)} - {dashboard.period.label}{plain(dashboard.title_suffix)}",
        author=plain(dashboard.unit_name),
        subject="Survei Kepuasan Masyarakat (PermenPAN-RB 14/2017)",
        creator="Aplikasi SKM",
        pageTemplates=[
            PageTemplate(id="cover", frames=[frame], onPage=on_cover_page),
            PageTemplate(id="body", frames=[frame], onPage=on_body_page),
        ],
    )
    story = []
    story += _cover(ctx)
    story += [NextPageTemplate("body"), PageBreak()]
    for chapter in (_bab1, _bab2, _bab3, _bab4, _bab5):
        story += chapter(ctx)
        story.append(PageBreak())
    story += _appendix_questionnaire(ctx)
    story.append(PageBreak())
    sheet, suggestions = _appendix_sheet(ctx)
    story += sheet
    story.append(PageBreak())
    story += _appendix_krejcie(ctx)
    if suggestions:
        story.append(PageBreak())
        story += _appendix_suggestions(ctx, suggestions)
    doc.build(story)
    return buffer.getvalue()


def _cover(ctx: _Ctx) -> list:
    from reportlab.lib import colors
    from reportlab.lib.units import cm
    from reportlab.platypus import Spacer, Table, TableStyle

    s, fig = ctx.styles, ctx.figures
    period = ctx.period
    story = [
        Spacer(1, 2.2 * cm),
        _heading(TITLE, s["title"], ("Sampul", 0)),
        _para(f"Periode {esc(period.label)}", s["cover"]),
        _para(f"{fmt_date(period.start)} s.d. {fmt_date(period.last_day)}", s["coversub"]),
        Spacer(1, 1.6 * cm),
        _para("UNIT PELAYANAN", s["coversub"]),
        _para(esc(ctx.unit.upper()), s["cover"]),
        Spacer(1, 1.4 * cm),
    ]
    if fig.result.has_data:
        big = _style_like(s["title"], fontSize=30, leading=36, spaceAfter=2)
        cells = [
            [_para("Nilai IKM (NIK)", s["coversub"]), _para("Mutu pelayanan", s["coversub"])],
            [_para(fmt_dec(fig.result.nik, 2), big), _para(fig.result.mutu, big)],
            [_para(f"{fmt_int(fig.result.respondents)} responden", s["coversub"]),
             _para(esc(fig.result.kinerja), s["coversub"])],
        ]  # fmt: skip
        box = Table(cells, colWidths=[6 * cm, 6 * cm])
        box.setStyle(TableStyle([
            ("BOX", (0, 0), (-1, -1), 1.0, colors.HexColor("#1f3b5a")),
            ("LINEAFTER", (0, 0), (0, -1), 0.6, colors.HexColor("#1f3b5a")),
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f2f6fa")),
            ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]))  # fmt: skip
        story.append(box)
    else:
        story.append(_para("Tidak ada data: belum ada kuesioner pada periode ini.", s["coversub"]))
    story.append(Spacer(1, 0.8 * cm))
    if ctx.dashboard.filtered:
        story.append(_boxed(_para("PILIHAN TERFILTER, BUKAN LAPORAN RESMI UNIT: " + esc(ctx.dashboard.filter_text),
                                  s["frozen"]), ctx.width))  # fmt: skip
    if ctx.frozen_note:
        story.append(Spacer(1, 0.3 * cm))
        story.append(_boxed(_para(esc(ctx.frozen_note), s["frozen"]), ctx.width))
    story += [
        Spacer(1, 2.0 * cm),
        _para(
            "Disusun berdasarkan Peraturan Menteri PANRB Nomor 14 Tahun 2017 tentang Pedoman Penyusunan "
            "Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan Publik",
            s["coversub"],
        ),  # fmt: skip
        Spacer(1, 0.3 * cm),
        _para(f"Dicetak {fmt_date(ctx.dashboard.today)}", s["coversub"]),
    ]
    return story


def _style_like(parent, **changes):
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(f"{parent.name}-x", parent=parent, **changes)


def _bab1(ctx: _Ctx) -> list:
    s = ctx.styles
    unit = esc(ctx.unit)
    return [
        _heading("BAB I<br/>PENDAHULUAN", s["bab"], ("BAB I Pendahuluan", 0)),
        _heading("1.1 Latar Belakang", s["h2"], ("1.1 Latar Belakang", 1)),
        _para(
            "Pelayanan publik yang berkualitas adalah hak setiap warga negara. Undang-Undang Nomor 25 Tahun 2009 "
            "tentang Pelayanan Publik mewajibkan penyelenggara pelayanan publik untuk menilai kinerja pelayanannya "
            "secara berkala, dan salah satu ukurannya adalah kepuasan masyarakat sebagai pengguna layanan.",
            s["body"],
        ),
        _para(
            "Survei Kepuasan Masyarakat (SKM) adalah kegiatan pengukuran secara komprehensif tentang tingkat "
            "kepuasan masyarakat terhadap kualitas layanan yang diberikan oleh penyelenggara pelayanan publik. "
            f"{unit} melaksanakan SKM untuk periode {esc(ctx.period.label)} guna mengetahui kelemahan dan "
            "kelebihan setiap unsur pelayanan sebagai bahan perbaikan yang berkelanjutan.",
            s["body"],
        ),
        _heading("1.2 Dasar Pelaksanaan", s["h2"], ("1.2 Dasar Pelaksanaan", 1)),
        _para("Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik;", s["bullet"], bullet="1."),
        _para("Peraturan Pemerintah Nomor 96 Tahun 2012 tentang Pelaksanaan Undang-Undang Nomor 25 Tahun 2009 "
              "tentang Pelayanan Publik;", s["bullet"], bullet="2."),
        _para("Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 14 Tahun 2017 tentang "
              "Pedoman Penyusunan Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan Publik.", s["bullet"],
              bullet="3."),
        _para(
            "Pasal 1 ayat (1) Peraturan Menteri PANRB Nomor 14 Tahun 2017 menyatakan: <i>\"Penyelenggara pelayanan "
            "publik wajib melakukan Survei Kepuasan Masyarakat secara berkala minimal 1 (satu) kali setahun.\"</i>",
            s["body"],
        ),
        _heading("1.3 Maksud dan Tujuan", s["h2"], ("1.3 Maksud dan Tujuan", 1)),
        _para(
            "Maksud pelaksanaan SKM adalah mengukur tingkat kepuasan masyarakat terhadap pelayanan yang diberikan "
            f"oleh {unit}. Tujuannya:",
            s["body"],
        ),
        _para("mengetahui kelemahan atau kekuatan setiap unsur penyelenggaraan pelayanan publik;", s["bullet"],
              bullet="a."),
        _para("mengetahui kinerja penyelenggaraan pelayanan yang telah dilaksanakan secara periodik;", s["bullet"],
              bullet="b."),
        _para("menjadi bahan penetapan kebijakan dan upaya tindak lanjut perbaikan pelayanan;", s["bullet"],
              bullet="c."),
        _para("mengetahui Indeks Kepuasan Masyarakat (IKM) secara menyeluruh terhadap hasil pelaksanaan pelayanan.",
              s["bullet"], bullet="d."),
    ]  # fmt: skip


def _bab2(ctx: _Ctx) -> list:
    from reportlab.lib.units import cm

    s, d, fig = ctx.styles, ctx.dashboard, ctx.figures
    unit = esc(ctx.unit)
    story = [
        _heading("BAB II<br/>PENGUMPULAN DATA SKM", s["bab"], ("BAB II Pengumpulan Data", 0)),
        _heading("2.1 Pelaksana SKM", s["h2"], ("2.1 Pelaksana SKM", 1)),
        _para(
            f"SKM dilaksanakan secara mandiri (swakelola) oleh tim SKM {unit}. Pengolahan data dilakukan dengan "
            "aplikasi SKM yang menghitung indeks sesuai Peraturan Menteri PANRB Nomor 14 Tahun 2017.",
            s["body"],
        ),
        _heading("2.2 Metode Pengumpulan Data", s["h2"], ("2.2 Metode Pengumpulan Data", 1)),
        _para(
            "Data dikumpulkan dengan kuesioner yang memuat 9 (sembilan) unsur pelayanan sesuai Peraturan Menteri "
            "PANRB Nomor 14 Tahun 2017, masing-masing dengan skala penilaian 1 sampai 4 (Lampiran A). Responden "
            "mengisi kuesioner secara elektronik dengan memindai kode QR atau membuka tautan di loket, melalui "
            "kios (tablet) di loket, atau pada kuesioner kertas yang kemudian dimasukkan oleh petugas.",
            s["body"],
        ),
    ]
    channels = dict(d.channels)
    total = sum(channels.values())
    rows = [["Kanal pengisian", "Jumlah", "%"]]
    for key, label in CHANNEL_LABELS.items():
        rows.append([label, fmt_int(channels.get(key, 0)), fmt_pct(channels.get(key, 0), total)])
    for key in sorted(set(channels) - set(CHANNEL_LABELS)):
        rows.append([plain(key), fmt_int(channels[key]), fmt_pct(channels[key], total)])
    rows.append(["Jumlah", fmt_int(total), fmt_pct(total, total)])
    story.append(_table(rows, [10.5 * cm, 2.5 * cm, 2.5 * cm], right=(1, 2), bold_rows=(len(rows) - 1,)))
    flags = d.flags
    story.append(
        _para(
            f"Dari {fmt_int(flags.total)} kuesioner, {fmt_int(flags.assisted)} diisi dengan bantuan petugas dan "
            f"{fmt_int(flags.flagged)} ditandai oleh pemeriksaan pengisian berulang (misalnya perangkat yang sama "
            "mengisi lagi). Kuesioner yang ditandai tetap dihitung; tanda tersebut menjadi bahan pemeriksaan.",
            s["note"],
        )
    )
    counters = [g.name for g in d.by_counter if g.key is not None]
    where = ", ".join(esc(n) for n in counters) if counters else "loket-loket pelayanan"
    story += [
        _heading("2.3 Lokasi Pengumpulan Data", s["h2"], ("2.3 Lokasi Pengumpulan Data", 1)),
        _para(f"Pengumpulan data dilakukan di lokasi pelayanan {unit}, yaitu: {where}.", s["body"]),
        _heading("2.4 Waktu Pelaksanaan SKM", s["h2"], ("2.4 Waktu Pelaksanaan SKM", 1)),
        _para(
            f"SKM periode {esc(ctx.period.label)} dilaksanakan pada tanggal {fmt_date(ctx.period.start)} sampai "
            f"dengan {fmt_date(ctx.period.last_day)}.",
            s["body"],
        ),
        _heading("2.5 Penentuan Jumlah Responden", s["h2"], ("2.5 Penentuan Jumlah Responden", 1)),
        _para(
            "Jumlah sampel minimum ditentukan dengan tabel Krejcie dan Morgan sebagaimana tercantum dalam "
            "Lampiran Peraturan Menteri PANRB Nomor 14 Tahun 2017: S = λ²·N·P·Q / (d²·(N−1) + λ²·P·Q), dengan "
            "λ² = 3,841, P = Q = 0,5 dan d = 0,05. N adalah populasi penerima layanan pada periode survei; untuk "
            "populasi di antara dua baris tabel dipakai baris berikutnya yang lebih besar (tabel lengkap pada "
            "Lampiran C).",
            s["body"],
        ),
    ]
    sample = fig.sample
    if sample is None:
        story.append(
            _para(
                f"Populasi penerima layanan untuk periode ini belum diisi (populasi belum diisi), sehingga "
                f"kecukupan jumlah responden belum dapat dinilai. Jumlah kuesioner yang terkumpul: "
                f"<b>{fmt_int(fig.result.respondents)}</b>.",
                s["body"],
            )
        )
    else:
        verdict = f"<b>{sample.label}</b>"
        if not sample.meets:
            verdict += f" (kurang {fmt_int(sample.shortfall)} responden)"
        story.append(
            _para(
                f"Populasi penerima layanan pada periode ini sebanyak {fmt_int(sample.population)} orang, sehingga "
                f"jumlah sampel minimum menurut tabel Krejcie dan Morgan adalah <b>{fmt_int(sample.required)}</b> "
                f"responden. Jumlah kuesioner yang terkumpul sebanyak <b>{fmt_int(sample.collected)}</b>. Dengan "
                f"demikian jumlah responden {verdict} sampel minimum.",
                s["body"],
            )
        )
    return story


def _appendix_krejcie(ctx: _Ctx) -> list:
    s = ctx.styles
    return [
        _heading("LAMPIRAN C<br/>TABEL KREJCIE DAN MORGAN", s["bab"], ("Lampiran C Tabel Krejcie dan Morgan", 0)),
        _para(
            "Jumlah sampel minimum (S) untuk populasi penerima layanan (N), sebagaimana tercantum dalam Lampiran "
            "Peraturan Menteri PANRB Nomor 14 Tahun 2017. Untuk populasi di antara dua baris dipakai baris "
            "berikutnya yang lebih besar.",
            s["small"],
        ),
        _krejcie_table(),
    ]


def _krejcie_table():
    from reportlab.lib import colors
    from reportlab.lib.units import cm

    per_row = 6
    pairs = list(KREJCIE_MORGAN)
    height = -(-len(pairs) // per_row)
    rows = [["N", "S"] * per_row]
    for r in range(height):
        row = []
        for c in range(per_row):
            i = c * height + r
            row += [fmt_int(pairs[i][0]), fmt_int(pairs[i][1])] if i < len(pairs) else ["", ""]
        rows.append(row)
    table = _table(rows, [1.65 * cm, 1.1 * cm] * per_row, right=range(per_row * 2), font_size=8, padding=2)
    table.setStyle([("BACKGROUND", (c, 1), (c, -1), colors.HexColor("#f5f7fa")) for c in range(1, per_row * 2, 2)])
    return table


def _bab3(ctx: _Ctx) -> list:
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, Spacer

    s, d, fig = ctx.styles, ctx.dashboard, ctx.figures
    result = fig.result
    story = [_heading("BAB III<br/>HASIL PENGOLAHAN DATA SKM", s["bab"], ("BAB III Hasil Pengolahan Data", 0))]
    if ctx.frozen_note:
        lines = [esc(ctx.frozen_note)]
        if fig.frozen:
            lines.append(
                "Seluruh angka laporan ini (profil responden, kanal, tren dan lembar perhitungan termasuk) dihitung "
                "dari responden yang tercakup saat publikasi."
            )
        if d.late_responses:
            lines.append(
                f"Sejak publikasi masuk {fmt_int(d.late_responses)} kuesioner lagi untuk periode ini; kuesioner "
                "tersebut tidak mengubah angka yang dipublikasikan."
            )
        story.append(_boxed(_para("<br/>".join(lines), s["frozen"]), ctx.width))
        story.append(Spacer(1, 8))

    # 3.1 respondents by profile
    story.append(_heading("3.1 Jumlah Responden SKM", s["h2"], ("3.1 Jumlah Responden", 1)))
    total = d.result.respondents
    story.append(
        _para(
            f"Jumlah responden pada periode {esc(ctx.period.label)} adalah <b>{fmt_int(result.respondents)}</b> "
            "orang, dengan karakteristik sebagai berikut.",
            s["body"],
        )
    )
    rows = [["Karakteristik", "Kategori", "Jumlah", "%"]]
    group_rows = []
    for group, title in PROFILE_TITLES.items():
        entries = ordered_profile(group, d.profile.get(group, []))
        if not entries:
            continue
        group_rows.append(len(rows))
        for i, (label, count) in enumerate(entries):
            rows.append([
                _para(f"<b>{title}</b>", s["cell"]) if i == 0 else "",
                _para(esc(profile_label(group, str(label))), s["cell"]),
                fmt_int(count),
                fmt_pct(count, total),
            ])  # fmt: skip
    if len(rows) == 1:
        rows.append(["-", "Tidak ada data", "0", "-"])
    table = _table(rows, [3.4 * cm, 8.4 * cm, 2.2 * cm, 2.2 * cm], right=(2, 3))
    from reportlab.lib import colors

    table.setStyle([("LINEABOVE", (0, r), (-1, r), 1.0, colors.HexColor("#333333")) for r in group_rows[1:]])
    story.append(table)

    # 3.2 IKM
    story.append(_heading("3.2 Indeks Kepuasan Masyarakat (IKM)", s["h2"], ("3.2 Indeks Kepuasan Masyarakat", 1)))
    story.append(
        _para(
            "Nilai rata-rata (NRR) per unsur = jumlah nilai per unsur dibagi jumlah kuesioner yang mengisi unsur "
            "tersebut; jawaban yang kosong tidak dihitung (bukan nol). Setiap unsur memiliki penimbang yang sama: "
            f"bobot tepat {weight_text(result)} (bukan 0,11 atau 0,111), sehingga "
            "IKM (nilai interval 1-4) = jumlah NRR tertimbang. Nilai interval konversi (NIK) = IKM × 25, "
            "dihitung tanpa pembulatan antara lalu dibulatkan setengah ke atas menjadi 2 desimal. Mutu pelayanan "
            "ditetapkan dari NIK yang telah dibulatkan: ≥ 88,31 A (Sangat Baik); ≥ 76,61 B (Baik); ≥ 65,00 C "
            "(Kurang Baik); di bawahnya D (Tidak Baik).",
            s["body"],
        )
    )
    if result.has_data and result.missing_elements:
        k = len(result.elements) - len(result.missing_elements)
        story.append(
            _para(
                f"Catatan: unsur {', '.join(result.missing_elements)} tidak memiliki jawaban pada periode ini; "
                f"IKM dihitung dari {k} unsur yang terisi dengan bobot 1/{k}.",
                s["note"],
            )
        )
    story.append(KeepTogether([_element_table(ctx, result)]))
    story.append(Spacer(1, 8))
    summary = [
        ["Jumlah responden", fmt_int(result.respondents)],
        [f"IKM (nilai interval 1-4, Σ NRR × {weight_text(result)})", fmt_dec(result.ikm, 4)],
        ["NIK (IKM × 25, dibulatkan setengah ke atas)", fmt_dec(result.nik, 2)],
        ["Mutu pelayanan", result.mutu or "-"],
        ["Kinerja unit pelayanan", result.kinerja or "-"],
    ]
    summary_table = _table(summary, [10.5 * cm, 5.5 * cm], header_rows=0, right=(1,), font_size=9.5, padding=4)
    summary_table.setStyle([("FONTNAME", (1, 2), (1, 3), s["fonts"][1])])
    story.append(KeepTogether([summary_table]))
    if fig.frozen:
        story.append(_para("Angka pada tabel 3.2 adalah angka yang dibekukan saat publikasi.", s["note"]))
    if not result.has_data:
        story.append(_para("Tidak ada data pada periode ini: IKM tidak dihitung (bukan nol).", s["note"]))
    story.append(Spacer(1, 8))
    story.append(_para("Nilai persepsi, interval, interval konversi, mutu dan kinerja unit pelayanan:", s["small"]))
    story.append(
        _table(
            [
                ["Nilai persepsi", "Nilai interval (NI)", "NIK", "Mutu", "Kinerja"],
                ["1", "1,00 – 2,5996", "25,00 – 64,99", "D", "Tidak Baik"],
                ["2", "2,60 – 3,064", "65,00 – 76,60", "C", "Kurang Baik"],
                ["3", "3,0644 – 3,532", "76,61 – 88,30", "B", "Baik"],
                ["4", "3,5324 – 4,00", "88,31 – 100,00", "A", "Sangat Baik"],
            ],
            [2.6 * cm, 3.6 * cm, 3.6 * cm, 1.8 * cm, 4.4 * cm],
            center=(0, 1, 2, 3),
        )
    )
    story += _services(ctx)
    return story


def _element_table(ctx: _Ctx, result: IkmResult):
    from reportlab.lib.units import cm

    s = ctx.styles
    rows = [["Kode", "Unsur pelayanan", "Terisi", "Jumlah nilai", "NRR", "NRR tertimbang", "NRR × 25", "Mutu"]]
    for e in result.elements:
        rows.append([
            e.code, _para(esc(e.name), s["cell"]), fmt_int(e.answered), fmt_int(e.total), fmt_dec(e.nrr, 3),
            fmt_dec(e.nrr_weighted, 3), fmt_dec(e.nik, 2), e.mutu or "-",
        ])  # fmt: skip
    rows.append([
        "", _para("<b>Jumlah NRR tertimbang = IKM</b>", s["cell"]), "", "", "",
        fmt_dec(result.ikm, 4), fmt_dec(result.nik, 2), result.mutu or "-",
    ])  # fmt: skip
    widths = [1.1 * cm, 5.3 * cm, 1.4 * cm, 1.7 * cm, 1.4 * cm, 2.4 * cm, 1.7 * cm, 1.1 * cm]
    return _table(rows, widths, right=(2, 3, 4, 5, 6), center=(0, 7), bold_rows=(len(rows) - 1,))


def _services(ctx: _Ctx) -> list:
    from reportlab.lib.units import cm

    s, fig = ctx.styles, ctx.figures
    story = [_heading("IKM per jenis layanan", s["h3"])]
    if not fig.by_service:
        return story + [_para("Tidak ada data per jenis layanan.", s["body"])]
    rows = [["Jenis layanan", "Responden", "NIK", "Mutu", "Keterangan"]]
    for g in fig.by_service:
        note = "indikatif" if g.indicative else ""
        rows.append([
            _para(esc(g.name), s["cell"]), fmt_int(g.result.respondents),
            fmt_dec(g.result.nik, 2) if g.result.has_data else "tidak ada data", g.result.mutu or "-", note,
        ])  # fmt: skip
    story.append(_table(rows, [7.8 * cm, 2.4 * cm, 2.2 * cm, 1.4 * cm, 2.4 * cm], right=(1, 2), center=(3, 4)))
    if fig.sample is None:
        text = (
            "Populasi penerima layanan belum diisi, sehingga tidak dapat dinilai apakah IKM per jenis layanan "
            "memenuhi sampel minimum; angka per jenis layanan dibaca sebagai gambaran."
        )
    else:
        text = (
            f'Keterangan "indikatif": jumlah responden jenis layanan tersebut di bawah sampel minimum periode ini '
            f"({fmt_int(fig.sample.required)} responden), sehingga nilainya hanya gambaran."
        )
    story.append(_para(text, s["note"]))
    return story


def _bab4(ctx: _Ctx) -> list:
    from reportlab.lib.units import cm

    s, fig = ctx.styles, ctx.figures
    result = fig.result
    answered = [e for e in result.elements if e.nrr is not None]
    weakest = list(result.weakest(3))
    strongest = sorted(answered, key=lambda e: (-e.nrr, e.code))[: min(3, max(0, len(answered) - len(weakest)))]
    story = [
        _heading("BAB IV<br/>ANALISIS HASIL SKM", s["bab"], ("BAB IV Analisis Hasil", 0)),
        _heading("4.1 Analisis Kelemahan dan Kelebihan Unsur Layanan", s["h2"], ("4.1 Kelemahan dan Kelebihan", 1)),
    ]
    if not answered:
        story.append(_para("Tidak ada data pada periode ini.", s["body"]))
    else:

        def describe(elements) -> str:
            return "; ".join(
                f"{e.code} {esc(e.name)} (NRR {fmt_dec(e.nrr, 3)}, NRR × 25 = {fmt_dec(e.nik, 2)}, mutu {e.mutu})"
                for e in elements
            )

        story.append(
            _para(
                "Unsur diurutkan menurut NRR. Tiga unsur dengan nilai terendah, yang menjadi prioritas perbaikan: "
                f"{describe(weakest)}.",
                s["body"],
            )
        )
        if strongest:
            story.append(
                _para(
                    f"Unsur dengan nilai tertinggi, yang perlu dipertahankan: {describe(strongest)}.",
                    s["body"],
                )
            )
    story.append(_heading("4.2 Rencana Tindak Lanjut", s["h2"], ("4.2 Rencana Tindak Lanjut", 1)))
    story.append(
        _para(
            "Rencana tindak lanjut atas tiga unsur terendah dibahas dan disepakati dalam Forum Konsultasi Publik "
            "bersama perwakilan pengguna layanan. Kolom rencana, waktu dan penanggung jawab diisi pada forum tersebut.",
            s["body"],
        )
    )
    rows = [["No", "Unsur (prioritas)", "NRR × 25", "Rencana tindak lanjut", "Waktu", "Penanggung jawab"]]
    for i, e in enumerate(weakest or [None, None, None], start=1):
        label = _para(f"{e.code} {esc(e.name)}", s["cell"]) if e else ""
        rows.append([str(i), label, fmt_dec(e.nik, 2) if e else "", "", "", ""])
    story.append(
        _table(
            rows,
            [0.9 * cm, 4.4 * cm, 1.7 * cm, 4.6 * cm, 2.0 * cm, 2.9 * cm],
            right=(2,),
            center=(0,),
            row_heights=[None] + [1.6 * cm] * (len(rows) - 1),
        )  # fmt: skip
    )
    story.append(_heading("4.3 Tren Nilai SKM", s["h2"], ("4.3 Tren Nilai SKM", 1)))
    story.append(
        _para(
            "IKM per bulan dihitung dari seluruh kuesioner pada bulan tersebut (bukan rata-rata nilai bulanan). "
            'Bulan tanpa kuesioner ditulis "tidak ada data", bukan nol.',
            s["body"],
        )
    )
    rows = [["Bulan", "Responden", "IKM (NI)", "NIK", "Mutu"]]
    marked = False
    for point in ctx.dashboard.trend:
        res, label = point.result, point.period.label
        if point.published:
            label, marked = label + " *", True
        if res.has_data:
            rows.append([label, fmt_int(res.respondents), fmt_dec(res.ikm, 3), fmt_dec(res.nik, 2), res.mutu])
        else:
            rows.append([label, "0", "tidak ada data", "tidak ada data", "-"])
    story.append(_table(rows, [4.6 * cm, 2.4 * cm, 2.8 * cm, 2.8 * cm, 1.6 * cm], right=(1, 2, 3), center=(4,)))
    if marked:
        story.append(_para("* angka yang dipublikasikan (dibekukan saat publikasi).", s["note"]))
    return story


def _bab5(ctx: _Ctx) -> list:
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, Spacer

    s, fig = ctx.styles, ctx.figures
    result = fig.result
    unit, label = esc(ctx.unit), esc(ctx.period.label)
    story = [_heading("BAB V<br/>PENUTUP", s["bab"], ("BAB V Penutup", 0))]
    if result.has_data:
        story.append(
            _para(
                f"Berdasarkan hasil Survei Kepuasan Masyarakat periode {label}, Indeks Kepuasan Masyarakat "
                f"{unit} adalah <b>{fmt_dec(result.nik, 2)}</b> dengan mutu pelayanan <b>{result.mutu}</b> "
                f"(kinerja unit pelayanan <b>{result.kinerja}</b>), dari {fmt_int(result.respondents)} responden.",
                s["body"],
            )
        )
        weakest = result.weakest(3)
        if weakest:
            names = ", ".join(f"{e.code} {esc(e.name)}" for e in weakest)
            story.append(
                _para(
                    f"Unsur yang menjadi prioritas perbaikan adalah {names}. Rencana tindak lanjutnya disepakati "
                    "dalam Forum Konsultasi Publik, dilaksanakan, dan hasilnya dipublikasikan kepada masyarakat.",
                    s["body"],
                )
            )
    else:
        story.append(
            _para(f"Pada periode {label} belum ada kuesioner yang terkumpul, sehingga IKM tidak dihitung.", s["body"])
        )
    if fig.sample is not None and not fig.sample.meets:
        story.append(
            _para(
                f"Jumlah responden belum memenuhi sampel minimum ({fmt_int(fig.sample.collected)} dari "
                f"{fmt_int(fig.sample.required)}); hasil ini perlu dibaca dengan hati-hati dan pengumpulan data "
                "pada periode berikutnya perlu ditingkatkan.",
                s["body"],
            )
        )
    if ctx.frozen_note:
        story.append(_para(esc(ctx.frozen_note), s["note"]))
    head = esc(ctx.office_head.strip()) if ctx.office_head.strip() else "(" + "." * 48 + ")"
    sign = [
        _para(fmt_date(ctx.dashboard.today), s["sign"]),
        _para(f"Kepala {unit}", s["sign"]),
        Spacer(1, 2.2 * cm),
        _para(f"<b><u>{head}</u></b>" if ctx.office_head.strip() else head, s["sign"]),
    ]
    from reportlab.platypus import Table

    block = Table([["", sign]], colWidths=[ctx.width - 8.5 * cm, 8.5 * cm], hAlign="LEFT")
    story += [Spacer(1, 1.2 * cm), KeepTogether([block])]
    return story


def _appendix_questionnaire(ctx: _Ctx) -> list:
    from reportlab.lib.units import cm

    s = ctx.styles
    story = [
        _heading("LAMPIRAN A<br/>KUESIONER", s["bab"], ("Lampiran A Kuesioner", 0)),
        _para(
            "Profil responden: jenis kelamin (" + ", ".join(label for _, label in GENDERS) + "); usia (tahun); "
            "pendidikan ("
            + ", ".join(label for _, label in EDUCATIONS)
            + "); pekerjaan ("
            + ", ".join(label for _, label in OCCUPATIONS)
            + "); jenis layanan yang diterima.",
            s["body"],
        ),
        _para("Pertanyaan (skala: a = 1, b = 2, c = 3, d = 4):", s["body"]),
    ]
    for number, element in enumerate(ELEMENTS, start=1):
        options = "<br/>".join(f"{letter}. {esc(text)}" for letter, text in zip("abcd", element.options, strict=True))
        rows = [[
            _para(f"<b>{number}.</b>", s["cell"]),
            _para(f"<b>{element.code} {esc(element.name)}</b><br/>{esc(element.question)}", s["cell"]),
            _para(options, s["cell"]),
        ]]  # fmt: skip
        table = _table(rows, [0.8 * cm, 9.6 * cm, 6.2 * cm], header_rows=0)
        table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])
        story.append(table)
    story.append(_para("Kritik dan saran (isian bebas, tidak wajib).", s["note"]))
    return story


def _appendix_sheet(ctx: _Ctx) -> tuple[list, list[tuple[int, str]]]:
    """The per-respondent x per-element sheet, streamed: rows become short strings as they are read."""
    from reportlab.lib import colors
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether

    s = ctx.styles
    period = ctx.period
    codes = [e.code for e in ELEMENTS]
    acc = {code: [0, 0] for code in codes}
    rows: list[list[str]] = [["No", *codes]]
    suggestions: list[tuple[int, str]] = []
    count, truncated = 0, False
    stream = ctx.dashboard.respondent_rows()
    try:
        for response in stream:
            if count == CALC_SHEET_MAX_ROWS:
                truncated = True
                break
            count += 1
            scores = response.scores()
            line = [str(count)]
            for code in codes:
                value = scores[code]
                line.append("" if value is None else str(value))
                if value is not None:
                    acc[code][0] += 1
                    acc[code][1] += value
            rows.append(line)
            text = (response.suggestion or "").strip()
            if text and len(suggestions) < MAX_SUGGESTIONS:
                suggestions.append((count, text[:MAX_SUGGESTION_CHARS]))
    finally:
        stream.close()
    if truncated:
        result = ctx.dashboard.result  # the footer rows cover the whole period, not only the listed rows
    else:
        result = compute_ikm(Tally(count, {code: (n, total) for code, (n, total) in acc.items()}))

    story = [
        _heading("LAMPIRAN B<br/>HASIL OLAH DATA PER RESPONDEN", s["bab"], ("Lampiran B Lembar Perhitungan", 0)),
        _para(
            f"Nilai setiap responden untuk setiap unsur pada periode {esc(period.label)} (data terkini). Sel kosong: "
            "unsur tidak dijawab, tidak dihitung. NRR = Σ nilai / jumlah terisi; NRR tertimbang = NRR × bobot "
            f"{weight_text(result)}; IKM = Σ NRR tertimbang; NIK = IKM × 25.",
            s["small"],
        ),
    ]
    if truncated:
        story.append(
            _para(
                f"Periode ini memiliki {fmt_int(result.respondents)} responden; lampiran ini memuat "
                f"{fmt_int(CALC_SHEET_MAX_ROWS)} responden pertama. Lembar lengkap ada pada ekspor Excel "
                '(lembar "Responden"). Baris jumlah di bawah mencakup seluruh responden periode ini.',
                s["note"],
            )
        )
    widths = [3.0 * cm] + [(ctx.width - 3.0 * cm) / len(codes)] * len(codes)
    # Fixed row heights and no spans in the long table keep layout linear in the number of rows.
    body = _table(rows, widths, center=range(len(codes) + 1), font_size=7.5, long=True, padding=1.2,
                  row_heights=[None] + [10.5] * (len(rows) - 1))  # fmt: skip
    body.setStyle([("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f6f9")])])
    story.append(body)
    footer = [
        ["Σ nilai per unsur", *(fmt_int(e.total) for e in result.elements)],
        ["Jumlah terisi", *(fmt_int(e.answered) for e in result.elements)],
        ["NRR", *(fmt_dec(e.nrr, 3) for e in result.elements)],
        ["NRR tertimbang", *(fmt_dec(e.nrr_weighted, 3) for e in result.elements)],
    ]
    if result.has_data:
        summary = (
            f"IKM = Σ NRR tertimbang = {fmt_dec(result.ikm, 4)};  NIK = IKM × 25 = {fmt_dec(result.nik, 2)};  "
            f"mutu {result.mutu} ({result.kinerja})"
        )
    else:
        summary = "Tidak ada data: IKM tidak dihitung."
    footer.append(["IKM", summary, *([""] * (len(codes) - 1))])
    table = _table(footer, widths, header_rows=0, center=range(1, len(codes) + 1), font_size=7.5, padding=1.2,
                   bold_rows=range(len(footer)))  # fmt: skip
    last = len(footer) - 1
    table.setStyle([("SPAN", (1, last), (-1, last)), ("ALIGN", (1, last), (-1, last), "LEFT")])
    story.append(KeepTogether([table]))
    return story, suggestions


def _appendix_suggestions(ctx: _Ctx, suggestions: list[tuple[int, str]]) -> list:
    from reportlab.lib.units import cm

    s = ctx.styles
    story = [_heading("LAMPIRAN D<br/>KRITIK DAN SARAN RESPONDEN", s["bab"], ("Lampiran D Kritik dan Saran", 0))]
    note = "Tulisan responden apa adanya"
    if len(suggestions) == MAX_SUGGESTIONS:
        note += f"; {MAX_SUGGESTIONS} saran pertama, selengkapnya pada ekspor Excel"
    story.append(_para(note + ". Nomor = nomor responden pada Lampiran B.", s["note"]))
    rows = [["No", "Kritik dan saran"]]
    rows += [[str(n), _para(esc(text), s["cell"])] for n, text in suggestions]
    story.append(_table(rows, [1.4 * cm, ctx.width - 1.4 * cm], center=(0,)))
    return story
