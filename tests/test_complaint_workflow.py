"""The transition table (product decision 8): every legal move is made, every illegal one refused and unwritten."""

import itertools

import pytest
import sqlalchemy as sa

from app.audit import AuditEntry
from app.extensions import db
from complaints import service
from complaints.handling import move
from complaints.models import Complaint, ComplaintEvent, EventKind, Status
from complaints.workflow import CLOSED, OPEN, TRANSITIONS, can_transition
from tests.factories import make_directory

PAIRS = list(itertools.product(Status, Status))
LEGAL = {
    (Status.RECEIVED, Status.VERIFIED),
    (Status.RECEIVED, Status.REJECTED),
    (Status.VERIFIED, Status.ROUTED),
    (Status.VERIFIED, Status.REJECTED),
    (Status.ROUTED, Status.ROUTED),
    (Status.ROUTED, Status.FOLLOWED_UP),
    (Status.FOLLOWED_UP, Status.ROUTED),
    (Status.FOLLOWED_UP, Status.DONE),
    (Status.REJECTED, Status.ARCHIVED),
    (Status.DONE, Status.ARCHIVED),
}


def test_the_table_is_the_product_decision():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == LEGAL
    assert OPEN | CLOSED == set(Status) and not OPEN & CLOSED


def _officer():
    """A petugas pengaduan without a password hash (argon2 would make these 130 tests slow)."""
    from app.auth import Role, User

    user = User(username="petugas", password_hash="-", role=Role.PENGADUAN)
    db.session.add(user)
    db.session.commit()
    return user


def _complaint_in(status: Status) -> Complaint:
    """A complaint put straight into `status` (as the workflow would leave it)."""
    place = make_directory()
    c, _ = service.file_complaint(stream="pengaduan", unit_id=place.unit.id, title="Judul", description="Uraian")
    db.session.execute(sa.update(Complaint).where(Complaint.id == c.id).values(status=status))
    db.session.commit()
    db.session.refresh(c)
    return c


@pytest.mark.parametrize(("origin", "target"), PAIRS, ids=[f"{a.value}->{b.value}" for a, b in PAIRS])
def test_every_pair(app, origin, target):
    officer = _officer()
    c = _complaint_in(origin)
    events_before = db.session.scalar(sa.select(sa.func.count(ComplaintEvent.id)))
    assert can_transition(origin, target) == ((origin, target) in LEGAL)
    if (origin, target) in LEGAL:
        assert move(c, target, by=officer) is True
        db.session.commit()
        assert db.session.get(Complaint, c.id).status == target
        event = c.events[-1]
        assert (event.kind, event.from_status, event.to_status, event.actor_id) == (
            EventKind.TRANSITION, origin, target, officer.id
        )  # fmt: skip
        entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (entry.action, entry.detail) == ("complaint_transition", f"{origin.value} -> {target.value}")
        if target in CLOSED:
            assert (c.due_on, c.due_step) == (None, "")
    else:
        with pytest.raises(service.ComplaintError):
            move(c, target, by=officer)
        assert move(c, target, by=None, quiet=True) is False  # the tick's variant says no instead
        db.session.rollback()
        assert db.session.get(Complaint, c.id).status == origin
        assert db.session.scalar(sa.select(sa.func.count(ComplaintEvent.id))) == events_before


ACTIONS = {
    "verify": (Status.VERIFIED, lambda c, by, place: service.verify(c, by=by)),
    "reject": (Status.REJECTED, lambda c, by, place: service.reject(c, by=by, reason="Tidak jelas")),
    "route": (Status.ROUTED, lambda c, by, place: service.route(c, by=by, unit_id=c.unit_id)),
    "respond": (Status.FOLLOWED_UP, lambda c, by, place: service.respond(c, by=by, body="Jawaban")),
    "close": (Status.DONE, lambda c, by, place: service.close(c, by=by)),
    "archive": (Status.ARCHIVED, lambda c, by, place: service.archive(c, by=by)),
}


@pytest.mark.parametrize("origin", list(Status), ids=[s.value for s in Status])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_staff_action_obeys_the_table(app, origin, action):
    target, call = ACTIONS[action]
    officer = _officer()
    c = _complaint_in(origin)
    allowed = can_transition(origin, target) or (action == "respond" and origin == Status.FOLLOWED_UP)
    if allowed:
        call(c, officer, None)
        db.session.commit()
        assert db.session.get(Complaint, c.id).status == target
    else:
        with pytest.raises(service.ComplaintError):
            call(c, officer, None)
        db.session.rollback()
        assert db.session.get(Complaint, c.id).status == origin
