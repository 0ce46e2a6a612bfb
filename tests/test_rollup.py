"""The daily roll-up gives exactly the raw aggregation (issue 12, item 1).

The property test writes random responses (two units, services, counters, channels, profiles, flags, blank
answers), rolls them up to a random day, adds late rows through the signal a paper import sends, and asks every
reader for random selections, periods and published cutoffs; then empties the roll-up and asks again, raw. Both
answers must be equal. It runs on SQLite, and on PostgreSQL when the suite does (`.ci/run`).
"""

from datetime import date, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import data, rollup
from analytics.models import DailyTally, DailyUnitTally
from analytics.selection import PROFILE_DIMENSIONS, Cutoff, Selection
from app import directory, signals
from app.extensions import db
from survey.models import Response
from survey.questionnaire import EDUCATIONS, OCCUPATIONS
from survey.stuffing import FLAG_LABELS

BASE = date(2026, 1, 1)
SPAN = 12  # days of data (few, so that days hold several rows and every boundary is met)

row = st.fixed_dictionaries(
    {
        "unit": st.integers(0, 1),
        "service": st.integers(0, 1),
        "counter": st.integers(-1, 1),  # -1: no counter (paper)
        "day": st.integers(0, SPAN - 1),
        "channel": st.sampled_from(["online", "kiosk", "paper"]),
        "gender": st.sampled_from([None, "L", "P"]),
        "age": st.one_of(st.none(), st.integers(10, 90)),
        "education": st.sampled_from([None, EDUCATIONS[0][0], EDUCATIONS[-1][0]]),
        "occupation": st.sampled_from([None, OCCUPATIONS[0][0], OCCUPATIONS[1][0]]),
        "scores": st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=9, max_size=9),
        "flags": st.lists(st.sampled_from(sorted(FLAG_LABELS)), max_size=2, unique=True),
        "assisted": st.booleans(),
    }
)

selection = st.fixed_dictionaries(
    {
        "unit": st.sampled_from([0, 1, None]),
        "service": st.sampled_from([None, None, 0, 1]),
        "counter": st.sampled_from([None, None, 0, -1]),
        "channel": st.sampled_from([None, None, "paper", "online"]),
        "gender": st.sampled_from([None, None, None, "P"]),
        "start": st.one_of(st.none(), st.integers(-2, SPAN + 2)),
        "length": st.integers(1, SPAN + 5),
        "cutoffs": st.lists(st.tuples(st.integers(0, SPAN), st.integers(1, 20), st.floats(0, 1)), max_size=2),
    }
)


def _directory():
    units = []
    for number in (1, 2):
        unit = directory.create_unit(name=f"Dinas {number}", slug=f"dinas-{number}")
        services = [directory.create_service(unit=unit, name=f"Layanan {number}{s}") for s in "ab"]
        counters = [directory.create_counter(unit=unit, name=f"Loket {number}{c}", slug=f"loket-{c}",
                                             services=services) for c in "xy"]  # fmt: skip
        units.append((unit.id, [s.id for s in services], [c.id for c in counters]))
    db.session.commit()
    return units


def _insert(units, rows) -> None:
    values = []
    for item in rows:
        unit_id, services, counters = units[item["unit"]]
        values.append({
            "unit_id": unit_id, "service_id": services[item["service"]],
            "counter_id": None if item["counter"] < 0 else counters[item["counter"]],
            "survey_date": BASE + timedelta(days=item["day"]), "channel": item["channel"],
            "gender": item["gender"], "age": item["age"], "education": item["education"],
            "occupation": item["occupation"], "flags": " ".join(item["flags"]), "assisted": item["assisted"],
            **{f"u{i}": score for i, score in enumerate(item["scores"], start=1)},
        })  # fmt: skip
    if values:
        db.session.execute(sa.insert(Response), values)


def _selection(units, spec, max_id: int) -> Selection:
    unit = None if spec["unit"] is None else units[spec["unit"]]
    any_unit = unit or units[0]
    start = None if spec["start"] is None else BASE + timedelta(days=spec["start"])
    return Selection(
        unit_id=unit[0] if unit else None,
        service_id=None if spec["service"] is None else any_unit[1][spec["service"]],
        counter_id=None if spec["counter"] is None else any_unit[2][spec["counter"]],
        channel=spec["channel"],
        gender=spec["gender"],
        start=start,
        end=None if start is None else start + timedelta(days=spec["length"]),
        cutoffs=tuple(
            Cutoff(BASE + timedelta(days=first), BASE + timedelta(days=first + days), int(share * max_id))
            for first, days, share in spec["cutoffs"]
        ),  # fmt: skip
    )


def _figures(selection: Selection) -> tuple:
    return (
        data.tally(selection),
        data.daily_tallies(selection),
        data.daily_tallies(selection, by=("service", "counter")),
        data.grouped_tallies(selection, by=("channel",)),
        data.grouped_tallies(selection, by=("unit", "service")),
        data.grouped_tallies(selection, by=("age_band",)),
        data.flag_counts(selection),
        data.profile_marginals(selection, PROFILE_DIMENSIONS),
    )


def _clear() -> None:
    rollup.reset()
    db.session.execute(sa.delete(Response))
    db.session.commit()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(row, max_size=60),
    late=st.lists(row, max_size=12),
    rolled_to=st.integers(-3, SPAN + 3),
    first_days=st.integers(1, SPAN),
    selections=st.lists(selection, min_size=1, max_size=4),
)
def test_the_roll_up_equals_the_raw_aggregation(app, rows, late, rolled_to, first_days, selections):
    if not hasattr(app, "_rollup_units"):
        app._rollup_units = _directory()
    units = app._rollup_units
    _clear()
    _insert(units, rows)
    today = BASE + timedelta(days=rolled_to)
    rollup.roll(today=today, days=first_days)  # the first roll reads every unit in one pass...
    rollup.roll(today=today)  # ...a later one each unit's days since
    db.session.commit()
    # every day before `through` is rolled up once, by the first roll's pass or by the second's ranges
    expected = db.session.scalar(
        sa.select(sa.func.count()).select_from(Response).where(Response.survey_date < rollup.through())
    )
    for table in (DailyTally, DailyUnitTally):  # the per-unit-and-day sums too
        assert db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(table.respondents), 0))) == expected
    _insert(units, late)  # late rows, as a paper import stores them: the signal refreshes their days
    for unit_index in {item["unit"] for item in late}:
        days = {BASE + timedelta(days=item["day"]) for item in late if item["unit"] == unit_index}
        signals.responses_changed.send("test", unit_id=units[unit_index][0], days=days)
    db.session.commit()
    max_id = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Response.id), 0)))
    chosen = [Selection(), *(_selection(units, spec, max_id) for spec in selections)]  # always the whole table too
    with_rollup = [_figures(s) for s in chosen]
    with data.batch():  # a dashboard's reads: each selection's frame and plan read once
        assert [_figures(s) for s in chosen] == with_rollup  # (each frame serves several readers of `_figures`)
    rollup.reset()
    db.session.commit()
    assert [_figures(s) for s in chosen] == with_rollup


def test_readers_use_the_roll_up_and_read_only_later_days_raw(app, demo):
    """A control: rows deleted behind the roll-up's back still count, so the figures came from the roll-up."""
    from tests.factories import make_response

    for day in (date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 20)):
        make_response(demo, day, (4,) * 9, gender="P")
    db.session.commit()
    assert rollup.roll(today=date(2026, 3, 10)) == date(2026, 3, 10)
    db.session.commit()
    db.session.execute(sa.delete(Response).where(Response.survey_date < date(2026, 3, 10)))
    march = Selection(unit_id=demo.unit.id, start=date(2026, 3, 1), end=date(2026, 4, 1))
    assert data.tally(march).respondents == 3
    assert data.profile_marginals(march, ("gender",)) == {"gender": {"P": 3}}
    assert data.tally(Selection(unit_id=demo.unit.id, gender="P")).respondents == 1  # a group: raw rows only


def test_a_paper_import_refreshes_the_rolled_up_days_in_its_transaction(app, demo):
    from survey.importer import import_file

    make_october(demo)
    assert rollup.roll(today=date(2026, 11, 20)) == date(2026, 11, 20)
    db.session.commit()
    october = Selection(unit_id=demo.unit.id, start=date(2026, 10, 1), end=date(2026, 11, 1))
    assert data.tally(october).respondents == 2
    content = (IMPORT_HEADER + "1,1,1,1,1,1,1,1,1,1\n2,2,2,2,2,2,2,2,2,\n").encode()
    import_file(unit=demo.unit, service=demo.pbg, period="2026-10", filename="k.csv", content=content)
    db.session.commit()
    assert data.tally(october) == _raw(october)
    assert data.tally(october).respondents == 4
    assert data.grouped_tallies(october, ("channel",))[("paper",)].respondents == 2
    flags = data.flag_counts(october)
    assert (flags.total, flags.paper, flags.assisted) == (4, 2, 0)


IMPORT_HEADER = "No,U1,U2,U3,U4,U5,U6,U7,U8,U9\n"


def make_october(demo) -> None:
    from tests.factories import make_response

    make_response(demo, date(2026, 10, 1), (4,) * 9, counter=demo.static, channel="online")
    make_response(demo, date(2026, 10, 31), (3,) * 8 + (None,), counter=demo.multi, channel="kiosk", gender="L")
    db.session.commit()


def _raw(selection: Selection):
    """The same figure with the roll-up emptied (in a savepoint, rolled back)."""
    with db.session.begin_nested() as savepoint:
        rollup.reset()
        raw = data.tally(selection)
        savepoint.rollback()
    return raw


def test_rollup_commands_roll_closed_days_once_and_rebuild(app, demo, runner, monkeypatch):
    from app import clock

    make_october(demo)
    monkeypatch.setattr(clock, "today", lambda **_: date(2026, 11, 28))
    first = runner.invoke(args=["analytics", "rollup"])
    assert first.exit_code == 0 and "before 2026-11-28" in first.output, first.output
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(DailyTally))
    assert rows == 2
    again = runner.invoke(args=["analytics", "rollup"])
    assert "nothing new" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DailyTally)) == rows
    db.session.execute(sa.delete(DailyTally))  # a roll-up damaged by hand: the rebuild repairs it
    db.session.commit()
    rebuilt = runner.invoke(args=["analytics", "rebuild-rollup"])
    assert rebuilt.exit_code == 0 and "before 2026-11-28" in rebuilt.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DailyTally)) == rows


def test_two_hosts_rolling_at_once_roll_each_day_once(tmp_path):
    from tests.conftest import TEST_DATABASE_URL, make_app
    from tests.factories import make_directory, run_at_once

    app = make_app(SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL or f"sqlite:///{tmp_path}/roll.sqlite")
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
        demo = make_directory()
        make_october(demo)
        run_at_once(app, lambda: rollup.roll(today=date(2026, 11, 28)), workers=4)
        unit_id = demo.unit.id
        run_at_once(app, lambda: rollup.refresh_days(unit_id=unit_id, days=[date(2026, 10, 1)]), workers=3)
        assert db.session.scalar(sa.select(sa.func.sum(DailyTally.respondents))) == 2
        assert rollup.through() == date(2026, 11, 28)


def test_the_migration_fills_the_unit_tallies_from_the_rows_already_rolled_up(tmp_path):
    """A database rolled up before the per-unit table existed reads the same figures right after the upgrade."""
    from flask_migrate import upgrade

    from tests.conftest import make_app

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/upgrade.sqlite")
    with app.app_context():
        upgrade(revision="4d7ee579f73c")
        zeros = ", ".join("0" for _ in range(18 + len(FLAG_LABELS)))
        columns = ", ".join([f"u{i}_{part}" for i in range(1, 10) for part in ("n", "sum")] +
                            [f"flag_{code}" for code in FLAG_LABELS])  # fmt: skip
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO units VALUES (1, 'u', 'U', '', CURRENT_TIMESTAMP)"))
            conn.execute(sa.text("INSERT INTO services VALUES (1, 1, 'S', 'lainnya', 1), (2, 1, 'T', 'lainnya', 1)"))
            for service, day, respondents, max_id in ((1, "2026-01-02", 3, 7), (2, "2026-01-02", 2, 9),
                                                      (1, "2026-01-03", 4, 12)):  # fmt: skip
                conn.execute(sa.text(
                    "INSERT INTO analytics_daily_tallies (unit_id, day, service_id, counter_id, channel, respondents, "
                    f"flagged, assisted, max_response_id, {columns}) VALUES (1, :day, :service, NULL, 'online', :n, "
                    f"0, 0, :max_id, {zeros})"
                ), {"day": day, "service": service, "n": respondents, "max_id": max_id})  # fmt: skip
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT day, respondents, max_response_id FROM analytics_daily_unit_tallies "
                                        "ORDER BY day")).all()  # fmt: skip
        assert [tuple(row) for row in rows] == [("2026-01-02", 5, 9), ("2026-01-03", 4, 12)]
        db.engine.dispose()
