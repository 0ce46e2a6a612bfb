"""The building blocks every complaint service shares: clean input, history events, attachments, and moves.

`move` is the only way a complaint changes status: it checks workflow.TRANSITIONS, claims the change with a
conditional UPDATE (so two officers, or two `tick` runs, cannot both make it), records the event and the audit
entry, recomputes the deadline owed now and queues the reporter's notification.
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from flask import current_app

from app import audit, clock
from app.errors import DomainError, Message
from app.extensions import db
from app.i18n import N_
from app.text import clean
from app.uploads import CleanFile
from complaints import deadlines, notify
from complaints.models import Attachment, Complaint, ComplaintEvent, EventKind, Status, Stream
from complaints.workflow import STATUS_LABELS, can_transition

MAX_BODY = 10_000  # description, responses, notes, the reporter's additions and replies
ALLOWED_MIMETYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})


class ComplaintError(DomainError):
    """A complaint input or action that breaks a rule; nothing was written."""


class Problems:
    """Collects per-field messages so a form shows every problem at once."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def add(self, field: str, text: str, **params) -> None:
        """Note one problem with `field`."""
        self.messages.append(Message(text, params, field))

    def raise_any(self) -> None:
        """Raise ComplaintError with every message noted, if any."""
        if self.messages:
            raise ComplaintError(*self.messages)


def checked(problems: Problems, field: str, value: object, *, limit: int, required: bool = False, **kw) -> str:
    """Clean one text field and note when it is missing or longer than `limit` characters."""
    text = clean(value, multiline=kw.get("multiline", False))
    if required and not text:
        problems.add(field, N_("Isian ini wajib diisi."))
    elif len(text) > limit:
        problems.add(field, N_("Isian terlalu panjang (maksimal %(limit)d karakter)."), limit=limit)
    return text


def body_text(value: object, *, field: str = "body") -> str:
    """A required long text (a response, a note, the reporter's word), cleaned, or ComplaintError."""
    problems = Problems()
    text = checked(problems, field, value, limit=MAX_BODY, required=True, multiline=True)
    problems.raise_any()
    return text


def object_type(c: Complaint) -> str:
    """The audit object type: WBS reports are kept apart from complaints."""
    return audit.WBS_OBJECT if c.stream == Stream.WBS else "complaint"


SYSTEM = "sistem"  # the actor name of the tick's actions
REPORTER = "pelapor"  # the actor name of the reporter's own actions


def record_audit(action: audit.Action, c: Complaint, *, by, detail: str = "", actor_name: str = SYSTEM) -> None:
    """Audit an action on a complaint; WBS entries carry no unit, so unit staff never see them."""
    unit_id = None if c.stream == Stream.WBS else (c.assigned_unit_id or c.unit_id)
    name = "" if by is not None else actor_name
    audit.record(
        action, actor=by, actor_name=name, object_type=object_type(c), object_id=c.id, unit_id=unit_id, detail=detail
    )


def add_event(c: Complaint, kind: EventKind, *, by=None, body: str = "", public: bool = False, **extra):
    """Append one history event to the complaint, timed on the office clock. Flushes."""
    event = ComplaintEvent(
        complaint=c,
        kind=EventKind(kind),
        actor_id=getattr(by, "id", None),
        body=body,
        public=public,
        at=clock.utc_now(),
        **extra,
    )
    db.session.add(event)
    db.session.flush()
    return event


def check_files(files: Sequence[CleanFile], problems: Problems, field: str = "attachments") -> None:
    """Note when there are too many files, one is too large, or one did not pass the attachment checks."""
    config = current_app.config
    if len(files) > config["COMPLAINT_MAX_ATTACHMENTS"]:
        problems.add(field, N_("Paling banyak %(count)d lampiran."), count=config["COMPLAINT_MAX_ATTACHMENTS"])
    for item in files:
        if not isinstance(item, CleanFile) or item.mimetype not in ALLOWED_MIMETYPES:
            problems.add(field, N_("Lampiran harus JPEG, PNG, atau PDF."))
        elif not item.data or len(item.data) > config["COMPLAINT_ATTACHMENT_MAX_BYTES"]:
            limit = config["COMPLAINT_ATTACHMENT_MAX_BYTES"] // (1024 * 1024)
            problems.add(field, N_("Lampiran kosong atau lebih besar dari %(limit)d MB."), limit=limit)


def store_files(c: Complaint, files: Sequence[CleanFile], *, event: ComplaintEvent, by_staff: bool) -> None:
    """Store checked files with generated names (lampiran-N.ext), tied to the event that brought them."""
    if not files:
        return
    number = db.session.scalar(sa.select(sa.func.count(Attachment.id)).where(Attachment.complaint_id == c.id)) or 0
    for item in files:
        number += 1
        db.session.add(
            Attachment(
                complaint_id=c.id,
                event_id=event.id,
                filename=f"lampiran-{number}.{item.extension}",
                mimetype=item.mimetype,
                size=len(item.data),
                sha256=hashlib.sha256(item.data).hexdigest(),
                data=item.data,
                uploaded_at=clock.utc_now(),
                by_staff=by_staff,
            )
        )
    db.session.flush()


def refresh_due(c: Complaint) -> None:
    """Set due_on/due_step to the deadline owed now; a new deadline may be escalated again."""
    due_on, due_step = deadlines.current_due(c)
    if (due_on, due_step) != (c.due_on, c.due_step):
        c.escalated_step = ""
    c.due_on, c.due_step = due_on, due_step


def claim(c: Complaint, *conditions, **values) -> bool:
    """Write `values` only if the complaint's status and deadline are still those loaded; True when it did."""
    due = Complaint.due_on.is_(None) if c.due_on is None else Complaint.due_on == c.due_on
    result = db.session.execute(
        sa.update(Complaint)
        .where(Complaint.id == c.id, Complaint.status == c.status, due, *conditions)
        .values(**values),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1


def move(
    c: Complaint,
    to: Status,
    *,
    by,
    body: str = "",
    public: bool = True,
    quiet: bool = False,
    actor_name: str = SYSTEM,
    announce: bool = True,
    **changes,
) -> bool:
    """Move `c` to status `to` (with `changes`), if the table allows it and nobody moved it meanwhile. Flushes.

    Staff moves raise ComplaintError when the move is illegal or the complaint changed in the meantime; a
    system move (`quiet`, by the tick) returns False instead, meaning another run already did it. `announce`
    e-mails the reporter the new status (off when the caller sends its own message).
    """
    origin = Status(c.status)
    if not can_transition(origin, to):
        if quiet:
            return False
        raise ComplaintError(
            N_("Laporan berstatus %(current)s tidak dapat diubah menjadi %(target)s."),
            current=STATUS_LABELS[origin],
            target=STATUS_LABELS[to],
        )
    if not claim(c, status=to):
        if quiet:
            return False
        raise ComplaintError(N_("Laporan ini baru saja diubah orang lain. Muat ulang halaman lalu coba lagi."))
    c.status = to
    for name, value in changes.items():
        setattr(c, name, value)
    refresh_due(c)
    add_event(c, EventKind.TRANSITION, by=by, body=body, public=public, from_status=origin, to_status=to)
    record_audit(
        audit.Action.COMPLAINT_TRANSITION, c, by=by, detail=f"{origin.value} -> {to.value}", actor_name=actor_name
    )
    if announce:
        notify.status_changed(c)
    return True
