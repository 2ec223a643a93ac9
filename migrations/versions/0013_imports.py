"""imports of existing registers: column mappings per source, imported file fingerprints

Revision ID: 0013_imports
Revises: 0012_batch_jobs
Create Date: 2026-11-30 16:00:00

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = '0013_imports'
down_revision = '0012_batch_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_mapping',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'source', name=op.f('pk_import_mapping'))
    )
    op.create_table('imported_file',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'], name=op.f('fk_imported_file_imported_by_id_user_account')),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_imported_file'))
    )


def downgrade():
    op.drop_table('imported_file')
    op.drop_table('import_mapping')
