"""/healthz: is the database reachable; is search healthy (index, outbox backlog, worker heartbeat)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from extensions import db, limiter
from services.health import database_reachable
from services.search import health as search_health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    database = {"status": "ok" if database_reachable(db.session) else "unreachable"}
    healthy = database["status"] == "ok"
    search = search_health(db.session) if healthy else {"status": "unknown", "index": {"status": "unknown"}}
    body = {
        "status": "ok" if healthy and search["status"] == "ok" else ("degraded" if healthy else "down"),
        "database": database,
        "search_index": search["index"],
        "search": search,
    }
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
