"""Pure chart drawing for IKM documents: the element bars and the monthly trend.

Every function draws onto a matplotlib Axes the caller owns (a poster, a report
page), or returns PNG bytes from its own `matplotlib.figure.Figure`; never
pyplot, so nothing leaks between requests. Only greys and black, with hatching
and markers, so a monochrome printer or photocopier loses nothing. No Flask and
no database here; matplotlib is imported only by the functions that build a Figure.
"""

import io
from collections.abc import Collection, Sequence
from decimal import Decimal

from analytics.ikm import CATEGORIES, ElementResult

NIK_MIN, NIK_MAX = 25, 100
BAR_FILL = "0.78"  # light grey
WEAK_FILL = "0.25"  # dark grey, plus white hatching and a marker: visible without colour
WEAK_MARK = "\u25bc"  # ▼
NO_DATA = "tidak ada data"
MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def id_number(value: Decimal | float, places: int = 2) -> str:
    """Format a number the Indonesian way: 79,57 (decimal comma), 1.234 (thousands dot)."""
    text = f"{value:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _thresholds():
    """Category lower bounds above the scale floor: [(65.00, "C"), (76.61, "B"), (88.31, "A")]."""
    return sorted((float(t), mutu) for t, mutu, _ in CATEGORIES if float(t) > NIK_MIN)


def element_bars(
    ax,
    elements: Sequence[ElementResult],
    *,
    highlight: Collection[str] = (),
    fontsize: float = 12,
    label_width: int = 24,
) -> None:
    """Draw one horizontal bar per element (NRR x 25 on the 25-100 scale) with its value printed.

    Elements whose code is in `highlight` (the weakest ones) get a dark hatched
    bar and a ▼ before the value. An element nobody answered shows "tidak ada
    jawaban" instead of a bar (never a zero-length bar).
    """
    import textwrap

    rows = list(elements)
    positions = list(range(len(rows)))[::-1]  # first element on top
    for y, element in zip(positions, rows, strict=True):
        if element.nik is None:
            ax.text(NIK_MIN + 1, y, "tidak ada jawaban", va="center", ha="left", fontsize=fontsize * 0.85,
                    style="italic", color="0.25")  # fmt: skip
            continue
        value = float(element.nik)
        weak = element.code in highlight
        ax.barh(
            y,
            value - NIK_MIN,
            left=NIK_MIN,
            height=0.68,
            color=WEAK_FILL if weak else BAR_FILL,
            edgecolor="black",
            linewidth=1.0,
            hatch="//" if weak else None,
            hatchcolor="white" if weak else None,
            zorder=2,
        )
        text = f"{WEAK_MARK} {id_number(element.nik)}" if weak else id_number(element.nik)
        # A white box behind the value keeps it readable where a threshold line crosses it.
        ax.text(value + 0.8, y, text, va="center", ha="left", fontsize=fontsize, weight="bold", color="black",
                zorder=3, bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})  # fmt: skip
    labels = ["\n".join(textwrap.wrap(f"{e.code}  {e.name}", label_width)[:2]) for e in rows]
    ax.set_yticks(positions, labels, fontsize=fontsize * 0.9)
    for tick, element in zip(ax.get_yticklabels(), rows, strict=True):
        tick.set_linespacing(1.0)  # a wrapped name stays within its own row
        if element.code in highlight:
            tick.set_fontweight("bold")
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(NIK_MIN, NIK_MAX + 8)  # room for the value after a bar near 100
    ticks = list(range(NIK_MIN, NIK_MAX + 1, 25))
    ax.set_xticks(ticks, [str(t) for t in ticks], fontsize=fontsize * 0.8)
    for threshold, mutu in _thresholds():
        ax.axvline(threshold, color="0.45", linewidth=0.9, linestyle=(0, (3, 3)), zorder=1)
        ax.text(threshold, len(rows) - 0.45, mutu, va="bottom", ha="center", fontsize=fontsize * 0.8,
                weight="bold", color="0.3")  # fmt: skip
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color("black")
    ax.spines["bottom"].set_color("black")


def trend_line(
    ax,
    labels: Sequence[str],
    values: Sequence[Decimal | None],
    *,
    fontsize: float = 11,
    years: Sequence[int | None] | None = None,
) -> None:
    """Draw the IKM per period as a line with its values; a period without data is a gap marked "tidak ada data".

    `labels` are the x labels (short month names), `values` the rounded NIKs or
    None. `years`, when given, are printed under the first label and at each
    change of year. The line is broken at a gap, never drawn through 0.
    """
    count = len(labels)
    xs = list(range(count))
    present = [(x, float(v)) for x, v in zip(xs, values, strict=True) if v is not None]
    _trend_axes(ax, labels, years, fontsize)
    if not present:
        _no_trend(ax, count, fontsize)
        return
    bottom, top = _trend_scale(ax, present, count, fontsize)
    # One segment per run of consecutive months with data: no line across a gap. A run of
    # empty months is a light band with one "tidak ada data" label.
    run: list[tuple[int, float]] = []
    empty: list[int] = []
    for x, value in zip(xs, values, strict=True):
        if value is None:
            _segment(ax, run)
            run = []
            empty.append(x)
        else:
            _gap(ax, empty, (bottom + top) / 2, fontsize)
            empty = []
            run.append((x, float(value)))
    _segment(ax, run)
    _gap(ax, empty, (bottom + top) / 2, fontsize)
    for x, value in present:
        ax.annotate(id_number(value), (x, value), xytext=(0, 8), textcoords="offset points", ha="center",
                    va="bottom", fontsize=fontsize * 0.8, weight="bold", color="black")  # fmt: skip
    if values[-1] is not None:  # the poster's own period: a larger square marker
        ax.plot([xs[-1]], [float(values[-1])], marker="s", markersize=11, color="black", zorder=4)


def _trend_axes(ax, labels, years, fontsize: float) -> None:
    """X range and labels (the year under the first month and at each change of year); no top/right frame."""
    count = len(labels)
    ax.set_xlim(-0.6, count - 0.4)
    tick_labels = list(labels)
    if years is not None:
        previous = None
        for i, year in enumerate(years):
            if year is not None and year != previous:
                tick_labels[i] = f"{labels[i]}\n{year}"
            previous = year
    ax.set_xticks(list(range(count)), tick_labels, fontsize=fontsize * 0.9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _no_trend(ax, count: int, fontsize: float) -> None:
    ax.set_ylim(NIK_MIN, NIK_MAX)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.axvspan(-0.45, count - 0.55, facecolor="0.93", edgecolor="none", zorder=0)
    ax.text(0.5, 0.5, "Belum ada data", transform=ax.transAxes, ha="center", va="center",
            fontsize=fontsize * 1.3, style="italic", color="0.3")  # fmt: skip


def _trend_scale(ax, present: list[tuple[int, float]], count: int, fontsize: float) -> tuple[int, int]:
    """A y range around the values, with grid lines and the category thresholds that fall inside it."""
    low = min(v for _, v in present)
    high = max(v for _, v in present)
    bottom = max(NIK_MIN, (int(low) // 5) * 5 - 5)
    top = min(NIK_MAX + 5, (int(high) // 5) * 5 + 10)
    ax.set_ylim(bottom, top)
    ticks = list(range(bottom, min(top, NIK_MAX) + 1, 5 if top - bottom <= 30 else 10))
    ax.set_yticks(ticks, [str(t) for t in ticks], fontsize=fontsize * 0.8)
    ax.grid(axis="y", color="0.85", linewidth=0.8, zorder=0)
    for threshold, mutu in _thresholds():
        if bottom < threshold < top:
            ax.axhline(threshold, color="0.45", linewidth=0.9, linestyle=(0, (3, 3)), zorder=1)
            ax.text(count - 0.45, threshold, f"{mutu} ", ha="right", va="bottom", fontsize=fontsize * 0.75,
                    color="0.3")  # fmt: skip
    return bottom, top


def _gap(ax, xs: list[int], middle: float, fontsize: float) -> None:
    if not xs:
        return
    ax.axvspan(xs[0] - 0.45, xs[-1] + 0.45, facecolor="0.93", edgecolor="none", zorder=0)
    vertical = len(xs) < 3
    ax.text((xs[0] + xs[-1]) / 2, middle, NO_DATA, rotation=90 if vertical else 0, ha="center", va="center",
            fontsize=fontsize * (0.75 if vertical else 0.95), style="italic", color="0.3")  # fmt: skip


def _segment(ax, run: list[tuple[int, float]]) -> None:
    if not run:
        return
    ax.plot([x for x, _ in run], [v for _, v in run], color="black", linewidth=2.2, marker="o", markersize=7,
            markerfacecolor="white", markeredgewidth=2, zorder=3)  # fmt: skip


def element_bars_png(elements: Sequence[ElementResult], *, highlight: Collection[str] = (), dpi: int = 100) -> bytes:
    """Return the element bar chart alone as PNG bytes (for a page or a report)."""
    fig = _figure((7.5, 5.0))
    ax = fig.add_axes((0.36, 0.08, 0.6, 0.86))
    element_bars(ax, elements, highlight=highlight, fontsize=10)
    return _png(fig, dpi)


def trend_png(
    labels: Sequence[str],
    values: Sequence[Decimal | None],
    *,
    dpi: int = 100,
    years: Sequence[int | None] | None = None,
) -> bytes:
    """Return the trend line alone as PNG bytes (for a page or a report)."""
    fig = _figure((7.5, 3.0))
    ax = fig.add_axes((0.07, 0.2 if years else 0.15, 0.9, 0.75 if years else 0.8))
    trend_line(ax, labels, values, fontsize=10, years=years)
    return _png(fig, dpi)


def _figure(size: tuple[float, float]):
    from matplotlib.figure import Figure

    return Figure(figsize=size, facecolor="white")


def _png(fig, dpi: int) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", metadata={"Software": "SKM"})
    return buf.getvalue()
