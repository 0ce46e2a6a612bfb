"""The monthly notice-board poster of the IKM: one A4 page, black and white, readable from a distance.

It shows the office, the period, the IKM (NIK) with its mutu and kinerja, the
nine element bars (the three weakest hatched and marked), the trend of the last
twelve months (an empty month is a gap, never 0), respondents against the
minimum sample, and a QR code to the public results page. It draws a
`Dashboard` that analytics.dashboard has already built; matplotlib is imported
only when a poster is drawn.
"""

import textwrap

from analytics.dashboard import Dashboard, Status

TITLE = "INDEKS KEPUASAN MASYARAKAT (IKM)"
FILTERED_TITLE = "IKM PILIHAN TERFILTER"
NOT_OFFICIAL = "BUKAN POSTER RESMI UNIT"
METHOD_NOTE = "Dihitung sesuai PermenPAN-RB 14/2017: bobot 1/9, NIK dibulatkan setengah ke atas 2 desimal."
NO_DATA = "Belum ada data"
QR_CAPTION = "Pindai untuk melihat\nhasil lengkap"
LEFT, RIGHT = 0.07, 0.93  # page margins in figure fractions
URL_IN_FOOTER = 90  # characters


def ikm_poster(dashboard: Dashboard, *, results_url: str, fmt: str = "pdf") -> bytes:
    """Return the A4 portrait IKM poster of a dashboard's period as PDF or PNG bytes (greys only)."""
    from app.printing import a4_figure, plain_text, render

    if fmt not in ("pdf", "png"):
        raise ValueError("format must be pdf or png")
    with plain_text():
        fig = a4_figure()
        _header(fig, dashboard)
        _score(fig, dashboard)
        _elements(fig, dashboard)
        _trend(fig, dashboard)
        _respondents(fig, dashboard)
        _qr(fig, results_url)
        _footer(fig, dashboard, results_url)
        return render(fig, fmt)


def _header(fig, dashboard: Dashboard) -> None:
    fig.text(0.5, 0.962, FILTERED_TITLE if dashboard.filtered else TITLE, ha="center", va="center", fontsize=24,
             weight="bold")  # fmt: skip
    size, office = _office_lines(dashboard.unit_name)
    fig.text(0.5, 0.938, "\n".join(office), ha="center", va="top", fontsize=size, linespacing=1.2)
    period_y = 0.938 - 0.0215 * len(office) - 0.024
    label = f"Periode {dashboard.period.label}"
    if dashboard.provisional:
        label += " · SEMENTARA"
    fig.text(0.5, period_y, label, ha="center", va="center", fontsize=20,
             weight="bold", bbox={"boxstyle": "round,pad=0.35", "facecolor": "0.9", "edgecolor": "black",
                                  "linewidth": 1.2})  # fmt: skip
    _rule(fig, 0.845, width=2.2)
    _marks(fig, dashboard)


def _marks(fig, dashboard: Dashboard) -> None:
    """Say on the page what makes these figures not the unit's official ones: a filter, or provisional data."""
    lines = []
    if dashboard.filtered:
        lines.append(f"{NOT_OFFICIAL} — {dashboard.filter_text}")
        fig.text(0.5, 0.5, NOT_OFFICIAL, ha="center", va="center", fontsize=44, weight="bold", color="0.9",
                 rotation=35, zorder=-1)  # fmt: skip
    if dashboard.status == Status.PROVISIONAL:
        lines.append("ANGKA SEMENTARA, BELUM DIPUBLIKASIKAN: data terkini, bukan angka resmi periode ini")
    elif dashboard.provisional:
        lines.append(f"ANGKA SEMENTARA: periode belum berakhir, data s.d. {_day(dashboard.today)}")
    if lines:
        text = "\n".join(textwrap.shorten(line, 110, placeholder=" …") for line in lines)
        fig.text(0.5, 0.851, text, ha="center", va="bottom", fontsize=10, weight="bold", linespacing=1.2,
                 bbox={"boxstyle": "square,pad=0.25", "facecolor": "white", "edgecolor": "black",
                       "linewidth": 1.0, "linestyle": "--"})  # fmt: skip


def _day(day) -> str:
    from analytics.dashboard import fmt_date

    return fmt_date(day)


def _office_lines(name: str) -> tuple[float, list[str]]:
    """Fit the office name in two centred lines, smaller type for a longer name."""
    for size, width in ((15, 52), (13, 60), (11.5, 68)):
        lines = textwrap.wrap(name, width)
        if len(lines) <= 2:
            return size, lines
    return 11.5, textwrap.wrap(name, 68, max_lines=2, placeholder=" \u2026")


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

    from analytics.charts import WEAK_FILL, WEAK_MARK, element_bars, id_number
    from analytics.ikm import CATEGORIES

    _rule(fig, 0.668, width=1.0)
    fig.text(LEFT, 0.648, "Nilai per unsur pelayanan (NRR \u00d7 25)", ha="left", va="center", fontsize=16,
             weight="bold")  # fmt: skip
    result = dashboard.result
    if not result.has_data:
        _empty_box(fig, (LEFT, 0.375, RIGHT - LEFT, 0.25), "Belum ada data per unsur untuk periode ini")
        return
    weakest = [e.code for e in dashboard.weakest]
    ax = fig.add_axes((0.35, 0.425, 0.58, 0.197))
    element_bars(ax, result.elements, highlight=weakest, fontsize=12.5, label_width=26)
    if weakest:
        swatch = Rectangle((LEFT, 0.3835), 0.03, 0.011, transform=fig.transFigure, facecolor=WEAK_FILL,
                           edgecolor="black", hatch="//", hatchcolor="white", linewidth=1.0)  # fmt: skip
        fig.add_artist(swatch)
        fig.text(LEFT + 0.04, 0.389, f"{WEAK_MARK}  {len(weakest)} unsur dengan nilai terendah: prioritas perbaikan "
                 f"({', '.join(weakest)})", ha="left", va="center", fontsize=11.5)  # fmt: skip
    thresholds = " \u00b7 ".join(f"{mutu} \u2265 {id_number(t)}" for t, mutu, _ in CATEGORIES[:3])
    fig.text(LEFT, 0.37, f"Garis putus-putus: batas mutu {thresholds}", ha="left", va="center", fontsize=10,
             color="0.2")  # fmt: skip


def _trend(fig, dashboard: Dashboard) -> None:
    from analytics.charts import MONTHS_SHORT, trend_line

    _rule(fig, 0.352, width=1.0)
    months = len(dashboard.trend)
    fig.text(LEFT, 0.332, f"Tren IKM {months} bulan terakhir", ha="left", va="center", fontsize=16, weight="bold")
    points = dashboard.trend
    labels = [MONTHS_SHORT[p.period.start.month - 1] if p.period.kind == "month" else p.period.label for p in points]
    values = [p.result.nik for p in points]
    ax = fig.add_axes((0.12, 0.238, 0.81, 0.08))
    trend_line(ax, labels, values, fontsize=11.5, years=[p.period.start.year for p in points])


def _respondents(fig, dashboard: Dashboard) -> None:
    from matplotlib.patches import Rectangle

    from analytics.charts import id_number

    right = 0.66
    _rule(fig, 0.18, width=1.0, right=right)
    result, sample = dashboard.result, dashboard.sample
    fig.text(LEFT, 0.16, "Responden", ha="left", va="center", fontsize=16, weight="bold")
    count = id_number(result.respondents, 0)
    fig.text(LEFT, 0.122, count, ha="left", va="center", fontsize=34 if len(count) <= 6 else 26, weight="bold")
    if sample is None:
        lines = ["Populasi belum diisi:", "sampel minimal belum dapat dinilai."]
    else:
        verdict = sample.label if sample.meets else f"{sample.label}, kurang {id_number(sample.shortfall, 0)}"
        lines = [
            f"{id_number(sample.collected, 0)} responden dari minimal {id_number(sample.required, 0)}",
            f"({verdict})",
        ]
    fig.text(0.31, 0.122, "\n".join(lines), ha="left", va="center", fontsize=12.5, linespacing=1.35)
    if sample is not None:
        # Collected against the required minimum as a gauge, capped at full.
        share = min(1.0, sample.collected / sample.required)
        width = right - LEFT
        bar = {"transform": fig.transFigure, "edgecolor": "black", "linewidth": 1.0}
        fig.add_artist(Rectangle((LEFT, 0.079), width, 0.012, facecolor="white", **bar))
        if share:
            fig.add_artist(Rectangle((LEFT, 0.079), width * share, 0.012, facecolor="0.3", **bar))
        fig.text(LEFT, 0.075, "0", ha="left", va="top", fontsize=9)
        fig.text(right, 0.075, f"minimal {id_number(sample.required, 0)}", ha="right", va="top", fontsize=9)


def _qr(fig, results_url: str) -> None:
    from app.printing import A4_INCHES, draw_qr

    side = 0.155
    height = side * A4_INCHES[0] / A4_INCHES[1]
    bottom = 0.088
    draw_qr(fig, results_url, (RIGHT - side, bottom, side, height))
    fig.text(RIGHT - side / 2, bottom + 0.001, QR_CAPTION, ha="center", va="top", fontsize=9.5, weight="bold",
             linespacing=1.2)  # fmt: skip


def _footer(fig, dashboard: Dashboard, results_url: str) -> None:
    parts = [METHOD_NOTE, *dashboard.notes]
    if len(results_url) <= URL_IN_FOOTER:  # a longer link is left to the QR code
        parts.append(f"Hasil lengkap: {results_url}")
    lines = textwrap.wrap(" ".join(parts), 112, max_lines=3, placeholder=" \u2026")
    # Anchored at the bottom margin (printers leave about 5 mm unprinted); the rule sits above the text.
    bottom = 0.018
    _rule(fig, bottom + 0.0118 * len(lines) + 0.005, width=0.6)
    fig.text(LEFT, bottom, "\n".join(lines), ha="left", va="bottom", fontsize=7.5, color="0.15", linespacing=1.3)


def _empty_box(fig, rect, message: str) -> None:
    from matplotlib.patches import Rectangle

    x, y, w, h = rect
    fig.add_artist(Rectangle((x, y), w, h, transform=fig.transFigure, facecolor="0.96", edgecolor="0.4",
                             linewidth=1.2, linestyle=(0, (4, 3))))  # fmt: skip
    fig.text(x + w / 2, y + h / 2, message, ha="center", va="center", fontsize=16, style="italic", color="0.25")


def _rule(fig, y: float, *, width: float, right: float = RIGHT) -> None:
    from matplotlib.lines import Line2D

    fig.add_artist(Line2D([LEFT, right], [y, y], transform=fig.transFigure, color="black", linewidth=width))
