"""Search over the public directory. The database is the source of truth; the index is derived.

One interface (services.search.base.SearchBackend), two backends: Whoosh (default) and PostgreSQL
full-text (SEARCH_BACKEND=postgres). Changes reach the index through the outbox (models.search).
SEARCH_WRITER says who drains it: "thread" (in-process, the default for a single server),
"inline" (right after each commit, the default for tests and for PostgreSQL) or "worker" (only
`flask search worker`: the production default whenever several processes serve, e.g. gunicorn).
"""

from __future__ import annotations

import os
from typing import cast

from flask import Flask, current_app
from sqlalchemy.orm import Session

from models.search import COMMIT_HOOKS
from services.search.base import SearchQuery, SearchResult, SearchUnavailable
from services.search.outbox import BackgroundWriter
from services.search.whoosh_index import WhooshBackend, open_index

BACKENDS = ("whoosh", "postgres")
WRITERS = ("thread", "inline", "worker")


def init_app(app: Flask) -> None:
    """Pick the backend and the writer; hook the writer to commits."""
    backend_name = app.config.setdefault("SEARCH_BACKEND", os.environ.get("SEARCH_BACKEND", "whoosh"))
    default_writer = "inline" if app.config.get("TESTING") or backend_name == "postgres" else "thread"
    writer = app.config.setdefault("SEARCH_WRITER", os.environ.get("SEARCH_WRITER", default_writer))
    # PostgreSQL backend: searches read from this replica (writes, checks and health use the primary).
    app.config.setdefault("DATABASE_REPLICA_URL", os.environ.get("DATABASE_REPLICA_URL") or None)
    # Whoosh: whole results of recent searches kept per index generation (0 turns it off).
    app.config.setdefault("SEARCH_RESULT_CACHE", int(os.environ.get("SEARCH_RESULT_CACHE", "256")))
    from config import ConfigError

    if backend_name not in BACKENDS:
        raise ConfigError(f"SEARCH_BACKEND must be one of {', '.join(BACKENDS)}")
    if writer not in WRITERS:
        raise ConfigError(f"SEARCH_WRITER must be one of {', '.join(WRITERS)}")
    background = BackgroundWriter(app)
    app.extensions["search_writer"] = background
    if writer == "thread":
        app.before_request(background.start)  # started by the serving process only, not by CLI runs
    if not any(getattr(hook, "__search_hook__", False) for hook in COMMIT_HOOKS):
        COMMIT_HOOKS.append(_after_commit)


def _after_commit() -> None:
    try:
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # a proxy typed as Flask
    except RuntimeError:
        return
    writer = app.extensions.get("search_writer")
    if writer is None:
        return
    mode = app.config.get("SEARCH_WRITER")
    if mode == "thread":
        writer.wake.set()
    elif mode == "inline":
        writer.drain_once()


_after_commit.__dict__["__search_hook__"] = True  # found by the getattr above


def get_backend(app: Flask | None = None):
    """The configured backend (one per app)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]  # a proxy typed as Flask
    backend = app.extensions.get("search_backend")
    if backend is None:
        if app.config.get("SEARCH_BACKEND") == "postgres":
            from sqlalchemy import create_engine

            from extensions import db
            from services.search.postgres import PostgresBackend

            replica = app.config.get("DATABASE_REPLICA_URL")
            read_engine = create_engine(replica, pool_pre_ping=True) if replica else None
            backend = PostgresBackend(db.engine, read_engine=read_engine)
        else:
            backend = WhooshBackend(app.config["SEARCH_INDEX_DIR"], result_cache=app.config["SEARCH_RESULT_CACHE"])
        app.extensions["search_backend"] = backend
    return backend


def search(query: SearchQuery) -> SearchResult:
    """Run a directory search on the configured backend; raises SearchUnavailable when degraded."""
    if query.places is None and query.text:
        from dataclasses import replace

        from extensions import db
        from services.search.places import place_words

        app = current_app._get_current_object()  # type: ignore[attr-defined]  # a proxy typed as Flask
        query = replace(query, places=place_words(cast(Session, db.session), app.config["SQLALCHEMY_DATABASE_URI"]))
    return get_backend().query(query)


def rebuild_index(session, root=None, progress=None) -> int:
    """Rebuild the configured backend's index from the database (Whoosh: into `root` if given)."""
    from services.search.outbox import rebuild

    backend = WhooshBackend(root) if root is not None else get_backend()
    return rebuild(session, backend, progress=progress)


def index_status(root=None) -> dict:
    """The index alone: ok with a document count, missing, or broken."""
    backend = WhooshBackend(root) if root is not None else get_backend()
    return backend.status()


def health(session) -> dict:
    """The search part of /healthz: {"status": "ok"|"degraded", index, backlog, worker heartbeat, ...}."""
    from services.search.outbox import health as search_health

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a proxy typed as Flask
    return search_health(session, get_backend(app), app.config["SEARCH_WRITER"])


__all__ = [
    "SearchQuery",
    "SearchResult",
    "SearchUnavailable",
    "get_backend",
    "health",
    "index_status",
    "init_app",
    "open_index",
    "rebuild_index",
    "search",
]
