"""rat review: rejected reports kept with their reason, minutes (PDF) attached

Revision ID: 0014_rat_review
Revises: 0013_imports
Create Date: 2026-11-30 14:13:40.585300

One live (pending or confirmed) report per cooperative and year: the unique constraint becomes a
partial unique index that leaves rejected reports out.

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = '0014_rat_review'
down_revision = '0013_imports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rat_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejected_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rejected_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rejection_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('minutes_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('minutes_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('minutes_storage_key', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('minutes_pdf', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('minutes_uploaded_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_rat_report_year'), type_='unique')
        batch_op.create_index('uq_rat_report_year', ['cooperative_id', 'financial_year'], unique=True, sqlite_where=sa.text("status != 'rejected'"), postgresql_where=sa.text("status != 'rejected'"))
        batch_op.create_foreign_key(batch_op.f('fk_rat_report_rejected_by_id_user_account'), 'user_account', ['rejected_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('rat_report', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_rat_report_rejected_by_id_user_account'), type_='foreignkey')
        batch_op.drop_index('uq_rat_report_year', sqlite_where=sa.text("status != 'rejected'"), postgresql_where=sa.text("status != 'rejected'"))
        batch_op.create_unique_constraint(batch_op.f('uq_rat_report_year'), ['cooperative_id', 'financial_year'])
        batch_op.drop_column('minutes_uploaded_at')
        batch_op.drop_column('minutes_pdf')
        batch_op.drop_column('minutes_storage_key')
        batch_op.drop_column('minutes_size')
        batch_op.drop_column('minutes_sha256')
        batch_op.drop_column('rejection_reason')
        batch_op.drop_column('rejected_at')
        batch_op.drop_column('rejected_by_id')
