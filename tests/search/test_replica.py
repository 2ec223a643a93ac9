"""DATABASE_REPLICA_URL: with the PostgreSQL backend, searches read from the replica; writes go to the primary."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from extensions import db
from services.search import SearchQuery, get_backend, rebuild_index, search
from services.search.documents import iter_all_documents
from services.search.postgres import PostgresBackend
from tests.factories import make_business
from tests.support import create_postgres_database, drop_postgres_database, postgres_database_url


@pytest.fixture
def replica_url(request):
    name = create_postgres_database(template=request.getfixturevalue("postgres_template"))
    try:
        yield postgres_database_url(name)
    finally:
        drop_postgres_database(name)


@pytest.fixture
def db_url(request):
    name = create_postgres_database(template=request.getfixturevalue("postgres_template"))
    try:
        yield postgres_database_url(name)
    finally:
        drop_postgres_database(name)


@pytest.fixture
def app_config(app_config, replica_url):
    app_config["SEARCH_BACKEND"] = "postgres"
    app_config["DATABASE_REPLICA_URL"] = replica_url
    return app_config


def test_searches_read_the_replica_and_writes_reach_the_primary(app, replica_url):
    rebuild_index(db.session)
    make_business("Toko Replika Sejati")  # indexed on the primary, as every write
    assert get_backend().hashes() != {}  # the primary's index has it
    assert search(SearchQuery(text="replika")).hits == []  # the replica has not caught up yet

    replica = create_engine(replica_url)
    try:
        PostgresBackend(replica).rebuild(iter_all_documents(db.session))  # replication, simulated
    finally:
        replica.dispose()
    assert [hit.name for hit in search(SearchQuery(text="replika")).hits] == ["Toko Replika Sejati"]
