"""Public directory: /cari (search), /usaha/<id>-<slug>, /koperasi/<id>-<slug>, CSV of a search, open data."""

from __future__ import annotations

import io

from flask import abort, current_app, redirect, request, send_from_directory, url_for
from flask_babel import format_datetime

from blueprints.directory import bp
from blueprints.directory.forms import FILTER_ARGS, KIND_VALUE, filter_args, search_query
from blueprints.links import absolute_url
from blueprints.rendering import render
from blueprints.safe_urls import safe_next
from extensions import db, limiter
from services import directory, opendata, spreadsheets
from services.paging import Page
from services.search import SearchUnavailable


def _search_limit() -> str:
    """/cari and its CSV are limited like the API (SEARCH_RATE_LIMIT, else API_RATE_LIMIT)."""
    return current_app.config.get("SEARCH_RATE_LIMIT") or current_app.config.get("API_RATE_LIMIT", "120 per minute")


@bp.get("/cari")
@limiter.shared_limit(_search_limit, scope="search")
def search():
    query = search_query(request.args, per_page=current_app.config["PER_PAGE"])
    result = directory.search_directory(db.session, query)
    pager = Page(items=result.hits, page=query.page, per_page=query.per_page, total=result.pages_total)
    return render(
        "directory/search.html",
        block="results",
        result=result,
        query=query,
        pager=pager,
        args=request.args,
        filter_args=filter_args(query),
        facet_args={facet: arg for arg, facet in FILTER_ARGS.items()},
        kind_value=KIND_VALUE,
        export_limit=directory.EXPORT_LIMIT,
    )


@bp.get("/cari/unduh.csv")
@limiter.shared_limit(_search_limit, scope="search")
def export_csv():
    query = search_query(request.args)
    try:
        hits = directory.export_hits(query)
    except SearchUnavailable:
        abort(503)
    buffer = io.StringIO()
    writer = spreadsheets.csv_writer(buffer)
    writer.writerow(
        ["jenis", "nama", "kbli", "kelurahan", "kecamatan", "kota", "status", "izin", "izin_berlaku_sampai", "tautan"]
    )
    for hit in hits:
        writer.writerow(
            [
                KIND_VALUE.get(hit.kind, hit.kind),
                hit.name,
                hit.kbli_code,
                hit.kelurahan,
                hit.kecamatan,
                hit.kota,
                hit.status,
                hit.permit,
                hit.permit_until.isoformat() if hit.permit_until else "",
                _record_url(hit.kind, hit.record_id, hit.name, external=True),
            ]
        )
    response = current_app.response_class(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="hasil-pencarian.csv"'
    return response


def _record_url(kind: str, record_id: int, name: str, external: bool = False) -> str:
    endpoint = "directory.business" if kind == "business" else "directory.cooperative"
    if external:
        return absolute_url(endpoint, record_id=record_id, slug=directory.slug(name))
    return url_for(endpoint, record_id=record_id, slug=directory.slug(name))


@bp.app_template_global()
def record_url(kind: str, record_id: int, name: str) -> str:
    return _record_url(kind, record_id, name)


def _detail(kind: str, record, record_id: int, slug: str | None, template: str):
    if record is None:
        abort(404)
    if slug != record["slug"]:
        return redirect(_record_url(kind, record_id, record["name"]), code=301)
    return render(
        template,
        record=record,
        canonical=_record_url(kind, record_id, record["name"], external=True),
        back_to_search=_back_to_search(),
    )


def _back_to_search() -> str:
    """The search the visitor came from (its query and filters), else the empty search page."""
    search_path = url_for("directory.search")
    came_from, _, arguments = (request.referrer or "").partition("?")
    if came_from == request.host_url.rstrip("/") + search_path:
        back = safe_next(f"{search_path}?{arguments}" if arguments else search_path)
        if back:
            return back
    return search_path


@bp.get("/usaha/<int:record_id>", defaults={"slug": None})
@bp.get("/usaha/<int:record_id>-<slug>")
def business(record_id: int, slug: str | None):
    return _detail(
        "business", directory.public_business(db.session, record_id), record_id, slug, "directory/business.html"
    )


@bp.get("/koperasi/<int:record_id>", defaults={"slug": None})
@bp.get("/koperasi/<int:record_id>-<slug>")
def cooperative(record_id: int, slug: str | None):
    record = directory.public_cooperative(db.session, record_id)
    return _detail("cooperative", record, record_id, slug, "directory/cooperative.html")


@bp.get("/data-terbuka")
def open_data():
    export = opendata.latest(current_app.instance_path)
    generated = format_datetime(export["generated_at"], "d MMMM y HH:mm") if export else None
    return render("directory/open_data.html", export=export, generated=generated)


@bp.get("/data-terbuka/<name>")
def open_data_file(name: str):
    if name not in opendata.FILES:
        abort(404)
    folder = opendata.folder(current_app.instance_path)
    if not (folder / name).exists():
        abort(404)
    return send_from_directory(folder, name, as_attachment=True)
