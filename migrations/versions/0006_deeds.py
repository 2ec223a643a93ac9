"""deeds: stored PDF, printed name and kelurahan, demo flag

Revision ID: 0006_deeds
Revises: 0005_cooperatives
Create Date: 2026-11-22 01:57:51.396719

Deeds issued before this revision have no stored PDF; they verify but cannot be downloaded.

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = '0006_deeds'
down_revision = '0005_cooperatives'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('founding_deed', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cooperative_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('kelurahan_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('document_pdf', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('demo_signature', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_founding_deed_number'), ['number'], unique=False)
        batch_op.create_index(batch_op.f('ix_founding_deed_sha256'), ['sha256'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_founding_deed_kelurahan_id_region'), 'region', ['kelurahan_id'], ['id'])



def downgrade():
    with op.batch_alter_table('founding_deed', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_founding_deed_kelurahan_id_region'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_founding_deed_sha256'))
        batch_op.drop_index(batch_op.f('ix_founding_deed_number'))
        batch_op.drop_column('demo_signature')
        batch_op.drop_column('document_pdf')
        batch_op.drop_column('kelurahan_id')
        batch_op.drop_column('cooperative_name')

