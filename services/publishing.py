"""What the public site publishes for machines: the sitemap (split as the protocol requires) and the news feed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from xml.sax.saxutils import escape

from feedgen.feed import FeedGenerator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.business import OPERATING, Business
from models.content import NewsPost, Page
from models.cooperative import Cooperative
from services.content import latest_news, live_clause, public_version, slugify
from services.richtext import render_markdown

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Sections of the sitemap: the site's own content, then the directory.
CONTENT, BUSINESSES, COOPERATIVES = "konten", "usaha", "koperasi"
SECTIONS = (CONTENT, BUSINESSES, COOPERATIVES)


def business_path(business_id: int, name: str) -> str:
    """The directory's public address of a business, e.g. /usaha/12-warung-makan-siti."""
    return f"/usaha/{business_id}-{slugify(name)}"


def cooperative_path(cooperative_id: int, name: str) -> str:
    return f"/koperasi/{cooperative_id}-{slugify(name)}"


def _content_urls(session: Session, now: datetime) -> list[tuple[str, datetime | None]]:
    urls: list[tuple[str, datetime | None]] = [("/", None), ("/berita", None), ("/angka", None)]
    for model, prefix in ((Page, "/halaman/"), (NewsPost, "/berita/")):
        for slug, updated in session.execute(
            select(model.slug, model.updated_at).where(live_clause(model, now)).order_by(model.id)
        ):
            urls.append((prefix + slug, updated))
    return urls


def _section_count(session: Session, section: str, now: datetime) -> int:
    if section == CONTENT:
        return len(_content_urls(session, now))
    if section == BUSINESSES:
        return session.scalar(select(func.count()).select_from(Business).where(Business.status == OPERATING)) or 0
    return session.scalar(select(func.count()).select_from(Cooperative)) or 0


def sitemap_files(session: Session, now: datetime, max_urls: int) -> list[tuple[str, int]] | None:
    """None when everything fits one file; else the (section, part) files of a sitemap index."""
    counts = {section: _section_count(session, section, now) for section in SECTIONS}
    if sum(counts.values()) <= max_urls:
        return None
    return [(section, part) for section in SECTIONS for part in range(max(1, -(-counts[section] // max_urls)))]


def section_urls(
    session: Session, section: str, part: int, now: datetime, max_urls: int
) -> Iterator[tuple[str, datetime | None]]:
    """(path, last modified) of one sitemap file; part 0 is the first `max_urls` URLs."""
    if section == CONTENT:
        yield from _content_urls(session, now)[part * max_urls : (part + 1) * max_urls]
        return
    if section == BUSINESSES:
        query = select(Business.id, Business.name, Business.updated_at).where(Business.status == OPERATING)
        query = query.order_by(Business.id)
        to_path: Callable[[int, str], str] = business_path
    else:
        query = select(Cooperative.id, Cooperative.name, Cooperative.updated_at).order_by(Cooperative.id)
        to_path = cooperative_path
    for record_id, name, updated in session.execute(query.offset(part * max_urls).limit(max_urls)):
        yield to_path(record_id, name), updated


def all_urls(session: Session, now: datetime) -> Iterator[tuple[str, datetime | None]]:
    for section in SECTIONS:
        yield from section_urls(session, section, 0, now, 10**9)


def urlset_xml(base_url: str, urls) -> Iterator[str]:
    """A <urlset> document, streamed."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n'
    for path, updated in urls:
        lastmod = f"<lastmod>{updated.date().isoformat()}</lastmod>" if updated else ""
        yield f"<url><loc>{escape(base_url + path)}</loc>{lastmod}</url>\n"
    yield "</urlset>\n"


def index_xml(base_url: str, files: list[tuple[str, int]]) -> str:
    """A <sitemapindex> naming each file of at most 50,000 URLs."""
    entries = "".join(
        f"<sitemap><loc>{escape(f'{base_url}/sitemap-{section}-{part + 1}.xml')}</loc></sitemap>\n"
        for section, part in files
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n{entries}</sitemapindex>\n'


def news_feed(session: Session, now: datetime, base_url: str, site_title: str, limit: int = 20) -> bytes:
    """Atom feed of the latest live news, content as sanitized HTML."""
    feed = FeedGenerator()
    feed.id(f"{base_url}/berita")
    feed.title(site_title)
    feed.link(href=f"{base_url}/berita", rel="alternate")
    feed.link(href=f"{base_url}/berita/feed.xml", rel="self")
    feed.language("id")
    posts = latest_news(session, now, limit=limit)
    feed.updated(max((post.updated_at for post in posts), default=now))
    for post in reversed(posts):  # feedgen puts the last added entry first
        version = public_version(post, now)
        if version is None:
            continue
        entry = feed.add_entry()
        entry.id(f"{base_url}/berita/{post.slug}")
        entry.title(version.title)
        entry.link(href=f"{base_url}/berita/{post.slug}")
        entry.published(post.published_at or post.publish_at or post.created_at)
        entry.updated(version.created_at)
        if version.summary:
            entry.summary(version.summary)
        entry.content(render_markdown(version.body), type="html")
    return feed.atom_str(pretty=True)
