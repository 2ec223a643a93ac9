"""Keeping the index equal to the database: draining the outbox, rebuilding, checking, health.

Invariants (issue 10):
- the drainer deletes exactly the outbox rows it applied, never an id range (on PostgreSQL a
  transaction that took a lower id can commit after a higher one was drained);
- while a rebuild runs (a `search_rebuild` row), drainers keep the rows they apply (`drained`), and
  the rebuild replays every row it finds into the new index, before the swap and once more after
  it, so nothing written to the old index during the build is lost;
- an index that is missing is rebuilt from the database, never created empty.
"""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from datetime import timedelta
from typing import cast

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import Session

from models.search import SearchHeartbeat, SearchOutbox, SearchRebuild
from services import clock
from services.search.base import fill
from services.search.documents import count_records, iter_all_documents, iter_document_hashes, load_documents

log = logging.getLogger(__name__)

REBUILD_STALE = timedelta(minutes=15)  # a rebuild marker without a heartbeat for this long was abandoned
WORKER_STALE = timedelta(seconds=30)
BACKLOG_STALE = timedelta(minutes=2)
WORKER = "worker"
RECORD_COUNT_SECONDS = 60


def _documents_for(session: Session, rows) -> tuple[list[dict], list[str]]:
    """The current documents of the records named by outbox rows, and the keys of records now gone."""
    by_kind: dict[str, set[int]] = {}
    for _row_id, kind, record_id in rows:
        by_kind.setdefault(kind, set()).add(record_id)
    documents: list[dict] = []
    removed: list[str] = []
    for kind, ids in by_kind.items():
        found, missing = load_documents(session, kind, sorted(ids))
        documents.extend(found)
        removed.extend(f"{kind}:{record_id}" for record_id in missing)
    return documents, removed


def _rebuild_running(session: Session) -> bool:
    marker = session.scalar(select(SearchRebuild.heartbeat_at).limit(1))
    return marker is not None and clock.now() - marker < REBUILD_STALE


def drain(session: Session, backend, batch: int = 500) -> int:
    """Apply queued changes to the index; returns how many outbox rows were done.

    The index is written first and the rows removed after: a crash in between re-applies them,
    which is harmless (upserts and removals are idempotent). A Whoosh LockError (another process is
    writing) propagates to the caller, which leaves the rows for the next round.
    """
    done = 0
    while True:
        rows = session.execute(
            select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.record_id)
            .where(SearchOutbox.drained.is_(False))
            .order_by(SearchOutbox.id)
            .limit(batch)
        ).all()
        if not rows:
            session.commit()
            return done
        documents, removed = _documents_for(session, rows)
        backend.apply(documents, removed)
        processed = [row[0] for row in rows]
        if _rebuild_running(session):
            # The rebuild replays these into the index it is building; it deletes them when done.
            session.execute(update(SearchOutbox).where(SearchOutbox.id.in_(processed)).values(drained=True))
        else:
            session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(processed)))
            session.execute(delete(SearchOutbox).where(SearchOutbox.drained.is_(True)))  # left by a finished rebuild
        session.commit()
        done += len(rows)


def pending(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SearchOutbox).where(SearchOutbox.drained.is_(False))) or 0


def _replay(session: Session, target, seen: set[int], batch: int = 500) -> int:
    """Apply every outbox row not yet in `seen` (drained or not) to `target`, until none is left."""
    count = 0
    while True:
        query = select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.record_id).order_by(SearchOutbox.id)
        rows = [row for row in session.execute(query).all() if row[0] not in seen]
        if not rows:
            session.commit()
            return count
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            documents, removed = _documents_for(session, chunk)
            target.apply(documents, removed)
            seen.update(row[0] for row in chunk)
            count += len(chunk)
        session.commit()


def rebuild(session: Session, backend, progress=None) -> int:
    """Rebuild the index from the database into a fresh one and swap it in, losing no concurrent change.

    1. A rebuild marker is committed (with the outbox high-water mark): from then on drainers keep
       the rows they apply to the live index.
    2. Every record is read into the new index. A change committed before a record is read is in it;
       a later one has an outbox row.
    3. Every outbox row is replayed into the new index (current documents, so order does not
       matter), the new index is swapped in, and rows that appeared meanwhile are replayed into it.
    4. The marker and every replayed row are deleted in one transaction.
    """
    token = uuid.uuid4().hex
    high_water = session.scalar(select(func.max(SearchOutbox.id))) or 0
    session.execute(delete(SearchRebuild))
    now = clock.now()
    session.execute(
        insert(SearchRebuild).values(id=1, token=token, high_water=high_water, started_at=now, heartbeat_at=now)
    )
    session.commit()
    seen: set[int] = set()
    try:
        large = count_records(session) > 20_000
        builder = backend.builder(large=large)
        try:
            count = fill(builder, _with_heartbeat(session, iter_all_documents(session), token), progress)
            builder.finish()
            _replay(session, builder, seen)
            builder.swap()
        except BaseException:
            builder.discard()
            raise
        _replay(session, backend, seen)
        session.execute(delete(SearchRebuild).where(SearchRebuild.token == token))
        for start in range(0, len(ordered := sorted(seen)), 1000):
            session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(ordered[start : start + 1000])))
        session.commit()
        return count
    except BaseException:
        session.rollback()
        session.execute(delete(SearchRebuild).where(SearchRebuild.token == token))
        session.commit()
        raise


def _with_heartbeat(session: Session, documents, token: str, every: int = 5000):
    """Pass documents through, refreshing the rebuild marker now and then (another session: no lock held)."""
    engine = cast(Engine, session.get_bind())
    for count, document in enumerate(documents, 1):
        if count % every == 0:
            with engine.begin() as connection:
                connection.execute(
                    update(SearchRebuild).where(SearchRebuild.token == token).values(heartbeat_at=clock.now())
                )
        yield document


def check(session: Session, backend) -> dict:
    """Database/index drift by content: missing, orphaned and stale documents (a hash per document)."""
    in_index = backend.hashes()
    in_database = dict(iter_document_hashes(session))
    return {
        "database": len(in_database),
        "index": len(in_index),
        "missing": sorted(set(in_database) - set(in_index)),
        "orphaned": sorted(set(in_index) - set(in_database)),
        "stale": sorted(key for key, digest in in_database.items() if key in in_index and in_index[key] != digest),
        "pending": pending(session),
    }


def ensure_index(session: Session, backend, progress=None) -> int | None:
    """Rebuild from the database if the index is missing (never an empty index over a lost one)."""
    if backend.status()["status"] == "ok":
        return None
    log.warning("search index missing or broken: rebuilding it from the database")
    return rebuild(session, backend, progress=progress)


def beat(session: Session, name: str = WORKER) -> None:
    """Record that the worker is alive (read by /healthz on every app server)."""
    values = {"beat_at": clock.now(), "host": socket.gethostname()[:120]}
    beat_again = update(SearchHeartbeat).where(SearchHeartbeat.name == name).values(**values)
    if cast(CursorResult, session.execute(beat_again)).rowcount == 0:
        session.execute(insert(SearchHeartbeat).values(name=name, **values))
    session.commit()


def health(session: Session, backend, writer: str) -> dict:
    """The search part of /healthz: "ok" or "degraded", with what is wrong.

    Degraded when the index is missing or broken, holds far fewer documents than the database
    (an index recreated empty), the oldest queued change waits too long, or (SEARCH_WRITER=worker)
    the worker has not been seen lately."""
    index = backend.status()
    problems = []
    report: dict = {"index": index, "writer": writer}
    if index["status"] != "ok":
        problems.append(f"index {index['status']}")
    now = clock.now()
    oldest = session.scalar(select(func.min(SearchOutbox.created_at)).where(SearchOutbox.drained.is_(False)))
    report["backlog"] = queued = pending(session)
    report["oldest_change_seconds"] = round((now - oldest).total_seconds()) if oldest else 0
    if oldest is not None and now - oldest > BACKLOG_STALE:
        problems.append("outbox backlog")
    if index["status"] == "ok":
        records = _record_count(session)
        report["records"] = records
        if records - index["documents"] > queued + max(10, records // 100):
            problems.append("index incomplete")
    if session.scalar(select(func.count()).select_from(SearchRebuild)):
        report["rebuilding"] = True
    if writer == WORKER:
        beat_at = session.scalar(select(SearchHeartbeat.beat_at).where(SearchHeartbeat.name == WORKER))
        report["worker_seen_seconds"] = round((now - beat_at).total_seconds()) if beat_at else None
        if beat_at is None or now - beat_at > WORKER_STALE:
            problems.append("worker not running")
    session.commit()
    report["status"] = "degraded" if problems else "ok"
    if problems:
        report["problems"] = problems
    return report


def _record_count(session: Session) -> int:
    """How many records the index should hold, for /healthz: counting 300,000 rows on every call is
    not cheap, so the count is kept until a commit here changes businesses or cooperatives, and at
    most RECORD_COUNT_SECONDS (services.figures' cache)."""
    from services.figures import cached

    key = f"{session.get_bind().engine.url}:search-record-count"
    return cached(key, lambda: count_records(session), RECORD_COUNT_SECONDS)


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
                return drain(cast(Session, db.session), get_backend())
            except Exception as exc:  # LockError, a broken index, a lost database: retry next round
                db.session.rollback()
                log.warning("search outbox not drained yet (%s); will retry", type(exc).__name__)
                return 0
            finally:
                db.session.remove()
