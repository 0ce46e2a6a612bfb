"""SQL aggregation equals the exact engine; dashboards pool periods and show empty months as no data."""

import random
from datetime import date

from analytics import data
from analytics.dashboard import build_dashboard, history_trend
from analytics.data import Selection
from analytics.ikm import Tally, compute_ikm
from analytics.publishing import set_population
from analytics.snapshot import Snapshot
from app.extensions import db
from app.periods import month, parse_period
from survey.questionnaire import ELEMENT_CODES
from tests.factories import make_response as add


def random_rows(seed: int, count: int) -> list[dict]:
    rng = random.Random(seed)
    return [{code: rng.choice((None, 1, 2, 3, 3, 4, 4)) for code in ELEMENT_CODES} for _ in range(count)]


def test_sql_tally_equals_the_exact_engine(app, demo):
    rows = random_rows(7, 300)
    for i, row in enumerate(rows):
        add(demo, date(2026, 1 + i % 3, 1 + i % 28), row, service=demo.izin if i % 2 else demo.pbg)
    db.session.commit()
    in_sql = data.tally(Selection(unit_id=demo.unit.id))
    assert in_sql == Tally.of_answers(rows)
    assert compute_ikm(in_sql) == compute_ikm(Tally.of_answers(rows))
    daily = data.daily_tallies(Selection(unit_id=demo.unit.id), by=("service",))
    assert sum(daily.values(), Tally()) == in_sql
    assert all(isinstance(day, date) for day, _ in daily)


def test_selection_filters(app, demo):
    full = dict.fromkeys(ELEMENT_CODES, 4)
    add(demo, date(2026, 3, 31), full, gender="P", age=25)
    add(demo, date(2026, 4, 1), dict.fromkeys(ELEMENT_CODES, 1), gender="L", age=61)
    add(demo, date(2026, 3, 2), dict.fromkeys(ELEMENT_CODES, 2), service=demo.pbg, gender="L", age=None)
    db.session.commit()
    march = Selection(unit_id=demo.unit.id).within(date(2026, 3, 1), date(2026, 4, 1))
    assert data.tally(march).respondents == 2
    assert data.tally(Selection(unit_id=demo.unit.id, gender="L")).respondents == 2
    assert data.tally(Selection(unit_id=demo.unit.id, age_band=">= 60")).respondents == 1
    assert data.tally(Selection(service_id=demo.pbg.id)).respondents == 1
    grouped = data.grouped_tallies(Selection(unit_id=demo.unit.id), by=("age_band",))
    assert {k[0]: t.respondents for k, t in grouped.items()} == {"20-29": 1, ">= 60": 1, "Tidak diisi": 1}


def test_dashboard_for_a_quarter(app, demo):
    set_population(unit=demo.unit, period_key="2026-Q1", population=100)
    january = dict.fromkeys(ELEMENT_CODES, 4)
    for _ in range(3):
        add(demo, date(2026, 1, 10), january, counter=demo.static)
    add(demo, date(2026, 2, 10), dict.fromkeys(ELEMENT_CODES, 1), service=demo.pbg, counter=demo.multi,
        flags="device_repeat", assisted=True)  # fmt: skip
    add(demo, date(2026, 4, 1), january)  # outside the quarter
    db.session.commit()
    dash = build_dashboard(unit_id=demo.unit.id, unit_name=demo.unit.name, period=parse_period("2026-Q1"))
    assert dash.result.respondents == 4
    assert str(dash.result.nik) == "81.25"  # pooled (3*4 + 1) / 4 = 3.25, not the mean of monthly IKMs
    assert [g.name for g in dash.by_service] == ["PBG", "Perizinan Berusaha"]
    assert all(g.indicative for g in dash.by_service)  # 3 and 1 respondents, far below the minimum of 80
    assert {g.name: g.result.respondents for g in dash.by_counter} == {"Loket 1": 3, "Loket 2": 1}
    assert (dash.sample.required, dash.sample.collected, dash.sample.shortfall) == (80, 4, 76)
    assert (dash.flags.total, dash.flags.flagged, dash.flags.assisted) == (4, 1, 1)
    assert dash.flags.by_flag["device_repeat"] == 1
    assert dict(dash.profile["service"]) == {"Perizinan Berusaha": 3, "PBG": 1}
    trend = {p.period.key: p.result for p in dash.trend}
    assert len(trend) == 12 and list(trend)[-1] == "2026-03"
    assert str(trend["2026-01"].nik) == "100.00" and str(trend["2026-02"].nik) == "25.00"
    assert not trend["2026-03"].has_data and trend["2026-03"].nik is None  # no data, never 0
    assert [e.code for e in dash.weakest] == list(ELEMENT_CODES)  # all nine tied with the third: all marked
    frozen = Snapshot.of(dash.figures, watermark=0).to_json()
    assert frozen["result"]["nik"] == "81.25" and frozen["sample"]["required"] == 80
    assert Snapshot.from_json(frozen).result == dash.result  # rebuilt exactly from the stored sums and counts


def test_history_trend_pools_each_period(app, demo):
    add(demo, date(2025, 12, 31), dict.fromkeys(ELEMENT_CODES, 2))
    add(demo, date(2026, 2, 1), dict.fromkeys(ELEMENT_CODES, 4))
    add(demo, date(2026, 3, 1), dict.fromkeys(ELEMENT_CODES, 3))
    db.session.commit()
    quarters = history_trend(unit_id=demo.unit.id, until=date(2026, 7, 1), kind="quarter")
    assert [(p.period.key, p.result.nik and str(p.result.nik)) for p in quarters] == [
        ("2025-Q4", "50.00"), ("2026-Q1", "87.50"), ("2026-Q2", None)]  # fmt: skip
    assert history_trend(unit_id=demo.unit.id + 99, until=date(2026, 7, 1)) == []


def test_empty_month_dashboard(app, demo):
    dash = build_dashboard(unit_id=demo.unit.id, unit_name=demo.unit.name, period=month(2026, 5))
    assert not dash.result.has_data and dash.by_service == () and dash.sample is None
    assert all(not p.result.has_data for p in dash.trend)


def test_ikm_from_the_database_cli(runner, demo):
    add(demo, date(2026, 5, 5), dict.fromkeys(ELEMENT_CODES, 3))
    db.session.commit()
    result = runner.invoke(args=["ikm", "--unit", "dpmptsp-uji", "--period", "2026-05"])
    assert result.exit_code == 0 and "NIK (IKM x 25, dibulatkan setengah ke atas): 75.00" in result.output
    bad = runner.invoke(args=["ikm", "--unit", "dpmptsp-uji", "--period", "2026-13"])
    assert bad.exit_code != 0 and "tidak dikenal" in bad.output


def test_aggregation_reads_no_raw_rows_into_python(app, demo):
    # The dashboard's queries aggregate in SQL: result rows scale with days x groups, not with responses.
    for i in range(200):
        add(demo, date(2026, 6, 1 + i % 3), dict.fromkeys(ELEMENT_CODES, 3))
    db.session.commit()
    daily = data.daily_tallies(Selection(unit_id=demo.unit.id), by=("service", "counter"))
    assert len(daily) == 3 and sum(t.respondents for t in daily.values()) == 200


def test_views_add_up_responses_from_several_counters_on_the_same_day(app, demo):
    # Regression: re-keying day x service x counter tallies must add them, not overwrite them.
    add(demo, date(2026, 3, 5), dict.fromkeys(ELEMENT_CODES, 4), service=demo.izin, counter=demo.static)
    add(demo, date(2026, 3, 5), dict.fromkeys(ELEMENT_CODES, 2), service=demo.izin, counter=demo.token)
    add(demo, date(2026, 3, 5), dict.fromkeys(ELEMENT_CODES, 3), service=demo.pbg, counter=demo.static)
    db.session.commit()
    dash = build_dashboard(unit_id=demo.unit.id, unit_name=demo.unit.name, period=month(2026, 3))
    assert dash.result.respondents == 3
    assert dash.trend[-1].result == dash.result
    assert sum(g.result.respondents for g in dash.by_service) == 3
    assert sum(g.result.respondents for g in dash.by_counter) == 3
    assert {g.name: str(g.result.nik) for g in dash.by_service} == {"Perizinan Berusaha": "75.00", "PBG": "75.00"}
