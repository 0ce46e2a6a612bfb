"""Print helpers shared by posters: QR matrices and A4 figures (matplotlib Figure, never pyplot).

matplotlib is imported inside the functions so that web workers only pay for
it when an admin actually downloads a poster.
"""

import io
from contextlib import contextmanager

A4_INCHES = (8.27, 11.69)


def qr_matrix(data: str) -> list[list[bool]]:
    """Return the QR code of `data` as rows of booleans (True = dark), with a 4-module quiet zone."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.get_matrix()


@contextmanager
def plain_text():
    """Draw every string as written: a "$" in a unit, service or counter name is not TeX mathtext."""
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False}):
        yield


def a4_figure():
    """Return a blank white A4 portrait Figure whose axes span the page in 0..1 coordinates."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=A4_INCHES, facecolor="white")
    return fig


def draw_qr(fig, data: str, rect: tuple[float, float, float, float]) -> None:
    """Draw a crisp black-on-white QR code of `data` into a square region of the figure."""
    matrix = qr_matrix(data)
    ax = fig.add_axes(rect)
    ax.imshow(
        [[0 if dark else 1 for dark in row] for row in matrix], cmap="gray", vmin=0, vmax=1, interpolation="nearest"
    )
    ax.set_axis_off()
    ax.set_aspect("equal")


def render(fig, fmt: str, dpi: int = 150) -> bytes:
    """Render a figure to PDF or PNG bytes."""
    if fmt not in ("pdf", "png"):
        raise ValueError("format must be pdf or png")
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    # TrueType (42) keeps the PDF's text selectable and searchable, unlike the default Type 3 glyphs.
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig.savefig(buf, format=fmt, dpi=dpi, facecolor="white", metadata=_metadata(fmt))
    return buf.getvalue()


def _metadata(fmt: str) -> dict:
    # Fixed metadata keeps the bytes reproducible and says nothing about the server.
    if fmt == "pdf":
        return {"Creator": "SKM", "Producer": "SKM", "CreationDate": None}
    return {"Software": "SKM"}
