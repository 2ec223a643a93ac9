from __future__ import annotations

from datetime import datetime

from flask import Response, abort, current_app, redirect, request, send_file, url_for
from flask_babel import get_locale

from blueprints.links import public_base_url
from blueprints.pagination import page_number
from blueprints.rendering import render
from blueprints.site import bp
from extensions import db, limiter
from services import content, figures, media, publishing
from services.clock import now as clock_now
from services.richtext import render_markdown


def _base_url() -> str:
    return public_base_url()


def _now() -> datetime:
    """The request's moment; scheduled items whose time has come are published first."""
    moment = clock_now()
    content.promote_due(db.session, moment)
    return moment


@bp.app_context_processor
def inject_menu():
    """The main menu's pages, for base.html (empty if the database cannot answer)."""
    return {"menu_pages": content.menu_pages(db.session, clock_now())}


@bp.app_template_global("render_markdown")
def markdown_global(text: str | None) -> str:
    return render_markdown(text)


@bp.get("/halaman/<slug>")
def page(slug: str):
    now = _now()
    item, moved_to = content.find_public(db.session, content.PAGE, slug, now)
    if moved_to:
        return redirect(url_for("site.page", slug=moved_to), 301)
    if item is None:
        abort(404)
    version = content.public_version(item, now)
    return render(
        "site/page.html",
        item=item,
        version=version,
        trail=content.ancestors(item),
        children=content.child_pages(db.session, item, now),
        canonical=_base_url() + url_for("site.page", slug=item.slug),
    )


@bp.get("/berita")
def news_index():
    now = _now()
    page = content.news_page(db.session, now, page_number(), current_app.config["PER_PAGE"])
    if page.page > 1 and not page.items:
        abort(404)
    return render(
        "site/news_index.html",
        page=page,
        posts=[(post, content.public_version(post, now)) for post in page.items],
    )


@bp.get("/berita/<slug>")
def news_post(slug: str):
    now = _now()
    item, moved_to = content.find_public(db.session, content.NEWS, slug, now)
    if moved_to:
        return redirect(url_for("site.news_post", slug=moved_to), 301)
    if item is None:
        abort(404)
    return render(
        "site/news_post.html",
        item=item,
        version=content.public_version(item, now),
        canonical=_base_url() + url_for("site.news_post", slug=item.slug),
        base_url=_base_url(),
    )


@bp.get("/berita/feed.xml")
def news_feed():
    body = publishing.news_feed(db.session, _now(), _base_url(), f"{current_app.config['SITE_NAME']} · Berita")
    return Response(body, mimetype="application/atom+xml")


@bp.get("/angka")
def figures_page():
    charts = figures.all_charts(
        db.session, str(get_locale()), current_app.config["FIGURES_CACHE_SECONDS"], request.args.get("bulan")
    )
    return render("site/figures.html", charts=charts)


@bp.get("/angka/<key>.csv")
def figures_csv(key: str):
    chart = figures.chart(db.session, key, str(get_locale()), current_app.config["FIGURES_CACHE_SECONDS"])
    if chart is None:
        abort(404)
    response = Response("\ufeff" + figures.to_csv(chart), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{key}.csv"'
    return response


@bp.get("/media/<name>")
@limiter.exempt
def media_file(name: str):
    item = media.find_by_name(db.session, name)
    if item is None:
        abort(404)
    path = media.file_path(current_app.config["MEDIA_DIR"], item)
    if not path.is_file():
        abort(404)
    is_pdf = item.kind == media.PDF
    response = send_file(
        path,
        mimetype=item.content_type,
        as_attachment=is_pdf,
        download_name=item.original_name if is_pdf else None,
        conditional=True,
        max_age=365 * 24 * 3600,
    )
    # Uploaded bytes never run as a page: no sniffing, no scripts, no plugins, sandboxed.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.get("/sitemap.xml")
def sitemap():
    now = _now()
    max_urls = current_app.config["SITEMAP_MAX_URLS"]
    files = publishing.sitemap_files(db.session, now, max_urls)
    if files is None:
        body = publishing.urlset_xml(_base_url(), publishing.all_urls(db.session, now))
        return Response("".join(body), mimetype="application/xml")
    return Response(publishing.index_xml(_base_url(), files), mimetype="application/xml")


@bp.get("/sitemap-<section>-<int:part>.xml")
def sitemap_part(section: str, part: int):
    if section not in publishing.SECTIONS or part < 1:
        abort(404)
    now = _now()
    max_urls = current_app.config["SITEMAP_MAX_URLS"]
    urls = list(publishing.section_urls(db.session, section, part - 1, now, max_urls))
    if not urls and part > 1:
        abort(404)
    return Response("".join(publishing.urlset_xml(_base_url(), urls)), mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    lines = [
        "User-agent: *",
        "Disallow: /admin",
        "Disallow: /kantor",
        "Disallow: /masuk",
        "Disallow: /portal",
        f"Sitemap: {_base_url()}/sitemap.xml",
        "",
    ]
    return Response("\n".join(lines), mimetype="text/plain")
