"""search facet indexes: a facet filter narrows the PostgreSQL backend's candidates through an index

Revision ID: 0017_search_facet_indexes
Revises: 0016_revocation_reasons
Create Date: 2026-11-30 17:35:00

With a kecamatan, kelurahan, KBLI, status or permit filter the matching rows are found by combining the full-text
index with one of these (a bitmap AND) instead of reading every row the words match. On PostgreSQL,
typo candidates are looked up in the vocabulary by first letter and length (an edit distance of n
changes the length by at most n) instead of a low-threshold trigram scan, and the vocabulary gains
the letters-only parts of identifiers.

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017_search_facet_indexes'
down_revision = '0016_revocation_reasons'
branch_labels = None
depends_on = None

COLUMNS = ('kecamatan_id', 'kelurahan_id', 'kbli_section', 'kbli_code', 'status', 'permit')


def upgrade():
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.create_index(batch_op.f(f'ix_search_document_{column}'), [column], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE INDEX ix_search_word_head ON search_word (left(word, 1), length(word))')
        # The vocabulary now also holds the letters-only parts of identifiers (the backend spells a
        # prefix out into vocabulary words, so they must all be there).
        op.execute(
            "INSERT INTO search_word (word) SELECT DISTINCT part FROM search_document, "
            "unnest(string_to_array(id_words, ' ')) AS part WHERE part ~ '^[a-z]+$' AND length(part) <= 100 "
            "ON CONFLICT DO NOTHING"
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_search_word_head')
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(batch_op.f(f'ix_search_document_{column}'))
