"""The append-only audit log: who did what, when, to which object (never passwords, codes or complaint text)."""

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Action(enum.StrEnum):
    """What an audit entry records."""

    LOGIN_OK = "login_ok"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    USER_CREATED = "user_created"
    USER_CHANGED = "user_changed"  # role, unit, name, active
    PASSWORD_RESET = "password_reset"  # by an administrator
    PASSWORD_CHANGED = "password_changed"  # by the account itself
    COMPLAINT_CREATED = "complaint_created"
    COMPLAINT_TRANSITION = "complaint_transition"
    COMPLAINT_ASSIGNED = "complaint_assigned"
    COMPLAINT_RESPONDED = "complaint_responded"
    COMPLAINT_NOTE = "complaint_note"
    COMPLAINT_LINKED = "complaint_linked"
    COMPLAINT_ESCALATED = "complaint_escalated"
    IDENTITY_REVEALED = "identity_revealed"
    ATTACHMENT_VIEWED = "attachment_viewed"
    EXPORT = "export"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    AUTO_PUBLISH_SET = "auto_publish_set"  # the monthly job publishes each closed month: "on" or "off"
    OFFICE_DAY_ADDED = "office_day_added"
    KIOSK_REGISTERED = "kiosk_registered"
    KIOSK_SWITCHED_OFF = "kiosk_switched_off"
    SUGGESTION_HIDDEN = "suggestion_hidden"  # kept out of the printed report
    SUGGESTION_SHOWN = "suggestion_shown"
    # The follow-up plan (RTL, analytics.followup): one entry per action changed, "<period>; <what>" in the detail.
    FOLLOWUP_PROPOSED = "followup_proposed"  # from a weakest element of the published period
    FOLLOWUP_ADDED = "followup_added"  # for a complaint category, or a free one
    FOLLOWUP_EDITED = "followup_edited"  # the names of the fields changed, never their text
    FOLLOWUP_STATUS = "followup_status"  # "diusulkan -> direncanakan"
    FOLLOWUP_EVIDENCE = "followup_evidence"  # the file's id and sha256 prefix
    FOLLOWUP_COMPLAINT_LINKED = "followup_complaint_linked"
    FOLLOWUP_COMPLAINT_UNLINKED = "followup_complaint_unlinked"
    MONITORING_SAVED = "monitoring_saved"  # a monitoring-and-evaluation record of complaint or WBS handling


# The object type of whistle-blowing reports: their entries are shown only to WBS handlers (they would say which
# unit is under investigation and when a reporter was identified).
WBS_OBJECT = "wbs"


class AuditEntry(db.Model):
    """One audited event. Rows are only ever inserted (on PostgreSQL a trigger refuses UPDATE and DELETE)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=lambda: datetime.now(UTC), index=True)
    # The account that acted (None: a citizen, the system or an unknown login name); the name is kept as it was.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    actor_name: Mapped[str] = mapped_column(sa.String(80), default="")
    action: Mapped[Action] = mapped_column(
        sa.Enum(Action, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])
    )
    object_type: Mapped[str] = mapped_column(sa.String(40), default="")  # "complaint", "user", "publication", ...
    object_id: Mapped[int | None]
    # The unit the object belongs to, so a unit's staff can be shown exactly their unit's entries.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    # Short, fixed vocabulary (a status change "verified -> routed", a role name); never free text from users.
    detail: Mapped[str] = mapped_column(sa.String(200), default="")

    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id"),)


# Append-only below the application too: the database refuses to change or delete an entry.
APPEND_ONLY_DDL = {
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    ),
    "sqlite": (
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    ),
}


def _install_append_only(target, connection, **_kw) -> None:
    """Create the triggers with the table (db.create_all); the migration creates the same ones."""
    for statement in APPEND_ONLY_DDL.get(connection.dialect.name, ()):
        connection.execute(sa.text(statement))


sa.event.listen(AuditEntry.__table__, "after_create", _install_append_only)


def record(
    action: Action,
    *,
    actor=None,
    actor_name: str = "",
    object_type: str = "",
    object_id: int | None = None,
    unit_id: int | None = None,
    detail: str = "",
) -> AuditEntry:
    """Append one audit entry. `actor` is a User or None. Flushes, does not commit."""
    entry = AuditEntry(
        action=Action(action),
        actor_id=getattr(actor, "id", None),
        actor_name=(getattr(actor, "username", None) or actor_name)[:80],
        object_type=object_type,
        object_id=object_id,
        unit_id=unit_id,
        detail=detail[:200],
    )
    db.session.add(entry)
    db.session.flush()
    return entry
