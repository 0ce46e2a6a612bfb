"""The monthly job (issue 10 item 5): publish when chosen, recap, e-mail the heads; a second run changes nothing."""

from datetime import date, timedelta

import pytest

from analytics.followup_models import FollowUpAction
from analytics.models import MonthlyRun, Publication, PublishingSettings
from analytics.monthly import MonthlyError, closed_month, run_monthly
from app import clock
from app.audit import Action, AuditEntry
from app.extensions import db
from app.outbox import OutboxMessage
from app.periods import period_of
from tests.complaint_factories import make_complaint
from tests.factories import log_in, make_response, make_user, run_at_once


@pytest.fixture
def last_month(demo):
    """Three answers and one complaint in the month before the current one."""
    month = period_of(clock.current_period("month").start - timedelta(days=1), "month")
    for score in (4, 3, 3):
        make_response(demo, month.start + timedelta(days=2), (score,) * 9, counter=demo.static)
    make_complaint(demo.unit, received_on=month.start + timedelta(days=3))
    db.session.commit()
    return month


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _audited() -> list[tuple]:
    """(action, actor, unit, detail) of every audit entry but logins and logouts, oldest first."""
    query = db.select(AuditEntry).where(AuditEntry.action.not_in([Action.LOGIN_OK, Action.LOGOUT]))
    entries = db.session.scalars(query.order_by(AuditEntry.id))
    return [(e.action, e.actor_name, e.unit_id, e.detail) for e in entries]


def _smtp(app) -> None:
    app.config.update(SMTP_HOST="smtp.kantor.example", MAIL_FROM="skm@kantor.example")


def test_second_run_changes_nothing(app, runner, demo, last_month):
    _smtp(app)
    head = make_user("pimpinan", unit=demo.unit)
    head.email = "kepala@kantor.example"
    assert runner.invoke(args=["auto-publish", demo.unit.slug, "on"]).exit_code == 0
    db.session.commit()

    first = runner.invoke(args=["monthly", "--unit", demo.unit.slug])
    assert first.exit_code == 0, first.output
    assert f"{last_month.key}: first run; publication: published" in first.output
    assert "complaints received 1" in first.output and "e-mailed to 1 office head(s)" in first.output
    proposed = _count(FollowUpAction)
    assert proposed >= 3 and f"follow-up actions proposed {proposed};" in first.output  # the weakest three, ties
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.recipient == "kepala@kantor.example" and message.topic == f"monthly:{demo.unit.id}:{last_month.key}"
    assert "IKM" in message.body and "1 diterima" in message.body
    recap = db.session.scalar(db.select(MonthlyRun)).recap

    make_complaint(demo.unit, received_on=last_month.start + timedelta(days=5))  # arrives after the first run
    second = runner.invoke(args=["monthly", "--unit", demo.unit.slug])
    assert second.exit_code == 0, second.output
    assert "already run; publication: published" in second.output
    assert (_count(Publication), _count(OutboxMessage), _count(MonthlyRun)) == (1, 1, 1)
    assert _count(FollowUpAction) == proposed and "follow-up actions proposed 0;" in second.output
    assert db.session.scalar(db.select(MonthlyRun)).recap == recap  # kept as first recorded
    unit = demo.unit.id
    proposals = [(Action.FOLLOWUP_PROPOSED, "monthly", unit, f"{last_month.key}; {a.source_code}")
                 for a in db.session.scalars(db.select(FollowUpAction).order_by(FollowUpAction.id))]  # fmt: skip
    assert _audited() == [
        (Action.AUTO_PUBLISH_SET, "cli", unit, "on"),
        (Action.PUBLISHED, "monthly", unit, last_month.key),
        *proposals,
    ]  # the second run: none


def test_without_the_choice_nothing_is_published_and_without_smtp_nothing_is_sent(app, runner, demo, last_month):
    head = make_user("pimpinan", unit=demo.unit)
    head.email = "kepala@kantor.example"
    db.session.commit()
    result = runner.invoke(args=["monthly", "--unit", demo.unit.slug, "--month", last_month.key])
    assert result.exit_code == 0, result.output
    assert "publication: manual" in result.output and "e-mailed to 0" in result.output
    assert (_count(Publication), _count(OutboxMessage)) == (0, 0)


def test_two_hosts_at_once_queue_one_email(tmp_path):
    """Three runs at once, each with its own connection (an SQLite file, or PostgreSQL in CI: the in-memory test
    database shares one connection between threads, so it cannot show a race)."""
    from app.directory import Unit
    from tests.conftest import TEST_DATABASE_URL, make_app
    from tests.factories import make_directory

    app = make_app(SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL or f"sqlite:///{tmp_path}/monthly.sqlite",
                   SMTP_HOST="smtp.kantor.example", MAIL_FROM="skm@kantor.example")  # fmt: skip
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
        demo = make_directory()
        month = period_of(clock.current_period("month").start - timedelta(days=1), "month")
        make_response(demo, month.start + timedelta(days=2), (3,) * 9, counter=demo.static)
        head = make_user("pimpinan", unit=demo.unit)
        head.email = "kepala@kantor.example"
        db.session.commit()
        unit_id = demo.unit.id

        def run():
            return run_monthly(unit=db.session.get(Unit, unit_id), month=month).first_run

        assert sorted(run_at_once(app, run, workers=3)) == [False, False, True]
        assert (_count(MonthlyRun), _count(OutboxMessage)) == (1, 1)
        db.session.remove()
        db.engine.dispose()


def test_months_the_job_refuses(app, runner, demo):
    current = clock.current_period("month")
    for key in (current.key, "2026-13", "2026-Q1", "kemarin"):
        with pytest.raises(MonthlyError):
            closed_month(key)
    assert closed_month(None).end == current.start
    assert runner.invoke(args=["monthly", "--unit", demo.unit.slug, "--month", current.key]).exit_code != 0
    assert runner.invoke(args=["monthly", "--unit", "tidak-ada"]).exit_code != 0
    assert _count(MonthlyRun) == 0


def test_choice_on_the_dashboard(app, client, demo):
    url = f"/analitik/units/{demo.unit.id}/otomatis"
    log_in(client, make_user("pimpinan", unit=demo.unit))
    assert client.post(url, data={"otomatis": "1"}).status_code == 403  # reads results, does not publish
    client.post("/auth/logout")
    log_in(client, make_user("ppid", unit=demo.unit))
    assert client.post(url, data={"otomatis": "ya"}).status_code == 400
    assert client.post(url, data={"otomatis": "1", "periode": "2026-10"}).status_code == 303
    assert db.session.get(PublishingSettings, demo.unit.id).auto_publish is True
    page = client.get(f"/analitik/?unit={demo.unit.slug}&periode={date(2026, 10, 1):%Y-%m}").get_data(as_text=True)
    assert "Publikasi otomatis bulanan: aktif" in page
    assert client.post(url, data={"otomatis": "0"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(PublishingSettings, demo.unit.id).auto_publish is False
    ppid = f"ppid-{demo.unit.slug}"
    assert _audited() == [
        (Action.AUTO_PUBLISH_SET, ppid, demo.unit.id, "on"),
        (Action.AUTO_PUBLISH_SET, ppid, demo.unit.id, "off"),
    ]  # the refusals left none
