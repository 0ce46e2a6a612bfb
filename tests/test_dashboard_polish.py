"""Issue 9 item 7, dashboard polish: a mistyped period, profile tables in the questionnaire's order, tied weakest
elements, and a quarter's population summed from its months."""

import re
from datetime import date

from analytics.dashboard import weakest_elements
from analytics.ikm import Tally, compute_ikm
from analytics.publishing import set_population
from analytics.snapshot import Snapshot
from app.extensions import db
from app.periods import parse_period
from survey.questionnaire import ELEMENT_CODES
from tests.factories import build, make_response, make_responses

DASH = "/analitik/?unit=dpmptsp-uji&periode="


def test_a_mistyped_period_shows_the_page_with_the_message_beside_the_field(login, demo):
    page = login.get(DASH + "2026-3x")
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Indeks Kepuasan Masyarakat" in html  # the dashboard itself, not the error page
    message = re.search(r'<p class="flash error" role="alert" id="periode-error">([^<]*)</p>', html)
    assert message and "2026-3x" in message.group(1) and "YYYY-MM" in message.group(1)
    assert 'value="2026-3x"' in html and 'aria-invalid="true"' in html  # kept to be corrected
    assert login.get(DASH + "2026-03").status_code == 200
    assert login.get("/analitik/poster.png?unit=dpmptsp-uji&periode=2026-3x").status_code == 400  # downloads: 400


def test_profile_tables_list_labels_in_the_questionnaires_order(login, demo):
    for education, count in (("S3", 3), ("SD", 1), (None, 2), ("SMA", 2)):
        for _ in range(count):
            make_response(demo, date(2026, 3, 10), (4,) * 9, education=education, gender="P", age=45)
    make_response(demo, date(2026, 3, 10), (4,) * 9, gender="L", age=19)
    db.session.commit()
    dash = build(demo, parse_period("2026-03"))
    assert dash.profile_rows("education") == [("SD ke bawah", 1), ("SMA/SMK", 2), ("S3", 3), ("Tidak diisi", 3)]
    assert dash.profile_rows("gender") == [("Laki-laki", 1), ("Perempuan", 8)]
    assert [label for label, _ in dash.profile_rows("age_band")] == ["< 20 tahun", "40-49 tahun"]
    html = login.get(DASH + "2026-03").get_data(as_text=True)
    table = html[html.index("<th>Pendidikan</th>") :]
    assert table.index("SD ke bawah") < table.index("SMA/SMK") < table.index("<td>S3</td>") < table.index("Tidak diisi")


def test_every_element_tied_with_the_third_weakest_is_marked(login, demo):
    scores = {"U1": 2, "U2": 3, "U3": 3, "U4": 3, "U5": 4, "U6": 4, "U7": 4, "U8": 4, "U9": 4}
    result = compute_ikm(Tally(1, {code: (1, score) for code, score in scores.items()}))
    assert [e.code for e in weakest_elements(result)] == ["U1", "U2", "U3", "U4"]
    untied = compute_ikm(Tally(1, {code: (1, 4 if code > "U3" else 2) for code in ELEMENT_CODES}))
    assert [e.code for e in weakest_elements(untied)] == ["U1", "U2", "U3"]
    make_response(demo, date(2026, 3, 10), scores)
    db.session.commit()
    html = login.get(DASH + "2026-03").get_data(as_text=True)
    assert html.count('<tr class="weak">') == 4 and html.count("(terendah)") == 4


def test_a_quarters_population_is_the_sum_of_its_months_when_only_months_were_entered(login, demo):
    make_responses(demo, date(2026, 2, 10), 3, counter=demo.static)
    for key, population in (("2026-01", 40), ("2026-02", 50)):
        set_population(unit=demo.unit, period_key=key, population=population)
    db.session.commit()
    assert build(demo, parse_period("2026-Q1")).sample is None  # March missing: no sum
    set_population(unit=demo.unit, period_key="2026-03", population=30)
    db.session.commit()
    sample = build(demo, parse_period("2026-Q1")).sample
    assert (sample.population, sample.required, sample.months) == (120, 92, (("2026-01", 40), ("2026-02", 50),
                                                                             ("2026-03", 30)))  # fmt: skip
    html = login.get(DASH + "2026-Q1").get_data(as_text=True)
    assert "3 responden dari minimal 92 (populasi 120)" in html
    assert "jumlah populasi bulanannya: 2026-01: 40 + 2026-02: 50 + 2026-03: 30 = 120" in html
    assert 'name="populasi" min="1" required value=""' in html  # the sum is not offered as an entry
    frozen = Snapshot.of(build(demo, parse_period("2026-Q1")).figures, watermark=0).to_json()
    assert Snapshot.from_json(frozen).sample == sample  # a publication keeps it as a sum
    set_population(unit=demo.unit, period_key="2026-Q1", population=500)  # an entry for the quarter wins
    assert build(demo, parse_period("2026-Q2")).sample is None
    assert build(demo, parse_period("2026-Q1"), live=True).sample.months == ()


def test_flagged_responses_are_counted_under_their_names(login, demo):
    make_response(demo, date(2026, 3, 10), (4,) * 9, flags="ip_burst no_device")
    make_response(demo, date(2026, 3, 11), (4,) * 9, flags="ip_burst")
    db.session.commit()
    html = login.get(DASH + "2026-03").get_data(as_text=True)
    assert "<li>Lonjakan pengisian dari satu alamat jaringan: 2</li>" in html
    assert "<li>Tanpa cookie perangkat: 1</li>" in html and "ip_burst" not in html
