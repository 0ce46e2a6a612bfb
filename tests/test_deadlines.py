"""Deadline arithmetic on the office calendar: weekends, national holidays, cuti bersama, office days, 60 days."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.extensions import db
from app.office_calendar import OfficeDay, add_day, remove_day
from complaints import deadlines, service
from complaints.models import Complaint
from tests import test_complaint_service as helpers
from tests.factories import make_user
from tests.test_complaint_service import file

freeze, place = helpers.freeze, helpers.place  # the shared fixtures


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 3, 19), date(2026, 3, 27)),  # Thu, Nyepi: 20, 23, 24 cuti bersama, 21-22 weekend (Idul Fitri)
        (date(2026, 3, 17), date(2026, 3, 27)),  # Tue before Idul Fitri: 18 cuti, 19 Nyepi, 20-24 off -> 25, 26, 27
        (date(2026, 3, 16), date(2026, 3, 26)),  # Mon: 17, then 25, 26
        (date(2026, 3, 13), date(2026, 3, 25)),  # Fri: 16, 17, (18-24 off), 25
        (date(2026, 3, 21), date(2026, 3, 27)),  # a Saturday (Idul Fitri): its own day never counts
        (date(2026, 8, 14), date(2026, 8, 20)),  # Fri before Independence Day (Mon 17 August)
        (date(2026, 12, 23), date(2026, 12, 30)),  # Christmas 25 and cuti bersama 24 December
        (date(2026, 3, 2), date(2026, 3, 5)),  # an ordinary week
    ],
)
def test_verification_deadline(place, freeze, received, due):
    freeze(received)
    c, _ = file(place)
    assert (c.received_on, c.verify_due, c.due_on, c.due_step) == (received, due, due, "verifikasi")


def test_receipt_date_is_the_office_date(place, freeze):
    freeze(datetime(2026, 3, 18, 16, 30, tzinfo=UTC))  # 00:30 on Thursday 19 March in Makassar (WITA)
    c, _ = file(place)
    assert (c.received_on, c.verify_due) == (date(2026, 3, 19), date(2026, 3, 27))


def test_office_days_shift_deadlines(place, freeze):
    assert deadlines.verify_due(date(2026, 4, 13)) == date(2026, 4, 16)  # Mon -> Thu
    _, created = add_day(day=date(2026, 4, 14), reason="Hari Jadi Kota", by_name="test")
    assert created
    assert not clock.is_working_day(date(2026, 4, 14))
    assert clock.holiday_name(date(2026, 4, 14)) == "Hari Jadi Kota"
    assert deadlines.verify_due(date(2026, 4, 13)) == date(2026, 4, 17)
    freeze(date(2026, 4, 13))
    c, _ = file(place)
    assert c.verify_due == date(2026, 4, 17)
    _, again = add_day(day=date(2026, 4, 14), reason="Lain", by_name="test")
    assert not again and db.session.get(OfficeDay, date(2026, 4, 14)).reason == "Hari Jadi Kota"
    assert remove_day(day=date(2026, 4, 14))
    assert deadlines.verify_due(date(2026, 4, 13)) == date(2026, 4, 16)


def test_office_days_and_configured_days_together(app):
    app.config["OFFICE_EXTRA_HOLIDAYS"] = ["2026-04-15"]
    add_day(day=date(2026, 4, 14), reason="Rapat kerja", by_name="test")
    assert clock.add_working_days(date(2026, 4, 13), 1) == date(2026, 4, 16)
    assert clock.working_days_between(date(2026, 4, 13), date(2026, 4, 17)) == 2
    add_day(day=date(2026, 8, 17), reason="Upacara", by_name="test")
    assert clock.holiday_name(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia; Upacara"


def test_office_days_are_read_once_per_app_context(app):
    add_day(day=date(2026, 4, 14), reason="Rapat kerja", by_name="test")
    db.session.commit()
    statements: list[str] = []
    engine = db.engine

    def count(conn, cursor, statement, *args):
        if "office_days" in statement:
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        day = date(2026, 1, 1)
        for _ in range(400):
            clock.is_working_day(day)
            day += timedelta(days=1)
        assert clock.add_working_days(date(2026, 4, 13), 1) == date(2026, 4, 15)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 1


def test_completion_limit_is_sixty_calendar_days_from_verification(place, freeze):
    officer = make_user("pengaduan")
    freeze(date(2026, 3, 19))
    c, _ = file(place)
    freeze(date(2026, 3, 25))  # verified on the first working day after the holidays
    service.verify(c, by=officer)
    assert (c.complete_on, c.completion_due) == (date(2026, 3, 25), date(2026, 5, 24))  # a Sunday: calendar days
    assert (c.due_on, c.due_step) == (date(2026, 3, 27), "verifikasi")  # routing still due on the LAPOR clock
    freeze(date(2026, 5, 20))
    service.route(c, by=officer, unit_id=place.unit.id)  # follow-up (27 May) would fall after completion
    assert c.followup_due == date(2026, 5, 29)  # 21, 22, 25, 26, (27 Idul Adha, 28 cuti bersama), 29
    assert (c.due_on, c.due_step) == (date(2026, 5, 24), "penyelesaian")
    assert service.completion_days_left(c) == 4


def test_followup_and_reply_windows(place, freeze):
    officer = make_user("pengaduan")
    freeze(date(2026, 3, 2))
    c, _ = file(place)
    service.verify(c, by=officer)
    freeze(date(2026, 3, 13))  # Friday
    service.route(c, by=officer, unit_id=place.unit.id)
    assert c.followup_due == date(2026, 3, 27)  # 16, 17, (18-24 off), 25, 26, 27
    assert clock.working_days_between(date(2026, 3, 13), c.followup_due) == 5
    freeze(date(2026, 3, 16))
    service.respond(c, by=officer, body="Jawaban")
    assert (
        c.reply_due == clock.add_working_days(date(2026, 3, 16), 10) == date(2026, 4, 7)
    )  # Good Friday 3 April skipped


def test_clocks_are_configurable(app, place, freeze):
    app.config.update(COMPLAINT_VERIFY_DAYS=5, COMPLAINT_COMPLETION_DAYS=30)
    freeze(date(2026, 3, 2))
    c, _ = file(place)
    assert c.verify_due == date(2026, 3, 9)
    service.verify(c, by=make_user("pengaduan"))
    assert c.completion_due == date(2026, 4, 1)


def test_state_and_sql_clauses(place, freeze):
    freeze(date(2026, 3, 2))
    c, _ = file(place)  # verification due Thursday 5 March
    assert deadlines.state(c, date(2026, 3, 3)) == "ok"
    assert deadlines.state(c, date(2026, 3, 4)) == "due_soon"  # due on the next working day
    assert deadlines.state(c, date(2026, 3, 5)) == "due_soon"  # due today: not overdue yet
    assert deadlines.state(c, date(2026, 3, 6)) == "overdue"
    assert deadlines.state(c) == "ok"  # the frozen today, 2 March
    overdue = sa.select(Complaint.id).where(deadlines.overdue_clause(date(2026, 3, 6)))
    soon = sa.select(Complaint.id).where(deadlines.due_soon_clause(date(2026, 3, 4)))
    assert db.session.scalars(overdue).all() == [c.id] and db.session.scalars(soon).all() == [c.id]
    assert db.session.scalars(sa.select(Complaint.id).where(deadlines.overdue_clause(date(2026, 3, 5)))).all() == []
    service.reject(c, by=make_user("pengaduan"), reason="Tidak jelas")
    assert deadlines.state(c, date(2026, 3, 6)) is None
    assert db.session.scalars(overdue).all() == []


def test_due_soon_spans_a_weekend(place, freeze):
    freeze(date(2026, 3, 4))  # Wed: verification due Mon 9 March
    c, _ = file(place)
    assert c.verify_due == date(2026, 3, 9)
    assert deadlines.state(c, date(2026, 3, 6)) == "due_soon"  # Friday: Monday is the next working day
    assert deadlines.state(c, date(2026, 3, 5)) == "ok"
