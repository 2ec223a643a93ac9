"""search: rebuild marker and worker heartbeat, kept outbox rows, content hashes, status computed at query time

Revision ID: 0007_search_drift
Revises: 0006_deeds
Create Date: 2026-11-30 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = '0007_search_drift'
down_revision = '0006_deeds'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_rebuild',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.Column('high_water', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('started_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_rebuild'))
    )
    op.create_table('search_heartbeat',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('beat_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('host', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_search_heartbeat'))
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('drained', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('permit', sa.String(length=10), server_default='', nullable=False))
        batch_op.add_column(sa.Column('permit_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('content_hash', sa.String(length=40), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.drop_column('content_hash')
        batch_op.drop_column('permit_until')
        batch_op.drop_column('permit')
        batch_op.drop_column('status_year')
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_column('drained')
    op.drop_table('search_heartbeat')
    op.drop_table('search_rebuild')
