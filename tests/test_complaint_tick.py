"""`tick`: automatic closing, escalation once per overdue step, due-soon reminders; idempotent, also concurrently."""

import time
from datetime import date

import pytest
import sqlalchemy as sa

from app.audit import AuditEntry
from app.extensions import db
from app.outbox import OutboxMessage
from complaints import notify, service
from complaints.models import Complaint, ComplaintEvent, EventKind, Status
from complaints.tick import AUTO_CLOSED, tick
from tests import test_complaint_service as helpers
from tests.factories import make_user, run_at_once
from tests.test_complaint_service import file, outbox, with_email

freeze, place = helpers.freeze, helpers.place  # the shared fixtures


def answered(place, officer, *, on: date, freeze, **fields) -> Complaint:
    """A complaint verified, routed and answered on `on`."""
    freeze(on)
    c, _ = file(place, **fields)
    service.verify(c, by=officer)
    service.route(c, by=officer, unit_id=place.unit.id)
    service.respond(c, by=officer, body="Jawaban")
    db.session.commit()
    return c


def snapshot() -> tuple:
    """Everything a tick may write, to compare two runs."""
    rows = db.session.execute(
        sa.select(Complaint.id, Complaint.status, Complaint.due_on, Complaint.due_step, Complaint.escalated_step)
    ).all()
    counts = [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (ComplaintEvent, AuditEntry)]
    return sorted(rows), counts, sorted(db.session.scalars(sa.select(OutboxMessage.topic)))


def test_unanswered_response_closes_after_the_window(place, freeze):
    officer = make_user("pengaduan")
    c = answered(place, officer, on=date(2026, 3, 2), freeze=freeze, email="warga@example.org")
    assert c.reply_due == date(2026, 3, 16)
    assert tick(today=date(2026, 3, 16)).auto_closed == 0  # the last day of the window still counts
    report = tick(today=date(2026, 3, 17))
    db.session.commit()
    assert report.auto_closed == 1
    c = db.session.get(Complaint, c.id)
    assert (c.status, c.due_on, c.due_step, c.done_at is not None) == (Status.DONE, None, "", True)
    event = c.events[-1]
    assert (event.kind, event.to_status, event.actor_id, event.public, event.body) == (
        EventKind.TRANSITION, Status.DONE, None, True, AUTO_CLOSED
    )  # fmt: skip
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.actor_id, entry.actor_name, entry.detail) == (None, "sistem", "ditindaklanjuti -> selesai")
    assert len(outbox(topic=f"complaint:{c.id}:status:selesai")) == 1
    assert tick(today=date(2026, 3, 18)).auto_closed == 0
    service.rate(c, rating=4)  # an automatically closed complaint can be rated


def test_a_reply_within_the_window_prevents_closing(place, freeze):
    officer = make_user("pengaduan")
    c = answered(place, officer, on=date(2026, 3, 2), freeze=freeze)
    freeze(date(2026, 3, 16))
    service.citizen_reply(c, body="Belum selesai")
    db.session.commit()
    report = tick(today=date(2026, 3, 17))
    assert report.auto_closed == 0 and db.session.get(Complaint, c.id).status == Status.ROUTED


def test_overdue_steps_escalate_once_each_to_the_pimpinan_of_the_scope(place, freeze):
    from app import directory

    officer = make_user("pengaduan")
    head = with_email(make_user("pimpinan"), "kepala@example.go.id")
    local_head = with_email(make_user("pimpinan", unit=place.unit), "kabid@example.go.id")
    other = directory.create_unit(name="Dinas Lain", slug="dinas-lain")
    with_email(make_user("pimpinan", unit=other), "lain@example.go.id")
    freeze(date(2026, 3, 2))
    c, _ = file(place)  # verification due Thursday 5 March
    assert tick(today=date(2026, 3, 5)).escalated == 0
    report = tick(today=date(2026, 3, 6))
    db.session.commit()
    assert (report.escalated, report.emails) == (1, 2)
    assert {m.recipient for m in outbox(topic=f"complaint:{c.id}:escalation:verifikasi")} == {
        head.email, local_head.email
    }  # fmt: skip
    c = db.session.get(Complaint, c.id)
    assert c.escalated_step == "verifikasi" and c.events[-1].kind == EventKind.ESCALATION
    assert "complaint_escalated" in db.session.scalars(sa.select(AuditEntry.action)).all()
    for day in (date(2026, 3, 6), date(2026, 3, 9), date(2026, 3, 10)):
        assert tick(today=day).escalated == 0
    freeze(date(2026, 3, 10))
    service.verify(c, by=officer)
    service.route(c, by=officer, unit_id=place.unit.id)  # follow-up due 17 March: a new step, a new chance
    db.session.commit()
    assert tick(today=date(2026, 3, 17)).escalated == 0
    assert tick(today=date(2026, 3, 18)).escalated == 1
    kinds = db.session.scalars(sa.select(ComplaintEvent.kind).where(ComplaintEvent.complaint_id == c.id)).all()
    assert kinds.count(EventKind.ESCALATION) == 2


def test_wbs_reports_escalate_to_wbs_handlers_only(place, freeze):
    with_email(make_user("pimpinan"), "kepala@example.go.id")
    handler = with_email(make_user("wbs"), "wbs@example.go.id")
    freeze(date(2026, 3, 2))
    c, _ = file(place, stream="wbs")
    tick(today=date(2026, 3, 6))
    db.session.commit()
    assert [m.recipient for m in outbox(topic=f"complaint:{c.id}:escalation:verifikasi")] == [handler.email]
    assert "kepala@example.go.id" not in {m.recipient for m in outbox()}


def test_due_soon_reminders_once_per_step_and_day(place, freeze):
    officer = with_email(make_user("pengaduan"), "petugas@example.go.id")
    freeze(date(2026, 3, 2))
    c, _ = file(place)  # verification due Thursday 5 March
    assert tick(today=date(2026, 3, 3)).reminded == 0  # not yet
    assert tick(today=date(2026, 3, 4)).reminded == 1
    assert tick(today=date(2026, 3, 4)).reminded == 0
    assert tick(today=date(2026, 3, 5)).reminded == 1  # due today: once more
    db.session.commit()
    assert [m.recipient for m in outbox(topic=f"complaint:{c.id}:reminder:verifikasi:2026-03-04")] == [officer.email]
    reminders = db.session.scalars(
        sa.select(ComplaintEvent.body).where(ComplaintEvent.kind == EventKind.REMINDER).order_by(ComplaintEvent.id)
    ).all()
    assert reminders == ["verifikasi:2026-03-04", "verifikasi:2026-03-05"]


def _busy_office(place, freeze) -> None:
    """One complaint of each kind of tick work: to close, to escalate, to remind."""
    officer = with_email(make_user("pengaduan"), "petugas@example.go.id")
    with_email(make_user("pimpinan"), "kepala@example.go.id")
    answered(place, officer, on=date(2026, 3, 2), freeze=freeze, email="warga@example.org")  # reply due 16 March
    freeze(date(2026, 3, 9))
    file(place)  # verification due 12 March: overdue on the 17th
    freeze(date(2026, 3, 16))
    file(place)  # verification due 25 March... not soon
    freeze(date(2026, 3, 12))
    file(place)  # due 17 March: due today on the 17th


def test_running_twice_changes_nothing_more(place, freeze):
    _busy_office(place, freeze)
    first = tick(today=date(2026, 3, 17))
    db.session.commit()
    assert (first.auto_closed, first.escalated, first.reminded) == (1, 1, 1)
    before = snapshot()
    second = tick(today=date(2026, 3, 17))
    db.session.commit()
    assert (second.auto_closed, second.escalated, second.reminded, second.emails) == (0, 0, 0, 0)
    assert snapshot() == before
    topics = before[2]
    assert len(topics) == len(set(topics))  # one e-mail per event


def test_tick_command_prints_one_line(app, place, freeze):
    _busy_office(place, freeze)
    result = app.test_cli_runner().invoke(args=["complaints", "tick", "--today", "2026-03-17"])
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1
    assert "1 closed automatically" in result.output and "1 escalated" in result.output
    bad = app.test_cli_runner().invoke(args=["complaints", "tick", "--today", "17-03-2026"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def _slowly(function):
    def slow(*args, **kwargs):
        time.sleep(0.02)
        return function(*args, **kwargs)

    return slow


@pytest.mark.postgres
@pytest.mark.parametrize("work", ["close", "escalate", "remind"])
def test_two_ticks_at_once_on_postgresql_do_each_thing_once(monkeypatch, freeze, work):
    from tests.conftest import TEST_PG_URL, make_app, require
    from tests.factories import make_directory, scratch_postgres

    require(TEST_PG_URL, "PostgreSQL")
    monkeypatch.setattr(notify, "staff_email", lambda user: f"{user.username}@example.go.id")
    for name in ("status_changed", "escalated", "reminder"):  # slower work: the two runs surely overlap
        monkeypatch.setattr(notify, name, _slowly(getattr(notify, name)))
    with scratch_postgres(TEST_PG_URL) as url:
        app = make_app(SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            db.create_all()
            place = make_directory()
            officer = make_user("pengaduan")
            make_user("pimpinan")
            for _ in range(COUNT):
                if work == "close":
                    answered(place, officer, on=date(2026, 3, 2), freeze=freeze, email="warga@example.org")
                else:
                    freeze(date(2026, 3, 9) if work == "escalate" else date(2026, 3, 12))
                    file(place)  # verification due 12 March (overdue on the 17th) or 17 March (due that day)
            db.session.commit()
            db.session.remove()
        reports = _race(app, today=date(2026, 3, 17))
        assert sum(r.auto_closed + r.escalated + r.reminded for r in reports) == COUNT
        with app.app_context():
            topics = db.session.scalars(sa.select(OutboxMessage.topic)).all()
            assert len(topics) == len(set(topics))  # one e-mail per recipient and event
            kinds = db.session.scalars(sa.select(ComplaintEvent.kind)).all()
            if work == "close":
                assert sum(t.endswith(":status:selesai") for t in topics) == COUNT
                closed = db.session.scalars(sa.select(ComplaintEvent.id).where(ComplaintEvent.body == AUTO_CLOSED))
                assert len(closed.all()) == COUNT
            elif work == "escalate":
                assert kinds.count(EventKind.ESCALATION) == COUNT and sum(":escalation:" in t for t in topics) == COUNT
            else:
                assert kinds.count(EventKind.REMINDER) == COUNT and sum(":reminder:" in t for t in topics) == COUNT
            db.session.remove()
            db.engine.dispose()


COUNT = 12


def _race(app, *, today: date) -> list:
    """Run two ticks at once, each in its own app context and session; return both reports."""
    return run_at_once(app, lambda: tick(today=today))


def test_an_escalation_goes_to_the_pimpinan_who_can_open_the_complaint(place, freeze):
    from app import directory

    officer = make_user("pengaduan")
    own_head = with_email(make_user("pimpinan", unit=place.unit), "kabid@example.go.id")
    other = directory.create_unit(name="Dinas Lain", slug="dinas-lain")
    with_email(make_user("pimpinan", unit=other), "lain@example.go.id")
    freeze(date(2026, 3, 2))
    c, _ = file(place)
    service.verify(c, by=officer)
    service.route(c, by=officer, unit_id=other.id)  # routed to another unit; follow-up due 9 March
    db.session.commit()
    assert tick(today=date(2026, 3, 10)).escalated == 1
    db.session.commit()
    assert {m.recipient for m in outbox(topic=f"complaint:{c.id}:escalation:tindak_lanjut")} == {own_head.email}
