"""A published period has one set of figures everywhere, late data notwithstanding; a filtered view says so."""

import json
from datetime import date

import pytest
import sqlalchemy as sa

from analytics.models import Publication
from analytics.publishing import publish_period
from app.extensions import db
from app.periods import month
from survey.importer import import_file
from tests.factories import build, make_response, pdf_text, read_workbook, upload_import

OCTOBER, NOVEMBER = month(2026, 10), month(2026, 11)
DASH = "/analitik/?unit=dpmptsp-uji&periode=2026-10"
HEADER = "U1,U2,U3,U4,U5,U6,U7,U8,U9,jenis_kelamin\n"
# Published: four questionnaires answering 3 everywhere -> NIK 75,00 (C). Late: two answering 1 everywhere
# -> live (4 x 3 + 2 x 1) / 6 x 25 = 58,33 (D), six respondents.
PUBLISHED, LIVE = ("75,00", "4 responden"), ("58,33", "6 responden")


def publish_october_then_import_late_paper(demo) -> Publication:
    for day in (1, 2, 5, 6):
        make_response(demo, date(2026, 10, day), (3,) * 9, counter=demo.static, gender="P" if day < 3 else "L")
    make_response(demo, date(2026, 11, 3), (4,) * 9, counter=demo.static)
    db.session.commit()
    publication, _dashboard = publish_period(unit=demo.unit, period=OCTOBER, published_by="admin")
    db.session.commit()
    late = HEADER + "1,1,1,1,1,1,1,1,1,P\n1,1,1,1,1,1,1,1,1,L\n"
    import_file(unit=demo.unit, service=demo.izin, period="2026-10", filename="terlambat.csv",
                content=late.encode(), imported_by="admin")  # fmt: skip
    db.session.commit()
    return publication


def test_every_output_of_a_published_month_gives_the_published_figures(app, login, client, runner, demo, tmp_path):
    publish_october_then_import_late_paper(demo)
    live = build(demo, OCTOBER, live=True)
    assert (str(live.result.nik), live.result.respondents) == ("58.33", 6)  # the late data is there

    html = login.get(DASH).get_data(as_text=True)
    assert "IKM 75,00</strong>" in html and "4 responden" in html and "58,33" not in html
    assert "2 kuesioner masuk setelah publikasi" in html
    public = client.get("/hasil/dpmptsp-uji").get_data(as_text=True)
    assert "75,00" in public and "58,33" not in public

    web_poster = pdf_text(login.get("/analitik/poster.pdf?unit=dpmptsp-uji&periode=2026-10").data, tmp_path)
    cli_out = tmp_path / "poster.pdf"
    result = runner.invoke(args=["poster", "--unit", "dpmptsp-uji", "--month", "2026-10", "-o", str(cli_out)])
    assert result.exit_code == 0, result.output
    for text in (web_poster, pdf_text(cli_out.read_bytes(), tmp_path)):
        assert "75,00" in text and "58,33" not in text and "SEMENTARA" not in text
        assert "4 responden dari" in text or "Responden 4" in text

    report = pdf_text(login.get("/analitik/laporan.pdf?unit=dpmptsp-uji&periode=2026-10").data, tmp_path)
    assert "adalah 75,00 dengan mutu pelayanan C" in report and "58,33" not in report
    assert "masuk 2 kuesioner lagi" in report
    assert "Jenis kelamin Laki-laki 2 50,0%" in report  # the profile counts the published four, not six

    book = read_workbook(login.get("/analitik/ekspor.xlsx?unit=dpmptsp-uji&periode=2026-10").data)
    summary = list(book["Ringkasan Unsur"].iter_rows(values_only=True))
    assert next(row for row in summary if str(row[0]).startswith("NIK"))[1] == 75.0
    assert next(row for row in summary if row[0] == "Jumlah responden")[1] == 4
    assert book["Responden"].max_row == 1 + 4  # header + the published respondent set

    november = build(demo, NOVEMBER)
    october = next(p for p in november.trend if p.period.key == "2026-10")
    assert october.published and (str(october.result.nik), october.result.respondents) == ("75.00", 4)
    current = pdf_text(login.get("/analitik/poster.pdf?unit=dpmptsp-uji").data, tmp_path)  # this month
    assert "SEMENTARA: periode belum berakhir" in current  # the current, unfinished month is provisional

    result = runner.invoke(args=["ikm", "--unit", "dpmptsp-uji", "--period", "2026-10", "--json"])
    figures = json.loads(result.stdout)
    assert (figures["nik"], figures["respondents"], figures["status"]) == (75.0, 4, "published")
    result = runner.invoke(args=["ikm", "--unit", "dpmptsp-uji", "--period", "2026-10", "--json", "--live"])
    assert json.loads(result.stdout)["respondents"] == 6 and "belum dipublikasikan" in result.stderr


def test_withdrawal_restores_live_figures_and_is_recorded(app, login, demo):
    publish_october_then_import_late_paper(demo)
    refused = login.post(f"/analitik/units/{demo.unit.id}/penarikan", data={"periode": "2026-10", "alasan": "x"})
    assert refused.status_code == 303 and build(demo, OCTOBER).frozen
    done = login.post(f"/analitik/units/{demo.unit.id}/penarikan",
                      data={"periode": "2026-10", "alasan": "Data kertas Oktober belum lengkap"})  # fmt: skip
    assert done.status_code == 303
    dash = build(demo, OCTOBER)
    assert dash.status == "unpublished" and dash.result.respondents == 6 and str(dash.result.nik) == "58.33"
    record = db.session.scalar(sa.select(Publication))
    assert (record.withdrawn_by, record.withdrawal_reason) == ("admin", "Data kertas Oktober belum lengkap")
    assert record.withdrawn_at is not None
    html = login.get(DASH).get_data(as_text=True)
    assert "ditarik" in html and "Data kertas Oktober belum lengkap" in html
    assert login.get("/hasil/dpmptsp-uji/2026-10/poster.png").status_code == 404  # no longer served
    republished, _dash = publish_period(unit=demo.unit, period=OCTOBER, published_by="admin")  # anew, all six
    db.session.commit()
    assert build(demo, OCTOBER).result.respondents == 6 and republished.id != record.id


def test_cli_import_into_a_published_month_says_so_before_and_after(runner, demo, tmp_path):
    publish_october_then_import_late_paper(demo)
    path = tmp_path / "lagi.csv"
    path.write_text(HEADER + "2,2,2,2,2,2,2,2,2,L\n")
    result = runner.invoke(args=["survey", "import", str(path), "--unit", "dpmptsp-uji", "--service",
                                 "Perizinan Berusaha", "--period", "2026-10"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Oktober 2026 is published (IKM 75,00 (C), 4 responden)" in result.stderr  # before
    assert "Published figures of Oktober 2026 unchanged: IKM 75,00 (C), 4 responden." in result.stdout  # after


def test_import_into_a_published_month_says_so_before_and_after(app, login, demo):
    publish_october_then_import_late_paper(demo)
    url = f"/admin/units/{demo.unit.id}/import"
    assert "Oktober 2026: IKM 75,00 (C), 4 responden" in login.get(url).get_data(as_text=True)  # before

    preview = upload_import(login, demo.unit, demo.izin, HEADER + "2,2,2,2,2,2,2,2,2,L\n", "lagi.csv")
    assert "Oktober 2026 (IKM 75,00 (C), 4 responden)" in login.get(preview.headers["Location"]).get_data(as_text=True)
    unconfirmed = login.post(preview.headers["Location"])
    assert unconfirmed.status_code == 400 and "Centang konfirmasi" in unconfirmed.get_data(as_text=True)
    assert build(demo, OCTOBER, live=True).result.respondents == 6  # nothing imported
    confirmed = login.post(preview.headers["Location"], data={"into_published": "y"}, follow_redirects=True)
    assert "1 respons diimpor" in confirmed.get_data(as_text=True)
    assert "angka publikasi tidak berubah: IKM 75,00 (C), 4 responden" in confirmed.get_data(as_text=True)  # after
    assert build(demo, OCTOBER).result.respondents == 4 and build(demo, OCTOBER, live=True).result.respondents == 7


def test_a_filtered_poster_and_report_name_their_filter(app, login, demo, tmp_path):
    publish_october_then_import_late_paper(demo)
    query = f"?unit=dpmptsp-uji&periode=2026-10&layanan={demo.izin.id}&jk=P"
    poster = pdf_text(login.get("/analitik/poster.pdf" + query).data, tmp_path)
    assert "IKM PILIHAN TERFILTER" in poster and "BUKAN POSTER RESMI UNIT" in poster
    assert "Layanan: Perizinan Berusaha; Jenis kelamin: Perempuan" in poster
    assert "INDEKS KEPUASAN MASYARAKAT (IKM)" not in poster
    report = pdf_text(login.get("/analitik/laporan.pdf" + query).data, tmp_path)
    chosen = "Layanan: Perizinan Berusaha; Jenis kelamin: Perempuan"
    assert f"PILIHAN TERFILTER, BUKAN LAPORAN RESMI UNIT: {chosen}" in report
    # the women of the published set: two of the four published questionnaires (the late one is not counted)
    assert "adalah 75,00" in report and "Jumlah responden pada periode Oktober 2026 adalah 2 orang" in report
    book = read_workbook(login.get("/analitik/ekspor.xlsx" + query).data)
    assert f"pilihan terfilter: {chosen}" in book["Ringkasan Unsur"]["A1"].value


@pytest.mark.postgres
def test_publishing_waits_for_a_response_still_being_stored_on_postgresql():
    """An insert holding a lower id while another commits must not slip into the published set afterwards."""
    import threading
    import time

    from survey.models import Response
    from tests.conftest import TEST_PG_URL, make_app, require
    from tests.factories import make_directory, scratch_postgres

    require(TEST_PG_URL, "PostgreSQL")
    with scratch_postgres(TEST_PG_URL) as url:
        app = make_app(SQLALCHEMY_DATABASE_URI=url)
        other = sa.create_engine(url)
        with app.app_context():
            db.create_all()
            demo = make_directory()
            make_response(demo, date(2026, 10, 1), (4,) * 9)
            db.session.commit()
            scores = {f"u{i}": 1 for i in range(1, 10)}
            row = {"unit_id": demo.unit.id, "service_id": demo.izin.id, "survey_date": date(2026, 10, 2),
                   "channel": "paper", "assisted": False, "flags": "", **scores}  # fmt: skip
            slow = other.connect()
            slow_tx = slow.begin()
            slow.execute(sa.insert(Response).values(**row))  # takes id 2 and keeps its transaction open
            with other.begin() as fast:
                fast.execute(sa.insert(Response).values(**row))  # id 3, committed first
            published = {}

            def publish() -> None:
                with app.app_context():
                    publication, dashboard = publish_period(unit=db.session.merge(demo.unit), period=OCTOBER,
                                                            published_by="admin")  # fmt: skip
                    db.session.commit()
                    published.update(n=dashboard.result.respondents, watermark=publication.snapshot["watermark"])

            worker = threading.Thread(target=publish)
            worker.start()
            time.sleep(1.0)
            assert worker.is_alive()  # publishing waits for the insert still in flight
            slow_tx.commit()
            slow.close()
            worker.join(timeout=20)
            stored = db.session.scalar(
                sa.select(sa.func.count()).where(
                    Response.id <= published["watermark"], Response.survey_date < date(2026, 11, 1)
                )  # fmt: skip
            )
            assert published["n"] == stored == 3
            assert build(demo, OCTOBER).result.respondents == 3
            db.session.remove()
            db.engine.dispose()
        other.dispose()


def test_a_published_quarter_and_its_months_describe_the_same_respondents(app, demo):
    from app.periods import quarter

    q4 = quarter(2026, 4)
    for day in (date(2026, 10, 1), date(2026, 11, 2), date(2026, 12, 1)):
        make_response(demo, day, (3,) * 9)
    db.session.commit()
    publish_period(unit=demo.unit, period=q4, published_by="admin")
    db.session.commit()
    make_response(demo, date(2026, 10, 9), (1,) * 9)  # late paper data inside the published quarter
    db.session.commit()
    dash = build(demo, q4)
    months = {p.period.key: p for p in dash.trend if p.period.start >= q4.start}
    assert dash.result.respondents == 3 == sum(p.result.respondents for p in months.values())
    assert all(p.published for p in months.values()) and dash.late_responses == 1
    assert build(demo, q4, live=True).result.respondents == 4


def test_late_data_of_a_published_month_stays_out_of_its_quarter_until_withdrawn(app, demo):
    from analytics.publishing import withdraw_publication
    from app.periods import quarter

    q4 = quarter(2026, 4)
    publish_october_then_import_late_paper(demo)  # October: 4 published, 2 late
    make_response(demo, date(2026, 12, 1), (4,) * 9)
    db.session.commit()
    unpublished = build(demo, q4)
    assert unpublished.status == "unpublished" and unpublished.late_responses == 2
    assert unpublished.result.respondents == 4 + 1 + 1  # October's published four, November, December
    publication, _dash = publish_period(unit=demo.unit, period=q4, published_by="admin")
    db.session.commit()
    published = build(demo, q4)
    october = next(p for p in published.trend if p.period.key == "2026-10")
    assert published.result.respondents == 6 and october.result.respondents == 4  # one truth for October
    withdraw_publication(unit=demo.unit, period=OCTOBER, withdrawn_by="admin", reason="data kertas terlambat")
    db.session.commit()
    assert build(demo, q4).result.respondents == 6  # the quarter keeps the respondent set it published
    assert build(demo, OCTOBER).result.respondents == 4  # and October, live again, still agrees with it


def test_publishing_refuses_figures_that_changed_since_they_were_confirmed(app, login, demo):
    make_response(demo, date(2026, 10, 1), (3,) * 9)
    db.session.commit()
    page = login.get(f"/analitik/units/{demo.unit.id}/publikasi?periode=2026-10").get_data(as_text=True)
    assert 'name="responden" value="1"' in page
    make_response(demo, date(2026, 10, 2), (1,) * 9)  # arrives while the head reads the page
    db.session.commit()
    login.post(f"/analitik/units/{demo.unit.id}/publikasi", data={"periode": "2026-10", "konfirmasi": "1",
                                                                   "responden": "1"})  # fmt: skip
    assert db.session.scalar(sa.select(sa.func.count(Publication.id))) == 0
    assert "Data berubah sejak angka diperiksa (1 menjadi 2 responden)" in login.get(DASH).get_data(as_text=True)


def test_filter_values_are_checked_and_names_are_drawn_as_written(app, login, demo, tmp_path):
    from app import directory

    make_response(demo, date(2026, 10, 1), (3,) * 9)
    db.session.commit()
    base = "/analitik/poster.pdf?unit=dpmptsp-uji&periode=2026-10"
    assert login.get(base + "&jk=$x^$").status_code == 400  # not a gender: refused, never drawn as TeX
    assert login.get(base + "&usia=$\\frac$").status_code == 400
    other = directory.create_unit(name="Dinas Lain", slug="dinas-lain")
    foreign = directory.create_service(unit=other, name="Layanan Dinas Lain")
    db.session.commit()
    assert login.get(base + f"&layanan={foreign.id}").status_code == 404  # another unit's service
    service = directory.create_service(unit=demo.unit, name="Izin $x^2$ Reklame")
    make_response(demo, date(2026, 10, 2), (3,) * 9, service=service)
    db.session.commit()
    poster = login.get(base + f"&layanan={service.id}")
    assert poster.status_code == 200 and "Izin $x^2$ Reklame" in pdf_text(poster.data, tmp_path)


def test_english_dashboard_names_filters_and_the_public_page_dates_in_office_time(app, login, client, demo):
    from datetime import UTC, datetime

    make_response(demo, date(2026, 10, 1), (3,) * 9, gender="P", education="S1")
    db.session.commit()
    html = login.get(DASH + "&jk=P&pendidikan=S1&lang=en").get_data(as_text=True)
    assert "Filtered selection: Gender: Female; Education: Bachelor (D4/S1)" in html
    publication, _dash = publish_period(unit=demo.unit, period=OCTOBER, published_by="admin")
    publication.published_at = datetime(2026, 11, 1, 23, 30, tzinfo=UTC)  # 2 November 07.30 WITA
    db.session.commit()
    assert "02-11-2026" in client.get("/hasil/dpmptsp-uji").get_data(as_text=True)
    poster = client.get("/hasil/dpmptsp-uji/2026-10/poster.png")
    again = client.get("/hasil/dpmptsp-uji/2026-10/poster.png", headers={"If-None-Match": poster.headers["ETag"]})
    assert poster.headers["Cache-Control"] == "public, max-age=300" and again.status_code == 304


def test_a_published_period_keeps_the_names_it_was_published_with(app, demo):
    from analytics.data import Selection
    from app import directory

    publish_october_then_import_late_paper(demo)
    directory.update_service(demo.izin, name="Izin Baru", kind=demo.izin.kind, active=True)
    db.session.commit()
    dash = build(demo, OCTOBER)
    assert [g.name for g in dash.by_service] == ["Perizinan Berusaha"]
    assert dict(dash.profile["service"]) == {"Perizinan Berusaha": 4}
    filtered = build(demo, OCTOBER, selection=Selection(gender="P"))
    assert [g.name for g in filtered.by_service] == ["Perizinan Berusaha"]
    assert build(demo, OCTOBER, live=True).by_service[0].name == "Izin Baru"
