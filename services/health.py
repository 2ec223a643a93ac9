"""What /healthz reports: each dependency's state, and whether the site as a whole is healthy.

Each check answers a small dict with a "status" ("ok" when healthy) and what an operator needs to
act; none raises. The search part (index, outbox backlog, search worker heartbeat) comes from
services.search.health.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.exc import DataError, DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from services import clock

# Errors that mean "the database is not answering now" (down, restarting, refusing connections, pool exhausted).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
# A value the database refuses (a number too large for its column, an impossible date): the input's fault.
VALUE_REFUSED = DataError


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


def search(session: Session) -> dict:
    """The index, the outbox backlog and the search worker's heartbeat (services.search.health)."""
    from services import search as search_service

    return search_service.health(session)


def jobs_worker(last_beat, max_age: timedelta) -> dict:
    """The background-job worker: ok while its periodic heartbeat is recent."""
    if last_beat is None:
        return {"status": "not running"}
    age = int((clock.wall_now() - last_beat).total_seconds())
    return {"status": "ok" if age <= max_age.total_seconds() else "stale", "last_seen_seconds": max(age, 0)}
