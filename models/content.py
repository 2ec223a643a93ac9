"""The public website's content: pages, news posts, their revisions, old slugs, and uploaded media."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.user import User

DRAFT = "draft"
SCHEDULED = "scheduled"
PUBLISHED = "published"
ARCHIVED = "archived"
CONTENT_STATES = (DRAFT, SCHEDULED, PUBLISHED, ARCHIVED)

PAGE = "page"
NEWS = "news"
CONTENT_KINDS = (PAGE, NEWS)

IMAGE = "image"
PDF = "pdf"


class Revision(Base):
    """One saved version of a page or news post: who, when, why, and the full text."""

    __tablename__ = "content_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_kind: Mapped[str] = mapped_column(String(10), index=True)
    content_id: Mapped[int] = mapped_column(Integer, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    # Everything else about the item at save time (slug, state, publish_at, parent, menu…).
    snapshot: Mapped[dict | None] = mapped_column(JSON)

    author: Mapped[User | None] = relationship()


class ContentMixin:
    """Columns shared by pages and news posts.

    `title`/`summary`/`body` are the working draft; the public site shows `live_revision`, so that a
    published item can be corrected while a newer draft waits. A scheduled item goes live with
    `pending_revision` once `publish_at` (UTC) has passed.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default=DRAFT, index=True)
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    live_revision_id: Mapped[int | None] = mapped_column(ForeignKey("content_revision.id"))
    pending_revision_id: Mapped[int | None] = mapped_column(ForeignKey("content_revision.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Page(ContentMixin, Base):
    """A page of the public site (e.g. a programme), in a tree, optionally in the main menu."""

    __tablename__ = "content_page"
    kind = PAGE

    parent_id: Mapped[int | None] = mapped_column(ForeignKey("content_page.id"), index=True)
    menu_order: Mapped[int] = mapped_column(Integer, default=0)
    show_in_menu: Mapped[bool] = mapped_column(Boolean, default=False)

    parent: Mapped[Page | None] = relationship(remote_side="Page.id")
    live_revision: Mapped[Revision | None] = relationship(foreign_keys="Page.live_revision_id")
    pending_revision: Mapped[Revision | None] = relationship(foreign_keys="Page.pending_revision_id")
    updated_by: Mapped[User | None] = relationship(foreign_keys="Page.updated_by_id")


class NewsPost(ContentMixin, Base):
    """A news item, dated, listed newest first and in the Atom feed."""

    __tablename__ = "content_news"
    kind = NEWS

    image_id: Mapped[int | None] = mapped_column(ForeignKey("media_file.id"))

    image: Mapped[MediaFile | None] = relationship()
    live_revision: Mapped[Revision | None] = relationship(foreign_keys="NewsPost.live_revision_id")
    pending_revision: Mapped[Revision | None] = relationship(foreign_keys="NewsPost.pending_revision_id")
    updated_by: Mapped[User | None] = relationship(foreign_keys="NewsPost.updated_by_id")


class SlugRedirect(Base):
    """An old slug of a page or post, answered with a 301 to the current one."""

    __tablename__ = "content_slug_redirect"
    __table_args__ = (UniqueConstraint("content_kind", "old_slug", name="uq_content_slug_redirect_kind_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_kind: Mapped[str] = mapped_column(String(10))
    old_slug: Mapped[str] = mapped_column(String(120))
    content_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MediaFile(Base):
    """An uploaded image or PDF, stored under a random name in MEDIA_DIR."""

    __tablename__ = "media_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(50))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    alt_text: Mapped[str | None] = mapped_column(String(255))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()
