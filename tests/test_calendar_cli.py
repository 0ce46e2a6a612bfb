"""`flask calendar due | add-day | list`: deadlines and the office's own days off from the command line."""

from datetime import date

import sqlalchemy as sa

from app.audit import AuditEntry
from app.extensions import db
from app.office_calendar import OfficeDay


def run(runner, *args):
    return runner.invoke(args=["calendar", *args])


def test_due_prints_the_iso_date(runner):
    result = run(runner, "due", "2026-03-19", "3")
    assert result.exit_code == 0, result.output
    assert result.output == "2026-03-27\n"  # Nyepi, cuti bersama and Idul Fitri skipped
    assert run(runner, "due", "2026-03-06", "0").output == "2026-03-06\n"
    assert run(runner, "due", "2026-12-23", "5").output == "2027-01-04\n"  # Christmas, cuti, New Year


def test_due_refuses_bad_input(runner):
    for args in (("19-03-2026", "3"), ("2026-02-30", "3"), ("2026-03-19", "-1"), ("2026-03-19", "tiga")):
        result = run(runner, "due", *args)
        assert result.exit_code == 2, args
    assert "YYYY-MM-DD" in run(runner, "due", "kemarin", "3").output


def test_add_day_is_idempotent_audited_and_shifts_deadlines(runner, app):
    assert run(runner, "due", "2026-04-13", "1").output == "2026-04-14\n"
    result = run(runner, "add-day", "2026-04-14", "Hari", "Jadi", "Kota")
    assert result.exit_code == 0, result.output
    assert result.output == "Added 2026-04-14: Hari Jadi Kota\n"
    again = run(runner, "add-day", "2026-04-14", "Alasan lain")
    assert again.exit_code == 0 and "already" in again.output and "Hari Jadi Kota" in again.output
    assert db.session.get(OfficeDay, date(2026, 4, 14)).reason == "Hari Jadi Kota"
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "office_day_added")).all()
    assert [(e.actor_name, e.detail) for e in entries] == [("cli", "2026-04-14")]
    assert run(runner, "due", "2026-04-13", "1").output == "2026-04-15\n"


def test_add_day_refuses_a_bad_date(runner):
    result = run(runner, "add-day", "14/04/2026", "Libur")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    assert run(runner, "add-day", "2026-04-14").exit_code == 2  # a reason is required
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OfficeDay)) == 0


def test_list_prints_each_day_off_of_the_year(runner):
    run(runner, "add-day", "2026-04-14", "Hari Jadi Kota")
    run(runner, "add-day", "2027-01-05", "Tahun depan")
    result = run(runner, "list", "2026")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(line.startswith("2026-") for line in lines)
    assert lines == sorted(lines)
    assert "2026-03-19  libur nasional  Hari Suci Nyepi" in lines
    assert any(line.startswith("2026-03-20  cuti bersama") for line in lines)
    assert "2026-04-14  libur kantor    Hari Jadi Kota" in lines
    assert any(line.startswith("2026-08-17  libur nasional") for line in lines)
    assert run(runner, "list", "dua ribu").exit_code == 2
