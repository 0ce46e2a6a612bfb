"""The public results pages read no poster, and `/hasil/` sends the same statements however many publications."""

from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from analytics.models import Publication
from app.extensions import db
from tests.bench.results_bench import seed_publications

POSTER_COLUMNS = ("poster_png", "poster_pdf")
# On SQLite a column stored after the posters is read by walking their overflow pages: the list never reads one.
AFTER_POSTERS = ("published_at", "published_by", "withdrawn_by", "withdrawal_reason")
PNG, PDF = 3000, 2000


@contextmanager
def statements():
    """Collect the SQL statements sent meanwhile, on a session that remembers nothing (as a fresh request's)."""
    db.session.commit()
    db.session.expunge_all()
    sent: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:
        sent.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def reads(sent: list[str], columns) -> list[str]:
    """The statements that name one of these columns (only the publications have columns of these names)."""
    return [s for s in sent if any(column in s for column in columns)]


def index_statements(client) -> list[str]:
    with statements() as sent:
        assert client.get("/hasil/").status_code == 200
    return sent


def withdraw(unit, period_key: str) -> None:
    """Withdraw a publication in force as `analytics.publishing.withdraw_publication` does (the row stays)."""
    db.session.execute(
        sa.update(Publication)
        .where(Publication.unit_id == unit.id, Publication.period_key == period_key)
        .values(withdrawn_at=datetime.now(UTC), withdrawn_by="admin", withdrawal_reason="Data kertas salah")
    )
    db.session.commit()


def test_the_index_sends_the_same_statements_for_one_publication_per_unit_or_24(app, client):
    seed_publications(units=1, per_unit=1, png_bytes=PNG, pdf_bytes=PDF)
    one = index_statements(client)
    seed_publications(units=3, per_unit=24, png_bytes=PNG, pdf_bytes=PDF)
    more = index_statements(client)  # 4 units, 73 publications
    assert len(more) == len(one), more


def test_the_index_shows_each_units_latest_publication_and_skips_withdrawn_ones(app, client):
    units = seed_publications(units=3, per_unit=24, png_bytes=PNG, pdf_bytes=PDF)
    html = client.get("/hasil/").get_data(as_text=True)
    assert html.count("33 responden") == 3 and html.count("<h2>") == 3  # month 23: 10 + 23 respondents
    assert all(f'href="/hasil/{u.slug}"' in html and u.name in html for u in units)
    assert "Desember 2026" in html and "November 2026" not in html
    withdraw(units[1], "2026-12")
    html = client.get("/hasil/").get_data(as_text=True)
    assert html.count("33 responden") == 2 and html.count("32 responden") == 1 and "November 2026" in html
    assert html.index(units[0].name) < html.index("32 responden") < html.index(units[2].name)


def test_the_index_reads_no_poster_nor_a_column_stored_after_them(app, client):
    seed_publications(units=3, per_unit=24, png_bytes=PNG, pdf_bytes=PDF)
    sent = index_statements(client)
    assert [s for s in sent if "publications" in s]  # the publications were read...
    assert reads(sent, POSTER_COLUMNS) == []  # ...without a poster
    assert reads(sent, AFTER_POSTERS) == []


def test_a_units_page_lists_its_publications_without_posters_in_constant_statements(app, client):
    (unit,) = seed_publications(units=1, per_unit=24, png_bytes=PNG, pdf_bytes=PDF)
    withdraw(unit, "2026-11")
    with statements() as sent:
        html = client.get(f"/hasil/{unit.slug}").get_data(as_text=True)
    assert reads(sent, POSTER_COLUMNS) == []
    assert html.count("<h2>") == 23 and "November 2026" not in html
    assert html.index("Desember 2026") < html.index("Oktober 2026") < html.index("Januari 2025")
    assert html.count('loading="lazy"') == 22  # the newest poster loads at once, the others when scrolled to
    assert "U9" in html and "Layanan 4" in html  # the newest period's elements and services
    (other,) = seed_publications(units=1, per_unit=1, png_bytes=PNG, pdf_bytes=PDF)
    with statements() as few:
        client.get(f"/hasil/{other.slug}")
    assert len(few) == len(sent)


def test_a_poster_is_served_with_its_bytes_and_caching_headers_reading_one_poster(app, client):
    (unit,) = seed_publications(units=1, per_unit=2, png_bytes=PNG, pdf_bytes=PDF)
    with statements() as sent:
        poster = client.get(f"/hasil/{unit.slug}/2025-02/poster.png")
    stored = db.session.scalar(sa.select(Publication.poster_png).where(Publication.period_key == "2025-02"))
    assert poster.status_code == 200 and poster.data == stored and poster.mimetype == "image/png"
    assert poster.headers["Cache-Control"] == "public, max-age=300" and poster.headers["ETag"]
    assert len(reads(sent, ("poster_png",))) == 1 and reads(sent, ("poster_pdf",) + AFTER_POSTERS) == []
    pdf = client.get(f"/hasil/{unit.slug}/2025-02/poster.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"] == f'inline; filename="ikm-{unit.slug}-2025-02.pdf"'
    assert pdf.headers["Cache-Control"] == "public, max-age=300" and pdf.headers["ETag"] != poster.headers["ETag"]
    assert "no-store" in client.get(f"/hasil/{unit.slug}").headers["Cache-Control"]  # pages are never cached


def test_a_poster_is_revalidated_without_reading_it_until_it_is_withdrawn(app, client):
    (unit,) = seed_publications(units=1, per_unit=2, png_bytes=PNG, pdf_bytes=PDF)
    url = f"/hasil/{unit.slug}/2025-02/poster.png"
    etag = {"If-None-Match": client.get(url).headers["ETag"]}
    with statements() as sent:
        again = client.get(url, headers=etag)
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag["If-None-Match"]
    assert again.headers["Cache-Control"] == "public, max-age=300"
    assert reads(sent, POSTER_COLUMNS) == []  # a 304 reads no poster
    assert client.get(url, headers={"If-None-Match": '"publication-0-png"'}).status_code == 200
    withdraw(unit, "2025-02")
    assert client.get(url, headers=etag).status_code == 404  # a cache revalidating drops the withdrawn poster


@pytest.mark.parametrize("path", ["poster.svg", "poster.PNG", "poster.", "x" * 31 + "/poster.png"])
def test_other_poster_urls_are_not_found(app, client, path):
    (unit,) = seed_publications(units=1, per_unit=1, png_bytes=PNG, pdf_bytes=PDF)
    url = f"/hasil/{unit.slug}/{path}" if path.startswith("x") else f"/hasil/{unit.slug}/2025-01/{path}"
    assert client.get(url).status_code == 404
    assert client.get("/hasil/tidak-ada/2025-01/poster.png").status_code == 404


def test_the_headline_reads_what_the_snapshot_reads():
    """Lists read `Headline` (stored figures), pages `Snapshot` (recomputed from the stored tallies): they agree."""
    from analytics.data import FlagCounts
    from analytics.ikm import Tally, compute_ikm
    from analytics.sample import adequacy
    from analytics.snapshot import Headline, Snapshot
    from app.periods import month, parse_period

    tallies = (Tally(7, {f"U{i}": (7, 7 * (1 + i % 4)) for i in range(1, 10)}), Tally(3, {"U1": (3, 11)}), Tally())
    for tally in tallies:
        result = compute_ikm(tally)
        sample = adequacy(collected=tally.respondents, population=500)
        raw = Snapshot("Unit", month(2026, 3), 9, result, (), (), sample, FlagCounts(0, 0, 0, 0, {})).to_json()
        full, headline = Snapshot.from_json(raw), Headline.from_json(raw)
        assert (headline.period, headline.sample) == (full.period, full.sample)
        assert (headline.respondents, headline.nik, headline.mutu, headline.kinerja) == (
            full.result.respondents, full.result.nik, full.result.mutu, full.result.kinerja)  # fmt: skip
    first_format = {"period": {"key": "2026-10"}, "result": {"respondents": 2, "nik": 100.0, "mutu": "A",
                    "kinerja": "Sangat Baik", "elements": [{"code": "U1", "answered": 2, "total": 8}]}}  # fmt: skip
    old = Headline.from_json(first_format)
    assert (str(old.nik), old.mutu, old.respondents, old.period) == ("100.00", "A", 2, parse_period("2026-10"))
