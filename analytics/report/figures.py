"""The report's pictures and front matter: the unit's logo, the element and trend charts, the foreword, the contents.

Every picture is a PNG kept on its flowable (`_skm_png`), so the Word renderer (`analytics.report.word`) places the
very same image. The charts come from `analytics.charts` (matplotlib, imported there inside the functions).
"""

import io

from analytics.report.layout import _Ctx, _heading, _para, esc

CHART_DPI = 120  # about 150 ppi at the printed width: sharp on paper, light to encode
LOGO_HEIGHT_CM = 3.0


def _png_image(png: bytes, width: float, *, max_height: float | None = None):
    """A centred image flowable of `width` points (less when `max_height` is met), holding its PNG bytes."""
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    pixels_w, pixels_h = ImageReader(io.BytesIO(png)).getSize()
    height = width * pixels_h / pixels_w
    if max_height is not None and height > max_height:
        width, height = max_height * pixels_w / pixels_h, max_height
    image = Image(io.BytesIO(png), width=width, height=height)
    image._skm_png = png  # read by the Word renderer
    return image


def _logo(ctx: _Ctx) -> list:
    """The unit's logo on the cover, when one is set."""
    from reportlab.lib.units import cm
    from reportlab.platypus import Spacer

    png = ctx.settings.logo_png
    if not png:
        return []
    return [_png_image(png, 6 * cm, max_height=LOGO_HEIGHT_CM * cm), Spacer(1, 0.5 * cm)]


def _element_chart(ctx: _Ctx) -> list:
    """Gambar 3.1: the NRR × 25 of every element, the weakest marked."""
    from analytics.charts import element_bars_png

    result = ctx.dashboard.result
    if not result.has_data:
        return []
    weakest = [e.code for e in ctx.dashboard.weakest]
    png = element_bars_png(result.elements, highlight=weakest, dpi=CHART_DPI)
    caption = "Gambar 3.1 Nilai unsur pelayanan (NRR × 25)"
    if weakest:
        caption += "; unsur terlemah diarsir"
    return [_png_image(png, ctx.width * 0.85), _para(esc(caption), ctx.styles["caption"])]


def _trend_chart(ctx: _Ctx) -> list:
    """Gambar 4.1: the NIK per month of the trend table (gaps for months without data)."""
    from analytics.charts import MONTHS_SHORT, trend_png

    points = list(ctx.dashboard.trend)
    if not any(p.result.has_data for p in points):
        return []
    labels = [MONTHS_SHORT[p.period.start.month - 1] if p.period.kind == "month" else p.period.label for p in points]
    years = [p.period.start.year for p in points]
    png = trend_png(labels, [p.result.nik for p in points], dpi=CHART_DPI, years=years)
    return [_png_image(png, ctx.width * 0.95), _para("Gambar 4.1 Tren NIK per bulan", ctx.styles["caption"])]


def _foreword(ctx: _Ctx) -> list:
    """KATA PENGANTAR: the office's text (or the default one), then the place, date and office."""
    s = ctx.styles
    story = [_heading("KATA PENGANTAR", s["bab"], ("Kata Pengantar", 0))]
    story += [_para(esc(line), s["body"]) for line in ctx.texts.foreword.split("\n") if line.strip()]
    story.append(_para(esc(_place_and_date(ctx)), s["right"]))
    story.append(_para(esc(ctx.settings.head_position or f"Kepala {ctx.unit}"), s["right"]))
    return story


def _place_and_date(ctx: _Ctx) -> str:
    from analytics.dashboard import fmt_date

    city = ctx.settings.city.strip()
    today = fmt_date(ctx.dashboard.today)
    return f"{city}, {today}" if city else today


def _contents(ctx: _Ctx) -> list:
    """DAFTAR ISI: the chapters, sections and appendices with their pages (filled in by the second PDF pass)."""
    from reportlab.platypus.tableofcontents import TableOfContents

    s = ctx.styles
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [s["toc0"], s["toc1"]]
    return [_heading("DAFTAR ISI", s["bab"], ("Daftar Isi", 0)), toc]
