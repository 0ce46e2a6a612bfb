"""Import batches: pending uploads held for the preview, a fingerprint of the rows, cancellation

Revision ID: 1dd7126f8c71
Revises: cca068fe2051
Create Date: 2026-11-28 22:40:07.684339

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1dd7126f8c71'
down_revision = 'cca068fe2051'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rows_sha256', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('status', sa.Enum('pending', 'stored', 'cancelled', name='batchstatus', native_enum=False, length=20), server_default='stored', nullable=False))
        batch_op.add_column(sa.Column('service_column', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('u8_facilities', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('content', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by', sa.String(length=80), server_default='', nullable=False))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_by')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('content')
        batch_op.drop_column('u8_facilities')
        batch_op.drop_column('service_column')
        batch_op.drop_column('status')
        batch_op.drop_column('rows_sha256')

