"""stored documents: permits and deeds keep their PDF under one set of column names

Revision ID: 0018_stored_document_columns
Revises: 0017_search_facet_indexes
Create Date: 2026-11-30 17:50:00

The deed's sha256, size_bytes, storage_key and signature become document_sha256, document_size,
document_path and document_signer, as on permits (models/stored_document.py); permits gain
document_signer (the signing certificate's subject, empty for permits issued before).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_stored_document_columns'
down_revision = '0017_search_facet_indexes'
branch_labels = None
depends_on = None

_RENAMES = (
    ('sha256', 'document_sha256'),
    ('size_bytes', 'document_size'),
    ('storage_key', 'document_path'),
    ('signature', 'document_signer'),
)


def upgrade():
    with op.batch_alter_table('founding_deed', schema=None) as batch_op:
        batch_op.drop_index('ix_founding_deed_sha256')
        for old, new in _RENAMES:
            batch_op.alter_column(old, new_column_name=new)
    with op.batch_alter_table('founding_deed', schema=None) as batch_op:
        batch_op.create_index('ix_founding_deed_document_sha256', ['document_sha256'], unique=False)
    with op.batch_alter_table('permit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_signer', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('permit', schema=None) as batch_op:
        batch_op.drop_column('document_signer')
    with op.batch_alter_table('founding_deed', schema=None) as batch_op:
        batch_op.drop_index('ix_founding_deed_document_sha256')
        for old, new in _RENAMES:
            batch_op.alter_column(new, new_column_name=old)
    with op.batch_alter_table('founding_deed', schema=None) as batch_op:
        batch_op.create_index('ix_founding_deed_sha256', ['sha256'], unique=False)
