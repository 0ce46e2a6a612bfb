"""What a fresh batch of one-time codes is handed out as: A4 cut-out slips (PDF) or a CSV for a queue system.

The codes exist only in the `IssuedTokens` a batch was issued with, so these are the only readable copies. Each slip
carries the unit and counter, a QR of the counter's survey link with the code, the code itself to type, and the
last day it is accepted. matplotlib is imported inside the functions (web workers pay for it only on a download).

The QR codes are drawn as vector squares, one path per page, rather than with `app.printing.draw_qr` (an Axes and
an image per code): a slip's QR is about 3 cm wide, where an image resampled at the figure's resolution gives
modules of uneven width, and an Axes per code made a 240-page batch take minutes.
"""

import csv
import io
import textwrap

from app.links import survey_url
from app.printing import A4_INCHES, a4_figure, plain_text
from survey.tokens import IssuedTokens, display

COLUMNS, ROWS = 3, 7
PER_PAGE = COLUMNS * ROWS
MARGIN = 0.25  # inches left blank around the grid: most office printers cannot print to the edge
PAD = 0.08  # inches inside a slip, from the cut line
HINT_BAND = 0.24  # inches at the foot of a slip for the "scan or type" line
QUIET_ZONE = 4  # white modules around a QR code, as the standard asks
CSV_COLUMNS = ("no", "kode", "tautan", "berlaku_sampai")
_CHAR_EM = 0.6  # rough advance of a character, in ems, to fit a line into a slip's width


def short_address(url: str) -> str:
    """A survey link as printed for typing: without "https://" (a browser adds it), otherwise unchanged."""
    return url.removeprefix("https://")


def filename(issued: IssuedTokens, fmt: str) -> str:
    """The download name of a batch: unit, counter, batch number and the format's extension."""
    counter = issued.counter
    return f"kode-survei-{counter.unit.slug}-{counter.slug}-{issued.batch_id}.{fmt}"


def token_csv(issued: IssuedTokens) -> str:
    """The batch as CSV (no, kode, tautan, berlaku_sampai): the code as printed, its link, and its last day (ISO)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    until = issued.expires_on.isoformat()
    for number, code in enumerate(issued.codes, start=1):
        writer.writerow([number, display(code), survey_url(issued.counter, token=code), until])
    return out.getvalue()


def token_slips(issued: IssuedTokens) -> bytes:
    """The batch as A4 pages of 3 x 7 cut-out slips with dashed cut lines (PDF), filled row by row."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    counter = issued.counter
    shared = {
        "office": counter.unit.name,
        "counter": counter.name,
        "until": "Berlaku s.d. " + issued.expires_on.strftime("%d-%m-%Y") + "\nSatu kode, satu jawaban.",
        "hint": _hint(short_address(survey_url(counter))),
    }
    buf = io.BytesIO()
    metadata = {"Creator": "SKM", "Producer": "SKM", "CreationDate": None}  # as app.printing.render: reproducible
    # TrueType (42) keeps the codes selectable and searchable, as on the posters.
    with plain_text(), matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(buf, metadata=metadata) as pdf:
        for start in range(0, len(issued.codes), PER_PAGE):
            fig = a4_figure()
            _cut_lines(fig)
            squares = []
            for place, code in enumerate(issued.codes[start : start + PER_PAGE]):
                qr_box = _slip_text(fig, place, code=display(code), **shared)
                squares.extend(_qr_squares(survey_url(counter, token=code), *qr_box))
            fig.add_artist(_black_squares(fig, squares))
            pdf.savefig(fig, facecolor="white")
    return buf.getvalue()


def _cell() -> tuple[float, float]:
    """A slip's width and height, in inches."""
    return (A4_INCHES[0] - 2 * MARGIN) / COLUMNS, (A4_INCHES[1] - 2 * MARGIN) / ROWS


def _cut_lines(fig) -> None:
    """Dashed lines around and between the slips."""
    from matplotlib.lines import Line2D

    width, height = _cell()
    page_w, page_h = A4_INCHES
    style = {"transform": fig.transFigure, "color": "0.45", "linewidth": 0.6, "linestyle": (0, (4, 3))}
    for col in range(COLUMNS + 1):
        x = (MARGIN + col * width) / page_w
        fig.add_artist(Line2D([x, x], [MARGIN / page_h, 1 - MARGIN / page_h], **style))
    for row in range(ROWS + 1):
        y = (MARGIN + row * height) / page_h
        fig.add_artist(Line2D([MARGIN / page_w, 1 - MARGIN / page_w], [y, y], **style))


def _fit(text: str, width_in: float, largest: float, smallest: float = 4.5) -> float:
    """The largest font size (points, within bounds) at which `text` fits in one line of `width_in` inches."""
    return max(smallest, min(largest, width_in * 72 / (max(len(text), 1) * _CHAR_EM)))


def _hint(address: str) -> str:
    """The "scan or type" line; the address goes on lines of its own when one line would need too small a font."""
    prefix = "Pindai QR atau ketik kode di"
    width = _cell()[0] - 2 * PAD
    if _fit(f"{prefix} {address}", width, 6.5) >= 6:
        return f"{prefix} {address}"
    # A long address breaks after a "/" or a "-" (never inside a word), in lines that still fit at 5 points.
    chars = int(width * 72 / (5 * _CHAR_EM))
    parts = textwrap.wrap(address.replace("/", "/ "), chars, break_long_words=False, break_on_hyphens=True)
    return "\n".join([prefix, *(part.replace("/ ", "/") for part in parts)])


def _slip_text(fig, place: int, *, code: str, office: str, counter: str, until: str, hint: str):
    """Write one slip's text in its cell; return where its QR goes: (left, bottom, side) in inches."""
    width, height = _cell()
    left = MARGIN + (place % COLUMNS) * width
    top = A4_INCHES[1] - MARGIN - (place // COLUMNS) * height
    side = height - 2 * PAD - HINT_BAND  # the QR code with its quiet zone, on the slip's left

    def text(x_in: float, y_in: float, value: str, **style) -> None:
        fig.text(x_in / A4_INCHES[0], y_in / A4_INCHES[1], value, ha="left", va="top", **style)

    x = left + PAD / 2 + side + 0.02
    column = left + width - PAD - x
    office_lines = textwrap.wrap(office, int(column * 72 / (6 * _CHAR_EM)), max_lines=2, placeholder=" …")
    text(x, top - PAD, "\n".join(office_lines), fontsize=6, linespacing=1.1)
    y = top - PAD - 0.1 * len(office_lines) - 0.04
    name = textwrap.shorten(counter, int(column * 72 / (7 * _CHAR_EM)), placeholder="…")
    text(x, y, name, fontsize=_fit(name, column, 9, 7), weight="bold")
    text(x, y - 0.25, code, fontsize=_fit(code, column, 12.5, 9), family="monospace", weight="bold")
    text(x, y - 0.5, until, fontsize=6.5, linespacing=1.3)
    lines = hint.splitlines()
    size = _fit(max(lines, key=len), width - 2 * PAD, 6.5 if len(lines) < 3 else 5.2)
    fig.text((left + PAD) / A4_INCHES[0], (top - height + 0.06) / A4_INCHES[1], hint, va="bottom", fontsize=size)
    return left + PAD / 2, top - PAD - side, side


def _qr_squares(data: str, left: float, bottom: float, side: float) -> list[tuple[float, float, float, float]]:
    """The dark modules of the QR code of `data` as (x, y, width, height) rectangles in inches, a run per row.

    The mask pattern is fixed: trying all eight for the best one (what `qrcode` does by default) took most of the
    time of a large batch, and any mask decodes the same.
    """
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=0)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    module = side / (len(matrix) + 2 * QUIET_ZONE)
    origin_x, origin_y = left + QUIET_ZONE * module, bottom + side - QUIET_ZONE * module
    squares = []
    for row, cells in enumerate(matrix):
        col = 0
        while col < len(cells):
            if not cells[col]:
                col += 1
                continue
            start = col
            while col < len(cells) and cells[col]:
                col += 1
            # A hair taller than a module, so that no light seam shows between rows when a viewer anti-aliases.
            y = origin_y - (row + 1) * module - module * 0.02
            squares.append((origin_x + start * module, y, (col - start) * module, module * 1.04))
    return squares


def _black_squares(fig, squares: list[tuple[float, float, float, float]]):
    """One filled black path of rectangles given in inches, placed on the page."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    vertices, codes = [], []
    for x, y, w, h in squares:
        vertices += [(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)]
        codes += [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]
    return PathPatch(Path(vertices, codes), transform=fig.dpi_scale_trans, facecolor="black", linewidth=0)
