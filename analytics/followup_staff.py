"""Staff pages of the follow-up plan (RTL): a unit's actions per published period, and one action's page.

Reading needs VIEW_RESULTS, every change PUBLISH_RESULTS (as publishing does), except that a complaint officer
(COMPLAINTS_TRIAGE) may also link and unlink complaints: linking needs to see them, and a publisher may not (only
complaints the officer may see can be linked; a page lists only those, never a reporter). A unit-scoped account
reaches only its unit (404). A broken rule or bad input re-renders the page with the message and a 400; nothing is
written then.

Every change is recorded in the audit log (the rows' own who/when columns keep only the last change): the action's
unit and id, its period and what changed, by ids and statuses only, never the plan's text or a reporter.
"""

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from analytics import data, followup, followup_progress
from analytics.followup_forms import AddForm, EvidenceForm, LinkForm, PlainForm, PlanFields, StatusForm
from analytics.followup_models import FollowUpAction, FollowUpEvidence, Source
from app import clock
from app.auth import Permission, permission_required
from app.directory import Unit
from app.errors import DomainError, flash_errors, show_errors
from app.extensions import db
from app.i18n import N_
from app.periods import Period, PeriodError, parse_period
from complaints import access
from complaints.models import Complaint, Stream
from complaints.workflow import STATUS_LABELS as COMPLAINT_STATUS_LABELS

bp = Blueprint("followup", __name__, url_prefix="/analitik/rtl")
LINKING = frozenset({"followup.link", "followup.unlink"})  # they see complaints: complaint officers may do these


@bp.before_request
@permission_required(Permission.VIEW_RESULTS)
def require_results_reader() -> None:
    """Every change needs PUBLISH_RESULTS (a complaint officer may also link complaints); a unit outside the
    account's scope is a 404."""
    if request.method != "GET" and not may_change(current_user, request.endpoint):
        abort(403)
    unit_id = (request.view_args or {}).get("unit_id")
    if unit_id is not None and not current_user.covers_unit(unit_id):
        abort(404)


def may_change(user, endpoint: str | None) -> bool:
    """Whether `user` may post to `endpoint`: a publisher anything, a complaint officer (re)linking complaints."""
    if user.can(Permission.PUBLISH_RESULTS):
        return True
    return endpoint in LINKING and user.can(Permission.COMPLAINTS_TRIAGE)


def _action(action_id: int) -> FollowUpAction:
    action = db.get_or_404(FollowUpAction, action_id)
    if not current_user.covers_unit(action.unit_id):
        abort(404)
    return action


def _period(unit: Unit, published: list[Period] | None = None):
    """The period asked for, or the unit's newest published one (None: nothing published)."""
    key = request.values.get("periode", "")[:40]
    if key:
        try:
            return parse_period(key)
        except PeriodError:
            abort(400)
    newest = data.unit_periods(unit.id) if published is None else published
    return newest[0] if newest else None


@bp.route("/units/<int:unit_id>")
def actions(unit_id: int):
    """A unit's follow-up actions of one published period, with the forms that propose and add actions."""
    return _unit_page(db.get_or_404(Unit, unit_id))


def _unit_page(unit: Unit, *, add_form: AddForm | None = None, status: int = 200):
    published = data.unit_periods(unit.id)  # read once: the list, the newest, the share
    period = _period(unit, published)
    items = followup.actions_of(unit.id, period.key) if period else []
    today = clock.today()
    return render_template(
        "analytics/followup_unit.html",
        unit=unit,
        period=period,
        published=published,
        is_published=period is not None and period.key in {p.key for p in published},
        items=items,
        evidence=followup_progress.evidence_counts([a.id for a in items]),
        today=today,
        share=followup_progress.followup_share(
            unit_id=unit.id, year=(period.start.year if period else today.year), today=today, published=published
        ),  # fmt: skip
        categories=followup_progress.complaint_category_counts(unit.id, period) if period else {},
        add_form=add_form or AddForm(formdata=None),
        propose_form=PlainForm(formdata=None),
        followup=followup,
    ), status


def _to_unit(unit_id: int, period_key: str):
    return redirect(url_for("followup.actions", unit_id=unit_id, periode=period_key), code=303)


@bp.route("/units/<int:unit_id>/usulkan", methods=["POST"])
def propose(unit_id: int):
    """Propose actions for the published period's weakest elements (nothing new when run again)."""
    unit = db.get_or_404(Unit, unit_id)
    period = _period(unit)
    if period is None or not PlainForm().validate_on_submit():
        abort(400)
    try:
        created = followup.propose_actions(unit=unit, period=period, by=current_user.username, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash_errors(exc)
        return _unit_page(unit, status=400)
    db.session.commit()
    flash(_("%(n)d tindak lanjut baru diusulkan.", n=len(created)), "success")
    return _to_unit(unit.id, period.key)


@bp.route("/units/<int:unit_id>/tambah", methods=["POST"])
def add(unit_id: int):
    """Add an action for a complaint category or a free one."""
    unit = db.get_or_404(Unit, unit_id)
    period = _period(unit)
    form = AddForm()
    if period is None:
        abort(400)
    try:
        if not form.validate_on_submit():
            raise _invalid(form)
        action = followup.add_action(unit=unit, period=period, source=Source(form.source.data),
                                     by=current_user.username, category=form.category.data or None,
                                     description=form.description.data, owner=form.owner.data,
                                     due_on=form.due_on.data, actor=current_user)  # fmt: skip
    except DomainError as exc:
        db.session.rollback()
        show_errors(exc, form)
        return _unit_page(unit, add_form=form, status=400)
    db.session.commit()
    flash(_("Tindak lanjut ditambahkan."), "success")
    return redirect(url_for("followup.action", action_id=action.id), code=303)


def _invalid(form) -> followup.FollowUpError:
    """A form that did not validate: its fields show their own errors; anything else (the CSRF token) as one
    message at the top."""
    if set(form.errors) <= set(form._fields) - {"csrf_token"}:
        return followup.FollowUpError()
    return followup.FollowUpError(N_("Permintaan tidak dapat diproses. Periksa isian Anda lalu coba lagi."))


@bp.route("/aksi/<int:action_id>")
def action(action_id: int):
    """One action: its plan, status, evidence and related complaints, with the forms that change them."""
    return _action_page(_action(action_id))


def _action_page(item: FollowUpAction, code: int = 200, **forms):
    visible, hidden = _linked(item)
    plan = forms.get("plan") or PlanFields(formdata=None, obj=item)
    status_form = forms.get("status") or StatusForm(formdata=None)
    status_form.status.choices = [c for c in status_form.status.choices if item.can_become(c.value)]
    return render_template(
        "analytics/followup_action.html",
        item=item,
        unit=db.session.get(Unit, item.unit_id),
        period=parse_period(item.period_key),
        today=clock.today(),
        followup=followup,
        plan_form=plan,
        status_form=status_form,
        evidence_form=forms.get("evidence") or EvidenceForm(formdata=None),
        link_form=forms.get("link") or LinkForm(formdata=None),
        plain_form=PlainForm(formdata=None),
        linked=visible,
        hidden_links=hidden,
        complaint_status=COMPLAINT_STATUS_LABELS,
        can_link=may_change(current_user, "followup.link"),
    ), code


def _linked(item: FollowUpAction) -> tuple[list[Complaint], int]:
    """The linked complaints this officer may see (no reporter is ever read), and how many others there are."""
    ids = [link.complaint_id for link in item.links]
    if not ids:
        return [], 0
    visible = list(
        db.session.scalars(
            sa.select(Complaint)
            .where(Complaint.id.in_(ids), access.visible_complaints(current_user, Stream.COMPLAINT))
            .order_by(Complaint.id)
        )
    )
    return visible, len(ids) - len(visible)


def _change(item: FollowUpAction, form, change, done: str, name: str):
    """Validate `form`, run `change` and commit; on a broken rule show the action page with a 400."""
    try:
        if not form.validate_on_submit():
            raise _invalid(form)
        change()
    except DomainError as exc:
        db.session.rollback()
        show_errors(exc, form)
        return _action_page(db.session.get(FollowUpAction, item.id), 400, **{name: form})
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("followup.action", action_id=item.id), code=303)


@bp.route("/aksi/<int:action_id>/ubah", methods=["POST"])
def edit(action_id: int):
    """Change an open action's description, owner and due date."""
    item, form = _action(action_id), PlanFields()

    def save():
        followup.edit_action(action=item, description=form.description.data, owner=form.owner.data,
                             due_on=form.due_on.data, by=current_user.username, actor=current_user)  # fmt: skip

    return _change(item, form, save, _("Rencana tindak lanjut disimpan."), "plan")


@bp.route("/aksi/<int:action_id>/status", methods=["POST"])
def change_status(action_id: int):
    """Move an action to another status (done with its completion date)."""
    item, form = _action(action_id), StatusForm()

    def move():
        followup.change_status(action=item, status=form.status.data, by=current_user.username, today=clock.today(),
                               done_on=form.done_on.data, actor=current_user)  # fmt: skip

    return _change(item, form, move, _("Status tindak lanjut diubah."), "status")


@bp.route("/aksi/<int:action_id>/bukti", methods=["POST"])
def upload_evidence(action_id: int):
    """Store an evidence file (photo or PDF), cleaned and re-encoded; anything else is refused."""
    item, form = _action(action_id), EvidenceForm()
    max_bytes = current_app.config["COMPLAINT_ATTACHMENT_MAX_BYTES"]

    def store():
        followup.attach_evidence(action=item, data=form.file.data.read(max_bytes + 1), by=current_user.username,
                                 max_bytes=max_bytes, actor=current_user)  # fmt: skip

    return _change(item, form, store, _("Bukti disimpan."), "evidence")


@bp.route("/bukti/<int:evidence_id>")
def evidence(evidence_id: int):
    """Serve an evidence file as a download."""
    item = db.get_or_404(FollowUpEvidence, evidence_id)
    if not current_user.covers_unit(item.action.unit_id):
        abort(404)
    headers = {"Content-Disposition": f'attachment; filename="{item.filename}"', "Cache-Control": "no-store",
               "X-Content-Type-Options": "nosniff"}  # fmt: skip
    return Response(item.data, mimetype=item.mimetype, headers=headers)


@bp.route("/aksi/<int:action_id>/pengaduan", methods=["POST"])
def link(action_id: int):
    """Relate a complaint the officer may see to the action (an unknown or hidden one is refused alike)."""
    item, form = _action(action_id), LinkForm()

    def link_it():
        complaint = _visible_complaint(form.complaint.data)
        followup.link_complaint(action=item, complaint=complaint, by=current_user.username, actor=current_user)

    return _change(item, form, link_it, _("Pengaduan dikaitkan."), "link")


def _visible_complaint(complaint_id: int | None) -> Complaint:
    complaint = db.session.scalar(
        sa.select(Complaint).where(Complaint.id == complaint_id,
                                   access.visible_complaints(current_user, Stream.COMPLAINT))
    )  # fmt: skip
    if complaint is None:
        raise followup.FollowUpError({"complaint": N_("Pengaduan tidak ditemukan.")})
    return complaint


@bp.route("/aksi/<int:action_id>/pengaduan/<int:complaint_id>/hapus", methods=["POST"])
def unlink(action_id: int, complaint_id: int):
    """Remove a complaint's link from the action."""
    item = _action(action_id)

    def unlink_it():
        _visible_complaint(complaint_id)  # a complaint hidden from this officer is not theirs to unlink either
        followup.unlink_complaint(action=item, complaint_id=complaint_id, by=current_user.username, actor=current_user)

    return _change(item, PlainForm(), unlink_it, _("Kaitan pengaduan dihapus."), "plain")
