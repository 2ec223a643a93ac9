"""The Whoosh writer: outbox durability, one writer, no LockError for users, reindex swap, drift check."""

from __future__ import annotations

from pathlib import Path

import pytest

from extensions import db
from models.search import SearchOutbox
from services.search import SearchQuery, open_index, rebuild_index, search
from tests.factories import make_business


@pytest.fixture
def app_config(app_config):
    app_config["SEARCH_WRITER"] = "worker"  # nothing drains in-process: as if the server died after commit
    return app_config


def names(text):
    return [hit.name for hit in search(SearchQuery(text=text)).hits]


def outbox_rows():
    return db.session.scalar(db.select(db.func.count()).select_from(SearchOutbox))


def test_change_survives_until_the_worker_indexes_it(app, runner):
    rebuild_index(db.session)
    make_business("Tempe Murni Sejati")
    assert outbox_rows() == 1 and names("tempe") == []
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 1 and "Missing from the index (1): business:" in check.output
    result = runner.invoke(args=["search", "worker", "--once"])
    assert result.exit_code == 0 and "Indexed 1 change(s)." in result.output
    assert names("tempe") == ["Tempe Murni Sejati"] and outbox_rows() == 0
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 0 and "Index matches the database." in check.output


def test_a_locked_index_never_reaches_the_user(app, client):
    rebuild_index(db.session)
    make_business("Keripik Pedas Mantap")
    ix = open_index(app.config["SEARCH_INDEX_DIR"])
    held = ix.writer()  # another process is writing
    try:
        app.config["SEARCH_WRITER"] = "inline"
        make_business("Keripik Singkong Renyah")  # the commit stands; indexing waits
        assert outbox_rows() == 2
        response = client.get("/cari?q=keripik")
        assert response.status_code == 200 and "LockError" not in response.get_data(as_text=True)
    finally:
        held.cancel()
    result_after = app.extensions["search_writer"].drain_once()
    assert result_after == 2 and sorted(names("keripik")) == ["Keripik Pedas Mantap", "Keripik Singkong Renyah"]


def test_reindex_builds_a_fresh_directory_and_swaps_it_in(app, runner):
    make_business("Bengkel Motor Jaya")
    runner.invoke(args=["search", "reindex"])
    root = Path(app.config["SEARCH_INDEX_DIR"])
    first = (root / "CURRENT").read_text()
    assert names("bengkel") == ["Bengkel Motor Jaya"]
    make_business("Bengkel Motor Sentosa")
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexing" in result.output and "Indexed 2 records." in result.output
    second = (root / "CURRENT").read_text()
    assert second != first
    # The previous generation stays one round, for readers still on it; older ones are removed.
    assert sorted(p.name for p in root.glob("index-*")) == sorted([first, second])
    runner.invoke(args=["search", "reindex"])
    assert sorted(p.name for p in root.glob("index-*")) == sorted([second, (root / "CURRENT").read_text()])
    assert len(names("bengkel")) == 2 and outbox_rows() == 0


def test_large_rebuild_uses_parallel_writers_and_finds_everything(app, tmp_path):
    from services.search.base import SearchQuery as Query
    from services.search.documents import iter_all_documents
    from services.search.whoosh_index import WhooshBackend

    for n in range(30):
        make_business(f"Kedai Paralel {n}", commit=False)
    db.session.commit()
    backend = WhooshBackend(tmp_path / "parallel")
    assert backend.rebuild(iter_all_documents(db.session), large=True) == 30
    assert backend.query(Query(text="paralel")).total == 30
