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

The parts: `layout` (text and number helpers, fonts, styles, flowable
builders), `chapters` (cover, BAB I, II and V), `results` (BAB III-IV) and
`appendices` (Lampiran A-D); this module holds the page templates and
`skm_report_pdf`.

reportlab is imported inside the functions (perf-security A.2: keep it out of
the web worker's boot). Every piece of user-controlled text that reaches
Paragraph markup goes through `esc()`.
"""

import io
from dataclasses import dataclass
from functools import partial

from analytics.dashboard import Dashboard
from analytics.report.appendices import (
    _appendix_krejcie,
    _appendix_questionnaire,
    _appendix_sheet,
    _appendix_suggestions,
)
from analytics.report.chapters import _bab1, _bab2, _bab5, _cover
from analytics.report.figures import _contents, _foreword
from analytics.report.layout import (
    PROFILE_TITLES,
    TITLE,
    _Ctx,
    _styles,
    esc,
    fmt_dec,
    fmt_int,
    fmt_pct,
    ordered_profile,
    plain,
    profile_label,
    weight_text,
)
from analytics.report.results import _bab3, _bab4

__all__ = [
    "CALC_SHEET_MAX_ROWS",
    "PROFILE_TITLES",
    "esc",
    "fmt_dec",
    "fmt_int",
    "fmt_pct",
    "ordered_profile",
    "plain",
    "profile_label",
    "skm_report_docx",
    "skm_report_pdf",
    "weight_text",
]

# Beyond this the appendix lists the first rows; the Excel export has them all. Read when a report is rendered.
CALC_SHEET_MAX_ROWS = 5000
FOOTER_FONT_SIZE = 7.5
NOT_IN_CONTENTS = frozenset({"Sampul", "Daftar Isi"})


@dataclass(frozen=True)
class _Page:
    """The A4 page and its margins, in points."""

    width: float
    height: float
    margin_x: float
    margin_top: float
    margin_bottom: float

    @classmethod
    def a4(cls) -> "_Page":
        """A4 portrait with 2.2 cm side and 2 cm top and bottom margins."""
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import cm

        page_w, page_h = A4
        return cls(page_w, page_h, 2.2 * cm, 2.0 * cm, 2.0 * cm)

    @property
    def frame_width(self) -> float:
        """The body frame's width: the page less the side margins."""
        return self.width - 2 * self.margin_x


def skm_report_pdf(dashboard: Dashboard, *, office_head: str = "") -> bytes:
    """Render the SKM report of a dashboard's period as PDF bytes (cover, foreword, contents, BAB I-V, appendices).

    :param office_head: the name printed in the signature block, over the unit's settings (which give the name,
        position and NIP; a dotted line when neither gives a name).
    """
    page = _Page.a4()
    ctx = _context(dashboard, page, office_head)
    buffer = io.BytesIO()
    doc = _document(buffer, dashboard, page, font=ctx.styles["fonts"][0])
    doc.multiBuild(_story(ctx))  # two passes: the contents learn their page numbers
    return buffer.getvalue()


def skm_report_docx(dashboard: Dashboard, *, office_head: str = "") -> bytes:
    """The same report as a Word document: the PDF's story rendered by `analytics.report.word`."""
    from analytics.report.word import story_docx

    page = _Page.a4()
    ctx = _context(dashboard, page, office_head)
    author = plain(dashboard.unit_name)
    return story_docx(_story(ctx), title=_title(dashboard), footer=_footer(dashboard), author=author)


def _context(dashboard: Dashboard, page: "_Page", office_head: str) -> _Ctx:
    """Styles, frame width, the unit's report settings and the period's foreword and closing."""
    from analytics.report_text import report_texts
    from app.unit_settings import report_settings

    texts = report_texts(unit_id=dashboard.unit_id, period_key=dashboard.period.key,
                         unit_name=plain(dashboard.unit_name), period_label=dashboard.period.label)  # fmt: skip
    return _Ctx(dashboard, _styles(), page.frame_width, office_head, report_settings(dashboard.unit_id), texts)


def _title(dashboard: Dashboard) -> str:
    return f"{TITLE} - {plain(dashboard.unit_name)} - {dashboard.period.label}{plain(dashboard.title_suffix)}"


def _footer(dashboard: Dashboard) -> str:
    return f"SKM {plain(dashboard.unit_name)} · {dashboard.period.label}{plain(dashboard.title_suffix)}"


def _story(ctx: _Ctx) -> list:
    """Every flowable of the report in order, the page breaks and the switch to the body pages included."""
    from reportlab.platypus import NextPageTemplate, PageBreak

    story = []
    story += _cover(ctx)
    story += [NextPageTemplate("body"), PageBreak()]
    story += _foreword(ctx)
    story.append(PageBreak())
    story += _contents(ctx)
    story.append(PageBreak())
    for chapter in (_bab1, _bab2, _bab3, _bab4, _bab5):
        story += chapter(ctx)
        story.append(PageBreak())
    story += _appendix_questionnaire(ctx)
    story.append(PageBreak())
    sheet, suggestions = _appendix_sheet(ctx, CALC_SHEET_MAX_ROWS)
    story += sheet
    story.append(PageBreak())
    story += _appendix_krejcie(ctx)
    if suggestions:
        story.append(PageBreak())
        story += _appendix_suggestions(ctx, suggestions)
    return story


def _document(buffer: io.BytesIO, dashboard: Dashboard, page: _Page, *, font: str):
    """The document: PDF metadata, a framed cover page template and a body template with a footer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Frame, PageTemplate

    frame = Frame(page.margin_x, page.margin_bottom, page.frame_width,
                  page.height - page.margin_top - page.margin_bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
    footer = _footer(dashboard)
    return _outlined_doc_template()(
        buffer,
        pagesize=A4,
        title=_title(dashboard),
        author=plain(dashboard.unit_name),
        subject="Survei Kepuasan Masyarakat (PermenPAN-RB 14/2017)",
        creator="Aplikasi SKM",
        pageTemplates=[
            PageTemplate(id="cover", frames=[frame], onPage=partial(_paint_cover, page)),
            PageTemplate(id="body", frames=[frame], onPage=partial(_paint_body, page, font, footer)),
        ],
    )


def _outlined_doc_template() -> type:
    """A BaseDocTemplate that adds a PDF outline entry and a contents line for every flowable marked by `_heading`."""
    from reportlab.platypus import BaseDocTemplate

    class _Doc(BaseDocTemplate):
        def afterFlowable(self, flowable):
            outline = getattr(flowable, "_skm_outline", None)
            if outline:
                title, level = outline
                key = f"o{id(flowable)}"
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)
                if title not in NOT_IN_CONTENTS:
                    self.notify("TOCEntry", (level, title, self.page, key))

    return _Doc


def _paint_cover(page: _Page, canvas, doc) -> None:
    """The cover's double border."""
    from reportlab.lib.units import cm

    canvas.saveState()
    canvas.setStrokeColorRGB(0.12, 0.23, 0.35)
    canvas.setLineWidth(2)
    canvas.rect(1.2 * cm, 1.2 * cm, page.width - 2.4 * cm, page.height - 2.4 * cm)
    canvas.setLineWidth(0.6)
    canvas.rect(1.4 * cm, 1.4 * cm, page.width - 2.8 * cm, page.height - 2.8 * cm)
    canvas.restoreState()


def _paint_body(page: _Page, font: str, footer: str, canvas, doc) -> None:
    """A body page's footer: a rule, the report's unit and period on the left, the page number on the right."""
    from reportlab.lib.units import cm
    from reportlab.pdfbase.pdfmetrics import stringWidth

    canvas.saveState()
    canvas.setFont(font, FOOTER_FONT_SIZE)
    canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
    canvas.line(page.margin_x, page.margin_bottom - 0.35 * cm, page.width - page.margin_x,
                page.margin_bottom - 0.35 * cm)  # fmt: skip
    number = f"Halaman {doc.page}"
    room = page.frame_width - stringWidth(number, font, FOOTER_FONT_SIZE) - 12
    canvas.drawString(page.margin_x, page.margin_bottom - 0.75 * cm, _fit(footer, font, room))
    canvas.drawRightString(page.width - page.margin_x, page.margin_bottom - 0.75 * cm, number)
    canvas.restoreState()


def _fit(text: str, font: str, room: float) -> str:
    """The text cut to fit `room` points at the footer's size, with an ellipsis when it was cut."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    fitted = text
    while fitted and stringWidth(fitted, font, FOOTER_FONT_SIZE) > room:
        fitted = fitted[:-2]
    return fitted.rstrip() + "…" if fitted != text else fitted
