"""The monthly IKM notice-board poster: A4, greys only, readable QR, and an empty month renders too."""

import io
import shutil
import subprocess
from datetime import date

import pytest
from PIL import Image

from app import periods
from app.extensions import db
from tests.factories import build, make_response

RESULTS_URL = "https://skm.example.go.id/hasil/dpmptsp-uji/2026-03"
MARCH = periods.month(2026, 3)


@pytest.fixture
def march(demo):
    """A dashboard for March 2026 with data, a population (so the sample line shows) and an empty February."""
    from analytics.publishing import set_population

    all_four = {f"u{i}": 4 for i in range(1, 10)}
    make_response(demo, date(2026, 1, 12), all_four, counter=demo.static)
    for scores in (
        {"u3": 2, "u2": 3, "u9": 3},
        {"u3": 2, "u2": 3, "u9": 3, "u8": None},
        {f"u{i}": 3 for i in range(1, 10)},
    ):
        make_response(demo, date(2026, 3, 9), all_four | scores, counter=demo.static)
    set_population(unit=demo.unit, period_key=MARCH.key, population=1000)
    db.session.commit()
    return build(demo, MARCH)


def grey_only(image: Image.Image) -> bool:
    colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
    return all(r == g == b for _, (r, g, b) in colours)


def test_poster_pdf_is_a4_portrait(march):
    from analytics.ikm_poster import ikm_poster

    assert march.result.has_data and march.sample.required == 278
    pdf = ikm_poster(march, results_url=RESULTS_URL, fmt="pdf")
    assert pdf.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 595.44 841.68 ]" in pdf


def test_poster_png_is_a4_grey_only_and_its_qr_reads_back(march, tmp_path):
    from analytics.ikm_poster import ikm_poster

    png = ikm_poster(march, results_url=RESULTS_URL, fmt="png")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.01 and width >= 1200  # A4 portrait, printable resolution
    # Only greys: every pixel has equal channels, so a monochrome printer loses nothing.
    assert grey_only(image)
    if shutil.which("zbarimg"):  # Debian zbar-tools; the rest of the test stands without it
        path = tmp_path / "poster.png"
        path.write_bytes(png)
        decoded = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True, check=True)
        assert decoded.stdout.strip() == RESULTS_URL


def test_poster_of_a_month_without_responses_still_renders(demo):
    from analytics.ikm_poster import ikm_poster

    empty = build(demo, MARCH)
    assert not empty.result.has_data and empty.sample is None
    png = ikm_poster(empty, results_url=RESULTS_URL, fmt="png")
    image = Image.open(io.BytesIO(png))
    assert image.size[1] > image.size[0] and grey_only(image)


def test_poster_refuses_an_unknown_format(demo):
    from analytics.ikm_poster import ikm_poster

    with pytest.raises(ValueError):
        ikm_poster(build(demo, MARCH), results_url=RESULTS_URL, fmt="svg")


# analytics.charts is pure: these draw onto an Axes and inspect the artists, without rendering.


def _axes():
    from matplotlib.figure import Figure

    return Figure().add_subplot()


def test_trend_breaks_the_line_at_a_month_without_data(march):
    from analytics.charts import NO_DATA, trend_line

    labels = [p.period.label[:3] for p in march.trend]
    values = [p.result.nik for p in march.trend]
    assert values[-3] is not None and values[-2] is None and values[-1] is not None  # Jan, (Feb empty), Mar
    ax = _axes()
    trend_line(ax, labels, values)
    plotted = [list(line.get_ydata()) for line in ax.get_lines() if line.get_linestyle() == "-"]
    # Jan and Mar are separate segments; no point is drawn at 0 for February.
    assert [float(values[-3])] in plotted and all(0 not in ys for ys in plotted)
    assert any(text.get_text() == NO_DATA for text in ax.texts)


def test_weakest_elements_are_hatched_and_marked_not_only_darker(march):
    from analytics.charts import WEAK_MARK, element_bars

    weakest = {e.code for e in march.weakest}
    assert weakest == {"U2", "U3", "U9"}
    ax = _axes()
    element_bars(ax, march.result.elements, highlight=weakest)
    hatched = [bar for bar in ax.patches if bar.get_hatch()]
    assert len(hatched) == 3 and len(ax.patches) == 9
    assert sum(text.get_text().startswith(WEAK_MARK) for text in ax.texts) == 3
