"""The index cannot silently drift: drainer and reindex races (forced timing, PostgreSQL), atomic swaps,
a lost index rebuilt from the database, a content check, and /healthz saying so meanwhile."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from extensions import db
from models.business import Business
from models.search import SearchOutbox
from services.search import SearchQuery, get_backend, rebuild_index, search
from services.search import outbox as outbox_module
from services.search.outbox import check, drain
from services.search.whoosh_index import WhooshBackend
from tests.factories import make_business
from tests.support import create_postgres_database, drop_postgres_database, postgres_database_url


@pytest.fixture(params=["whoosh", "postgres"])
def backend_name(request):
    return request.param


@pytest.fixture
def app_config(app_config, backend_name):
    app_config["SEARCH_BACKEND"] = backend_name
    app_config["SEARCH_WRITER"] = "worker"  # nothing drains in-process: each test drains when it says so
    return app_config


@pytest.fixture
def db_url(request):
    """PostgreSQL only: the races live where transactions commit out of id order."""
    name = create_postgres_database(template=request.getfixturevalue("postgres_template"))
    try:
        yield postgres_database_url(name)
    finally:
        drop_postgres_database(name)


def names(text: str) -> list[str]:
    return sorted(hit.name for hit in search(SearchQuery(text=text)).hits)


def outbox_ids() -> list[int]:
    return list(db.session.scalars(db.select(SearchOutbox.id).order_by(SearchOutbox.id)))


class CommitsDuringApply:
    """The live backend, but another transaction commits right after the index is written and before
    the drainer removes its outbox rows: the timing that lost changes to an id-range delete."""

    def __init__(self, backend, other: Session):
        self.backend, self.other = backend, other

    def apply(self, documents, removed, timeout=0.0):
        self.backend.apply(documents, removed)
        if self.other is not None:
            self.other.commit()
            self.other = None


def test_drainer_removes_only_the_rows_it_applied(app):
    rebuild_index(db.session)
    early = make_business("Soto Ayam Lamongan")
    drain(db.session, get_backend())
    late_writer = Session(bind=db.engine)
    try:
        late_writer.get(Business, early.id).name = "Soto Ayam Kudus"
        late_writer.flush()  # outbox row with the lower id, not committed yet
        make_business("Bakso Malang Cak Man")  # a higher id, committed first
        drained = drain(db.session, CommitsDuringApply(get_backend(), late_writer))
        # The late row was committed after the drainer read the queue: left for its next batch, not
        # deleted with the range, so the drainer applies it too.
        assert drained == 2 and outbox_ids() == []
        assert names("kudus") == ["Soto Ayam Kudus"] and names("lamongan") == []
        assert names("bakso") == ["Bakso Malang Cak Man"]
    finally:
        late_writer.close()


def _edit_while_rebuilding(app, monkeypatch, after: int, edit):
    """Make `flask search reindex` call `edit()` after it has read `after` documents."""
    original = outbox_module.iter_all_documents

    def documents(session):
        for count, document in enumerate(original(session), 1):
            yield document
            if count == after:
                edit()

    monkeypatch.setattr(outbox_module, "iter_all_documents", documents)


def test_edits_made_during_a_reindex_reach_the_new_index(app, monkeypatch):
    first = make_business("Penjahit Rapi Sekali")
    second = make_business("Penjahit Cepat Jadi")
    for n in range(5):
        make_business(f"Warung Pelengkap {n}", commit=False)
    db.session.commit()
    rebuild_index(db.session)
    first_id, second_id = first.id, second.id

    def edit():
        with Session(bind=db.engine) as other:  # an officer's edit, in its own transaction
            other.get(Business, first_id).name = "Penjahit Baru Rapi"  # already read by the rebuild
            other.delete(other.get(Business, second_id))
            other.commit()
            drain(other, get_backend())  # the worker applies it to the live (soon old) index

    _edit_while_rebuilding(app, monkeypatch, after=3, edit=edit)
    assert rebuild_index(db.session) == 7
    assert names("penjahit") == ["Penjahit Baru Rapi"] and names("sekali") == []
    report = check(db.session, get_backend())
    assert report["missing"] == report["orphaned"] == report["stale"] == []
    assert outbox_ids() == []


def test_readers_see_the_old_index_until_the_swap(app, monkeypatch):
    for n in range(6):
        make_business(f"Kedai Kopi Lama {n}", commit=False)
    db.session.commit()
    rebuild_index(db.session)
    seen = []
    reader = app.test_client()
    _edit_while_rebuilding(app, monkeypatch, after=4, edit=lambda: seen.append(reader.get("/cari?q=kopi")))
    rebuild_index(db.session)
    assert seen and seen[0].status_code == 200
    page = seen[0].get_data(as_text=True)
    assert "6 hasil" in page and "Kedai Kopi Lama 5" in page


def test_check_compares_content_not_only_ids(app, runner):
    business = make_business("Laundry Wangi Bersih")
    rebuild_index(db.session)
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    # Changed behind the outbox's back (a manual SQL fix): same ids, different content.
    db.session.execute(update(Business).where(Business.id == business.id).values(name="Laundry Harum"))
    db.session.commit()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"Different content in the index (1): business:{business.id}" in result.output


@pytest.mark.parametrize("backend_name", ["whoosh"])  # only a Whoosh index lives in files that can be lost
def test_worker_rebuilds_a_lost_index_from_the_database(app, runner, client):
    for n in range(4):
        make_business(f"Toko Hilang {n}", commit=False)
    db.session.commit()
    rebuild_index(db.session)
    runner.invoke(args=["search", "worker", "--once"])
    root = Path(app.config["SEARCH_INDEX_DIR"])
    shutil.rmtree(root)  # the disk was replaced, the volume not mounted, ...
    body = client.get("/healthz").get_json()
    assert body["status"] == "degraded" and body["search_index"]["status"] == "missing"
    result = runner.invoke(args=["search", "worker", "--once"])
    assert "rebuilt from the database (4 records)" in result.output
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["search_index"] == {"status": "ok", "documents": 4}
    assert names("hilang") == [f"Toko Hilang {n}" for n in range(4)]


def test_an_empty_index_over_a_full_database_is_degraded(app, client):
    for n in range(30):
        make_business(f"Toko Kosong {n}", commit=False)
    db.session.commit()
    get_backend().rebuild([])  # what the old worker did after a loss
    db.session.execute(db.delete(SearchOutbox))
    db.session.commit()
    body = client.get("/healthz").get_json()
    assert body["status"] == "degraded" and "index incomplete" in body["search"]["problems"]


def test_worker_heartbeat_and_backlog_in_healthz(app, client, runner):
    rebuild_index(db.session)
    body = client.get("/healthz").get_json()
    assert body["status"] == "degraded" and "worker not running" in body["search"]["problems"]
    make_business("Toko Antre")
    assert client.get("/healthz").get_json()["search"]["backlog"] == 1
    runner.invoke(args=["search", "worker", "--once"])
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["search"]["backlog"] == 0 and body["search"]["worker_seen_seconds"] <= 5


@pytest.mark.parametrize("backend_name", ["whoosh"])  # PostgreSQL readers are isolated by MVCC
def test_a_reader_racing_two_reindexes_retries_instead_of_falling_back(app, client, monkeypatch):
    from services.search import whoosh_index

    for n in range(5):
        make_business(f"Bengkel Balap {n}", commit=False)
    db.session.commit()
    rebuild_index(db.session)
    real_open_dir = whoosh_index.whoosh_index.open_dir
    raced = []

    def open_dir_after_two_swaps(directory, *args, **kwargs):
        if not raced:  # the reader has read CURRENT; two reindexes finish before it opens that directory
            raced.append(directory)
            writer = WhooshBackend(app.config["SEARCH_INDEX_DIR"])
            from services.search.documents import iter_all_documents

            writer.rebuild(iter_all_documents(db.session))
            writer.rebuild(iter_all_documents(db.session))
        return real_open_dir(directory, *args, **kwargs)

    monkeypatch.setattr(whoosh_index.whoosh_index, "open_dir", open_dir_after_two_swaps)
    get_backend()._current = None  # a reader opening the index afresh
    page = client.get("/cari?q=bengkel").get_data(as_text=True)
    assert raced and not Path(raced[0]).exists()
    assert "5 hasil" in page and "Pencarian sedang terbatas" not in page
