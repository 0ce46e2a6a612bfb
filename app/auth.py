"""Staff accounts, roles and permissions, and the login/logout pages (throttled, audited)."""

import enum
import functools
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app import audit, staff_session, throttle
from app.errors import DomainError
from app.extensions import db, limiter, login_manager
from app.i18n import N_
from app.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PasswordError,
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from app.text import ascii_int, clean

__all__ = ["MAX_PASSWORD_LENGTH", "MIN_PASSWORD_LENGTH", "PasswordError", "check_password_policy"]

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
BAD_USERNAME = N_(
    "Nama pengguna wajib diisi: huruf kecil, angka, titik, garis bawah atau tanda hubung (maks. 80 karakter)."
)


class Role(enum.StrEnum):
    """A staff account's job; what it may do is ROLE_PERMISSIONS[role], limited to its unit when it has one."""

    ADMIN = "admin"  # administrator: accounts, directory, audit log, and the survey and results pages
    LOKET = "loket"  # petugas loket: assisted survey entry, paper import, tokens and posters of their unit
    PENGADUAN = "pengaduan"  # petugas pengaduan: registers, verifies, routes, answers and closes complaints
    UNIT = "unit"  # penanggung jawab unit: sees and answers only complaints routed to their unit
    PIMPINAN = "pimpinan"  # office head: reads everything but anonymous and WBS reporters' identity
    PPID = "ppid"  # publishes SKM results and reports
    WBS = "wbs"  # WBS handler: the only role that sees whistle-blowing reports


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.LOKET: _l("Petugas loket"),
    Role.PENGADUAN: _l("Petugas pengaduan"),
    Role.UNIT: _l("Penanggung jawab unit"),
    Role.PIMPINAN: _l("Pimpinan"),
    Role.PPID: _l("PPID"),
    Role.WBS: _l("Penangan WBS"),
}


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
# Roles that work for the whole office: an account of these roles has no unit.
OFFICE_ROLES = frozenset({Role.ADMIN})


class User(UserMixin, db.Model):
    """A staff account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    # Optional, for notifications (assignments, escalations); never shown to citizens.
    email: Mapped[str | None] = mapped_column(sa.String(254))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.ADMIN,
    )
    # None: the whole office (every unit); otherwise the account works for this unit only.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the id kept in the session: raising it (new password, deactivation) ends every existing session.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=lambda: datetime.now(UTC))

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """The session's user id: the row id and the session version."""
        return f"{self.id}:{self.session_version}"

    def can(self, permission: Permission) -> bool:
        """Whether this account's role grants `permission` (unit scope is checked separately)."""
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())

    def covers_unit(self, unit_id: int | None) -> bool:
        """Whether this account's unit scope includes `unit_id` (an office-wide account covers every unit)."""
        return self.unit_id is None or self.unit_id == unit_id

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role))

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class AccountError(DomainError):
    """An account change that breaks a rule; the message is shown to the user."""


def normalise_username(username: str) -> str:
    """Return the stored form of a login name (lower case), or raise AccountError."""
    username = (username or "").strip().lower()
    if not USERNAME_RE.match(username):
        raise AccountError({"username": BAD_USERNAME})
    return username


def normalise_email(email: str | None) -> str | None:
    """Return an e-mail address in lower case, None when empty, or raise AccountError."""
    email = (email or "").strip().lower()
    if not email:
        return None
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise AccountError({"email": N_("Alamat e-mail tidak valid.")})
    return email


def check_unit_scope(role: Role, unit_id: int | None) -> None:
    """Raise AccountError when a unit-bound role has no unit, an office-wide role has one, or the unit is unknown."""
    from app.directory import Unit

    if role in UNIT_ROLES and unit_id is None:
        raise AccountError({"unit_id": N_("Peran ini bekerja untuk satu unit: pilih unitnya.")})
    if role in OFFICE_ROLES and unit_id is not None:
        raise AccountError({"unit_id": N_("Administrator bekerja untuk seluruh kantor: kosongkan unitnya.")})
    if unit_id is not None and db.session.get(Unit, unit_id) is None:
        raise AccountError({"unit_id": N_("Unit tidak dikenal.")})


def create_user(
    *,
    username: str,
    password: str,
    full_name: str = "",
    role: Role = Role.ADMIN,
    unit_id: int | None = None,
    email: str | None = None,
) -> User:
    """Add a staff account with an argon2id password hash. Flushes, does not commit."""
    username = normalise_username(username)
    check_password_policy(password, username=username)
    role = Role(role)
    check_unit_scope(role, unit_id)
    email = normalise_email(email)
    if find_user(username) is not None:
        raise AccountError({"username": N_("Nama pengguna '%(username)s' sudah dipakai.")}, username=username)
    user = User(
        username=username,
        full_name=full_name.strip()[:200],
        email=email,
        password_hash=hash_password(password),
        role=role,
        unit_id=unit_id,
    )
    db.session.add(user)
    db.session.flush()
    return user


def find_user(username: str) -> User | None:
    """The account with this login name (any case), active or not."""
    return db.session.scalar(sa.select(User).where(User.username == (username or "").strip().lower()))


def authenticate(username: str, password: str) -> User | None:
    """Return the active user whose password matches, rehashing old parameters."""
    user = find_user(username)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The active user whose id and session version match the session's (a stale version logs out)."""
    raw_id, _sep, raw_version = session_id.partition(":")
    user_id, version = ascii_int(raw_id), ascii_int(raw_version)
    if user_id is None or version is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


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


def role_users(role: Role, unit_id: int | None) -> list[User]:
    """Active accounts of `role` whose scope covers `unit_id` (office-wide accounts cover every unit)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.active.is_(True), User.role == role, sa.or_(User.unit_id.is_(None), User.unit_id == unit_id))
            .order_by(User.id)
        )
    )


def abort_unless_unit_in_scope() -> None:
    """404 when the URL names a unit (``unit_id``) that the logged-in account does not cover."""
    unit_id = (request.view_args or {}).get("unit_id")
    if unit_id is not None and not current_user.covers_unit(unit_id):
        abort(404)


# The first page a role can use, in this order; complaint pages only when their blueprint provides them.
HOME_PAGES: tuple[tuple[tuple[Permission, ...], str], ...] = (
    ((P.MANAGE_DIRECTORY,), "admin.index"),
    ((P.COMPLAINTS_TRIAGE, P.COMPLAINTS_ANSWER, P.COMPLAINTS_READ), "complaints_staff.inbox"),
    ((P.WBS_HANDLE,), "wbs_staff.inbox"),
    ((P.VIEW_RESULTS,), "analytics.dashboard"),
    ((P.COUNTER_WORK,), "admin.counters"),
)


def home_url(user: User) -> str:
    """The staff home of an account: the first page its role may use (one's own password page at worst)."""
    for permissions, endpoint in HOME_PAGES:
        if endpoint in current_app.view_functions and any(user.can(p) for p in permissions):
            return url_for(endpoint)
    return url_for("accounts.own_password")


class LoginForm(FlaskForm):
    username = StringField(_l("Nama pengguna"), validators=[DataRequired(), Length(max=80)], filters=[clean])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])


bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log a staff member in, unless this account and address must still wait after failed attempts."""
    form = LoginForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("auth/login.html", form=form), status
    username, address = form.username.data, request.remote_addr
    attempt = throttle.begin_attempt(username, address)
    db.session.commit()  # counted, as a failure, before the slow check: parallel guesses find it
    if attempt.wait is not None:
        return _throttled(form, attempt.wait)
    user = authenticate(username, form.password.data)
    if user is None:
        return _failed(form, username, address)
    throttle.record_success(attempt)
    audit.record(audit.Action.LOGIN_OK, actor=user, object_type="user", object_id=user.id, unit_id=user.unit_id)
    db.session.commit()  # the audit entry, a cleared counter and a rehashed password are saved
    session.clear()  # a fresh session for the logged-in user (no fixation)
    login_user(user)
    current_app.logger.info("Login ok for user id %s", user.id)
    return redirect(_safe_next() or home_url(user))


def _throttled(form: LoginForm, wait):
    """429 without checking the password: say when the next attempt will be looked at."""
    seconds = throttle.retry_seconds(wait)
    current_app.logger.warning("Login attempt throttled from %s (%d s left)", request.remote_addr, seconds)
    when = format_datetime(throttle.utcnow() + wait, "HH:mm:ss")
    flash(
        _("Terlalu banyak percobaan masuk yang gagal. Coba lagi setelah pukul %(when)s (sekitar %(seconds)d detik "
          "lagi).", when=when, seconds=seconds),
        "error",
    )  # fmt: skip
    response = current_app.make_response((render_template("auth/login.html", form=form), 429))
    response.headers["Retry-After"] = str(seconds)
    return response


def _failed(form: LoginForm, username: str, address: str | None):
    """401: audit the failure (with the account only when the name is an existing account's); it was counted."""
    known = find_user(username)
    audit.record(
        audit.Action.LOGIN_FAILED,
        actor=known,
        object_type="user" if known else "",
        object_id=known.id if known else None,
        unit_id=known.unit_id if known else None,
    )
    db.session.commit()
    if known is not None:
        current_app.logger.warning("Login failed for user id %s from %s", known.id, address)
    else:
        current_app.logger.warning("Login failed for an unknown account from %s", address)
    flash(_("Nama pengguna atau kata sandi salah."), "error")
    return render_template("auth/login.html", form=form), 401


def _safe_next() -> str | None:
    """Return ?next= only when it is a path on this site (no open redirect)."""
    target = request.args.get("next", "")
    if any(ch <= " " or ch == "\x7f" for ch in target):  # browsers drop tabs and newlines: "/\t/evil" is "//evil"
        return None
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return None


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out (POST, so a link on another site cannot do it)."""
    if current_user.is_authenticated:
        audit.record(audit.Action.LOGOUT, actor=current_user, object_type="user", object_id=current_user.id)
        staff_session.end_everywhere(current_user)  # a copied session cookie stops working too
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("main.index"))


def init_app(app) -> None:
    """Configure the login manager and give templates `Permission` and `has_endpoint` for the staff menu."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Silakan masuk terlebih dahulu.")
    login_manager.session_protection = "strong"

    @app.context_processor
    def staff_menu() -> dict:
        return {"Permission": Permission, "has_endpoint": lambda name: name in app.view_functions}
