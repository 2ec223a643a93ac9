"""Background work on a job queue (huey): batch printing, scheduled publishing, the daily open-data
dump, the yearly refresh of status-dependent search data, deletion of old batch files, email.

JOBS_URL picks the queue's storage, one setting apart: `sqlite:///instance/jobs.sqlite3` (the
embedded default) or `redis://host:6379/1` (production). `flask jobs worker` is the consumer; it
also runs the periodic `tick` every minute, which does what is due by the clock in the
municipality's zone (WIB) and remembers in the queue's storage what it did, so that work missed
while no worker ran is done when one starts again. JOBS_IMMEDIATE runs every job at once in the
calling process (tests).
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlparse

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from config import ConfigError
from services import clock

log = logging.getLogger("balai.jobs")

huey = Huey("balai", storage_class=MemoryStorage, utc=True)
_worker_app: Flask | None = None

# Daily work, at or after this local time (WIB), once per day.
OPENDATA_AT = time(2, 0)
PURGE_AT = time(3, 0)
HEARTBEAT_KEY = "balai:worker-heartbeat"


def init_app(app: Flask) -> None:
    """Point the queue at JOBS_URL (or run jobs in-process when JOBS_IMMEDIATE)."""
    if not app.config.get("BATCH_DIR"):
        app.config["BATCH_DIR"] = str(Path(app.instance_path) / "batches")
    if app.config.get("JOBS_IMMEDIATE"):
        huey.storage_class, huey.storage_kwargs = MemoryStorage, {}
        huey._immediate = True
        huey.storage = huey.create_storage()
        return
    url = app.config.get("JOBS_URL") or f"sqlite:///{Path(app.instance_path) / 'jobs.sqlite3'}"
    storage_class, kwargs = _storage_for(url)
    huey._immediate = False
    huey.storage_class, huey.storage_kwargs = storage_class, kwargs
    huey.storage = huey.create_storage()


def _storage_for(url: str):
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
        if path is None or not str(path):
            raise ConfigError("JOBS_URL must be sqlite:///path/to/jobs.sqlite3 or redis://host:6379/1")
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteStorage, {"filename": str(path)}
    if parsed.scheme in ("redis", "rediss"):
        return RedisStorage, {"url": url, "socket_connect_timeout": 2, "socket_timeout": 5}
    raise ConfigError("JOBS_URL must be sqlite:///path/to/jobs.sqlite3 or redis://host:6379/1")


def uses_redis(app: Flask) -> bool:
    return huey.storage_class is RedisStorage and not app.config.get("JOBS_IMMEDIATE")


def set_worker_app(app: Flask) -> None:
    """The app whose context every job runs in (set by `flask jobs worker`)."""
    global _worker_app
    _worker_app = app


def _in_app(fn):
    """Run a job inside an app context: the caller's (immediate mode) or the worker's."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return fn(*args, **kwargs)
        if _worker_app is None:
            raise RuntimeError("no app for the job: start jobs with `flask jobs worker`")
        from extensions import db

        with _worker_app.app_context():
            try:
                return fn(*args, **kwargs)
            finally:
                db.session.remove()

    return wrapper


def _stale_after() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("BATCH_STALE_SECONDS", 120)))


# --- Jobs ---------------------------------------------------------------------------------------


@huey.task()
@_in_app
def build_batch(job_id: str) -> str | None:
    """Build one batch print PDF (idempotent; a second copy of the task finds the job claimed)."""
    from extensions import db
    from services import batch

    return batch.build(db.session, job_id, current_app.config, _stale_after())


@huey.task(retries=5, retry_delay=60)
@_in_app
def send_email(to: str, to_name: str | None, subject: str, body: str) -> None:
    """Send a plain-text email through services.mail (SMTP_URL) from the worker; retried for five minutes
    when the server does not answer, so a slow or restarting mail server never holds a request."""
    from services import mail

    mail.send(current_app.config, to, to_name, subject, body)
    log.info("email sent: %s", subject)


def publish_due() -> int:
    """Publish the CMS items whose time has come (also done on the next page view)."""
    from extensions import db
    from services import content

    published = content.promote_due(db.session, clock.now())
    db.session.commit()
    return published


def export_opendata() -> dict:
    from extensions import db
    from services import opendata

    return opendata.export(
        db.session,
        current_app.instance_path,
        current_app.config.get("OPENDATA_LICENCE", "CC BY 4.0"),
        current_app.extensions["municipality"].name,
    )


def refresh_status_dependent_search() -> int:
    """Re-index what depends on the date (a cooperative's activity status changes when a financial
    year closes). Seam: services.search.refresh_status_dependent(session) when the search package
    provides it; else every cooperative is queued in the search outbox."""
    from extensions import db
    from services import search

    provided = getattr(search, "refresh_status_dependent", None)
    if provided is not None:
        return provided(db.session)
    from sqlalchemy import insert, select

    from models.cooperative import Cooperative
    from models.search import SearchOutbox

    now = clock.wall_now()
    ids = db.session.scalars(select(Cooperative.id)).all()
    if ids:
        db.session.execute(
            insert(SearchOutbox), [{"kind": "cooperative", "record_id": i, "created_at": now} for i in ids]
        )
        db.session.info["search_changes"] = True
    db.session.commit()
    return len(ids)


def purge_batches() -> int:
    from extensions import db
    from services import batch

    days = int(current_app.config.get("BATCH_RETENTION_DAYS", 7))
    return batch.purge_old(db.session, current_app.config, clock.wall_now() - timedelta(days=days))


def recover_batches() -> dict:
    """Queue again the batch jobs a dead worker left behind; fail those out of attempts."""
    from extensions import db
    from services import batch

    outcome = batch.recover_stale(db.session, _stale_after(), int(current_app.config.get("BATCH_MAX_ATTEMPTS", 3)))
    for job_id in outcome["requeue"]:
        build_batch(job_id)
    if outcome["requeue"] or outcome["failed"]:
        log.warning("batch recovery: requeued %s, failed %s", outcome["requeue"], outcome["failed"])
    return outcome


def _once(key: str) -> bool:
    """True the first time `key` is claimed in the queue's storage (one run per day across workers)."""
    return bool(huey.put_if_empty(f"balai:done:{key}", clock.wall_now().isoformat()))


def due_daily(now_local: datetime) -> list[tuple[str, str]]:
    """(name, key) of the daily/yearly work due at `now_local`, each key claimed so it runs once."""
    day = now_local.date().isoformat()
    candidates = []
    if now_local.time() >= OPENDATA_AT:
        candidates.append(("opendata", f"opendata:{day}"))
    if now_local.time() >= PURGE_AT:
        candidates.append(("purge", f"purge:{day}"))
    candidates.append(("status-refresh", f"status-refresh:{now_local.year}"))
    return [(name, key) for name, key in candidates if _once(key)]


DAILY_WORK = {
    "opendata": export_opendata,
    "purge": purge_batches,
    "status-refresh": refresh_status_dependent_search,
}


@huey.periodic_task(crontab(minute="*"))
@_in_app
def tick() -> dict:
    """Every minute: heartbeat, publishing, recovery of stale batch jobs, and the daily work due."""
    beat()
    report = {"published": publish_due(), "recovered": recover_batches()}
    now_local = clock.utc_to_local(clock.now(), current_app.config["TIMEZONE"])
    for name, key in due_daily(now_local):
        try:
            report[name] = DAILY_WORK[name]()
        except Exception:
            huey.delete(f"balai:done:{key}")
            log.exception("daily job %s failed; tried again next minute", name)
    return report


@huey.on_startup()
def _recover_on_start() -> None:
    """A worker that starts (after a crash or a deploy) first looks for jobs left behind."""
    if _worker_app is None:
        return
    with _worker_app.app_context():
        from extensions import db

        try:
            beat()
            recover_batches()
        finally:
            db.session.remove()


def beat() -> None:
    huey.put(HEARTBEAT_KEY, clock.wall_now().timestamp())


def last_heartbeat() -> datetime | None:
    try:
        value = huey.get(HEARTBEAT_KEY, peek=True)
    except Exception:
        return None
    return datetime.fromtimestamp(value, UTC) if value else None


def queue_length() -> int | None:
    try:
        return huey.pending_count()
    except Exception:
        return None


def run_worker(app: Flask, workers: int = 2) -> None:
    """The consumer: `workers` threads for jobs, plus the scheduler of periodic work."""
    set_worker_app(app)
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True, check_worker_health=True)
    consumer.run()
