"""Draining the search outbox into the backend: one writer, retried, never in a user's way."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models.search import SearchOutbox
from services.search.documents import count_records, database_keys, iter_all_documents, load_documents

log = logging.getLogger(__name__)


def drain(session: Session, backend, batch: int = 500) -> int:
    """Apply queued changes to the index; returns how many outbox rows were done.

    The index is written first and the rows deleted after: a crash in between re-applies them,
    which is harmless (upserts and removals are idempotent). A Whoosh LockError (another process is
    writing) propagates to the caller, which leaves the rows for the next round.
    """
    done = 0
    while True:
        rows = session.execute(
            select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.record_id).order_by(SearchOutbox.id).limit(batch)
        ).all()
        if not rows:
            session.commit()
            return done
        by_kind: dict[str, set[int]] = {}
        for _row_id, kind, record_id in rows:
            by_kind.setdefault(kind, set()).add(record_id)
        documents, removed = [], []
        for kind, ids in by_kind.items():
            found, missing = load_documents(session, kind, sorted(ids))
            documents.extend(found)
            removed.extend(f"{kind}:{record_id}" for record_id in missing)
        backend.apply(documents, removed)
        session.execute(delete(SearchOutbox).where(SearchOutbox.id <= rows[-1][0]))
        session.commit()
        done += len(rows)


def pending(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SearchOutbox)) or 0


def rebuild(session: Session, backend, progress=None) -> int:
    """Rebuild everything from the database; changes queued before the start are then covered."""
    covered = session.scalar(select(func.max(SearchOutbox.id))) or 0
    large = count_records(session) > 20_000
    count = backend.rebuild(iter_all_documents(session), progress=progress, large=large)
    session.execute(delete(SearchOutbox).where(SearchOutbox.id <= covered))
    session.commit()
    return count


def check(session: Session, backend) -> dict:
    """Database/index drift: records missing from the index, index entries with no record, queue length."""
    in_database = database_keys(session)
    in_index = backend.keys()
    return {
        "database": count_records(session),
        "index": len(in_index),
        "missing": sorted(in_database - in_index),
        "orphaned": sorted(in_index - in_database),
        "pending": pending(session),
    }


class BackgroundWriter:
    """The in-process writer thread (`make run`, dev server): wakes on commit, and every few seconds."""

    def __init__(self, app, interval: float = 5.0):
        self.app = app
        self.interval = interval
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def start(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="search-writer", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        while True:
            self.wake.wait(self.interval)
            self.wake.clear()
            self.drain_once()

    def drain_once(self) -> int:
        from extensions import db
        from services.search import get_backend

        with self.app.app_context():
            try:
                return drain(db.session, get_backend())
            except Exception as exc:  # LockError, a broken index, a lost database: retry next round
                db.session.rollback()
                log.warning("search outbox not drained yet (%s); will retry", type(exc).__name__)
                return 0
            finally:
                db.session.remove()
