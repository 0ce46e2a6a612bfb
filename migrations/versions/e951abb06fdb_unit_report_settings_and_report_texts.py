"""unit report settings (logo, head's name, NIP, position, city) and the report's foreword and closing texts

The settings have their own table, one row per unit, so the logo's bytes are never read with the units. The
texts are one row per unit and period; the unique constraint's prefix serves the unit's lookups.

Revision ID: e951abb06fdb
Revises: 2d3830b8ed8d
Create Date: 2026-11-28 23:23:55.286896

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e951abb06fdb'
down_revision = '2d3830b8ed8d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('period_key', sa.String(length=30), nullable=False),
    sa.Column('foreword', sa.Text(), nullable=False),
    sa.Column('closing', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_report_texts_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_texts')),
    sa.UniqueConstraint('unit_id', 'period_key', name='uq_report_texts_unit_period')
    )
    op.create_table('unit_report_settings',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('head_name', sa.String(length=200), nullable=False),
    sa.Column('head_nip', sa.String(length=18), nullable=False),
    sa.Column('head_position', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_report_settings_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_unit_report_settings'))
    )


def downgrade():
    op.drop_table('unit_report_settings')
    op.drop_table('report_texts')
