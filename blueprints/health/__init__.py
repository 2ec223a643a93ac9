"""/healthz: the database, Redis (when configured), search (index, outbox backlog, worker heartbeat)
and the job worker.

200 with "ok" when every part is healthy; 503 with "degraded" when any part is not (the site may
still serve), or "down" when the database is unreachable.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, jsonify

from extensions import db, limiter
from services import health, jobs

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    config = current_app.config
    database = health.database(db.session)
    parts = {"database": database}
    redis_urls = sorted(filter(None, {config.get("RATELIMIT_STORAGE_URI"), config.get("JOBS_URL")}))
    redis_reports = [report for report in (health.redis(url) for url in redis_urls) if report]
    if redis_reports:
        unhealthy = [report for report in redis_reports if report["status"] != "ok"]
        parts["redis"] = unhealthy[0] if unhealthy else redis_reports[0]
    search = health.search(db.session) if database["status"] == "ok" else {"status": "unknown"}
    parts["search"] = search
    if not config.get("JOBS_IMMEDIATE"):
        parts["jobs"] = health.jobs_worker(
            jobs.last_heartbeat(), timedelta(seconds=config["JOBS_HEARTBEAT_MAX_SECONDS"])
        )
        parts["jobs"]["queued"] = jobs.queue_length()
    healthy = all(part["status"] == "ok" for part in parts.values())
    body = {
        "status": "ok" if healthy else ("degraded" if database["status"] == "ok" else "down"),
        **parts,
        "search_index": search.get("index", {"status": "unknown"}),
    }
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
