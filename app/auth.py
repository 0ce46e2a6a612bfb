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
    """What a staff account may do (the full role model arrives with complaints)."""

    ADMIN = "admin"


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
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=lambda: datetime.now(UTC))

    @property
    def is_active(self) -> bool:
        return self.active

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


def create_user(*, username: str, password: str, full_name: str = "", role: Role = Role.ADMIN) -> User:
    """Add a staff account with an argon2id password hash. Flushes, does not commit."""
    username = username.strip().lower()
    if not username or len(username) > 80:
        raise AccountError(N_("Nama pengguna wajib diisi (maks. 80 karakter)."))
    check_password_policy(password)
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise AccountError(N_("Nama pengguna '%(username)s' sudah dipakai."), username=username)
    user = User(username=username, full_name=full_name.strip(), password_hash=_hasher.hash(password), role=role)
    db.session.add(user)
    db.session.flush()
    return user


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


def admin_required(view):
    """Allow only logged-in administrators."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.role != Role.ADMIN:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


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
