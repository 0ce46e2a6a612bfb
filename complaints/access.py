"""Who may see and do what on complaints and WBS reports: the one place that decides, for every staff route.

* WBS reports: only WBS handlers (Permission.WBS_HANDLE), who do everything on them within their unit scope.
* Complaints: a petugas pengaduan (COMPLAINTS_TRIAGE) sees and acts on every complaint of their unit scope; a
  penanggung jawab unit (COMPLAINTS_ANSWER without TRIAGE) sees only complaints routed to their unit or to
  themselves, and may answer and note them; the pimpinan (COMPLAINTS_READ) reads every complaint of their scope
  and acts on none. Nobody else sees a complaint.
* A reporter's identity is never shown for an anonymous report; for the others, to those who may view the
  report, through an explicit (audited) reveal.
"""

import enum

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import Mapped

from app.auth import Permission, User
from app.extensions import db
from complaints.models import Complaint, Stream


class Action(enum.StrEnum):
    """Something a staff member may do to one complaint or report."""

    VERIFY = "verify"
    REJECT = "reject"
    DUPLICATE = "duplicate"
    ROUTE = "route"
    RESPOND = "respond"
    NOTE = "note"
    CLOSE = "close"
    ARCHIVE = "archive"
    REVEAL = "reveal"  # show the reporter's identity (never for an anonymous report)
    ATTACHMENT = "attachment"  # open an attached file


class Standing(enum.Enum):
    """A user's relation to a stream of reports, from their role."""

    NONE = "none"  # sees nothing
    HANDLER = "handler"  # petugas pengaduan on complaints, WBS handler on WBS: sees its scope, does everything
    ANSWERER = "answerer"  # penanggung jawab unit: sees what is routed to them, answers and notes
    READER = "reader"  # pimpinan: reads its scope, acts on nothing


ALL_ACTIONS = frozenset(Action)
ACTIONS: dict[Standing, frozenset[Action]] = {
    Standing.NONE: frozenset(),
    Standing.HANDLER: ALL_ACTIONS,
    Standing.ANSWERER: frozenset({Action.RESPOND, Action.NOTE, Action.REVEAL, Action.ATTACHMENT}),
    Standing.READER: frozenset({Action.REVEAL, Action.ATTACHMENT}),
}


def _active(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "active", False)


def standing(user: User | None, stream: Stream) -> Standing:
    """The user's standing on a stream, from their role alone (unit scope is applied per report)."""
    if not _active(user):
        return Standing.NONE
    if Stream(stream) is Stream.WBS:
        return Standing.HANDLER if user.can(Permission.WBS_HANDLE) else Standing.NONE
    if user.can(Permission.COMPLAINTS_TRIAGE):
        return Standing.HANDLER
    if user.can(Permission.COMPLAINTS_ANSWER) and user.unit_id is not None:
        return Standing.ANSWERER
    if user.can(Permission.COMPLAINTS_READ):
        return Standing.READER
    return Standing.NONE


def can_open_inbox(user: User | None, stream: Stream) -> bool:
    """Whether the user may open the stream's inbox at all (403 otherwise)."""
    return standing(user, stream) is not Standing.NONE


def can_register(user: User | None, stream: Stream) -> bool:
    """Whether the user may register a report that came through another channel."""
    return standing(user, stream) is Standing.HANDLER


def unit_in_scope(user: User, unit_id: int | None) -> bool:
    """Whether a handler may register a report for this unit."""
    return unit_id is not None and user.covers_unit(unit_id)


def _in_scope(column: Mapped[int], user: User) -> sa.ColumnElement[bool]:
    return sa.true() if user.unit_id is None else column == user.unit_id


def visible_complaints(user: User | None, stream: Stream) -> sa.ColumnElement[bool]:
    """A where-clause selecting exactly the reports of `stream` the user may see."""
    level = standing(user, stream)
    of_stream = Complaint.stream == Stream(stream)
    if level is Standing.NONE:
        return sa.false()
    if level is Standing.ANSWERER:
        mine = sa.or_(Complaint.assigned_unit_id == user.unit_id, Complaint.assigned_user_id == user.id)
        return sa.and_(of_stream, mine)
    return sa.and_(of_stream, _in_scope(Complaint.unit_id, user))


def can_view(user: User | None, complaint: Complaint) -> bool:
    """Whether the user may see this report at all."""
    level = standing(user, complaint.stream)
    if level is Standing.NONE:
        return False
    if level is Standing.ANSWERER:
        return complaint.assigned_unit_id == user.unit_id or complaint.assigned_user_id == user.id
    return user.covers_unit(complaint.unit_id)


def can_act(user: User | None, complaint: Complaint, action: Action | str) -> bool:
    """Whether the user may do `action` on this report (the workflow decides separately if it is legal now)."""
    action = Action(action)
    if not can_view(user, complaint):
        return False
    if action is Action.REVEAL and complaint.anonymous:
        return False
    return action in ACTIONS[standing(user, complaint.stream)]


def allowed_actions(user: User | None, complaint: Complaint) -> frozenset[Action]:
    """Every action the user may do on this report."""
    return frozenset(action for action in Action if can_act(user, complaint, action))


def may_see_identity(user: User | None, complaint: Complaint) -> bool:
    """Whether the user may have the reporter's identity revealed (never for an anonymous report)."""
    return can_act(user, complaint, Action.REVEAL)


def can_see_audit(user: User | None, complaint: Complaint) -> bool:
    """Whether the user may read this report's audit entries (whoever may view the report)."""
    return can_view(user, complaint)


def get_or_404(user: User | None, complaint_id: int, stream: Stream, *, options=()) -> Complaint:
    """Load a report the user may see, or answer 404 (never 403: ids must not be probed)."""
    query = sa.select(Complaint).where(Complaint.id == complaint_id, visible_complaints(user, stream))
    complaint = db.session.scalar(query.options(*options))
    if complaint is None or not can_view(user, complaint):
        abort(404)
    return complaint


def can_be_assigned(user: User, stream: Stream, unit_id: int) -> bool:
    """Whether `user` may be named as the officer of a report routed to `unit_id`."""
    if not user.active:
        return False
    if Stream(stream) is Stream.WBS:
        return user.can(Permission.WBS_HANDLE) and user.covers_unit(unit_id)
    return user.unit_id == unit_id and user.can(Permission.COMPLAINTS_ANSWER)


def officers_by_unit(stream: Stream, unit_ids: list[int]) -> dict[int, list[User]]:
    """The officers a report may be routed to, per unit (one query)."""
    users = db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.username)).all()
    return {unit_id: [u for u in users if can_be_assigned(u, stream, unit_id)] for unit_id in unit_ids}


def assignable_users(stream: Stream, unit_id: int) -> list[User]:
    """The officers a report of `stream` routed to `unit_id` may be given to."""
    return officers_by_unit(stream, [unit_id])[unit_id]
