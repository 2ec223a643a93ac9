"""/api/v1: the read-only open-data API. Same search and the same public fields as the pages."""

from __future__ import annotations

import time

from flask import abort, current_app, jsonify, request
from flask_babel import gettext as _

from blueprints.api import bp
from blueprints.api.openapi import openapi_document
from blueprints.directory.forms import FILTER_ARGS, search_query
from blueprints.links import absolute_url
from blueprints.pagination import MAX_PAGE, OLD_PAGE_ARGS, PAGE_ARG
from extensions import db, limiter
from services import directory

FACET_NAMES = {facet: arg for arg, facet in FILTER_ARGS.items() if facet != "kind"}


@bp.after_request
def rate_limit_headers(response):
    """The standard RateLimit-* headers (IETF draft) beside Flask-Limiter's own."""
    current = limiter.current_limit
    if current is not None:
        response.headers["RateLimit-Limit"] = str(current.limit.amount)
        response.headers["RateLimit-Remaining"] = str(max(0, current.remaining))
        response.headers["RateLimit-Reset"] = str(max(0, int(current.reset_at - time.time())))
    response.headers.setdefault("Cache-Control", "public, max-age=60")
    return response


def _error(status: int, message: str):
    response = jsonify({"error": {"code": status, "title": _("Permintaan tidak valid"), "message": message}})
    response.status_code = status
    return response


def _int_arg(name: str, default: int, low: int, high: int | None = None):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        return None
    if value < low or (high is not None and value > high):
        return None
    return value


def _listing(kind: str):
    # `halaman`, as on every page; the older `page` still answers (undocumented) for clients written before.
    page_arg = next((name for name in (PAGE_ARG, *OLD_PAGE_ARGS) if request.args.get(name)), PAGE_ARG)
    page = _int_arg(page_arg, 1, 1, MAX_PAGE)
    per_page = _int_arg("per_page", 20, 1, directory.MAX_PER_PAGE)
    if page is None:
        return _error(422, _("Parameter halaman harus bilangan bulat mulai dari 1."))
    if per_page is None:
        return _error(422, _("Parameter per_page harus antara 1 dan 100."))
    args = request.args.copy()
    args[PAGE_ARG] = str(page)
    query = search_query(args, per_page=per_page, kind=kind)
    result = directory.search_directory(db.session, query)
    if result.degraded:
        return _error(503, _("Pencarian sedang tidak tersedia. Coba lagi nanti."))
    items = [
        {
            "id": hit.record_id,
            "kind": hit.kind,
            "name": hit.name,
            "url": absolute_url(f"directory.{hit.kind}", record_id=hit.record_id, slug=directory.slug(hit.name)),
            "status": hit.status or None,
            "permit": {
                "state": hit.permit,
                "valid_until": hit.permit_until.isoformat() if hit.permit_until else None,
            }
            if hit.permit
            else None,
            "kbli_code": hit.kbli_code or None,
            "kelurahan": hit.kelurahan or None,
            "kecamatan": hit.kecamatan or None,
            "kota": hit.kota or None,
        }
        for hit in result.hits
    ]
    facets = {
        FACET_NAMES[facet]: [{"value": v, "label": label, "count": n} for v, label, n in values]
        for facet, values in result.facets.items()
        if facet in FACET_NAMES
    }
    return jsonify(
        items=items,
        total=result.total,
        total_is_estimate=result.approximate,
        page=page,
        per_page=per_page,
        facets=facets,
    )


def _record(record: dict | None, endpoint: str):
    if record is None:
        abort(404)
    record = dict(record)
    slug = record.pop("slug")
    record["url"] = absolute_url(endpoint, record_id=record["id"], slug=slug)
    return jsonify(record)


@bp.get("/businesses")
def businesses():
    return _listing("business")


@bp.get("/cooperatives")
def cooperatives():
    return _listing("cooperative")


@bp.get("/businesses/<int:record_id>")
def business(record_id: int):
    return _record(directory.public_business(db.session, record_id), "directory.business")


@bp.get("/cooperatives/<int:record_id>")
def cooperative(record_id: int):
    return _record(directory.public_cooperative(db.session, record_id), "directory.cooperative")


@bp.get("/openapi.json")
@limiter.exempt
def openapi():
    return jsonify(openapi_document(absolute_url("api.businesses").rsplit("/", 1)[0], current_app.config["SITE_NAME"]))
