"""Whoosh reads its files by seek + read on file objects shared by every thread of a process, so two
threads reading at once read each other's positions: wrong terms, exceptions, and now and then a length
read from the wrong place that allocates gigabytes (seen under load: 3.8 GB in one gunicorn worker). Every
read a search makes must therefore hold the process's index lock, and a commit must not close a reader
that another thread is still searching."""

from __future__ import annotations

import threading
import traceback

from whoosh.filedb.structfile import StructFile

from extensions import db
from services.search import SearchQuery, get_backend, rebuild_index
from tests.factories import make_business

QUERIES = ["warung", "kelontomg", "warungsari", "tokomakmur", "war", "xqzvbrtplmnkwd", "warung makan", "sari warung"]


def _seed() -> None:
    for n in range(40):
        make_business(("Warung Sari", "Toko Makmur", "Kelontong Abadi", "Warung Makan Bu Tini")[n % 4], commit=False)
    db.session.commit()
    rebuild_index(db.session)


def test_every_read_of_the_index_files_holds_the_process_lock(app, monkeypatch):
    _seed()
    backend = get_backend()
    backend.query(SearchQuery(text="abadi"))  # opens the generation (opening reads files of its own)
    lock = backend.segments.lock
    unlocked: list[str] = []
    seek = StructFile.seek

    def checked_seek(self, *args, **kwargs):
        if not lock._is_owned():
            unlocked.append("".join(traceback.format_stack(limit=8)))
        return seek(self, *args, **kwargs)

    monkeypatch.setattr(StructFile, "seek", checked_seek)
    for text in QUERIES:
        assert backend.query(SearchQuery(text=text)).total >= 0
        backend.query(SearchQuery(text=text, sort="name", page=2, per_page=5))
    assert not unlocked, unlocked[0]


def test_a_commit_leaves_the_searches_of_other_threads_working(app):
    """A thread holding the previous generation still reads it after another thread opened the new one."""
    _seed()
    backend = get_backend()
    old = backend._arrays()
    make_business("Kelontong Baru")  # committed: the inline writer adds a segment
    assert backend._arrays() is not old
    with old.lock:
        assert old.searcher.stored_fields(int(old.all_docs[-1]))  # the old generation's files are still open
    errors: list[BaseException] = []

    def search_many() -> None:
        try:
            with app.app_context():
                for text in QUERIES * 3:
                    backend.query(SearchQuery(text=text))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=search_many) for _ in range(6)]
    for thread in threads:
        thread.start()
    for _ in range(3):
        make_business("Warung Baru")
    for thread in threads:
        thread.join()
    assert not errors
    assert backend.query(SearchQuery(text="baru")).total == 4
