"""The monthly notice-board poster of the IKM: one A4 page, black and white, readable from a distance.

It shows the office, the period, the IKM (NIK) with its mutu and kinerja, the
nine element bars (the three weakest hatched and marked), the trend of the last
twelve months (an empty month is a gap, never 0), respondents against the
minimum sample, and a QR code to the public results page. It draws a
`Dashboard` that analytics.reports has already computed; matplotlib is imported
only when a poster is drawn.
"""

import textwrap

from analytics.reports import Dashboard

TITLE = "INDEKS KEPUASAN MASYARAKAT (IKM)"
METHOD_NOTE = "Dihitung sesuai PermenPAN-RB 14/2017: bobot 1/9, NIK dibulatkan setengah ke atas 2 desimal."
NO_DATA = "Belum ada data"
QR_CAPTION = "Pindai untuk melihat hasil lengkap"
LEFT, RIGHT = 0.07, 0.93  # page margins in figure fractions


def ikm_poster(dashboard: Dashboard, *, results_url: str, fmt: str = "pdf") -> bytes:
    """Return the A4 portrait IKM poster of a dashboard's period as PDF or PNG bytes (greys only)."""
    from app.printing import a4_figure, render

    if fmt not in ("pdf", "png"):
        raise ValueError("format must be pdf or png")
    fig = a4_figure()
    _header(fig, dashboard)
    _score(fig, dashboard)
    _elements(fig, dashboard)
    _trend(fig, dashboard)
    _respondents(fig, dashboard)
    _qr(fig, results_url)
    _footer(fig, dashboard)
    return render(fig, fmt)


def _header(fig, dashboard: Dashboard) -> None:
    fig.text(0.5, 0.962, TITLE, ha="center", va="center", fontsize=24, weight="bold")
    office = textwrap.wrap(dashboard.unit_name, 52)[:3]
    fig.text(0.5, 0.937, "\n".join(office), ha="center", va="top", fontsize=15, linespacing=1.25)
    period_y = 0.937 - 0.0215 * len(office) - 0.018
    fig.text(0.5, period_y, f"Periode {dashboard.period.label}", ha="center", va="center", fontsize=20,
             weight="bold", bbox={"boxstyle": "round,pad=0.35", "facecolor": "0.9", "edgecolor": "black",
                                  "linewidth": 1.2})  # fmt: skip
    _rule(fig, 0.845, width=2.2)


def _score(fig, dashboard: Dashboard) -> None:
    from analytics.charts import id_number

    result = dashboard.result
    if not result.has_data:
        fig.text(0.5, 0.77, NO_DATA, ha="center", va="center", fontsize=50, weight="bold", color="0.2")
        fig.text(0.5, 0.705, "Belum ada kuesioner yang masuk untuk periode ini; nilai IKM belum dapat dihitung.",
                 ha="center", va="center", fontsize=12, style="italic")  # fmt: skip
        return
    fig.text(0.36, 0.826, "NILAI IKM (skala 25\u2013100)", ha="center", va="center", fontsize=14, weight="bold",
             color="0.2")  # fmt: skip
    fig.text(0.36, 0.757, id_number(result.nik), ha="center", va="center", fontsize=92, weight="bold")
    fig.text(0.36, 0.69, f"Mutu {result.mutu} \u00b7 {result.kinerja}", ha="center", va="center", fontsize=22,
             weight="bold")  # fmt: skip
    # The mutu letter in a framed square: the one thing to read from across the room.
    from matplotlib.patches import FancyBboxPatch

    box = FancyBboxPatch((0.69, 0.683), 0.21, 0.146, boxstyle="round,pad=0,rounding_size=0.012",
                         transform=fig.transFigure, facecolor="white", edgecolor="black", linewidth=3)  # fmt: skip
    fig.add_artist(box)
    fig.text(0.795, 0.812, "MUTU", ha="center", va="center", fontsize=14, weight="bold", color="0.2")
    fig.text(0.795, 0.752, result.mutu, ha="center", va="center", fontsize=80, weight="bold")
    fig.text(0.795, 0.697, result.kinerja.upper(), ha="center", va="center", fontsize=13, weight="bold")


def _elements(fig, dashboard: Dashboard) -> None:
    from matplotlib.patches import Rectangle

    from analytics.charts import WEAK_FILL, WEAK_MARK, element_bars

    _rule(fig, 0.668, width=1.0)
    fig.text(LEFT, 0.648, "Nilai per unsur pelayanan (NRR \u00d7 25)", ha="left", va="center", fontsize=16,
             weight="bold")  # fmt: skip
    result = dashboard.result
    if not result.has_data:
        _empty_box(fig, (LEFT, 0.405, RIGHT - LEFT, 0.22), "Belum ada data per unsur untuk periode ini")
        return
    weakest = [e.code for e in dashboard.weakest]
    ax = fig.add_axes((0.35, 0.40, 0.58, 0.225))
    element_bars(ax, result.elements, highlight=weakest, fontsize=12.5, label_width=26)
    if weakest:
        swatch = Rectangle((LEFT, 0.365), 0.03, 0.011, transform=fig.transFigure, facecolor=WEAK_FILL,
                           edgecolor="black", hatch="//", hatchcolor="white", linewidth=1.0)  # fmt: skip
        fig.add_artist(swatch)
        fig.text(LEFT + 0.04, 0.3705, f"{WEAK_MARK}  {len(weakest)} unsur dengan nilai terendah: prioritas perbaikan "
                 f"({', '.join(weakest)})", ha="left", va="center", fontsize=11.5)  # fmt: skip


def _trend(fig, dashboard: Dashboard) -> None:
    from analytics.charts import MONTHS_SHORT, trend_line

    _rule(fig, 0.348, width=1.0)
    months = len(dashboard.trend)
    fig.text(LEFT, 0.328, f"Tren IKM {months} bulan terakhir", ha="left", va="center", fontsize=16, weight="bold")
    points = dashboard.trend
    labels = [MONTHS_SHORT[p.period.start.month - 1] if p.period.kind == "month" else p.period.label for p in points]
    values = [p.result.nik for p in points]
    ax = fig.add_axes((0.12, 0.19, 0.81, 0.118))
    trend_line(ax, labels, values, fontsize=11.5, years=[p.period.start.year for p in points])


def _respondents(fig, dashboard: Dashboard) -> None:
    from matplotlib.patches import Rectangle

    from analytics.charts import id_number

    _rule(fig, 0.152, width=1.0, right=0.68)
    result, sample = dashboard.result, dashboard.sample
    fig.text(LEFT, 0.131, "Responden", ha="left", va="center", fontsize=16, weight="bold")
    fig.text(LEFT, 0.093, id_number(result.respondents, 0), ha="left", va="center", fontsize=34, weight="bold")
    if sample is None:
        line = "Populasi belum diisi: jumlah sampel minimal belum dapat dinilai."
    else:
        verdict = sample.label if sample.meets else f"{sample.label}, kurang {id_number(sample.shortfall, 0)}"
        line = (f"{id_number(sample.collected, 0)} responden dari minimal {id_number(sample.required, 0)} "
                f"({verdict})")  # fmt: skip
    fig.text(0.25, 0.093, "\n".join(textwrap.wrap(line, 40)), ha="left", va="center", fontsize=12.5,
             linespacing=1.3)  # fmt: skip
    if sample is not None and sample.required:
        # Collected against required as a gauge, capped at full.
        share = min(1.0, sample.collected / sample.required)
        width = 0.68 - LEFT
        fig.add_artist(Rectangle((LEFT, 0.055), width, 0.012, transform=fig.transFigure, facecolor="white",
                                 edgecolor="black", linewidth=1.0))  # fmt: skip
        if share:
            fig.add_artist(Rectangle((LEFT, 0.055), width * share, 0.012, transform=fig.transFigure,
                                     facecolor="0.3", edgecolor="black", linewidth=1.0))  # fmt: skip


def _qr(fig, results_url: str) -> None:
    from app.printing import A4_INCHES, draw_qr

    side = 0.20
    height = side * A4_INCHES[0] / A4_INCHES[1]
    draw_qr(fig, results_url, (RIGHT - side, 0.175 - height, side, height))
    x = RIGHT - side / 2
    fig.text(x, 0.175 - height + 0.004, QR_CAPTION, ha="center", va="top", fontsize=9.5, weight="bold")


def _footer(fig, dashboard: Dashboard) -> None:
    lines = textwrap.wrap(" ".join([METHOD_NOTE, *dashboard.notes]), 118)[:4]
    _rule(fig, 0.036, width=0.6)
    fig.text(LEFT, 0.030, "\n".join(lines), ha="left", va="top", fontsize=8, color="0.15", linespacing=1.3)


def _empty_box(fig, rect, message: str) -> None:
    from matplotlib.patches import Rectangle

    x, y, w, h = rect
    fig.add_artist(Rectangle((x, y), w, h, transform=fig.transFigure, facecolor="0.96", edgecolor="0.4",
                             linewidth=1.2, linestyle=(0, (4, 3))))  # fmt: skip
    fig.text(x + w / 2, y + h / 2, message, ha="center", va="center", fontsize=16, style="italic", color="0.25")


def _rule(fig, y: float, *, width: float, right: float = RIGHT) -> None:
    from matplotlib.lines import Line2D

    fig.add_artist(Line2D([LEFT, right], [y, y], transform=fig.transFigure, color="black", linewidth=width))
