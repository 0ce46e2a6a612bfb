"""The publication log (analytics.publication_log, analytics.publog_staff): add and remove entries, links checked,
photos cleaned like complaint attachments, the public page's online links, and the LKE VI.iv.b grade."""

import io
from datetime import date

import pytest
import sqlalchemy as sa
from PIL import Image

from analytics import publication_log
from analytics.models import Publication, PublicationLogEntry
from app.extensions import db
from app.periods import month, parse_period
from tests.bench.results_bench import seed_publications
from tests.complaint_factories import StaffClient, make_cast
from tests.test_attachments_pdf import simple_pdf

LOG = "/analitik/log-publikasi/"
WHERE = {"unit": "dpmptsp-uji", "periode": "2026-03"}
LINK = "https://dpmptsp.example.go.id/berita/ikm-maret-2026"


@pytest.fixture
def cast(demo, fast_hashing):
    return make_cast(demo)


def entry(**fields) -> dict:
    return {**WHERE, "medium": "situs_web", "published_on": "2026-04-03", "url": LINK, "note": "", **fields}


def logged() -> list[tuple]:
    rows = db.session.execute(sa.select(PublicationLogEntry.medium, PublicationLogEntry.url,
                                        PublicationLogEntry.photo_mimetype))  # fmt: skip
    return [tuple(row) for row in rows]


def jpeg_with_exif() -> bytes:
    picture = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "KameraRahasia"  # Make
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_ppid_adds_and_removes_entries(app, cast):
    ppid = StaffClient(app, cast.ppid)

    assert ppid.post(LOG, data=entry()).status_code == 303
    page = ppid.get(LOG, query_string=WHERE)
    assert page.status_code == 200 and LINK in page.text
    (row,) = db.session.scalars(sa.select(PublicationLogEntry)).all()
    assert (row.period_key, row.published_on, row.created_by) == ("2026-03", date(2026, 4, 3), "ppid")
    assert StaffClient(app, cast.pimpinan).post(f"{LOG}{row.id}/hapus", data=WHERE).status_code == 403
    assert ppid.post(f"{LOG}{row.id}/hapus", data={**WHERE, "unit": "dinas-b"}).status_code == 404  # not B's entry
    assert len(logged()) == 1
    assert ppid.post(f"{LOG}{row.id}/hapus", data=WHERE).status_code == 303
    assert logged() == []
    assert ppid.post(f"{LOG}{row.id}/hapus", data=WHERE).status_code == 404


def test_readers_cannot_add(app, cast):
    assert StaffClient(app, cast.pengaduan).get(LOG, query_string=WHERE).status_code == 200  # VIEW_RESULTS
    assert StaffClient(app, cast.pengaduan).post(LOG, data=entry()).status_code == 403
    assert StaffClient(app, cast.wbs).get(LOG, query_string=WHERE).status_code == 403
    assert logged() == []


BAD_LINKS = [
    "javascript:alert(1)", "ftp://dpmptsp.example.go.id/x", "https://", "https://localhost/x", "http://a b.id/",
    "https://user@example.go.id/", "https://example.go.id:99999/", "https://" + "a" * 500 + ".id",
]  # fmt: skip


@pytest.mark.parametrize("url", BAD_LINKS)
def test_only_whole_http_links_are_taken(url):
    with pytest.raises(publication_log.PublicationLogError):
        publication_log.check_url(url)


def test_good_links_are_kept_as_written():
    assert publication_log.check_url("  HTTPS://Dinas.example.go.id/skm?periode=2026-03#hasil ") == (
        "HTTPS://Dinas.example.go.id/skm?periode=2026-03#hasil"
    )
    assert publication_log.check_url("http://instagram.com/p/abc:8080") and publication_log.check_url("") == ""


def test_bad_input_is_a_400_and_writes_nothing(app, cast):
    ppid = StaffClient(app, cast.ppid)
    for fields in (
        {"url": BAD_LINKS[0]}, {"url": BAD_LINKS[3]}, {"url": ""}, {"published_on": ""},
        {"published_on": "2999-01-01"}, {"published_on": "kemarin"}, {"medium": "koran"}, {"note": "x" * 501},
    ):  # fmt: skip
        response = ppid.post(LOG, data=entry(**fields))
        assert response.status_code == 400 and 'class="flash error"' in response.text, fields
    assert logged() == []


def test_a_photo_is_re_encoded_without_metadata_and_only_images_are_taken(app, cast):
    ppid = StaffClient(app, cast.ppid)
    original = jpeg_with_exif()
    assert b"KameraRahasia" in original

    board = entry(medium="papan_pengumuman", url="", photo=(io.BytesIO(original), "papan.jpg"))
    assert ppid.post(LOG, data=board, content_type="multipart/form-data").status_code == 303
    (row,) = db.session.scalars(sa.select(PublicationLogEntry)).all()
    served = ppid.get(f"{LOG}{row.id}/foto", query_string=WHERE)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.data.startswith(b"\xff\xd8\xff") and b"KameraRahasia" not in served.data
    pdf = entry(medium="papan_pengumuman", url="", photo=(io.BytesIO(simple_pdf()), "papan.pdf"))  # a clean PDF
    assert ppid.post(LOG, data=pdf, content_type="multipart/form-data").status_code == 400
    junk = entry(medium="papan_pengumuman", url="", photo=(io.BytesIO(b"\xff\xd8\xff rusak"), "papan.jpg"))
    assert ppid.post(LOG, data=junk, content_type="multipart/form-data").status_code == 400
    assert len(logged()) == 1


def test_the_public_results_page_shows_the_online_links(app, client):
    (unit,) = seed_publications(units=1, per_unit=1, png_bytes=64, pdf_bytes=64)  # a publication, poster not drawn
    period = parse_period(db.session.scalar(sa.select(Publication.period_key).where(Publication.unit_id == unit.id)))
    _add(unit, period, "situs_web")
    _add(unit, period, "papan_pengumuman", url="", photo=jpeg_with_exif())
    _add(unit, period, "lainnya", url="https://koran.example.id/ikm")  # online too: it has a link
    db.session.commit()

    page = client.get(f"/hasil/{unit.slug}")

    assert (
        page.status_code == 200 and f'href="{LINK}"' in page.text and 'href="https://koran.example.id/ikm"' in page.text
    )
    assert "/foto" not in page.text  # the notice-board photo stays a staff document


def _add(unit, period, medium, *, url=LINK, photo=None):
    publication_log.add_entry(unit_id=unit.id, period=period, medium=medium, published_on=date(2026, 4, 1),
                              url=url, photo=photo, by="ppid")  # fmt: skip


def test_the_openness_grade_per_year(app, cast):
    unit, other = cast.unit_a, cast.unit_b
    assert publication_log.openness_grade(unit_id=unit.id, year=2026) == "C"
    _add(unit, month(2026, 3), "papan_pengumuman", url="", photo=jpeg_with_exif())
    assert publication_log.openness_grade(unit_id=unit.id, year=2026) == "B"  # offline only
    _add(unit, month(2025, 12), "situs_web")  # last year's period: not 2026's
    _add(other, month(2026, 3), "media_sosial")  # another unit's
    _add(unit, month(2026, 2), "lainnya", url="", photo=jpeg_with_exif())  # another medium without a link: offline
    assert publication_log.openness_grade(unit_id=unit.id, year=2026) == "B"
    _add(unit, month(2026, 6), "lainnya")  # another medium with a link: online
    assert publication_log.openness_grade(unit_id=unit.id, year=2026) == "A"
    assert publication_log.openness_grade(unit_id=unit.id, year=2025) == "B"  # online only
    assert publication_log.openness_grade(unit_id=other.id, year=2026) == "B"


def test_a_period_typed_as_words_is_explained_beside_its_field(app, cast):
    page = StaffClient(app, cast.ppid).get(LOG, query_string={**WHERE, "periode": "Maret 2026"})
    assert page.status_code == 400
    assert 'value="Maret 2026"' in page.text and 'aria-invalid="true" aria-describedby="periode-error"' in page.text
    assert 'id="periode-error"' in page.text and "YYYY-MM" in page.text and 'name="medium"' in page.text
