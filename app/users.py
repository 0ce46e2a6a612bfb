"""Account changes by administrators and by the account itself, every one audited. Flush-only services."""

import sqlalchemy as sa

from app import audit
from app.audit import Action
from app.auth import (
    AccountError,
    Role,
    User,
    check_password_policy,
    check_unit_scope,
    create_user,
    normalise_email,
)
from app.extensions import db
from app.i18n import N_
from app.passwords import hash_password, verify_password

LAST_ADMIN = N_(
    "Ini administrator aktif terakhir: akun ini tidak dapat dinonaktifkan atau diganti perannya. Jadikan akun lain "
    "administrator terlebih dahulu."
)


def _audit(action: Action, user: User, *, by: User | None, detail: str = "") -> None:
    audit.record(action, actor=by, object_type="user", object_id=user.id, unit_id=user.unit_id, detail=detail)


def _unit_code(unit_id: int | None) -> str:
    from app.directory import Unit

    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    return unit.slug if unit is not None else "-"


def _guard_last_admin(user: User, *, role: Role, active: bool) -> None:
    """Refuse a change that would leave the office without an active administrator.

    The active administrators are written to first (a no-op UPDATE), which takes SQLite's write lock or the rows'
    locks on PostgreSQL before they are counted: two administrators demoting each other at the same moment cannot
    both succeed (a SELECT ... FOR UPDATE alone locks nothing on SQLite).
    """
    if user.role != Role.ADMIN or not user.active or (role == Role.ADMIN and active):
        return
    admins = (User.role == Role.ADMIN, User.active.is_(True))
    db.session.execute(
        sa.update(User).where(*admins).values(role=User.role).execution_options(synchronize_session=False)
    )
    query = sa.select(User.id).where(*admins)
    if not [ident for ident in db.session.scalars(query) if ident != user.id]:
        raise AccountError(LAST_ADMIN)


def add_user(
    *, by: User | None, username: str, password: str, full_name: str, email: str | None, role: Role, unit_id: int | None
) -> User:
    """Create an account (audited as USER_CREATED with its role and unit). Flushes."""
    user = create_user(
        username=username, password=password, full_name=full_name, email=email, role=role, unit_id=unit_id
    )
    _audit(Action.USER_CREATED, user, by=by, detail=f"role: {user.role.value}; unit: {_unit_code(user.unit_id)}")
    return user


def update_user(
    user: User, *, by: User | None, full_name: str, email: str | None, role: Role, unit_id: int | None
) -> list[str]:
    """Change an account's name, e-mail, role or unit; return the changes (also the audit detail). Flushes."""
    role = Role(role)
    check_unit_scope(role, unit_id)
    email = normalise_email(email)
    full_name = (full_name or "").strip()[:200]
    changes = []
    if user.role != role:
        changes.append(f"role: {user.role.value} -> {role.value}")
    if user.unit_id != unit_id:
        changes.append(f"unit: {_unit_code(user.unit_id)} -> {_unit_code(unit_id)}")
    if user.full_name != full_name:
        changes.append("name")
    if user.email != email:
        changes.append("email")
    if not changes:
        return []
    _guard_last_admin(user, role=role, active=user.active)
    user.role, user.unit_id, user.full_name, user.email = role, unit_id, full_name, email
    db.session.flush()
    _audit(Action.USER_CHANGED, user, by=by, detail="; ".join(changes))
    return changes


def set_active(user: User, *, by: User | None, active: bool) -> bool:
    """Deactivate (ending its sessions) or reactivate an account; return whether it changed. Flushes."""
    if user.active == active:
        return False
    _guard_last_admin(user, role=user.role, active=active)
    user.active = active
    if not active:
        user.session_version += 1
    db.session.flush()
    _audit(Action.USER_CHANGED, user, by=by, detail="active: no -> yes" if active else "active: yes -> no")
    return True


def reset_password(user: User, *, by: User | None, password: str) -> None:
    """Set a new password chosen by an administrator; every session of the account ends. Flushes."""
    check_password_policy(password, username=user.username)
    user.password_hash = hash_password(password)
    user.session_version += 1
    db.session.flush()
    _audit(Action.PASSWORD_RESET, user, by=by)


def change_own_password(user: User, *, current: str, new: str) -> None:
    """Change one's own password after checking the current one; other sessions end. Flushes."""
    if not verify_password(user.password_hash, current):
        raise AccountError({"current_password": N_("Kata sandi saat ini salah.")})
    if new == current:
        raise AccountError({"password": N_("Kata sandi baru harus berbeda dari yang lama.")})
    check_password_policy(new, username=user.username)
    user.password_hash = hash_password(new)
    user.session_version += 1
    db.session.flush()
    _audit(Action.PASSWORD_CHANGED, user, by=user)


def list_users() -> list[User]:
    """Every account, active first, then by name."""
    return list(db.session.scalars(sa.select(User).order_by(User.active.desc(), User.username)))
