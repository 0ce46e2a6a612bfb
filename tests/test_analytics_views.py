"""The office head's dashboard, population entry, publication (freezing) and the public results page."""

from datetime import date

import sqlalchemy as sa

from analytics.models import Publication, SurveyPopulation
from app.extensions import db
from survey.questionnaire import ELEMENT_CODES
from tests.factories import make_response as add
from tests.factories import make_responses

DASH = "/analitik/?unit=dpmptsp-uji&periode=2026-03"
MARCH_10 = date(2026, 3, 10)


def test_dashboard_needs_an_admin(client, demo):
    assert client.get(DASH).status_code == 302


def test_dashboard_shows_ikm_elements_trend_and_groups(login, demo):
    make_responses(demo, MARCH_10, 3, counter=demo.static)
    add(demo, date(2026, 3, 11), {**dict.fromkeys(ELEMENT_CODES, 2), "U4": None}, service=demo.pbg)
    db.session.commit()
    html = login.get(DASH).get_data(as_text=True)
    assert "Maret 2026" in html
    assert "IKM 88,89</strong> · mutu <strong>A</strong>" in html and "4 responden" in html  # (8 x 3.5 + 4) / 9 x 25
    assert "U9 Sarana dan Prasarana" in html and "(terendah)" in html
    assert "Februari 2026" in html and "tidak ada data" in html  # an empty month is not 0
    assert "PBG" in html and "Loket 1" in html
    assert "Populasi penerima layanan untuk periode ini belum diisi" in html
    assert "<script" not in html


def test_dashboard_filters_and_bad_input(login, demo):
    make_responses(demo, MARCH_10, 3, counter=demo.static)
    assert "Belum ada data" in login.get(DASH + "&jk=P").get_data(as_text=True)
    assert login.get(DASH + f"&layanan={demo.izin.id}").status_code == 200
    assert login.get("/analitik/?unit=dpmptsp-uji&periode=2026-13").status_code == 400
    assert login.get(DASH + "&layanan=abc").status_code == 400
    assert login.get("/analitik/?unit=tidak-ada").status_code == 404
    assert login.get("/analitik/?unit=dpmptsp-uji&periode=2026-Q1").status_code == 200


def test_population_entry_drives_sample_adequacy(login, demo):
    make_responses(demo, MARCH_10, 3, counter=demo.static)
    result = login.post(f"/analitik/units/{demo.unit.id}/populasi", data={"periode": "2026-03", "populasi": "20"})
    assert result.status_code == 303
    html = login.get(DASH).get_data(as_text=True)
    assert "3 responden dari minimal 19" in html and "Belum memenuhi" in html and "kurang 16" in html
    bad = login.post(f"/analitik/units/{demo.unit.id}/populasi", data={"periode": "2026-03", "populasi": "-5"})
    assert bad.status_code == 303
    bad = login.post(f"/analitik/units/{demo.unit.id}/populasi", data={"periode": "maret", "populasi": "5"})
    assert bad.status_code == 303
    assert db.session.scalar(sa.select(SurveyPopulation.population)) == 20


def test_publication_asks_for_confirmation_then_freezes_the_numbers(login, client, demo):
    make_responses(demo, MARCH_10, 2, 4, counter=demo.static, suggestion="Nomor HP saya 0812-RAHASIA")
    publish = f"/analitik/units/{demo.unit.id}/publikasi"
    page = login.get(publish + "?periode=2026-03")
    assert page.status_code == 200 and "Saya sudah memeriksa angka" in page.get_data(as_text=True)
    unconfirmed = login.post(publish, data={"periode": "2026-03"})
    assert unconfirmed.status_code == 400 and db.session.scalar(sa.select(sa.func.count(Publication.id))) == 0
    result = login.post(publish, data={"periode": "2026-03", "konfirmasi": "1"})
    assert result.status_code == 303
    publication = db.session.scalar(sa.select(Publication))
    assert publication.snapshot["result"]["nik"] == "100.00" and publication.poster_png.startswith(b"\x89PNG")
    # late paper data arrives after publication
    make_responses(demo, MARCH_10, 2, 1, counter=demo.static)
    again = login.post(publish, data={"periode": "2026-03", "konfirmasi": "1"})
    assert again.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Publication.id))) == 1
    html = login.get(DASH).get_data(as_text=True)
    assert "IKM 100,00" in html and "2 kuesioner masuk setelah publikasi" in html  # the published figures
    live = login.get(DASH + "&sementara=1").get_data(as_text=True)
    assert "Angka sementara, belum dipublikasikan" in live and "IKM 62,50" in live  # only when asked for
    public = client.get("/hasil/dpmptsp-uji").get_data(as_text=True)
    assert "100,00" in public and "62,50" not in public  # the published number did not drift
    assert "RAHASIA" not in public
    poster = client.get("/hasil/dpmptsp-uji/2026-03/poster.png")
    assert poster.status_code == 200 and poster.data == publication.poster_png
    assert client.get("/hasil/dpmptsp-uji/2026-04/poster.png").status_code == 404
    assert "DPMPTSP Kota Uji" in client.get("/hasil/").get_data(as_text=True)


def test_empty_period_cannot_be_published(login, demo):
    login.post(f"/analitik/units/{demo.unit.id}/publikasi", data={"periode": "2026-03", "konfirmasi": "1"})
    assert db.session.scalar(sa.select(sa.func.count(Publication.id))) == 0


def test_public_pages_without_publications(client, demo):
    assert "Belum ada hasil" in client.get("/hasil/").get_data(as_text=True)
    assert client.get("/hasil/tidak-ada").status_code == 404


def test_downloads_from_the_dashboard(app, login, demo):
    make_responses(demo, MARCH_10, 3, counter=demo.static)
    poster = login.get("/analitik/poster.pdf?unit=dpmptsp-uji&periode=2026-03")
    assert poster.status_code == 200 and poster.data.startswith(b"%PDF")
    report = login.get("/analitik/laporan.pdf?unit=dpmptsp-uji&periode=2026-03")
    assert report.status_code == 200 and report.data.startswith(b"%PDF")
    workbook = login.get("/analitik/ekspor.xlsx?unit=dpmptsp-uji&periode=2026-03")
    assert workbook.status_code == 200 and workbook.data.startswith(b"PK")
    app.config["WEB_EXPORT_MAX_ROWS"] = 2
    refused = login.get("/analitik/ekspor.xlsx?unit=dpmptsp-uji&periode=2026-03")
    assert refused.status_code == 413 and "flask --app app report" in refused.get_data(as_text=True)


def test_figures_on_the_pages_round_half_up_with_the_languages_decimal_sign(login, demo):
    # U1: fifteen 1s and one 2 = 17/16 = 1.0625 exactly. Binary "%.3f" gives 1.062 (a half goes to the even digit);
    # the regulation's half-up, as the report prints it, gives 1.063.
    for i in range(16):
        add(demo, date(2026, 3, 10), (2 if i == 0 else 1, 4, 4, 4, 4, 4, 4, 4, 4))
    db.session.commit()
    indonesian = login.get(DASH).get_data(as_text=True)
    assert "<td>1,063</td>" in indonesian and "1,062" not in indonesian and "1.06" not in indonesian
    english = login.get(DASH + "&lang=en").get_data(as_text=True)
    assert "<td>1.063</td>" in english and "1.062" not in english
