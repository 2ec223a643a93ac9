"""The home page's headline figures are not recounted on every visit, and still follow changes."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from demo.records import seed_businesses
from extensions import db
from tests.factories import make_business


@contextmanager
def counting_queries():
    """The SQL statements that count rows of the business table, while the block runs."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, _parameters, _context, _executemany):
        if "count(" in statement.lower() and "business" in statement.lower():
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def test_the_second_visit_counts_nothing(client, app):
    seed_businesses(db.session, 5, seed=4)
    with counting_queries() as first:
        page = client.get("/").get_data(as_text=True)
    assert "5</strong><span>usaha terdaftar" in page and first
    with counting_queries() as second:
        page = client.get("/").get_data(as_text=True)
    assert "5</strong><span>usaha terdaftar" in page and second == []


def test_a_new_business_shows_on_the_next_visit(client, app):
    seed_businesses(db.session, 5, seed=4)
    assert "5</strong><span>usaha terdaftar" in client.get("/").get_data(as_text=True)
    make_business("Warung Baru Buka")
    assert "6</strong><span>usaha terdaftar" in client.get("/").get_data(as_text=True)
