"""/healthz: is the database reachable and the search index readable."""

from __future__ import annotations

from flask import Blueprint, jsonify

from extensions import db, limiter
from services.health import database_reachable
from services.search import index_status

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    database = {"status": "ok" if database_reachable(db.session) else "unreachable"}
    search = index_status()
    healthy = database["status"] == "ok"
    body = {
        "status": "ok" if healthy and search["status"] == "ok" else ("degraded" if healthy else "down"),
        "database": database,
        "search_index": search,
    }
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
