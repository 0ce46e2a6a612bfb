"""The audit log is append-only in the database itself, whichever way the schema was built."""

import pytest
import sqlalchemy as sa

from app import audit
from app.audit import Action, AuditEntry
from app.extensions import db


def test_entries_cannot_be_changed_or_deleted(app):
    entry = audit.record(Action.LOGIN_FAILED, actor_name="someone")
    db.session.commit()
    for statement in (sa.update(AuditEntry).values(detail="rewritten"), sa.delete(AuditEntry)):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.scalars(sa.select(AuditEntry.detail)).all() == [entry.detail]


def test_detail_is_capped_and_the_actor_name_kept(app):
    entry = audit.record(Action.EXPORT, actor_name="petugas", detail="x" * 500)
    assert len(entry.detail) == 200 and entry.actor_name == "petugas"


def test_a_database_error_never_carries_the_statement_values(app):
    """What the 500 handler logs: the error names the statement, never the values (text, e-mail, code hash)."""
    secret = "isi pengaduan rahasia"
    audit.record(Action.EXPORT, actor_name="petugas")
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError) as raised:
        db.session.execute(sa.update(AuditEntry).values(detail=secret))
    db.session.rollback()
    assert secret not in str(raised.value) and "hidden due to hide_parameters" in str(raised.value)
