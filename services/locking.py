"""Row locks that work on both databases, for acts that must happen once per record (issuing a document).

PostgreSQL: `SELECT … FOR UPDATE` on the record's row, held until the transaction ends; a second
transaction waits, then sees the first one's committed work. SQLite has one writer at a time: the
lock is the database write lock, taken at once with `BEGIN IMMEDIATE` so that what is read next
cannot go stale before the write.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session


def begin_write(session: Session) -> None:
    """SQLite: take the write lock now unless this connection is already in a transaction."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    dbapi = connection.connection.dbapi_connection
    if dbapi is not None and not dbapi.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_row(session: Session, model, row_id: int):
    """Lock the row of `model` with id `row_id` until the transaction ends; returns it re-read, or None.

    The object is refreshed from the database, so checks made after this call see what other
    transactions committed before the lock was granted.
    """
    begin_write(session)
    return session.scalar(
        select(model).where(model.id == row_id).with_for_update().execution_options(populate_existing=True)
    )
