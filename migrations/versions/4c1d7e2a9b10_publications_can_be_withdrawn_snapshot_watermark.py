"""publications can be withdrawn (who, when, why); one in force per unit and period; snapshot watermark

Revision ID: 4c1d7e2a9b10
Revises: 8905b3ce87a0
Create Date: 2026-11-28 09:40:00

A withdrawn publication stays as the record, so the unique constraint on (unit, period) becomes a partial
unique index over the publications in force. Snapshots written before this revision get the watermark that
fixes their respondent set: the highest id of the unit's responses stored up to the moment of publication.
"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c1d7e2a9b10'
down_revision = '8905b3ce87a0'
branch_labels = None
depends_on = None

CURRENT = sa.text("withdrawn_at IS NULL")


def upgrade():
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_reason', sa.Text(), nullable=True))
        batch_op.drop_constraint('uq_publications_unit_period', type_='unique')
    op.create_index('uq_publications_current_unit_period', 'publications', ['unit_id', 'period_key'], unique=True,
                    sqlite_where=CURRENT, postgresql_where=CURRENT)
    _add_watermarks()


def _add_watermarks():
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, unit_id, published_at, snapshot FROM publications")).all()
    for pub_id, unit_id, published_at, snapshot in rows:
        data = json.loads(snapshot) if isinstance(snapshot, str) else dict(snapshot)
        if data.get("watermark") is not None:
            continue
        data["watermark"] = conn.execute(
            sa.text("SELECT COALESCE(MAX(id), 0) FROM responses WHERE unit_id = :u AND submitted_at <= :t"),
            {"u": unit_id, "t": published_at},
        ).scalar()
        conn.execute(sa.text("UPDATE publications SET snapshot = :s WHERE id = :i"),
                     {"s": json.dumps(data), "i": pub_id})


def downgrade():
    op.execute("DELETE FROM publications WHERE withdrawn_at IS NOT NULL")
    op.drop_index('uq_publications_current_unit_period', table_name='publications',
                  sqlite_where=CURRENT, postgresql_where=CURRENT)
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_publications_unit_period', ['unit_id', 'period_key'])
        batch_op.drop_column('withdrawal_reason')
        batch_op.drop_column('withdrawn_by')
        batch_op.drop_column('withdrawn_at')
