"""The counter's A4 survey poster: office name, counter, QR code and a one-line instruction."""

import textwrap

from app.printing import A4_INCHES, a4_figure, draw_qr, plain_text, render

INSTRUCTION = "Pindai kode QR ini dengan kamera ponsel untuk mengisi Survei Kepuasan Masyarakat."
ENGLISH = "Scan to rate our service (English available)"
TOKEN_INSTRUCTION = "Ketik kode dari struk/tiket Anda di alamat ini, atau pindai QR pada struk."
TOKEN_ENGLISH = "Type the code from your receipt or ticket at this address, or scan its QR."


def counter_poster(
    *,
    office: str,
    counter: str,
    url: str,
    fmt: str = "pdf",
    services: list[str] | None = None,
    complaint_url: str | None = None,
    token: bool = False,
) -> bytes:
    """Return a print-ready A4 poster (PDF or PNG) in black and white.

    A `token` counter's poster tells citizens to type the code from their receipt at the address shown (printed
    larger), or to scan the QR on the receipt; its own QR opens the page where a code is typed.
    """
    with plain_text():
        return _draw(office=office, counter=counter, url=url, fmt=fmt, services=services, complaint_url=complaint_url,
                     token=token)  # fmt: skip


def _draw(
    *,
    office: str,
    counter: str,
    url: str,
    fmt: str,
    services: list[str] | None,
    complaint_url: str | None,
    token: bool,
) -> bytes:
    instruction, english = (TOKEN_INSTRUCTION, TOKEN_ENGLISH) if token else (INSTRUCTION, ENGLISH)
    fig = a4_figure()
    fig.text(0.5, 0.945, "SURVEI KEPUASAN MASYARAKAT", ha="center", va="center", fontsize=24, weight="bold")
    fig.text(0.5, 0.905, "\n".join(textwrap.wrap(office, 40)), ha="center", va="top", fontsize=17)
    fig.add_artist(_rule(fig, 0.835))
    counter_lines = textwrap.wrap(counter, 28)[:2]  # a long counter name wraps instead of running off the page
    fig.text(
        0.5,
        0.80,
        "\n".join(counter_lines),
        ha="center",
        va="center",
        fontsize=30 if len(counter_lines) == 1 else 24,
        weight="bold",
    )
    draw_qr(fig, url, (0.15, 0.235, 0.70, 0.70 * A4_INCHES[0] / A4_INCHES[1]))
    fig.text(0.5, 0.205, "\n".join(textwrap.wrap(instruction, 46)), ha="center", va="top", fontsize=16, weight="bold")
    fig.text(0.5, 0.125, "\n".join(textwrap.wrap(english, 80)), ha="center", va="top", fontsize=12, style="italic")
    if services:
        listed = ", ".join(services)
        fig.text(0.5, 0.1, "\n".join(textwrap.wrap("Layanan: " + listed, 80)[:2]), ha="center", va="top", fontsize=10)
    if complaint_url:
        fig.text(0.5, 0.043, "Pengaduan: " + complaint_url, ha="center", va="center", fontsize=10)
    # On a token poster the address is where the code is typed: larger, when it fits the page's width.
    big = {"fontsize": 12, "weight": "bold"} if token and len(url) <= 64 else {"fontsize": 10}
    fig.text(0.5, 0.064 if complaint_url else 0.045, url, ha="center", va="center", family="monospace", **big)
    fig.text(0.5, 0.022, "Jawaban Anda anonim. Survei ini tidak dipungut biaya.", ha="center", va="center", fontsize=9)
    return render(fig, fmt)


def _rule(fig, y: float):
    from matplotlib.lines import Line2D

    return Line2D([0.1, 0.9], [y, y], transform=fig.transFigure, color="black", linewidth=2)


def poster_of(counter, *, fmt: str = "pdf") -> bytes:
    """Return the A4 QR poster of a directory counter: its unit, name, services and survey link.

    A token counter's poster says to type the code from a receipt or ticket (its QR opens the page to type it on).
    """
    from app.directory import AccessMode
    from app.links import public_url, survey_url

    return counter_poster(
        office=counter.unit.name,
        counter=counter.name,
        url=survey_url(counter),
        fmt=fmt,
        services=[s.name for s in counter.services],
        complaint_url=public_url("complaints.form", unit=counter.unit.slug),
        token=counter.access_mode == AccessMode.TOKEN,
    )
