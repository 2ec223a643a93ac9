"""audit chain: each entry holds the hash of the previous one; the table is append-only

Revision ID: 0009_audit_chain
Revises: 0008_legal_record_signatures
Create Date: 2026-11-30 14:20:00

Existing entries are chained in id order. Triggers refuse UPDATE (once an entry has its hash) and
DELETE on both databases, so the log can only grow; `flask audit verify` finds any break.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_audit_chain'
down_revision = '0008_legal_record_signatures'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = (
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
       WHEN OLD.entry_hash IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
)
POSTGRES_TRIGGERS = (
    """CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' OR OLD.entry_hash IS NOT NULL THEN
           RAISE EXCEPTION 'audit_event is append-only';
         END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
)


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('entry_hash', sa.String(length=64), nullable=True))
    _chain_existing_entries()
    bind = op.get_bind()
    for statement in POSTGRES_TRIGGERS if bind.dialect.name == 'postgresql' else SQLITE_TRIGGERS:
        op.execute(statement)


def _chain_existing_entries():
    from services.audit import entry_hash

    bind = op.get_bind()
    table = sa.Table('audit_event', sa.MetaData(), autoload_with=bind)
    previous = ''
    for row in bind.execute(sa.select(table).order_by(table.c.id)).all():
        previous = entry_hash(previous, _Entry(row))
        bind.execute(table.update().where(table.c.id == row.id).values(entry_hash=previous))


class _Entry:
    """A reflected row as services.audit.entry_hash reads an event (zone-aware time, JSON decoded)."""

    def __init__(self, row):
        import datetime as dt
        import json

        values = dict(row._mapping)
        at = values['at']
        if isinstance(at, str):
            at = dt.datetime.fromisoformat(at)
        values['at'] = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
        for name in ('before', 'after'):
            if isinstance(values[name], str):
                values[name] = json.loads(values[name])
        self.__dict__.update(values)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_event_append_only ON audit_event')
        op.execute('DROP FUNCTION audit_event_append_only()')
    else:
        op.execute('DROP TRIGGER audit_event_no_update')
        op.execute('DROP TRIGGER audit_event_no_delete')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('entry_hash')
        batch_op.drop_column('request_id')
