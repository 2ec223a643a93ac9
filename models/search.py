"""The search outbox and the searchable mixin (microblog's SearchableMixin, made durable).

Every flush that adds, changes or deletes a searchable record writes an outbox row in the same
transaction, so no change is lost if the process dies between commit and indexing. A single writer
drains the outbox into the search backend. `search_document`/`search_word` hold the PostgreSQL
full-text backend's data (its tsvector column and GIN indexes are added by the migration on
PostgreSQL only).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text, event, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime, utcnow


class SearchOutbox(Base):
    """A record whose index entry must be refreshed (or removed, if the record is gone)."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchDocument(Base):
    """One public record as the PostgreSQL backend searches it: analysed words and facet values."""

    __tablename__ = "search_document"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    record_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    sort_name: Mapped[str] = mapped_column(String(200), index=True)
    name_words: Mapped[str] = mapped_column(Text, default="")
    form_words: Mapped[str] = mapped_column(Text, default="")
    text_words: Mapped[str] = mapped_column(Text, default="")
    id_words: Mapped[str] = mapped_column(Text, default="")
    kota_id: Mapped[str] = mapped_column(String(20), default="")
    kecamatan_id: Mapped[str] = mapped_column(String(20), default="")
    kelurahan_id: Mapped[str] = mapped_column(String(20), default="")
    kota: Mapped[str] = mapped_column(String(120), default="")
    kecamatan: Mapped[str] = mapped_column(String(120), default="")
    kelurahan: Mapped[str] = mapped_column(String(120), default="")
    kbli_section: Mapped[str] = mapped_column(String(1), default="")
    kbli_code: Mapped[str] = mapped_column(String(5), default="")
    kbli_title: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(20), default="")


class SearchWord(Base):
    """The vocabulary of indexed words, for typo tolerance (pg_trgm) and suggestions."""

    __tablename__ = "search_word"

    word: Mapped[str] = mapped_column(String(100), primary_key=True)


class SearchableMixin:
    """A record kept in the search index. Models that affect another record's entry (a permit
    changes its business) define `search_targets()` returning that record's (kind, id) instead."""

    __search_kind__: str

    def search_targets(self) -> list[tuple[str, int]]:
        return [(self.__search_kind__, self.id)]


# Called after a commit that queued outbox rows (the writer wakes up); set by services.search.
COMMIT_HOOKS: list[Callable[[], None]] = []


@event.listens_for(Session, "after_flush")
def _queue_search_changes(session: Session, _flush_context) -> None:
    targets: set[tuple[str, int]] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        search_targets = getattr(obj, "search_targets", None)
        if search_targets is None or (obj in session.dirty and not session.is_modified(obj)):
            continue
        targets.update((kind, record_id) for kind, record_id in search_targets() if record_id is not None)
    if targets:
        now = utcnow()
        session.connection().execute(
            insert(SearchOutbox), [{"kind": k, "record_id": i, "created_at": now} for k, i in sorted(targets)]
        )
        session.info["search_changes"] = True


@event.listens_for(Session, "after_commit")
def _wake_search_writer(session: Session) -> None:
    if session.info.pop("search_changes", False):
        for hook in COMMIT_HOOKS:
            hook()


@event.listens_for(Session, "after_rollback")
def _forget_search_changes(session: Session) -> None:
    session.info.pop("search_changes", None)
