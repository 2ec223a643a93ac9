"""revocation reasons: a public code from a list, the free text kept as an internal note

Revision ID: 0016_revocation_reasons
Revises: 0015_outreach_delivery
Create Date: 2026-11-30 15:20:00

Permits revoked before this revision get the code 'lainnya' ("Alasan lain yang dicatat dinas"):
their free text, which may hold personal data, is no longer published.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_revocation_reasons'
down_revision = '0015_outreach_delivery'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('permit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoke_reason_code', sa.String(length=40), nullable=True))
    op.execute("UPDATE permit SET revoke_reason_code = 'lainnya' WHERE revoked_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table('permit', schema=None) as batch_op:
        batch_op.drop_column('revoke_reason_code')
