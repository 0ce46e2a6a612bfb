"""Administration pages: directory management, posters, tokens."""

import io

import sqlalchemy as sa
from PIL import Image

from app.directory import AccessMode, Counter, Service, Unit
from app.extensions import db


def test_admin_pages_need_login(client, demo):
    for path in ("/admin/", f"/admin/units/{demo.unit.id}/edit", f"/admin/counters/{demo.static.id}/poster.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_index_lists_units_services_counters_and_links(login, demo):
    html = login.get("/admin/").get_data(as_text=True)
    for text in (
        "DPMPTSP Kota Uji",
        "Perizinan Berusaha",
        "Loket 1",
        "Meja Bantuan",
        "https://skm.example.go.id/s/dpmptsp-uji/loket-1",
        "Buat token sekali pakai",
    ):
        assert text in html


def test_create_unit_service_and_counter(login):
    client = login
    assert client.post("/admin/units/new", data={"name": "Dinas Kesehatan", "slug": "dinkes"}).status_code == 302
    unit = db.session.scalar(sa.select(Unit).where(Unit.slug == "dinkes"))
    assert (
        client.post(
            f"/admin/units/{unit.id}/services/new", data={"name": "Izin Apotek", "kind": "perizinan", "active": "y"}
        ).status_code
        == 302
    )
    service = db.session.scalar(sa.select(Service).where(Service.unit_id == unit.id))
    result = client.post(
        f"/admin/units/{unit.id}/counters/new",
        data={"name": "Loket A", "services": [str(service.id)], "access_mode": "token", "active": "y"},
    )
    assert result.status_code == 302
    counter = db.session.scalar(sa.select(Counter).where(Counter.unit_id == unit.id))
    assert counter.slug == "loket-a" and counter.access_mode == AccessMode.TOKEN
    assert [s.name for s in counter.services] == ["Izin Apotek"]


def test_duplicates_and_bad_input_are_refused_with_a_message(login, demo):
    client = login
    result = client.post("/admin/units/new", data={"name": "Lain", "slug": "dpmptsp-uji"})
    assert result.status_code == 400 and "sudah dipakai" in result.get_data(as_text=True)
    result = client.post("/admin/units/new", data={"name": "Lain", "slug": "Bad Slug!"})
    assert result.status_code == 400
    result = client.post(f"/admin/units/{demo.unit.id}/services/new", data={"name": "PBG", "kind": "perizinan"})
    assert result.status_code == 400 and "sudah ada" in result.get_data(as_text=True)
    result = client.post(f"/admin/units/{demo.unit.id}/services/new", data={"name": "X", "kind": "bogus"})
    assert result.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == 1


def test_edit_counter_keeps_slug_and_changes_mode(login, demo):
    result = login.post(
        f"/admin/counters/{demo.static.id}/edit",
        data={"name": "Loket 1 Baru", "services": [str(demo.izin.id), str(demo.pbg.id)], "access_mode": "assisted"},
    )
    assert result.status_code == 302
    db.session.refresh(demo.static)
    assert demo.static.slug == "loket-1" and demo.static.name == "Loket 1 Baru"
    assert demo.static.access_mode == AccessMode.ASSISTED and demo.static.active is False
    assert {s.name for s in demo.static.services} == {"Perizinan Berusaha", "PBG"}


def test_counter_services_must_belong_to_the_unit(app, demo):
    import pytest

    from app import directory

    other = directory.create_unit(name="Unit Lain", slug="lain")
    foreign = directory.create_service(unit=other, name="Asing")
    with pytest.raises(directory.DirectoryError):
        directory.create_counter(unit=demo.unit, name="Loket X", services=[foreign])


def test_poster_pdf_and_png_are_a4(login, demo):
    pdf = login.get(f"/admin/counters/{demo.static.id}/poster.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and b"/MediaBox [ 0 0 595.44 841.68 ]" in pdf.data
    assert "attachment" in pdf.headers["Content-Disposition"]
    png = login.get(f"/admin/counters/{demo.static.id}/poster.png")
    image = Image.open(io.BytesIO(png.data))
    assert image.format == "PNG"
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.01 and width >= 1200  # A4 portrait, printable resolution
    assert login.get(f"/admin/counters/{demo.static.id}/poster.svg").status_code == 404


def test_poster_is_black_and_white_friendly(app, demo):
    from survey.counter_poster import counter_poster

    png = counter_poster(office="DPMPTSP Kota Uji", counter="Loket 1", url="https://skm.example.go.id/s/x/y", fmt="png")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 16)
    # Only greys: every pixel has equal channels, so a monochrome printer loses nothing.
    assert all(r == g == b for _, (r, g, b) in colours)


def test_tokens_csv(login, demo):
    result = login.post(f"/admin/counters/{demo.token.id}/tokens", data={"count": "3", "fmt": "csv"})
    assert result.status_code == 200 and result.mimetype == "text/csv"
    lines = result.get_data(as_text=True).strip().splitlines()
    assert lines[0] == "no,kode,tautan,berlaku_sampai" and len(lines) == 4
    url = lines[1].split(",")[2]
    assert url.startswith("https://skm.example.go.id/s/dpmptsp-uji/loket-3?t=")
    assert login.get(url.replace("https://skm.example.go.id", "")).status_code == 200
    assert login.post(f"/admin/counters/{demo.token.id}/tokens", data={"count": "0"}).status_code == 400


def test_poster_qr_code_reads_back_as_the_survey_link(app, demo, tmp_path):
    import shutil
    import subprocess

    import pytest

    from survey.counter_poster import counter_poster

    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg (Debian zbar-tools) not installed")
    url = "https://skm.example.go.id/s/dpmptsp-uji/loket-1"
    path = tmp_path / "poster.png"
    path.write_bytes(counter_poster(office="DPMPTSP Kota Uji", counter="Loket 1", url=url, fmt="png"))
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True, check=True)
    assert decoded.stdout.strip() == url
