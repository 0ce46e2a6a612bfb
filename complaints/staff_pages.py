"""What the complaint staff pages show and do: a report page's content, its action forms, and serving a file."""

import sqlalchemy as sa
from flask import Response, abort, flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm import undefer
from wtforms import SelectChoice

from app.audit import Action as AuditAction
from app.audit import AuditEntry
from app.auth import User
from app.directory import Service, list_units
from app.errors import DomainError
from app.extensions import db
from app.i18n import N_
from complaints import access, deadlines
from complaints.access import Action
from complaints.handling import object_type, record_audit
from complaints.models import Attachment, Complaint, Status, Stream
from complaints.staff_forms import (
    ConfirmForm,
    DuplicateForm,
    NoteForm,
    RegisterForm,
    RejectForm,
    RespondForm,
    RouteForm,
    upload_limit_text,
)
from complaints.workflow import CLOSED, can_transition

ACTION_FORMS: dict[Action, type[FlaskForm]] = {
    Action.VERIFY: ConfirmForm,
    Action.REJECT: RejectForm,
    Action.DUPLICATE: DuplicateForm,
    Action.ROUTE: RouteForm,
    Action.RESPOND: RespondForm,
    Action.NOTE: NoteForm,
    Action.CLOSE: ConfirmForm,
    Action.ARCHIVE: ConfirmForm,
}
DONE_MESSAGES = {
    Action.VERIFY: _l("Laporan diverifikasi."),
    Action.REJECT: _l("Laporan ditolak."),
    Action.DUPLICATE: _l("Laporan ditandai sebagai duplikat."),
    Action.ROUTE: _l("Laporan didisposisikan."),
    Action.RESPOND: _l("Tanggapan dikirim kepada pelapor."),
    Action.NOTE: _l("Catatan internal disimpan."),
    Action.CLOSE: _l("Laporan diselesaikan."),
    Action.ARCHIVE: _l("Laporan diarsipkan."),
}
# Which status a form's action leads to, so the page offers only the moves the workflow allows now.
TARGETS = {
    Action.VERIFY: Status.VERIFIED,
    Action.REJECT: Status.REJECTED,
    Action.DUPLICATE: Status.REJECTED,
    Action.ROUTE: Status.ROUTED,
    Action.CLOSE: Status.DONE,
    Action.ARCHIVE: Status.ARCHIVED,
}
RESPONDABLE = frozenset({Status.ROUTED, Status.FOLLOWED_UP})
INLINE_TYPES = frozenset({"image/jpeg", "image/png"})  # re-encoded at intake, safe to show in the browser
FIELD_NAMES = {"unit_id": "unit", "service_id": "service", "user_id": "officer"}  # service argument -> form field
ORIGINAL_NOT_FOUND = N_("Laporan nomor %(id)d tidak ditemukan.")


def applicable(action: Action, status: Status) -> bool:
    """Whether the workflow allows `action` on a report in `status` (who may do it is access's question)."""
    if action in TARGETS:
        return can_transition(status, TARGETS[action])
    if action is Action.RESPOND:
        return Status(status) in RESPONDABLE
    if action is Action.NOTE:
        return Status(status) is not Status.ARCHIVED
    return True


def unit_choices(blank=None) -> list[SelectChoice]:
    """Every unit, for a select (with a blank first choice when given)."""
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(unit.id, unit.name) for unit in list_units()]


def fill_register_choices(form: RegisterForm, user: User) -> None:
    """The units the officer may register for, and their services."""
    units = [unit for unit in list_units() if access.unit_in_scope(user, unit.id)]
    form.unit.choices = [SelectChoice(unit.id, unit.name) for unit in units]
    services = db.session.scalars(
        sa.select(Service).where(Service.unit_id.in_([u.id for u in units]), Service.active.is_(True))
    ).all()
    names = {unit.id: unit.name for unit in units}
    form.service.choices = [SelectChoice("", _l("Tidak dipilih"))] + [
        SelectChoice(s.id, f"{names[s.unit_id]}: {s.name}") for s in sorted(services, key=lambda s: (s.unit_id, s.name))
    ]


def fill_route_choices(form: RouteForm, stream: Stream) -> None:
    """The units a report may be routed to, and the officers of each."""
    units = list_units()
    form.unit.choices = [SelectChoice(unit.id, unit.name) for unit in units]
    officers = access.officers_by_unit(stream, [unit.id for unit in units])
    form.officer.choices = [SelectChoice("", _l("Tanpa petugas tertentu"))] + [
        SelectChoice(user.id, f"{unit.name}: {user.full_name or user.username}")
        for unit in units
        for user in officers[unit.id]
    ]


def show_errors(form: FlaskForm, exc: DomainError) -> None:
    """Put a domain error's messages on the form's fields, or flash those about no field."""
    for message in exc.messages:
        name = FIELD_NAMES.get(message.field, message.field)
        field = form._fields.get(name) if name else None
        if field is not None:
            field.errors = [*field.errors, str(message)]
        else:
            flash(str(message), "error")


def _original(complaint: Complaint, original_id: int, by: User) -> Complaint:
    """The report a duplicate points to: one of the same stream the user may see."""
    visible = access.visible_complaints(by, complaint.stream)
    original = db.session.scalar(sa.select(Complaint).where(Complaint.id == original_id, visible))
    if original is None:
        raise DomainError({"original": ORIGINAL_NOT_FOUND}, id=original_id)
    return original


def _officer(complaint: Complaint, form: RouteForm) -> int | None:
    """The officer chosen on the route form, checked to belong to the chosen unit."""
    if not form.officer.data:
        return None
    officer = db.session.get(User, form.officer.data)
    if officer is None or not access.can_be_assigned(officer, complaint.stream, form.unit.data):
        raise DomainError({"officer": N_("Petugas ini tidak bekerja untuk unit tujuan.")})
    return officer.id


def perform(action: Action, complaint: Complaint, form: FlaskForm, *, by: User) -> None:
    """Call the service for one action (flushes; the view commits)."""
    from complaints import service

    match action:
        case Action.VERIFY:
            service.verify(complaint, by=by)
        case Action.REJECT:
            service.reject(complaint, by=by, reason=form.reason.data)
        case Action.DUPLICATE:
            service.mark_duplicate(complaint, by=by, original=_original(complaint, form.original.data, by))
        case Action.ROUTE:
            service.route(complaint, by=by, unit_id=form.unit.data, user_id=_officer(complaint, form))
        case Action.RESPOND:
            service.respond(complaint, by=by, body=form.body.data, attachments=form.attachments.clean)
        case Action.NOTE:
            service.add_note(complaint, by=by, body=form.body.data)
        case Action.CLOSE:
            service.close(complaint, by=by)
        case Action.ARCHIVE:
            service.archive(complaint, by=by)


def _action_forms(user: User, complaint: Complaint, given: dict) -> dict[Action, FlaskForm]:
    """A form for each action the user may take and the workflow allows now (the submitted one kept)."""
    forms = {}
    for action, form_class in ACTION_FORMS.items():
        if not (access.can_act(user, complaint, action) and applicable(action, complaint.status)):
            continue
        form = given.get(action) or form_class(formdata=None, prefix=action.value)
        if action is Action.ROUTE:
            fill_route_choices(form, complaint.stream)
        if action is Action.RESPOND:
            form.attachments.description = upload_limit_text()
        forms[action] = form
    return forms


def _people(complaint: Complaint) -> dict[int, User]:
    """The accounts named on the page (event actors, registering and assigned officers), in one query."""
    ids = {e.actor_id for e in complaint.events} | {complaint.registered_by_id, complaint.assigned_user_id}
    ids.discard(None)
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


def _audit_entries(user: User, complaint: Complaint) -> list[AuditEntry]:
    if not access.can_see_audit(user, complaint):
        return []
    query = sa.select(AuditEntry).where(
        AuditEntry.object_type == object_type(complaint), AuditEntry.object_id == complaint.id
    )
    return list(db.session.scalars(query.order_by(AuditEntry.at, AuditEntry.id)))


def detail_context(user: User, complaint: Complaint, *, forms: dict, identity: dict | None) -> dict:
    """Everything a report's page shows to `user`."""
    files_by_event: dict[int | None, list[Attachment]] = {}
    for item in complaint.attachments:
        files_by_event.setdefault(item.event_id, []).append(item)
    return {
        "complaint": complaint,
        "forms": _action_forms(user, complaint, forms),
        "can_reveal": access.may_see_identity(user, complaint),
        "reveal_form": ConfirmForm(formdata=None),
        "identity": identity,
        "can_open_files": access.can_act(user, complaint, Action.ATTACHMENT),
        "files_by_event": files_by_event,
        "people": _people(complaint),
        "audit_entries": _audit_entries(user, complaint),
        "deadline_state": deadlines.state(complaint),
        "closed": complaint.status in CLOSED,
    }


def attachment_response(complaint: Complaint, attachment_id: int, *, by: User) -> Response:
    """The attachment's bytes with headers that keep the browser from running anything in it; audited."""
    query = sa.select(Attachment).where(Attachment.id == attachment_id, Attachment.complaint_id == complaint.id)
    item = db.session.scalar(query.options(undefer(Attachment.data)))
    if item is None:
        abort(404)
    record_audit(AuditAction.ATTACHMENT_VIEWED, complaint, by=by, detail=item.filename)
    disposition = "inline" if item.mimetype in INLINE_TYPES else "attachment"
    headers = {
        "Content-Disposition": f'{disposition}; filename="{item.filename}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        "Cache-Control": "no-store",
    }
    return Response(item.data, mimetype=item.mimetype, headers=headers)
