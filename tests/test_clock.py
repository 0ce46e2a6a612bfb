"""The office clock: today and periods on OFFICE_TIMEZONE, and working days (hari kerja) for deadlines."""

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app import clock
from app.periods import quarter
from tests.conftest import make_app

# 16:30 UTC on 31 March 2026: already 00:30 on 1 April in Makassar (UTC+8), still 23:30 on 31 March in
# Jakarta (UTC+7). (17:30 UTC would already be 1 April in Jakarta too.)
EVENING_UTC = datetime(2026, 3, 31, 16, 30, tzinfo=UTC)


def test_today_follows_office_timezone(app):
    app.config["OFFICE_TIMEZONE"] = "Asia/Makassar"
    assert clock.today(at=EVENING_UTC) == date(2026, 4, 1)
    assert clock.now(at=EVENING_UTC) == datetime(2026, 4, 1, 0, 30, tzinfo=ZoneInfo("Asia/Makassar"))
    assert clock.now(at=EVENING_UTC).utcoffset() == timedelta(hours=8)
    jakarta = make_app(OFFICE_TIMEZONE="Asia/Jakarta")
    with jakarta.app_context():
        assert clock.office_tz() == ZoneInfo("Asia/Jakarta")
        assert clock.today(at=EVENING_UTC) == date(2026, 3, 31)
        assert clock.now(at=EVENING_UTC).hour == 23


def test_now_without_instant_is_aware_in_office_zone(app):
    app.config["OFFICE_TIMEZONE"] = "Asia/Jayapura"
    moment = clock.now()
    assert moment.tzinfo == ZoneInfo("Asia/Jayapura")
    assert moment.utcoffset() == timedelta(hours=9)
    assert abs(moment - datetime.now(UTC)) < timedelta(minutes=1)
    assert clock.today() == moment.date() or clock.today() == moment.date() + timedelta(days=1)  # midnight race


def test_no_fallback_outside_app_context():
    with pytest.raises(RuntimeError, match="app context"):
        clock.today()
    with pytest.raises(RuntimeError, match="app context"):
        clock.now(at=EVENING_UTC)
    with pytest.raises(RuntimeError, match="app context"):
        clock.local_date(EVENING_UTC)
    with pytest.raises(RuntimeError, match="app context"):
        clock.is_working_day(date(2026, 3, 31))


@pytest.mark.parametrize("name", ["Mars/Olympus", "WITA", "Asia", "", None, "../etc/passwd"])
def test_invalid_timezone_is_a_clear_error(app, name):
    app.config["OFFICE_TIMEZONE"] = name
    with pytest.raises(clock.ClockError, match="OFFICE_TIMEZONE"):
        clock.today()


def test_local_date_takes_naive_as_utc(app):
    app.config["OFFICE_TIMEZONE"] = "Asia/Makassar"
    naive = datetime(2026, 9, 30, 16, 30)  # as SQLite returns it: UTC without tzinfo
    assert clock.local_date(naive) == date(2026, 10, 1)
    assert clock.local_datetime(naive) == datetime(2026, 10, 1, 0, 30, tzinfo=ZoneInfo("Asia/Makassar"))
    assert clock.local_datetime(naive).tzinfo == ZoneInfo("Asia/Makassar")
    # An aware moment keeps its own offset: 23:30 at UTC-5 is 04:30 UTC, 12:30 in Makassar.
    aware = datetime(2026, 9, 30, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert clock.local_date(aware) == date(2026, 10, 1)
    assert clock.local_datetime(aware).hour == 12
    with pytest.raises(TypeError):
        clock.local_date(date(2026, 10, 1))


def test_current_period_quarter(app):
    app.config["OFFICE_TIMEZONE"] = "Asia/Makassar"
    assert clock.current_period("quarter", at=EVENING_UTC) == quarter(2026, 2)
    assert clock.current_period("quarter", at=EVENING_UTC).key == "2026-Q2"
    assert clock.current_period("month", at=EVENING_UTC).key == "2026-04"
    app.config["OFFICE_TIMEZONE"] = "Asia/Jakarta"
    assert clock.current_period("quarter", at=EVENING_UTC).key == "2026-Q1"
    assert clock.current_period("semester", at=EVENING_UTC).key == "2026-S1"
    assert clock.current_period("year", at=EVENING_UTC).key == "2026"


def test_is_current_or_future(app):
    app.config["OFFICE_TIMEZONE"] = "Asia/Makassar"  # office date 2026-04-01
    assert not clock.is_current_or_future(quarter(2026, 1), at=EVENING_UTC)
    assert clock.is_current_or_future(quarter(2026, 2), at=EVENING_UTC)
    assert clock.is_current_or_future(quarter(2027, 1), at=EVENING_UTC)
    app.config["OFFICE_TIMEZONE"] = "Asia/Jakarta"  # office date 2026-03-31: Q1 still running
    assert clock.is_current_or_future(quarter(2026, 1), at=EVENING_UTC)


def test_weekends_are_not_working_days(app):
    assert clock.is_working_day(date(2026, 3, 6))  # Friday
    assert not clock.is_working_day(date(2026, 3, 7))  # Saturday
    assert not clock.is_working_day(date(2026, 3, 8))  # Sunday
    assert clock.is_working_day(date(2026, 3, 9))  # Monday
    assert clock.holiday_name(date(2026, 3, 7)) is None  # a weekend is not a holiday


def test_national_holidays_are_not_working_days(app):
    assert not clock.is_working_day(date(2026, 1, 1))  # Thursday
    assert clock.holiday_name(date(2026, 1, 1)) == "Tahun Baru Masehi"
    assert not clock.is_working_day(date(2026, 8, 17))  # Monday
    assert clock.holiday_name(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    assert clock.holiday_name(date(2026, 8, 18)) is None
    assert clock.is_working_day(date(2026, 8, 18))


def test_cuti_bersama_are_not_working_days(app):
    # SKB 2026: cuti bersama before Nyepi (Wed 18 March) and around Idul Fitri (Mon-Tue 23-24 March).
    assert clock.holiday_name(date(2026, 3, 18)) == "Cuti Bersama Hari Suci Nyepi"
    assert clock.holiday_name(date(2026, 3, 23)) == "Cuti Bersama Hari Raya Idul Fitri"
    for day in (date(2026, 3, 18), date(2026, 3, 20), date(2026, 3, 23), date(2026, 3, 24), date(2026, 12, 24)):
        assert not clock.is_working_day(day), day
    # 2025: Monday 18 August after Independence Day on a Sunday.
    assert clock.holiday_name(date(2025, 8, 18)) == "Cuti Bersama Hari Kemerdekaan Republik Indonesia"
    assert not clock.is_working_day(date(2025, 8, 18))
    assert clock.is_working_day(date(2026, 3, 25))  # back to work


def test_add_working_days_across_weekend_and_holidays(app):
    assert clock.add_working_days(date(2026, 3, 6), 0) == date(2026, 3, 6)
    assert clock.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday -> Monday
    assert clock.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # from a Saturday
    # Fri 14 Aug 2026 + 1: Sat, Sun, Mon 17 Aug (Independence Day) skipped -> Tue 18 Aug.
    assert clock.add_working_days(date(2026, 8, 14), 1) == date(2026, 8, 18)
    # Mon 16 Mar 2026 + 5: Tue 17, Wed 18 (cuti), Thu 19 (Nyepi), Fri 20 (cuti), weekend (Idul Fitri),
    # Mon 23 + Tue 24 (cuti), Wed 25, Thu 26, Fri 27, Mon 30 -> 5th working day is Mon 30 March.
    assert clock.add_working_days(date(2026, 3, 16), 5) == date(2026, 3, 30)
    # Across the new year: Wed 31 Dec 2025 + 1 skips Thu 1 Jan 2026 -> Fri 2 Jan.
    assert clock.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)
    with pytest.raises(ValueError):
        clock.add_working_days(date(2026, 3, 6), -1)


def test_working_days_between(app):
    assert clock.working_days_between(date(2026, 3, 16), date(2026, 3, 30)) == 5
    assert clock.working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1  # (Fri, Mon]
    assert clock.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert clock.working_days_between(date(2026, 3, 30), date(2026, 3, 16)) == 0
    # March 2026: 22 weekdays minus Nyepi (19) and 4 cuti bersama (18, 20, 23, 24) -> 17.
    assert clock.working_days_between(date(2026, 2, 28), date(2026, 3, 31)) == 17
    for start, days in ((date(2026, 3, 16), 5), (date(2026, 8, 14), 3), (date(2026, 12, 20), 10)):
        assert clock.working_days_between(start, clock.add_working_days(start, days)) == days
    with pytest.raises(TypeError):
        clock.working_days_between(datetime(2026, 3, 16, 8, 0), date(2026, 3, 30))


def test_office_extra_holidays(app):
    assert clock.is_working_day(date(2026, 4, 14))  # a Tuesday
    assert clock.add_working_days(date(2026, 4, 13), 1) == date(2026, 4, 14)
    app.config["OFFICE_EXTRA_HOLIDAYS"] = ["2026-04-14", date(2026, 4, 15)]
    assert not clock.is_working_day(date(2026, 4, 14))
    assert not clock.is_working_day(date(2026, 4, 15))
    assert clock.holiday_name(date(2026, 4, 14)) == clock.LOCAL_HOLIDAY_NAME
    assert clock.add_working_days(date(2026, 4, 13), 1) == date(2026, 4, 16)
    assert clock.working_days_between(date(2026, 4, 13), date(2026, 4, 17)) == 2
    app.config["OFFICE_EXTRA_HOLIDAYS"] = {"2026-04-14": "Hari Jadi Kabupaten"}
    assert clock.holiday_name(date(2026, 4, 14)) == "Hari Jadi Kabupaten"
    assert clock.is_working_day(date(2026, 4, 15))
    app.config["OFFICE_EXTRA_HOLIDAYS"] = "2026-04-14, 2026-04-15"
    assert clock.add_working_days(date(2026, 4, 13), 1) == date(2026, 4, 16)
    app.config["OFFICE_EXTRA_HOLIDAYS"] = ["2026-08-17"]  # also national: both names
    assert clock.holiday_name(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia; Libur lokal"
    del app.config["OFFICE_EXTRA_HOLIDAYS"]
    assert clock.is_working_day(date(2026, 4, 14))


@pytest.mark.parametrize("bad", [["14-04-2026"], ["2026-02-30"], [datetime(2026, 4, 14)], [["2026-04-14"]], 20260414])
def test_bad_office_extra_holidays_are_a_clear_error(app, bad):
    app.config["OFFICE_EXTRA_HOLIDAYS"] = bad
    with pytest.raises(clock.ClockError, match="OFFICE_EXTRA_HOLIDAYS"):
        clock.is_working_day(date(2026, 4, 14))


def test_holidays_package_is_imported_lazily():
    code = (
        "import sys; import app.clock; "
        "assert 'holidays' not in sys.modules, 'imported at boot'; "
        "from app import create_app; create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); "
        "assert 'holidays' not in sys.modules, 'imported by create_app'"
    )
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
