"""The officers' inbox: one query for a page of the reports a user may see, filtered, searched and paginated."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app import clock
from app.auth import User
from app.extensions import db
from complaints import access, deadlines
from complaints.models import Channel, Classification, Complaint, Status, Stream

PAGE_SIZE = 50
COUNT_CAP = 1000  # the inbox counts matches up to this many; beyond it says "more than 1000"


@dataclass(frozen=True)
class Filters:
    """What the inbox is narrowed to (every value already checked against its allow-list)."""

    status: Status | None = None
    unit_id: int | None = None
    channel: Channel | None = None
    classification: Classification | None = None
    deadline: str | None = None  # "overdue" or "due_soon"
    q: str = ""
    page: int = 1


@dataclass(frozen=True)
class InboxRow:
    """One line of the inbox."""

    complaint: Complaint
    deadline_state: str | None


@dataclass(frozen=True)
class InboxPage:
    """A page of the inbox and what the pager needs."""

    rows: list[InboxRow]
    page: int
    has_next: bool
    total: int  # capped at COUNT_CAP + 1
    capped: bool


def _enum_or_none(enum_cls, value):
    try:
        return enum_cls(value) if value else None
    except ValueError:
        return None


def filters_from(data: dict) -> Filters:
    """Read the filters of a query string; unknown values are ignored."""
    page = data.get("page") or 1
    unit = data.get("unit")
    return Filters(
        status=_enum_or_none(Status, data.get("status")),
        unit_id=unit if isinstance(unit, int) else None,
        channel=_enum_or_none(Channel, data.get("channel")),
        classification=_enum_or_none(Classification, data.get("classification")),
        deadline=data.get("deadline") if data.get("deadline") in (deadlines.OVERDUE, deadlines.DUE_SOON) else None,
        q=(data.get("q") or "").strip()[:100],
        page=page if isinstance(page, int) and page >= 1 else 1,
    )


def _like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with the wildcards in `text` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def conditions(user: User, stream: Stream, filters: Filters) -> list[sa.ColumnElement[bool]]:
    """The where-clauses of the inbox: what the user may see, narrowed by the filters (bound parameters only)."""
    where = [access.visible_complaints(user, stream)]
    if filters.status is not None:
        where.append(Complaint.status == filters.status)
    if filters.unit_id is not None:
        where.append(Complaint.unit_id == filters.unit_id)
    if filters.channel is not None:
        where.append(Complaint.channel == filters.channel)
    if filters.classification is not None:
        where.append(Complaint.classification == filters.classification)
    if filters.deadline == deadlines.OVERDUE:
        where.append(deadlines.overdue_clause(clock.today()))
    elif filters.deadline == deadlines.DUE_SOON:
        where.append(deadlines.due_soon_clause(clock.today()))
    if filters.q:
        where.append(Complaint.title.ilike(_like_pattern(filters.q), escape="\\"))
    return where


def inbox_page(user: User, stream: Stream, filters: Filters) -> InboxPage:
    """One page of the inbox (newest first) in one query, plus a count capped at COUNT_CAP."""
    where = conditions(user, stream, filters)
    query = (
        sa.select(Complaint)
        .where(*where)
        .options(joinedload(Complaint.unit), joinedload(Complaint.assigned_unit))
        .order_by(Complaint.received_at.desc(), Complaint.id.desc())
        .offset((filters.page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    found = list(db.session.scalars(query).unique())
    capped_ids = sa.select(Complaint.id).where(*where).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(capped_ids)) or 0
    today = clock.today()
    soon = deadlines.soon_limit(today)
    rows = [InboxRow(c, deadlines.state(c, today, soon=soon)) for c in found[:PAGE_SIZE]]
    return InboxPage(rows, filters.page, len(found) > PAGE_SIZE, min(total, COUNT_CAP), total > COUNT_CAP)
