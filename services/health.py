"""What /healthz reports: each dependency's state, and whether the site as a whole is healthy.

Each check answers a small dict with a "status" ("ok" when healthy) and what an operator needs to
act; none raises. The search part comes from services.search (`health` when the search package
provides it, else the index status and the outbox backlog measured here).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from models.search import SearchOutbox
from services import clock


def database(session: Session) -> dict:
    try:
        session.execute(text("SELECT 1"))
        return {"status": "ok"}
    except SQLAlchemyError:
        session.rollback()
        return {"status": "unreachable"}


def redis(url: str | None) -> dict | None:
    """None when no Redis is configured; else whether it answers a PING within half a second."""
    if not url or not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    import redis as redis_client

    try:
        client = redis_client.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            client.ping()
        finally:
            client.close()
        return {"status": "ok"}
    except redis_client.RedisError as exc:
        return {"status": "unreachable", "error": type(exc).__name__}


def outbox_backlog(session: Session, max_age_seconds: int) -> dict:
    """Queued index changes: how many, and how old the oldest is; stale when older than `max_age_seconds`."""
    try:
        pending, oldest = session.execute(select(func.count(), func.min(SearchOutbox.created_at))).one()
    except SQLAlchemyError:
        session.rollback()
        return {"status": "unknown"}
    age = 0 if oldest is None else max(0, int((clock.wall_now() - _aware(oldest)).total_seconds()))
    return {"status": "ok" if age <= max_age_seconds else "stale", "pending": pending, "oldest_seconds": age}


def _aware(moment):
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def search(session: Session, max_backlog_age: int) -> dict:
    """The index and its writer. Seam: services.search.health(session) when the search package has it."""
    from services import search as search_service

    provided = getattr(search_service, "health", None)
    if provided is not None:
        return provided(session)
    report = dict(search_service.index_status())
    report["outbox"] = outbox_backlog(session, max_backlog_age)
    if report["status"] == "ok" and report["outbox"]["status"] != "ok":
        report["status"] = "behind"
    return report


def jobs_worker(last_beat, max_age: timedelta) -> dict:
    """The background-job worker: ok while its periodic heartbeat is recent."""
    if last_beat is None:
        return {"status": "not running"}
    age = int((clock.wall_now() - last_beat).total_seconds())
    return {"status": "ok" if age <= max_age.total_seconds() else "stale", "last_seen_seconds": max(age, 0)}
