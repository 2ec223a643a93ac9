"""permits that follow the rules, the OSS era: one current permit per business, reservations,
sequence scopes, kinds; NIB unique; several KBLI per business; KBLI releases, descriptions and risk;
office codes for kelurahan

Revision ID: 0011_permits_oss
Revises: 0010_accounts
Create Date: 2026-11-30 14:40:00

Existing data: permits already replaced get `superseded_at` from their replacement; where a
business holds several current permits (double issuing before this revision), all but the newest
are marked superseded by the newest. Duplicate NIBs keep the oldest business's; the others are
cleared (they cannot both be right) before the unique index is built.
"""
from alembic import op
import sqlalchemy as sa

import models.base


revision = '0011_permits_oss'
down_revision = '0010_accounts'
branch_labels = None
depends_on = None

CURRENT = "revoked_at IS NULL AND superseded_at IS NULL"


def upgrade():
    op.create_table('kbli_release',
    sa.Column('version', sa.String(length=4), nullable=False),
    sa.Column('source', sa.String(length=255), nullable=True),
    sa.Column('code_count', sa.Integer(), nullable=False),
    sa.Column('loaded_at', models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_kbli_release'))
    )
    with op.batch_alter_table('kbli_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('risk_level', sa.String(length=20), nullable=True))

    op.create_table('business_kbli',
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('kbli_version', sa.String(length=4), nullable=False),
    sa.Column('kbli_code', sa.String(length=5), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], name=op.f('fk_business_kbli_business_id_business'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kbli_version', 'kbli_code'], ['kbli_code.version', 'kbli_code.code'], name='fk_business_kbli_code'),
    sa.PrimaryKeyConstraint('business_id', 'kbli_version', 'kbli_code', name=op.f('pk_business_kbli'))
    )

    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office_code', sa.String(length=20), nullable=True))

    op.execute(
        "UPDATE business SET nib = NULL WHERE nib IS NOT NULL AND id > "
        "(SELECT MIN(b2.id) FROM business b2 WHERE b2.nib = business.nib)"
    )
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.drop_index('ix_business_nib')
        batch_op.create_unique_constraint(batch_op.f('uq_business_nib'), ['nib'])

    op.create_table('permit_counter_new',
    sa.Column('series', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    )
    op.execute("INSERT INTO permit_counter_new (series, year, scope, last_seq) SELECT series, year, '', last_seq FROM permit_counter")
    op.drop_table('permit_counter')
    op.rename_table('permit_counter_new', 'permit_counter')
    with op.batch_alter_table('permit_counter', schema=None) as batch_op:
        batch_op.create_primary_key('pk_permit_counter', ['series', 'year', 'scope'])

    op.create_table('permit_reservation',
    sa.Column('series', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=True),
    sa.Column('reserved_at', models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], name=op.f('fk_permit_reservation_business_id_business'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('series', 'year', 'scope', 'seq', name=op.f('pk_permit_reservation')),
    sa.UniqueConstraint('business_id', name=op.f('uq_permit_reservation_business_id'))
    )

    with op.batch_alter_table('permit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence_scope', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('kind', sa.String(length=12), server_default='baru', nullable=False))
        batch_op.add_column(sa.Column('superseded_at', models.base.UTCDateTime(), nullable=True))
        batch_op.drop_constraint('uq_permit_series_year_seq', type_='unique')
        batch_op.create_unique_constraint('uq_permit_series_year_scope_seq', ['series', 'year', 'sequence_scope', 'seq'])

    op.execute(
        "UPDATE permit SET superseded_at = (SELECT p2.issued_at FROM permit p2 WHERE p2.id = permit.superseded_by_id) "
        "WHERE superseded_by_id IS NOT NULL"
    )
    # Several current permits of one business (double issuing): the newest stays, the others are replaced by it.
    newest = (
        "(SELECT MAX(p2.id) FROM permit p2 WHERE p2.business_id = permit.business_id "
        "AND p2.revoked_at IS NULL AND p2.superseded_at IS NULL)"
    )
    op.execute(
        f"UPDATE permit SET superseded_by_id = {newest} "
        f"WHERE {CURRENT} AND id < {newest}"
    )
    op.execute(
        "UPDATE permit SET superseded_at = (SELECT p2.issued_at FROM permit p2 WHERE p2.id = permit.superseded_by_id) "
        "WHERE superseded_by_id IS NOT NULL AND superseded_at IS NULL"
    )
    op.create_index(
        'uq_permit_one_current_per_business', 'permit', ['business_id'], unique=True,
        sqlite_where=sa.text(CURRENT), postgresql_where=sa.text(CURRENT),
    )


def downgrade():
    op.drop_index('uq_permit_one_current_per_business', table_name='permit')
    with op.batch_alter_table('permit', schema=None) as batch_op:
        batch_op.drop_constraint('uq_permit_series_year_scope_seq', type_='unique')
        batch_op.create_unique_constraint('uq_permit_series_year_seq', ['series', 'year', 'seq'])
        batch_op.drop_column('superseded_at')
        batch_op.drop_column('kind')
        batch_op.drop_column('sequence_scope')
    op.drop_table('permit_reservation')
    op.create_table('permit_counter_old',
    sa.Column('series', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('series', 'year', name='pk_permit_counter_old'),
    )
    op.execute(
        "INSERT INTO permit_counter_old (series, year, last_seq) "
        "SELECT series, year, MAX(last_seq) FROM permit_counter GROUP BY series, year"
    )
    op.drop_table('permit_counter')
    op.rename_table('permit_counter_old', 'permit_counter')
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_business_nib'), type_='unique')
        batch_op.create_index('ix_business_nib', ['nib'], unique=False)
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_column('office_code')
    op.drop_table('business_kbli')
    with op.batch_alter_table('kbli_code', schema=None) as batch_op:
        batch_op.drop_column('risk_level')
        batch_op.drop_column('description')
    op.drop_table('kbli_release')
