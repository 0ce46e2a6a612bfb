"""Staff accounts, argon2id password hashing, and the login/logout pages."""

import enum
import functools
from datetime import UTC, datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.errors import DomainError
from app.extensions import db, limiter, login_manager
from app.i18n import N_

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
# Verified when the account is unknown, so a wrong username costs as much as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128


class Role(enum.StrEnum):
    """A staff account's job; what it may do is ROLE_PERMISSIONS[role], limited to its unit when it has one."""

    ADMIN = "admin"  # administrator: accounts, directory, audit log, and the survey and results pages
    LOKET = "loket"  # petugas loket: assisted survey entry, paper import, tokens and posters of their unit
    PENGADUAN = "pengaduan"  # petugas pengaduan: registers, verifies, routes, answers and closes complaints
    UNIT = "unit"  # penanggung jawab unit: sees and answers only complaints routed to their unit
    PIMPINAN = "pimpinan"  # office head: reads everything but anonymous and WBS reporters' identity
    PPID = "ppid"  # publishes SKM results and reports
    WBS = "wbs"  # WBS handler: the only role that sees whistle-blowing reports


class Permission(enum.StrEnum):
    """One thing a staff page or command may let a user do."""

    MANAGE_USERS = "manage_users"
    MANAGE_DIRECTORY = "manage_directory"
    VIEW_AUDIT = "view_audit"
    COUNTER_WORK = "counter_work"  # assisted entry, tokens, posters, paper import
    VIEW_RESULTS = "view_results"  # IKM dashboard and its downloads
    PUBLISH_RESULTS = "publish_results"  # population, publish, withdraw
    MANAGE_CALENDAR = "manage_calendar"  # office non-working days
    COMPLAINTS_TRIAGE = "complaints_triage"  # register, verify, reject, route, close, archive, link, reveal
    COMPLAINTS_ANSWER = "complaints_answer"  # answer and note complaints routed to one's unit
    COMPLAINTS_READ = "complaints_read"  # read every (non-WBS) complaint of one's scope
    WBS_HANDLE = "wbs_handle"  # everything on whistle-blowing reports


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {P.MANAGE_USERS, P.MANAGE_DIRECTORY, P.VIEW_AUDIT, P.COUNTER_WORK, P.VIEW_RESULTS, P.PUBLISH_RESULTS}
        | {P.MANAGE_CALENDAR}
    ),
    Role.LOKET: frozenset({P.COUNTER_WORK}),
    Role.PENGADUAN: frozenset(
        {P.COMPLAINTS_TRIAGE, P.COMPLAINTS_ANSWER, P.COMPLAINTS_READ, P.MANAGE_CALENDAR, P.VIEW_RESULTS}
    ),
    Role.UNIT: frozenset({P.COMPLAINTS_ANSWER}),
    Role.PIMPINAN: frozenset({P.VIEW_RESULTS, P.COMPLAINTS_READ}),
    Role.PPID: frozenset({P.VIEW_RESULTS, P.PUBLISH_RESULTS}),
    Role.WBS: frozenset({P.WBS_HANDLE}),
}
# Roles whose work is one unit's: an account of these roles must have a unit.
UNIT_ROLES = frozenset({Role.LOKET, Role.UNIT})


class User(UserMixin, db.Model):
    """A staff account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.ADMIN,
    )
    # None: the whole office (every unit); otherwise the account works for this unit only.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=lambda: datetime.now(UTC))

    @property
    def is_active(self) -> bool:
        return self.active

    def can(self, permission: Permission) -> bool:
        """Whether this account's role grants `permission` (unit scope is checked separately)."""
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())

    def covers_unit(self, unit_id: int | None) -> bool:
        """Whether this account's unit scope includes `unit_id` (an office-wide account covers every unit)."""
        return self.unit_id is None or self.unit_id == unit_id

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class AccountError(DomainError):
    """An account change that breaks a rule; the message is shown to the user."""


def check_password_policy(password: str) -> None:
    """Raise AccountError unless the password is 10-128 characters long."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError(
            N_("Kata sandi harus %(low)d-%(high)d karakter."), low=MIN_PASSWORD_LENGTH, high=MAX_PASSWORD_LENGTH
        )


def create_user(
    *, username: str, password: str, full_name: str = "", role: Role = Role.ADMIN, unit_id: int | None = None
) -> User:
    """Add a staff account with an argon2id password hash. Flushes, does not commit."""
    username = username.strip().lower()
    if not username or len(username) > 80:
        raise AccountError(N_("Nama pengguna wajib diisi (maks. 80 karakter)."))
    check_password_policy(password)
    role = Role(role)
    check_unit_scope(role, unit_id)
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise AccountError(N_("Nama pengguna '%(username)s' sudah dipakai."), username=username)
    user = User(
        username=username,
        full_name=full_name.strip(),
        password_hash=_hasher.hash(password),
        role=role,
        unit_id=unit_id,
    )
    db.session.add(user)
    db.session.flush()
    return user


def check_unit_scope(role: Role, unit_id: int | None) -> None:
    """Raise AccountError when a unit-bound role (petugas loket, penanggung jawab unit) has no unit."""
    if role in UNIT_ROLES and unit_id is None:
        raise AccountError(N_("Peran ini bekerja untuk satu unit: pilih unitnya."))


def authenticate(username: str, password: str) -> User | None:
    """Return the active user whose password matches, rehashing old parameters."""
    user = db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def permission_required(*permissions: Permission):
    """Allow only logged-in users whose role grants at least one of `permissions` (403 otherwise)."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(current_user.can(p) for p in permissions):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def admin_required(view):
    """Allow only logged-in administrators."""
    return permission_required(Permission.MANAGE_USERS)(view)


class LoginForm(FlaskForm):
    username = StringField(_l("Nama pengguna"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])


bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log a staff member in."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            db.session.commit()  # a rehashed password is saved
            login_user(user)
            current_app.logger.info("Login ok for user id %s", user.id)
            return redirect(_safe_next() or url_for("admin.index"))
        current_app.logger.warning("Login failed from %s", request.remote_addr)
        flash(_("Nama pengguna atau kata sandi salah."), "error")
        return render_template("auth/login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


def _safe_next() -> str | None:
    """Return ?next= only when it is a path on this site (no open redirect)."""
    target = request.args.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out (POST, so a link on another site cannot do it)."""
    logout_user()
    return redirect(url_for("main.index"))


def init_app(app) -> None:
    """Configure the login manager's messages and login page."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Silakan masuk terlebih dahulu.")
    login_manager.session_protection = "strong"
