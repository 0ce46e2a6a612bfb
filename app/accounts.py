"""Staff account pages: user management for administrators, one's own password, and the audit log."""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from app import audit, throttle
from app import users as service
from app.audit import WBS_OBJECT, Action, AuditEntry
from app.auth import ROLE_LABELS, Permission, Role, User, permission_required
from app.directory import list_units
from app.errors import DomainError
from app.extensions import db
from app.passwords import MAX_PASSWORD_LENGTH

bp = Blueprint("accounts", __name__, url_prefix="/admin/pengguna")

AUDIT_PAGE_SIZE = 50
PASSWORD_HELP = _l("10-128 karakter; kalimat panjang lebih mudah diingat dan lebih kuat")
SAME_PASSWORD = _l("Kedua kata sandi tidak sama.")
NEW_PASSWORD = {"autocomplete": "new-password"}


def _unit_id(value) -> int | None:
    """Coerce the unit choice: '' is the whole office."""
    if value in (None, "", "None"):
        return None
    return int(value)


def _password_field(label) -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
                         description=PASSWORD_HELP, render_kw=NEW_PASSWORD)  # fmt: skip


def _again_field(other: str) -> PasswordField:
    return PasswordField(_l("Ulangi kata sandi"), validators=[DataRequired(), EqualTo(other, message=SAME_PASSWORD)],
                         render_kw=NEW_PASSWORD)  # fmt: skip


# Made before the profile fields, so that the new-account form asks for the login name first.
USERNAME_FIELD = StringField(
    _l("Nama pengguna"), validators=[DataRequired(), Length(max=80)], render_kw={"autocomplete": "off"}
)


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Nama lengkap"), validators=[Optional(), Length(max=200)])
    email = EmailField(
        _l("E-mail"), validators=[Optional(), Length(max=254)], description=_l("opsional; untuk pemberitahuan tugas")
    )
    role = SelectField(_l("Peran"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()])
    unit_id = SelectField(
        _l("Unit"), coerce=_unit_id, description=_l("wajib untuk petugas loket dan penanggung jawab unit")
    )


class NewUserForm(ProfileForm):
    username = USERNAME_FIELD
    password = _password_field(_l("Kata sandi awal"))
    password_again = _again_field("password")


class ResetPasswordForm(FlaskForm):
    password = _password_field(_l("Kata sandi baru"))
    password_again = _again_field("password")


class OwnPasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Kata sandi saat ini"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    password = _password_field(_l("Kata sandi baru"))
    password_again = _again_field("password")


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token."""


def _with_units(form: ProfileForm) -> ProfileForm:
    form.unit_id.choices = [SelectChoice("", _("Seluruh kantor"))] + [
        SelectChoice(str(u.id), u.name) for u in list_units()
    ]
    return form


def _show_errors(form: FlaskForm, exc: DomainError) -> None:
    """Put each message of a domain error on its form field, or flash it when it is about no field."""
    db.session.rollback()
    for message in exc.messages:
        target: Field | None = form._fields.get(message.field) if message.field else None
        if target is None:
            flash(str(message), "error")
        else:
            target.errors = [*target.errors, str(message)]


def _form(form: FlaskForm, *, title: str, status: int | None = None, **context):
    """An account form on the shared admin form page; "Batal" leads back to the account list for those who see it."""
    cancel = url_for("accounts.users") if current_user.can(Permission.MANAGE_USERS) else None
    status = status or (400 if form.is_submitted() else 200)
    return render_template("admin/form.html", form=form, title=title, cancel_url=cancel, **context), status


def _saved(message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("accounts.users"), code=303)


@bp.route("/")
@permission_required(Permission.MANAGE_USERS)
def users():
    """List every staff account."""
    return _list_page()


def _list_page(status: int = 200):
    units = {u.id: u for u in list_units()}
    return render_template("accounts/list.html", users=service.list_users(), units=units), status


@bp.route("/baru", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_USERS)
def new_user():
    """Create a staff account with a role, a unit scope and an initial password."""
    form = _with_units(NewUserForm())
    if form.validate_on_submit():
        try:
            user = service.add_user(by=current_user, username=form.username.data, password=form.password.data,
                                  full_name=form.full_name.data or "", email=form.email.data,
                                  role=Role(form.role.data), unit_id=form.unit_id.data)  # fmt: skip
        except DomainError as exc:
            _show_errors(form, exc)
        else:
            return _saved(_("Akun %(username)s dibuat.", username=user.username))
    return _form(form, title=_("Akun baru"))


def _user(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.route("/<int:user_id>/ubah", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_USERS)
def edit_user(user_id: int):
    """Change an account's name, e-mail, role or unit scope."""
    user = _user(user_id)
    form = _with_units(ProfileForm(obj=user, role=user.role.value))
    if form.validate_on_submit():
        try:
            changes = service.update_user(user, by=current_user, full_name=form.full_name.data or "",
                                          email=form.email.data, role=Role(form.role.data),
                                          unit_id=form.unit_id.data)  # fmt: skip
        except DomainError as exc:
            _show_errors(form, exc)
        else:
            done = _("Akun %(username)s disimpan.", username=user.username) if changes else _("Tidak ada perubahan.")
            return _saved(done)
    return _form(form, title=_("Ubah akun %(username)s", username=user.username), user=user)


def _set_active(user_id: int, active: bool):
    user = _user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.set_active(user, by=current_user, active=active)
    except DomainError as exc:
        _show_errors(ConfirmForm(), exc)
        return _list_page(400)
    done = _("Akun %(username)s diaktifkan.") if active else _("Akun %(username)s dinonaktifkan.")
    return _saved(done % {"username": user.username})


@bp.route("/<int:user_id>/nonaktifkan", methods=["POST"])
@permission_required(Permission.MANAGE_USERS)
def deactivate(user_id: int):
    """Deactivate an account (its sessions end at once); never the last active administrator."""
    return _set_active(user_id, False)


@bp.route("/<int:user_id>/aktifkan", methods=["POST"])
@permission_required(Permission.MANAGE_USERS)
def reactivate(user_id: int):
    """Reactivate an account."""
    return _set_active(user_id, True)


@bp.route("/<int:user_id>/sandi", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_USERS)
def reset_password(user_id: int):
    """Set a new password for an account (the administrator tells it to the person); its sessions end."""
    user = _user(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            service.reset_password(user, by=current_user, password=form.password.data)
        except DomainError as exc:
            _show_errors(form, exc)
        else:
            if user.id == current_user.id:
                login_user(user)  # keep this session: the new session version is stored in it
            return _saved(_("Kata sandi %(username)s diganti.", username=user.username))
    return _form(form, title=_("Atur ulang kata sandi %(username)s", username=user.username))


@bp.route("/sandi", methods=["GET", "POST"])
@login_required
def own_password():
    """Change one's own password: the current one, then the new one twice. Other sessions end."""
    form = OwnPasswordForm()
    if form.validate_on_submit():
        user, address = current_user._get_current_object(), request.remote_addr
        attempt = throttle.begin_attempt(user.username, address)  # counted before the check, as a login is
        db.session.commit()
        if attempt.wait is not None:
            flash(_("Terlalu banyak percobaan yang gagal. Coba lagi dalam %(seconds)d detik.",
                    seconds=throttle.retry_seconds(attempt.wait)), "error")  # fmt: skip
            return _form(form, title=_("Ganti kata sandi"), status=429)
        try:
            service.change_own_password(user, current=form.current_password.data, new=form.password.data)
        except DomainError as exc:
            _show_errors(form, exc)
            if form.current_password.errors:  # a wrong current password stays counted, and is logged, as a failed login
                audit.record(Action.LOGIN_FAILED, actor=user, object_type="user", object_id=user.id,
                             unit_id=user.unit_id, detail="own password page")  # fmt: skip
                current_app.logger.warning("Wrong current password for user id %s from %s", user.id, address)
            else:  # the current password was right: only the new one was refused
                throttle.record_success(attempt)
            db.session.commit()
        else:
            throttle.record_success(attempt)
            db.session.commit()
            login_user(user)  # this session continues with the new session version
            flash(_("Kata sandi Anda diganti. Sesi di perangkat lain sudah berakhir."), "success")
            return redirect(url_for("accounts.own_password"), code=303)
    return _form(form, title=_("Ganti kata sandi"))


def _audit_filters() -> tuple[Action | None, str]:
    """The action and actor filters of the audit page (400 on an unknown action)."""
    action = request.args.get("aksi", "")
    if action and action not in {a.value for a in Action}:
        abort(400)
    actor = request.args.get("pelaku", "").strip().lower()[:80]
    return (Action(action) if action else None), actor


@bp.route("/audit")
@permission_required(Permission.VIEW_AUDIT)
def audit_log():
    """The audit log, newest first, filtered by action and actor, 50 entries a page."""
    action, actor = _audit_filters()
    page = request.args.get("hal", "1")
    if not page.isascii() or not page.isdigit() or not 1 <= int(page) <= 100000:
        abort(400)
    query = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if actor:
        query = query.where(AuditEntry.actor_name == actor)
    if current_user.unit_id is not None:  # a unit-scoped reader sees only their unit's entries
        query = query.where(AuditEntry.unit_id == current_user.unit_id)
    if not current_user.can(Permission.WBS_HANDLE):  # nobody but WBS handlers learns of WBS reports
        query = query.where(AuditEntry.object_type != WBS_OBJECT)
    pagination = db.paginate(query, page=int(page), per_page=AUDIT_PAGE_SIZE, error_out=False, max_per_page=None)
    return render_template(
        "accounts/audit.html", pagination=pagination, actions=list(Action), action=action, actor=actor
    )
