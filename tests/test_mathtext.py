"""A "$" in a unit, service or counter name is drawn as written on every printed page, never read as TeX mathtext
(`$\\frac$` would stop matplotlib with a parse error, and `$x^2$` would print a superscript)."""

import io
from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from analytics.models import Publication
from app import directory
from app.directory import AccessMode
from app.extensions import db
from tests.factories import make_response

UNIT = r"Dinas $\frac$ Uji"
SERVICE = r"Izin $x^2$ dan $\frac{a}$"
COUNTER = "Loket $ Satu"
TOKEN_COUNTER = r"Loket $\frac$ Kode"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def named(app):
    """A unit, a service and two counters (static and token) whose names look like TeX, with October answers."""
    unit = directory.create_unit(name=UNIT, slug="dinas-tex")
    service = directory.create_service(unit=unit, name=SERVICE)
    counter = directory.create_counter(unit=unit, name=COUNTER, slug="loket-1", services=[service])
    tokens = directory.create_counter(
        unit=unit, name=TOKEN_COUNTER, slug="loket-kode", services=[service], access_mode=AccessMode.TOKEN
    )
    db.session.commit()
    for day in (1, 2, 5):
        make_response(SimpleNamespace(unit=unit), date(2026, 10, day), (3,) * 9, service=service, counter=counter)
    db.session.commit()
    return unit, service, counter, tokens


def _text(pdf: bytes) -> str:
    """Every page's text, with line breaks as spaces (pypdf, a pinned dependency: no system tool needed)."""
    assert pdf.startswith(b"%PDF")
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def _get(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:500])
    return response.data


def test_the_counter_posters_and_token_slips_draw_the_names_as_written(login, named):
    _unit, _service, counter, tokens = named
    text = _text(_get(login, f"/admin/counters/{counter.id}/poster.pdf"))
    for name in (UNIT, COUNTER, SERVICE):
        assert name in text, name
    assert _get(login, f"/admin/counters/{counter.id}/poster.png").startswith(PNG_MAGIC)
    assert r"Dinas $\frac$ Uji" in _text(_get(login, f"/admin/counters/{tokens.id}/poster.pdf"))
    slips = login.post(f"/admin/counters/{tokens.id}/tokens", data={"count": "3", "fmt": "pdf"})
    assert slips.status_code == 200 and TOKEN_COUNTER in _text(slips.data)


def test_the_monthly_poster_and_a_published_period_draw_the_names_as_written(login, client, named):
    unit, service, _counter, _tokens = named
    base = "/analitik/poster.{fmt}?unit=dinas-tex&periode=2026-10"
    assert UNIT in _text(_get(login, base.format(fmt="pdf")))
    assert _get(login, base.format(fmt="png")).startswith(PNG_MAGIC)
    filtered = _text(_get(login, base.format(fmt="pdf") + f"&layanan={service.id}"))  # names the service
    assert UNIT in filtered and SERVICE in filtered
    assert _get(login, base.format(fmt="png") + f"&layanan={service.id}").startswith(PNG_MAGIC)

    form = {"periode": "2026-10", "konfirmasi": "1", "responden": "3"}
    assert login.post(f"/analitik/units/{unit.id}/publikasi", data=form).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Publication.id))) == 1  # the frozen posters were drawn
    assert UNIT in _text(_get(client, "/hasil/dinas-tex/2026-10/poster.pdf"))
    assert _get(client, "/hasil/dinas-tex/2026-10/poster.png").startswith(PNG_MAGIC)
    assert UNIT in _get(client, "/hasil/dinas-tex").decode()
