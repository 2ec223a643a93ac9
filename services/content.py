"""Pages and news: saving with revisions, publishing on schedule, slugs that keep old URLs alive."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, delete, exists, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from models.content import (
    ARCHIVED,
    DRAFT,
    NEWS,
    PAGE,
    PUBLISHED,
    SCHEDULED,
    NewsPost,
    Page,
    Revision,
    SlugRedirect,
)
from models.user import SUPERADMIN, User
from services import audit, paging
from services.transactions import owns_transaction

MODELS: dict[str, type[Page] | type[NewsPost]] = {PAGE: Page, NEWS: NewsPost}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SAVE_DRAFT = "draft"
SCHEDULE = "schedule"
PUBLISH = "publish"
SAVE_ACTIONS = (SAVE_DRAFT, SCHEDULE, PUBLISH)


class ContentError(ValueError):
    """A change that cannot be made; the message is for the editor, keyed by the form field."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass
class ContentInput:
    title: str
    slug: str
    body: str
    summary: str | None = None
    publish_at: datetime | None = None
    note: str | None = None
    parent_id: int | None = None
    menu_order: int = 0
    show_in_menu: bool = False
    image_id: int | None = None


def slugify(text: str, max_length: int = 80) -> str:
    """'Jumat Beli Lokal!' -> 'jumat-beli-lokal' (ASCII, lower case, hyphens)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "konten"


def live_clause(model, now: datetime):
    """SQL condition for items the public may see at `now` (scheduled ones count once due)."""
    # A published item with a scheduled update stays visible (old version) until the update is due.
    return or_(
        model.state == PUBLISHED,
        and_(model.state == SCHEDULED, or_(model.publish_at <= now, model.live_revision_id.is_not(None))),
    )


def is_overdue(item, now: datetime) -> bool:
    """Scheduled, due, and not yet promoted: the admin list flags it."""
    return item.state == SCHEDULED and item.publish_at is not None and item.publish_at <= now


def public_version(item, now: datetime) -> Revision | None:
    """The revision the public sees now: the scheduled one once due, else the live one."""
    if is_overdue(item, now) and item.pending_revision is not None:
        return item.pending_revision
    if item.state in (PUBLISHED, SCHEDULED):
        return item.live_revision
    return None


@lru_cache(maxsize=1)
def _anything_due():
    """One SELECT saying whether any scheduled page or news post is due at :now (built once: the home
    page asks on every visit)."""
    now = bindparam("now")
    return select(
        or_(*(exists().where(model.state == SCHEDULED, model.publish_at <= now) for model in MODELS.values()))
    )


def promote_due(session: Session, now: datetime) -> int:
    """Publish every scheduled item whose time has come; cheap when none is due. Returns how many."""
    promoted = 0
    if not session.scalar(_anything_due(), {"now": now}):
        return 0
    for model in MODELS.values():
        due: list[Page | NewsPost] = list(
            session.scalars(select(model).where(model.state == SCHEDULED, model.publish_at <= now))
        )
        for item in due:
            item.state = PUBLISHED
            if item.pending_revision_id is not None:
                item.live_revision_id = item.pending_revision_id
            item.pending_revision_id = None
            item.published_at = item.published_at or item.publish_at
            audit.record(
                session,
                None,
                audit.AuditAction.CONTENT_PUBLISH,
                item.kind,
                item.id,
                summary=f"{item.title} (terjadwal)",
            )
            promoted += 1
    if promoted:
        session.commit()
    return promoted


def _snapshot(item) -> dict:
    data = {
        "slug": item.slug,
        "state": item.state,
        "publish_at": item.publish_at.isoformat() if item.publish_at else None,
    }
    if isinstance(item, Page):
        data.update(parent_id=item.parent_id, menu_order=item.menu_order, show_in_menu=item.show_in_menu)
    else:
        data.update(image_id=item.image_id)
    return data


def _check_slug(session: Session, kind: str, item, slug: str) -> None:
    model = MODELS[kind]
    if not SLUG_RE.match(slug) or len(slug) > 120:
        raise ContentError("slug", _l("Gunakan huruf kecil, angka dan tanda hubung saja, misalnya 'jumat-beli-lokal'."))
    clash = session.scalar(select(model.id).where(model.slug == slug))
    if clash is not None and (item is None or clash != item.id):
        raise ContentError("slug", _l("Alamat ini sudah dipakai konten lain."))


def _check_parent(session: Session, page: Page | None, parent_id: int | None) -> None:
    if parent_id is None:
        return
    parent = session.get(Page, parent_id)
    if parent is None:
        raise ContentError("parent_id", _l("Halaman induk tidak ditemukan."))
    seen = set()
    while parent is not None and parent.id not in seen:
        if page is not None and parent.id == page.id:
            raise ContentError("parent_id", _l("Halaman tidak bisa menjadi induk dari dirinya sendiri."))
        seen.add(parent.id)
        parent = parent.parent


def _move_slug(session: Session, kind: str, item, new_slug: str) -> None:
    """Keep the old address answering with a 301; the new slug takes over any redirect it had."""
    session.execute(delete(SlugRedirect).where(SlugRedirect.content_kind == kind, SlugRedirect.old_slug == new_slug))
    if item.slug and item.slug != new_slug:
        session.execute(
            delete(SlugRedirect).where(SlugRedirect.content_kind == kind, SlugRedirect.old_slug == item.slug)
        )
        session.add(SlugRedirect(content_kind=kind, old_slug=item.slug, content_id=item.id))


def _check_input(session: Session, kind: str, item, data: ContentInput, action: str, now: datetime) -> tuple[str, str]:
    """The rules a save must meet, in the order an editor reads the form; (title, slug) when all hold."""
    if action not in SAVE_ACTIONS:
        raise ContentError("action", _l("Tindakan tidak dikenal."))
    title = (data.title or "").strip()
    if not title:
        raise ContentError("title", _l("Judul wajib diisi."))
    slug = (data.slug or "").strip().lower() or slugify(title)
    _check_slug(session, kind, item, slug)
    if kind == PAGE:
        _check_parent(session, item, data.parent_id)
    _check_schedule(action, data.publish_at, now)
    _check_image_alts(data.body)
    return title, slug


def _check_schedule(action: str, publish_at: datetime | None, now: datetime) -> None:
    if action == SCHEDULE and (publish_at is None or publish_at <= now):
        raise ContentError("publish_at", _l("Untuk menjadwalkan, isi waktu terbit (WIB) yang belum lewat."))


def _check_image_alts(body: str | None) -> None:
    from services.richtext import image_alts_missing

    if image_alts_missing(body):
        raise ContentError("body", _l("Setiap gambar perlu teks alternatif: tulis ![keterangan gambar](alamat)."))


def _apply_input(item, kind: str, data: ContentInput, action: str, now: datetime, author: User | None) -> None:
    """Copy the typed fields and the state the action asks for onto the item (the revision snapshots them)."""
    item.summary = (data.summary or "").strip() or None
    item.body = data.body or ""
    item.publish_at = data.publish_at if action != PUBLISH else (data.publish_at or item.publish_at or now)
    if kind == PAGE:
        item.parent_id = data.parent_id
        item.menu_order = data.menu_order or 0
        item.show_in_menu = bool(data.show_in_menu)
    else:
        item.image_id = data.image_id
    item.updated_at = now
    item.updated_by_id = author.id if author is not None else None
    item.state = {PUBLISH: PUBLISHED, SCHEDULE: SCHEDULED}.get(action, item.state)


def _release(session: Session, kind: str, item, revision: Revision, action: str, author: User | None, now: datetime):
    """Make the new revision live (PUBLISH) or pending (SCHEDULE); a draft leaves the live version alone."""
    if action == PUBLISH:
        item.live_revision_id = revision.id
        item.pending_revision_id = None
        item.published_at = item.published_at or now
        audit.record(session, author, audit.AuditAction.CONTENT_PUBLISH, kind, item.id, summary=item.title)
    elif action == SCHEDULE:
        item.pending_revision_id = revision.id
        audit.record(
            session,
            author,
            audit.AuditAction.CONTENT_SCHEDULE,
            kind,
            item.id,
            summary=item.title,
            after={"publish_at": _iso(item)},
        )


@owns_transaction
def save(
    session: Session,
    kind: str,
    item,
    data: ContentInput,
    author: User | None,
    action: str = SAVE_DRAFT,
    now: datetime | None = None,
):
    """Create or update a page/post from `data`, always making a revision.

    `action` is SAVE_DRAFT (the public keeps seeing the live version), SCHEDULE (goes live at
    `data.publish_at`) or PUBLISH (live now). Raises ContentError with nothing changed.
    """
    from services.clock import now as clock_now

    now = now or clock_now()
    title, slug = _check_input(session, kind, item, data, action, now)
    if item is None:
        item = MODELS[kind](slug=slug, title=title, state=DRAFT, created_at=now)
        session.add(item)
        session.flush()
    elif item.slug != slug:
        _move_slug(session, kind, item, slug)
    item.slug = slug
    item.title = title
    _apply_input(item, kind, data, action, now, author)
    revision = _add_revision(session, item, author, data.note, now)
    _release(session, kind, item, revision, action, author, now)
    session.commit()
    return item


def _iso(item) -> str | None:
    return item.publish_at.isoformat() if item.publish_at else None


def _add_revision(session: Session, item, author: User | None, note: str | None, now: datetime, **text) -> Revision:
    revision = Revision(
        content_kind=item.kind,
        content_id=item.id,
        author_id=author.id if author is not None else None,
        created_at=now,
        note=(note or "").strip()[:255] or None,
        title=text.get("title", item.title),
        summary=text.get("summary", item.summary),
        body=text.get("body", item.body),
        snapshot=_snapshot(item),
    )
    session.add(revision)
    session.flush()
    return revision


@owns_transaction
def correct_live(
    session: Session, item, title: str, summary: str | None, body: str, author: User | None, note: str | None
) -> Revision:
    """Fix the published version in place; a pending draft stays a draft and stays unpublished."""
    from services.clock import now as clock_now
    from services.richtext import image_alts_missing

    if item.live_revision is None:
        raise ContentError("title", _l("Konten ini belum pernah terbit."))
    if not (title or "").strip():
        raise ContentError("title", _l("Judul wajib diisi."))
    if image_alts_missing(body):
        raise ContentError("body", _l("Setiap gambar perlu teks alternatif: tulis ![keterangan gambar](alamat)."))
    now = clock_now()
    revision = _add_revision(
        session,
        item,
        author,
        note or "Koreksi versi tayang",
        now,
        title=title.strip(),
        summary=(summary or "").strip() or None,
        body=body or "",
    )
    item.live_revision_id = revision.id
    item.updated_at = now
    item.updated_by_id = author.id if author is not None else None
    audit.record(session, author, audit.AuditAction.CONTENT_CORRECT, item.kind, item.id, summary=title.strip())
    session.commit()
    return revision


@owns_transaction
def restore(session: Session, item, revision: Revision, author: User | None, publish: bool = False):
    """Make `revision`'s text the working draft again (a new revision); publish it too if asked."""
    if revision.content_kind != item.kind or revision.content_id != item.id:
        raise ContentError("revision", _l("Revisi ini bukan milik konten tersebut."))
    data = ContentInput(
        title=revision.title,
        slug=item.slug,
        body=revision.body,
        summary=revision.summary,
        publish_at=item.publish_at,
        note=f"Dipulihkan dari revisi #{revision.id}",
    )
    if isinstance(item, Page):
        data.parent_id, data.menu_order, data.show_in_menu = item.parent_id, item.menu_order, item.show_in_menu
    else:
        data.image_id = item.image_id
    return save(session, item.kind, item, data, author, PUBLISH if publish else SAVE_DRAFT)


def archive(session: Session, item, author: User | None):
    """Take an item off the public site, keeping it and its history."""
    before = item.state
    item.state = ARCHIVED
    item.pending_revision_id = None
    audit.record(
        session,
        author,
        audit.AuditAction.CONTENT_ARCHIVE,
        item.kind,
        item.id,
        summary=item.title,
        before={"state": before},
    )
    session.commit()


PUBLISHED_CONTENT_IS_ARCHIVED = _l(
    "Konten yang pernah terbit diarsipkan, tidak dihapus. Hanya superadmin yang dapat menghapusnya permanen."
)


def was_published(item) -> bool:
    """Once the public has seen an item, it is archived rather than deleted (the record of what was said)."""
    return item.published_at is not None or item.live_revision_id is not None


def may_remove(item, author: User | None) -> bool:
    """A draft that never went live may be deleted by its editors; published content only by a superadmin."""
    return not was_published(item) or (author is not None and author.role == SUPERADMIN)


@owns_transaction
def unarchive(session: Session, item, author: User | None):
    """Undo an archive: the item comes back as a draft (not on the site until published again)."""
    if item.state != ARCHIVED:
        raise ContentError("state", _l("Konten ini tidak sedang diarsipkan."))
    item.state = DRAFT
    audit.record(
        session,
        author,
        audit.AuditAction.CONTENT_UNARCHIVE,
        item.kind,
        item.id,
        summary=item.title,
        after={"state": DRAFT},
    )
    session.commit()


@owns_transaction
def remove(session: Session, item, author: User | None) -> None:
    """Delete an item with its revisions and old slugs; the audit log keeps its title.

    Content that was ever published is archived instead, unless a superadmin purges it.
    """
    if not may_remove(item, author):
        raise ContentError("state", PUBLISHED_CONTENT_IS_ARCHIVED)
    kind, item_id, title = item.kind, item.id, item.title
    action = audit.AuditAction.CONTENT_PURGE if was_published(item) else audit.AuditAction.CONTENT_DELETE
    if isinstance(item, Page):
        for child in session.scalars(select(Page).where(Page.parent_id == item.id)):
            child.parent_id = item.parent_id
    item.live_revision_id = None
    item.pending_revision_id = None
    session.flush()
    session.delete(item)
    session.execute(delete(Revision).where(Revision.content_kind == kind, Revision.content_id == item_id))
    session.execute(delete(SlugRedirect).where(SlugRedirect.content_kind == kind, SlugRedirect.content_id == item_id))
    audit.record(session, author, action, kind, item_id, summary=title, before={"title": title})
    session.commit()


def revisions_of(session: Session, item) -> list[Revision]:
    """Newest first, with their authors."""
    return list(
        session.scalars(
            select(Revision)
            .where(Revision.content_kind == item.kind, Revision.content_id == item.id)
            .options(selectinload(Revision.author))
            .order_by(Revision.id.desc())
        )
    )


def has_pending_draft(item) -> bool:
    """A published item whose working draft differs from what the public sees."""
    live = item.live_revision
    return live is not None and (live.title, live.summary, live.body) != (item.title, item.summary, item.body)


def diff_revisions(older: Revision, newer: Revision) -> str:
    """Side-by-side HTML table of the two bodies (difflib escapes the text)."""
    differ = difflib.HtmlDiff(wrapcolumn=70)
    old_lines = [f"# {older.title}", "", *older.body.splitlines()]
    new_lines = [f"# {newer.title}", "", *newer.body.splitlines()]
    return differ.make_table(old_lines, new_lines, f"#{older.id}", f"#{newer.id}", context=True, numlines=3)


def get_revision(session: Session, revision_id: int) -> Revision | None:
    return session.get(Revision, revision_id)


def get_item(session: Session, kind: str, item_id: int):
    return session.get(MODELS[kind], item_id)


def admin_list(session: Session, kind: str) -> list:
    """Every item of a kind for the editors' list, newest change first."""
    model = MODELS[kind]
    return list(
        session.scalars(select(model).options(selectinload(model.updated_by)).order_by(model.updated_at.desc()))
    )


def find_public(session: Session, kind: str, slug: str, now: datetime):
    """(item, None) for a live item, (None, new_slug) when `slug` is an old one, else (None, None)."""
    model = MODELS[kind]
    item = session.scalar(select(model).where(model.slug == slug, live_clause(model, now)))
    if item is not None:
        return item, None
    redirect = session.scalar(
        select(SlugRedirect).where(SlugRedirect.content_kind == kind, SlugRedirect.old_slug == slug)
    )
    if redirect is not None:
        query = select(model).where(model.id == redirect.content_id, live_clause(model, now))
        target: Page | NewsPost | None = session.scalar(query)  # type: ignore[assignment]  # Page or NewsPost
        if target is not None:
            return None, target.slug
    return None, None


def _live_news(now: datetime):
    """SELECT of live news, newest first."""
    order = func.coalesce(NewsPost.published_at, NewsPost.publish_at).desc()
    return (
        select(NewsPost)
        .where(live_clause(NewsPost, now))
        .options(selectinload(NewsPost.live_revision), selectinload(NewsPost.pending_revision))
        .order_by(order, NewsPost.id.desc())
    )


def latest_news(session: Session, now: datetime, limit: int = 10) -> list[NewsPost]:
    """The `limit` newest live news posts."""
    return list(session.scalars(_live_news(now).limit(limit)))


def news_page(session: Session, now: datetime, page: int, per_page: int) -> paging.Page:
    """One page of the news archive, newest first."""
    return paging.paginate(session, _live_news(now), page, per_page)


def live_pages(session: Session, now: datetime) -> list[Page]:
    """Every live page, in menu order."""
    return list(
        session.scalars(
            select(Page)
            .where(live_clause(Page, now))
            .order_by(Page.menu_order, Page.title)
            .options(selectinload(Page.live_revision), selectinload(Page.pending_revision))
        )
    )


def menu_pages(session: Session, now: datetime) -> list[tuple[str, str]]:
    """(slug, title) of live top-level pages marked for the menu, in menu order; none if the database cannot answer."""
    try:
        rows = session.execute(
            select(Page.slug, Revision.title)
            .join(Revision, Revision.id == func.coalesce(Page.live_revision_id, Page.pending_revision_id))
            .where(live_clause(Page, now), Page.show_in_menu.is_(True), Page.parent_id.is_(None))
            .order_by(Page.menu_order, Revision.title)
        ).all()
    except SQLAlchemyError:
        session.rollback()
        return []
    return [(slug, title) for slug, title in rows]


@lru_cache(maxsize=1)
def _program_pages_statement():
    """The programme pages' SELECT, built once with `now` as a parameter (the home page runs it on
    every visit)."""
    parent = Page.__table__.alias("parent_page")
    return (
        select(Page.slug, Revision.title)
        .join(parent, parent.c.id == Page.parent_id)
        .join(Revision, Revision.id == func.coalesce(Page.live_revision_id, Page.pending_revision_id))
        .where(live_clause(Page, bindparam("now")), parent.c.show_in_menu.is_(True), parent.c.parent_id.is_(None))
        .order_by(Page.menu_order, Revision.title)
    )


def program_pages(session: Session, now: datetime) -> list[tuple[str, str]]:
    """(slug, title) of live pages one level under a menu page (the programmes), for the home page."""
    return [(slug, title) for slug, title in session.execute(_program_pages_statement(), {"now": now})]


def child_pages(session: Session, page: Page, now: datetime) -> list[Page]:
    return list(
        session.scalars(
            select(Page).where(Page.parent_id == page.id, live_clause(Page, now)).order_by(Page.menu_order, Page.title)
        )
    )


def ancestors(page: Page) -> list[Page]:
    """Parents from the top down (for breadcrumbs)."""
    chain, seen, parent = [], {page.id}, page.parent
    while parent is not None and parent.id not in seen:
        chain.append(parent)
        seen.add(parent.id)
        parent = parent.parent
    return list(reversed(chain))
