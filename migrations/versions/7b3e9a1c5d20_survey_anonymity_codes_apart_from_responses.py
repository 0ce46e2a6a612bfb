"""Survey anonymity: responses keep no time, device or token; one-time codes live apart, unlinked

Responses lose submitted_at (the survey date stays), device_hash and token_hash. One-time codes move to
survey_token_batches (which codes of a printing were used, as one character each, never when or by whom) and
survey_tokens (a keyed hash of each code and its place). Links printed before this revision stop working: they
carried a signed token of the old kind, which no longer exists. The anti-stuffing log (one row per answer, to the
microsecond) becomes survey_stuffing_counts: counts per key and per half-window bucket.

Revision ID: 7b3e9a1c5d20
Revises: f51d4cd03040
Create Date: 2026-11-28 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '7b3e9a1c5d20'
down_revision = 'f51d4cd03040'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_token_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('spent', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_survey_token_batches_counter_id_counters'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_token_batches'))
    )
    with op.batch_alter_table('survey_token_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_token_batches_counter_id'), ['counter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_token_batches_expires_on'), ['expires_on'], unique=False)

    op.create_table('survey_tokens',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['survey_token_batches.id'],
                            name=op.f('fk_survey_tokens_batch_id_survey_token_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_survey_tokens'))
    )
    with op.batch_alter_table('survey_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_tokens_batch_id'), ['batch_id'], unique=False)

    op.create_table('survey_stuffing_counts',
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('bucket_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'key_hash', 'bucket_start', name=op.f('pk_survey_stuffing_counts'))
    )
    with op.batch_alter_table('survey_stuffing_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_stuffing_counts_bucket_start'), ['bucket_start'], unique=False)
    with op.batch_alter_table('survey_submission_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_submission_log_created_at'))
        batch_op.drop_index('ix_submission_log_ip_time')
        batch_op.drop_index('ix_submission_log_device_time')
    op.drop_table('survey_submission_log')

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint('uq_responses_token_hash', type_='unique')
        batch_op.drop_column('token_hash')
        batch_op.drop_column('device_hash')
        batch_op.drop_column('submitted_at')


def downgrade():
    op.create_table('survey_submission_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip_hash', sa.String(length=64), nullable=False),
    sa.Column('device_hash', sa.String(length=64), nullable=True),
    sa.Column('answers_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_submission_log'))
    )
    with op.batch_alter_table('survey_submission_log', schema=None) as batch_op:
        batch_op.create_index('ix_submission_log_device_time', ['device_hash', 'created_at'], unique=False)
        batch_op.create_index('ix_submission_log_ip_time', ['ip_hash', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_submission_log_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('survey_stuffing_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_stuffing_counts_bucket_start'))
    op.drop_table('survey_stuffing_counts')

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('device_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_responses_token_hash', ['token_hash'])
    op.execute("UPDATE responses SET submitted_at = survey_date")
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.alter_column('submitted_at', nullable=False)

    with op.batch_alter_table('survey_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_tokens_batch_id'))
    op.drop_table('survey_tokens')
    with op.batch_alter_table('survey_token_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_token_batches_expires_on'))
        batch_op.drop_index(batch_op.f('ix_survey_token_batches_counter_id'))
    op.drop_table('survey_token_batches')
