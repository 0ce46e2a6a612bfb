"""Survey service functions, without HTTP."""

from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from app.extensions import db
from survey.models import Response
from survey.service import Profile, SurveyError, check_answers, parse_score, submit_response


def make_response(demo, **columns) -> Response:
    """Add a response row directly (for database-level tests)."""
    response = Response(unit_id=demo.unit.id, service_id=demo.izin.id, survey_date=date(2026, 1, 5), **columns)
    db.session.add(response)
    return response


@given(st.integers())
def test_parse_score_accepts_exactly_one_to_four(value):
    if 1 <= value <= 4:
        assert parse_score(value) == value
        assert parse_score(str(value)) == value
    else:
        with pytest.raises(ValueError):
            parse_score(value)
        with pytest.raises(ValueError):
            parse_score(str(value))


@given(st.text(max_size=10))
def test_parse_score_never_crashes_on_text(text):
    try:
        result = parse_score(text)
    except ValueError:
        return
    assert result is None or result in (1, 2, 3, 4)


def test_blank_values_are_none():
    for blank in (None, "", "   ", float("nan")):
        assert parse_score(blank) is None
    assert parse_score(3.0) == 3 and parse_score("3.0") == 3
    with pytest.raises(ValueError):
        parse_score(True)


def test_check_answers_rejects_unknown_codes_and_all_blank():
    with pytest.raises(SurveyError) as exc:
        check_answers({"U10": 3})
    assert "U10" in exc.value.by_field()
    with pytest.raises(SurveyError) as exc:
        check_answers({})
    assert "answers" in exc.value.by_field()


def test_submit_response_flushes_but_does_not_commit(app, demo):
    submit_response(counter=demo.static, service=demo.izin, answers={"U1": 4}, profile=Profile(), ip="1.2.3.4")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0


def test_database_rejects_out_of_range_scores(app, demo):
    from sqlalchemy.exc import IntegrityError

    make_response(demo, u1=5)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    make_response(demo, u1=0)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_survey_date_is_the_offices_local_date(app, demo, monkeypatch):
    # 31 January 2026, 17:30 UTC is already 1 February 01:30 in Bontang (WITA, UTC+8): February's survey.
    from datetime import UTC
    from datetime import datetime as real_datetime

    import app.clock as clock_module

    class FrozenClock(real_datetime):
        @classmethod
        def now(cls, tz=None):
            moment = real_datetime(2026, 1, 31, 17, 30, tzinfo=UTC)
            return moment.astimezone(tz) if tz else moment

    monkeypatch.setattr(clock_module, "datetime", FrozenClock)  # the one office clock
    response = submit_response(counter=demo.static, service=demo.izin, answers={"U1": 4}, profile=Profile())
    assert response.survey_date == date(2026, 2, 1)
    app.config["OFFICE_TIMEZONE"] = "Asia/Jakarta"  # WIB, UTC+7: 1 February 00:30
    assert clock_module.today() == date(2026, 2, 1)
    app.config["OFFICE_TIMEZONE"] = "UTC"
    assert clock_module.today() == date(2026, 1, 31)
