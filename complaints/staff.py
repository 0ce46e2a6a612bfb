"""Staff pages of complaints: the officers' inbox, a complaint's page and its actions; the WBS handlers' pages.

Every view is registered on both blueprints and reads its stream from the blueprint it was reached through, so
the WBS pages are the complaint pages with stream WBS. Every decision about who may see or do what is asked of
complaints.access; the workflow decides which actions are legal now; complaints.service does the work.
"""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app.errors import DomainError
from app.extensions import db, login_manager
from complaints import access
from complaints.access import Action
from complaints.models import Complaint, Stream
from complaints.staff_forms import ConfirmForm, FilterForm, RegisterForm, template_labels, upload_limit_text
from complaints.staff_inbox import filters_from, inbox_page
from complaints.staff_pages import (
    ACTION_FORMS,
    DONE_MESSAGES,
    applicable,
    attachment_response,
    detail_context,
    fill_register_choices,
    fill_route_choices,
    perform,
    show_errors,
    unit_choices,
)
from complaints.workflow import STATUS_LABELS

bp = Blueprint("complaints_staff", __name__, url_prefix="/admin/pengaduan")
wbs_bp = Blueprint("wbs_staff", __name__, url_prefix="/admin/wbs")
STREAMS = {bp.name: Stream.COMPLAINT, wbs_bp.name: Stream.WBS}
RECEIPT_KEY = "complaint_receipt"  # the tracking code of a report just registered, shown once
FORM_ACTIONS = ",".join(action.value for action in ACTION_FORMS)


def _route(rule: str, **options):
    """Register one view on the complaint pages and on the WBS pages."""

    def decorator(view):
        for blueprint in (bp, wbs_bp):
            blueprint.add_url_rule(rule, view_func=view, **options)
        return view

    return decorator


@bp.before_request
@wbs_bp.before_request
def require_login():
    """Every page here is for logged-in staff; what each may see is decided per page by complaints.access."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.context_processor
@wbs_bp.context_processor
def labels() -> dict:
    """Label helpers (status, channel, step, event, audit action) for the templates."""
    return template_labels()


def _stream() -> Stream:
    return STREAMS[request.blueprint]


def _endpoint(name: str) -> str:
    return f"{request.blueprint}.{name}"


def _user():
    return current_user._get_current_object()


def _load(complaint_id: int) -> Complaint:
    """The report with everything its page shows, or 404 when the user may not see it."""
    options = (
        joinedload(Complaint.unit),
        joinedload(Complaint.assigned_unit),
        joinedload(Complaint.service),
        joinedload(Complaint.duplicate_of),
        selectinload(Complaint.events),
        selectinload(Complaint.attachments),
    )
    return access.get_or_404(_user(), complaint_id, _stream(), options=options)


def _detail(complaint: Complaint, *, forms=None, identity=None, status: int = 200):
    context = detail_context(_user(), complaint, forms=forms or {}, identity=identity)
    return render_template("complaints/staff/detail.html", ep=request.blueprint, **context), status


@_route("/")
def inbox():
    """The reports the user may see, newest first, with filters, title search and pages."""
    stream = _stream()
    if not access.can_open_inbox(_user(), stream):
        abort(403)
    form = FilterForm(formdata=request.args)
    form.unit.choices = unit_choices(blank=_("Semua"))
    form.validate()
    filters = filters_from({name: f.data for name, f in form._fields.items() if not f.errors})
    page = inbox_page(_user(), stream, filters)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "complaints/staff/inbox.html",
        ep=request.blueprint,
        stream=stream,
        form=form,
        page=page,
        args=args,
        can_register=access.can_register(_user(), stream),
    )


@_route("/baru", methods=["GET", "POST"])
def new():
    """Register a report that came through another channel; the tracking code is shown once afterwards."""
    stream = _stream()
    if not access.can_register(_user(), stream):
        abort(403)
    form = RegisterForm()
    fill_register_choices(form, _user())
    form.attachments.description = upload_limit_text()
    if form.validate_on_submit():
        from complaints import service

        try:
            complaint, code = service.file_complaint(stream=stream, registered_by=_user(), **_filed(form))
        except DomainError as exc:
            db.session.rollback()
            show_errors(form, exc)
        else:
            db.session.commit()
            session[RECEIPT_KEY] = {"id": complaint.id, "code": code}
            return redirect(url_for(_endpoint("receipt"), complaint_id=complaint.id), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("complaints/staff/new.html", ep=request.blueprint, stream=stream, form=form), status


def _filed(form: RegisterForm) -> dict:
    """The register form's values as file_complaint's keyword arguments."""
    names = ("channel", "lapor_id", "classification", "title", "description", "event_date", "reported_party",
             "requested_resolution", "anonymous", "confidential", "name", "email", "phone")  # fmt: skip
    values = {name: form[name].data for name in names}
    values.update(unit_id=form.unit.data, service_id=form.service.data, element=form.element.data or None)
    return {**values, "attachments": form.attachments.clean}


@_route("/<int:complaint_id>/tanda-terima")
def receipt(complaint_id: int):
    """Show the tracking code of a report just registered, once, so the officer can give it to the reporter."""
    complaint = access.get_or_404(_user(), complaint_id, _stream())
    data = session.pop(RECEIPT_KEY, None)
    if not data or data.get("id") != complaint.id:
        return redirect(url_for(_endpoint("detail"), complaint_id=complaint.id))
    return render_template("complaints/staff/receipt.html", ep=request.blueprint, complaint=complaint,
                           code=data["code"])  # fmt: skip


@_route("/<int:complaint_id>")
def detail(complaint_id: int):
    """A report, its history, attachments, deadlines, audit entries and the actions the user may take."""
    return _detail(_load(complaint_id))


@_route(f"/<int:complaint_id>/<any({FORM_ACTIONS}):action>", methods=["POST"])
def act(complaint_id: int, action: str):
    """Do one action on a report (verify, reject, duplicate, route, respond, note, close, archive)."""
    action = Action(action)
    complaint = _load(complaint_id)
    if not access.can_act(_user(), complaint, action):
        abort(403)
    if not applicable(action, complaint.status):
        flash(_("Tindakan ini tidak dapat dilakukan pada laporan berstatus %(status)s.",
                status=_(STATUS_LABELS[complaint.status])), "error")  # fmt: skip
        return _detail(complaint, status=400)
    form = ACTION_FORMS[action](prefix=action.value)
    if action is Action.ROUTE:
        fill_route_choices(form, complaint.stream)
    if not form.validate_on_submit():
        return _detail(complaint, forms={action: form}, status=400)
    try:
        perform(action, complaint, form, by=_user())
    except DomainError as exc:
        db.session.rollback()
        show_errors(form, exc)
        return _detail(complaint, forms={action: form}, status=400)
    db.session.commit()
    flash(str(DONE_MESSAGES[action]), "success")
    return redirect(url_for(_endpoint("detail"), complaint_id=complaint.id), 303)


@_route("/<int:complaint_id>/identitas", methods=["POST"])
def reveal(complaint_id: int):
    """Show the reporter's identity on this response only, after auditing that it was revealed."""
    from complaints import service

    complaint = _load(complaint_id)
    if not access.may_see_identity(_user(), complaint):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    reporter = service.reveal_identity(complaint, by=_user())
    identity = {"name": reporter.name, "email": reporter.email, "phone": reporter.phone} if reporter else {}
    db.session.commit()
    return _detail(complaint, identity=identity)


@_route("/<int:complaint_id>/lampiran/<int:attachment_id>")
def attachment(complaint_id: int, attachment_id: int) -> Response:
    """Serve an attachment to those allowed, as a download (pictures inline), audited."""
    complaint = _load(complaint_id)
    if not access.can_act(_user(), complaint, Action.ATTACHMENT):
        abort(404)
    response = attachment_response(complaint, attachment_id, by=_user())
    db.session.commit()
    return response
