"""The survey page's promises to a citizen (issue 8): light, says where an error is, keeps every answer."""

import gzip
import re

import sqlalchemy as sa

from app.extensions import db
from survey.models import Response
from tests.factories import count_responses, survey_form

URL = "/s/dpmptsp-uji/loket-1"
MULTI = "/s/dpmptsp-uji/loket-2"
PAGE_BUDGET = 2048  # gzip -9 bytes, one request (docs/benchmarks.md)


def test_the_phone_page_stays_within_its_byte_budget_in_one_request(client, demo):
    for url in (URL, MULTI):
        html = client.get(url).data
        assert len(gzip.compress(html, compresslevel=9)) <= PAGE_BUDGET, url
        assert b"<script" not in html and b"<link rel=stylesheet" not in html and b"src=" not in html


def test_the_page_says_how_long_it_takes_and_what_is_kept(client, demo):
    html = client.get(URL).get_data(as_text=True)
    assert "9 pertanyaan, ± 2 menit, boleh dilewati." in html
    notice = re.search(r"<b>Data Anda:</b>([^<]*)", html).group(1)
    for promise in (
        "tanpa nama, jam, alamat jaringan, atau kode struk",
        "petugas berwenang",
        "angka gabungan",
        "(1 hari)",
        "60 menit",
    ):
        assert promise in notice


def test_errors_are_summarised_at_the_top_and_marked_on_their_fields(client, demo):
    result = client.post(MULTI, data=survey_form(None, u3="7", usia="abc", layanan="__omit__"))
    assert result.status_code == 400
    html = result.get_data(as_text=True)
    assert "<title>Kesalahan: Survei Kepuasan Masyarakat</title>" in html
    summary = re.search(r'<div class="flash error" role=alert tabindex=-1 autofocus>(.*?)</div>', html).group(1)
    links = re.findall(r'<a href="#([a-z0-9_]+)">([^<]*)</a>', summary)
    assert [anchor for anchor, _text in links] == ["layanan", "u3", "usia"]  # in page order
    assert links[1][1] == "3. Waktu Penyelesaian: Jawaban harus 1, 2, 3, atau 4."
    for anchor, _text in links:  # every link lands on a field that says what is wrong
        assert re.search(rf"id={anchor}\b", html), anchor
    assert "id=usia aria-invalid=true aria-describedby=e-usia" in html
    assert "<span class=err id=e-usia>Kesalahan: Usia harus berupa angka tahun.</span>" in html
    assert "<fieldset class=bad aria-describedby=e-u3>" in html
    assert count_responses() == 0


def test_a_form_with_no_answer_links_to_the_first_question(client, demo):
    empty = {f"u{n}": "" for n in range(1, 10)}
    html = client.post(URL, data=survey_form(demo.izin.id, **empty)).get_data(as_text=True)
    assert '<a href="#u1">Jawab setidaknya satu pertanyaan.</a>' in html
    assert "name=u1 value=1 id=u1" in html


def test_the_language_button_keeps_every_answer_and_stores_nothing(client, demo):
    answers = survey_form(demo.izin.id, u2="3", u9="1", jenis_kelamin="P", usia="52", saran="Parkir sempit")
    switched = client.post(URL, data={**answers, "lang": "en"})
    assert switched.status_code == 200
    html = switched.get_data(as_text=True)
    assert "<html lang=en>" in html and "Submit answers" in html
    assert "name=u2 value=3 checked" in html and "name=u9 value=1 checked" in html
    assert "<option value=P selected>" in html and 'value="52"' in html and "Parkir sempit</textarea>" in html
    assert 'action="/s/dpmptsp-uji/loket-1?lang=en"' in html  # the answers go on in English
    back = client.post(URL + "?lang=en", data={**answers, "lang": "id"}).get_data(as_text=True)
    assert "<html lang=id>" in back and "name=u2 value=3 checked" in back
    assert count_responses() == 0
    assert client.post(URL + "?lang=en", data=answers).headers["Location"].endswith("terima-kasih?lang=en")
    assert db.session.scalar(sa.select(Response.u2)) == 3


def test_english_keeps_the_official_indonesian_marked_as_such(client, demo):
    html = client.get(URL + "?lang=en").get_data(as_text=True)
    assert "<span lang=id>Tidak sesuai</span> <span class=en>Not appropriate</span>" in html
    assert "<option value=L>Male" in html and "<option value=SMA>Senior high school (SMA/SMK)" in html
    assert "lang=id>Bahasa Indonesia</button>" in html


def test_the_thank_you_page_closes_the_loop(client, demo):
    result = client.post(URL, data=survey_form(demo.izin.id))
    html = client.get(result.headers["Location"]).get_data(as_text=True)
    assert "Indeks Kepuasan Masyarakat (IKM)" in html and "angka gabungan" in html
    assert 'href="/hasil/dpmptsp-uji"' in html
    assert 'href="/pengaduan/?unit=dpmptsp-uji"' in html
    assert html.count("<title>") == 1


def test_a_nul_byte_or_a_long_suggestion_in_another_script_is_stored_not_refused(client, demo):
    saran = "ꦱꦫꦤ꧀" * 500  # 2,000 Javanese-script characters: 3 bytes each, 9 once URL-encoded
    assert client.post(URL, data=survey_form(demo.izin.id, saran=saran)).status_code == 303
    assert client.post(URL, data=survey_form(demo.izin.id, saran="Antre\x00an lama")).status_code == 303
    assert list(db.session.scalars(sa.select(Response.suggestion).order_by(Response.id))) == [saran, "Antrean lama"]


def test_the_post_limit_shows_the_form_again_with_every_answer():
    from tests.factories import limited_app

    with limited_app(SURVEY_POST_LIMIT="1 per minute") as (app, demo):
        client = app.test_client()
        assert client.post(URL, data=survey_form(demo.izin.id)).status_code == 303
        again = client.post(URL, data=survey_form(demo.izin.id, u6="2", saran="Toilet rusak"))
        assert again.status_code == 429
        html = again.get_data(as_text=True)
        assert "Terlalu banyak kiriman" in html and "name=u6 value=2 checked" in html and "Toilet rusak" in html
