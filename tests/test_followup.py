"""The follow-up plan (RTL): proposing from the weakest elements (ties included, idempotent), the state machine,
overdue on the office clock, evidence, complaint links, and the share of followed-up periods (LKE VI.iv.c)."""

from datetime import date

import pytest
import sqlalchemy as sa

from analytics import followup, followup_progress
from analytics.data import Selection
from analytics.followup import ActionStatus, FollowUpError, Source
from analytics.followup_models import FollowUpAction, FollowUpEvidence
from analytics.models import Publication
from analytics.snapshot import Snapshot, compute_figures
from app.errors import DomainError
from app.extensions import db
from app.periods import Period, month, parse_period
from tests.complaint_factories import make_complaint
from tests.factories import make_response

OCTOBER = month(2026, 10)
TODAY = date(2026, 12, 10)
# U1 lowest, then U2, U3 and U4 tied: the weakest three are U1, U2, U3, and U4 joins them on the tie.
TIED = (1, 2, 2, 2, 3, 3, 4, 4, 4)


def publish(demo, period: Period = OCTOBER, scores=TIED, *, respondents: int = 2) -> Publication:
    """Freeze a period's figures as publishing does, without rendering its posters (not under test here)."""
    for _ in range(respondents):
        make_response(demo, period.start, scores)
    db.session.commit()
    unit = demo.unit
    figures = compute_figures(unit_id=unit.id, unit_name=unit.name, period=period, selection=Selection(unit_id=unit.id))
    snapshot = Snapshot.of(figures, watermark=10**9).to_json()
    publication = Publication(unit_id=unit.id, period_key=period.key, period_start=period.start, snapshot=snapshot,
                              published_by="admin")  # fmt: skip
    db.session.add(publication)
    db.session.commit()
    return publication


def planned(action, *, due: date = date(2026, 12, 31)):
    followup.edit_action(action=action, description="Tambah papan informasi", owner="Kepala Seksi", due_on=due,
                         by="ppid")  # fmt: skip
    return followup.change_status(action=action, status=ActionStatus.PLANNED, by="ppid", today=TODAY)


def test_proposing_takes_every_tie_and_a_second_run_proposes_nothing(app, demo):
    with pytest.raises(FollowUpError, match="belum dipublikasikan"):
        followup.propose_actions(unit=demo.unit, period=OCTOBER, by="ppid")
    publish(demo)
    first = followup.propose_actions(unit=demo.unit, period=OCTOBER, by="ppid")
    db.session.commit()
    assert [a.source_code for a in first] == ["U1", "U2", "U3", "U4"]
    assert {a.status for a in first} == {ActionStatus.PROPOSED}
    first[0].move_to(ActionStatus.CANCELLED, by="ppid", today=TODAY)  # a cancelled element is not proposed again
    assert followup.propose_actions(unit=demo.unit, period=OCTOBER, by="cron") == []
    db.session.commit()
    assert len(followup.actions_of(demo.unit.id, OCTOBER.key)) == 4


def test_a_complaint_category_gets_one_action_and_free_actions_need_a_description(app, demo):
    publish(demo)
    add = dict(unit=demo.unit, period=OCTOBER, by="ppid")
    action = followup.add_action(**add, source=Source.COMPLAINT, category="U3", owner="Sekretaris")
    assert followup.source_label(action) == "U3 Waktu Penyelesaian"
    for bad, message in (({"category": "U3"}, "sudah punya"), ({"category": "X9"}, "kategori")):
        with pytest.raises(FollowUpError, match=message):
            followup.add_action(**add, source=Source.COMPLAINT, **bad)
    with pytest.raises(FollowUpError, match="uraian"):
        followup.add_action(**add, source=Source.FREE, description="  ")
    followup.add_action(**add, source=Source.FREE, description="Pelatihan petugas")
    followup.add_action(**add, source=Source.FREE, description="Pelatihan kedua")
    db.session.commit()
    assert [a.source for a in followup.actions_of(demo.unit.id, OCTOBER.key)] == ["pengaduan", "lainnya", "lainnya"]


def test_transitions_follow_the_state_machine(app, demo):
    publish(demo)
    action = followup.propose_actions(unit=demo.unit, period=OCTOBER, by="ppid")[0]
    move = dict(action=action, by="ppid", today=TODAY)
    with pytest.raises(FollowUpError, match="tidak dapat diubah dari Diusulkan menjadi Selesai"):
        followup.change_status(**move, status="selesai")
    with pytest.raises(FollowUpError, match="penanggung jawab"):  # a plan needs description, owner and due date
        followup.change_status(**move, status="direncanakan")
    with pytest.raises(FollowUpError, match="tidak dikenal"):
        followup.change_status(**move, status="hilang")
    planned(action)
    with pytest.raises(FollowUpError, match="harus punya"):  # a planned action keeps its owner
        followup.edit_action(action=action, description="x", owner="", due_on=TODAY, by="ppid")
    followup.change_status(**move, status="berjalan")
    with pytest.raises(FollowUpError, match="setelah hari ini"):
        followup.change_status(**move, status="selesai", done_on=date(2026, 12, 11))
    followup.change_status(**move, status="selesai", done_on=date(2026, 12, 9))
    assert (action.status, action.done_on) == (ActionStatus.DONE, date(2026, 12, 9))
    for status in ActionStatus:  # done is final
        with pytest.raises(FollowUpError):
            followup.change_status(**move, status=status)
    with pytest.raises(FollowUpError, match="tidak dapat diubah"):
        followup.edit_action(action=action, description="x", owner="y", due_on=TODAY, by="ppid")


def test_overdue_means_due_before_the_office_today_and_still_open(app, demo):
    publish(demo)
    action = planned(followup.propose_actions(unit=demo.unit, period=OCTOBER, by="ppid")[0], due=date(2026, 12, 9))
    assert action.overdue(date(2026, 12, 10)) and not action.overdue(date(2026, 12, 9))
    assert followup_progress.progress_of(demo.unit.id, [OCTOBER.key], today=TODAY)[OCTOBER.key].overdue == 1
    followup.change_status(action=action, status="selesai", by="ppid", today=TODAY)
    assert not action.overdue(TODAY)
    assert action.done_on == TODAY  # done without a date: the office's today


def test_evidence_is_re_encoded_and_a_bad_file_is_refused(app, demo):
    from tests.test_attachments import SECRET_MAKE, jpeg_with_gps

    publish(demo)
    action = followup.propose_actions(unit=demo.unit, period=OCTOBER, by="ppid")[0]
    stored = followup.attach_evidence(action=action, data=jpeg_with_gps(), by="ppid", max_bytes=5 * 2**20)
    assert stored.mimetype == "image/jpeg" and stored.filename == f"bukti-{action.id}-1.jpg"
    assert SECRET_MAKE.encode() not in stored.data and b"rumah pelapor" not in stored.data
    with pytest.raises(DomainError, match="Jenis berkas tidak diterima"):
        followup.attach_evidence(action=action, data=b"<html><script>x</script></html>", by="ppid", max_bytes=2**20)
    assert len(action.evidence) == 1


def test_only_complaints_of_the_unit_are_linked_once(app, demo):
    from app.directory import create_unit

    publish(demo)
    action = followup.propose_actions(unit=demo.unit, period=OCTOBER, by="ppid")[0]
    mine, other = make_complaint(demo.unit), make_complaint(create_unit(name="Dinas Lain", slug="lain"))
    wbs = make_complaint(demo.unit, stream="wbs")
    followup.link_complaint(action=action, complaint=mine, by="pengaduan")
    for complaint, message in ((mine, "sudah dikaitkan"), (other, "unit ini"), (wbs, "unit ini")):
        with pytest.raises(FollowUpError, match=message):
            followup.link_complaint(action=action, complaint=complaint, by="pengaduan")
    db.session.commit()
    assert [link.complaint_id for link in action.links] == [mine.id]
    assert followup.unlink_complaint(action=action, complaint_id=mine.id, by="pengaduan") is True
    assert action.links == []
    assert followup.unlink_complaint(action=action, complaint_id=mine.id, by="pengaduan") is False  # nothing to unlink


# --- the share of followed-up periods (LKE VI.iv.c) --------------------------------------------------------------


def _published(demo, key: str, *, withdrawn: bool = False) -> None:
    period = parse_period(key)
    db.session.add(Publication(unit_id=demo.unit.id, period_key=key, period_start=period.start, snapshot={},
                               withdrawn_at=TODAY if withdrawn else None))  # fmt: skip


def _action(demo, key: str, status: ActionStatus, *, evidence: bool = False) -> None:
    action = FollowUpAction(unit_id=demo.unit.id, period_key=key, source=Source.FREE, description="x",
                                     status=status)  # fmt: skip
    if evidence:
        action.evidence.append(FollowUpEvidence(filename="b.png", mimetype="image/png", size=1, sha256="0",
                                                         data=b"x"))  # fmt: skip
    db.session.add(action)


def _share(demo, year: int = 2026):
    db.session.commit()
    share = followup_progress.followup_share(unit_id=demo.unit.id, year=year, today=TODAY)
    return share.published, share.followed_up, share.grade


def test_the_share_counts_periods_with_every_live_action_done_or_evidenced(app, demo):
    assert _share(demo) == (0, 0, "D")  # nothing published
    for key in ("2026-01", "2026-02", "2026-03", "2026-Q1"):
        _published(demo, key)
    _published(demo, "2025-12")  # another year
    _published(demo, "2026-04", withdrawn=True)  # withdrawn: not a published result
    assert _share(demo) == (4, 0, "D")
    _action(demo, "2026-01", ActionStatus.DONE)
    _action(demo, "2026-01", ActionStatus.CANCELLED)  # a cancelled action does not hold a period back
    assert _share(demo) == (4, 1, "C")
    _action(demo, "2026-02", ActionStatus.ONGOING, evidence=True)
    assert _share(demo) == (4, 2, "C")  # half is not most
    _action(demo, "2026-03", ActionStatus.DONE)
    _action(demo, "2026-03", ActionStatus.PLANNED)  # one open action without evidence: not followed up yet
    _action(demo, "2026-Q1", ActionStatus.CANCELLED)  # only cancelled actions: not followed up
    assert _share(demo) == (4, 2, "C")
    _action(demo, "2026-Q1", ActionStatus.DONE)
    assert _share(demo) == (4, 3, "B")
    _action(demo, "2026-03", ActionStatus.PROPOSED, evidence=True)
    db.session.execute(
        sa.update(FollowUpAction)
        .where(FollowUpAction.period_key == "2026-03", FollowUpAction.status == "direncanakan")
        .values(status="selesai")
    )
    assert _share(demo) == (4, 4, "A")
    assert _share(demo, 2025) == (1, 0, "D")


def test_two_runs_proposing_at_once_propose_each_element_once(tmp_path):
    """The monthly job may run on two hosts at once: the unique source constraint keeps one action per element."""
    from tests.conftest import TEST_DATABASE_URL, make_app
    from tests.factories import make_directory, run_at_once

    app = make_app(SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL or f"sqlite:///{tmp_path}/race.sqlite")
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
        demo = make_directory()
        publish(demo)
        unit_id = demo.unit.id

        def propose() -> list[str]:
            unit = db.session.get(type(demo.unit), unit_id)
            return [a.source_code for a in followup.propose_actions(unit=unit, period=OCTOBER, by="cron")]

        created = run_at_once(app, propose)
        db.session.expire_all()
        assert sorted(created[0] + created[1]) == ["U1", "U2", "U3", "U4"]  # each weakest element by one run
        assert sorted(a.source_code for a in followup.actions_of(unit_id, OCTOBER.key)) == ["U1", "U2", "U3", "U4"]
        db.session.remove()
        db.engine.dispose()
