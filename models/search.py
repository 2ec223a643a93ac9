"""The search outbox and the searchable mixin (microblog's SearchableMixin, made durable).

Every flush that adds, changes or deletes a searchable record writes an outbox row in the same
transaction, so no change is lost if the process dies between commit and indexing. A single writer
drains the outbox into the search backend. `search_document`/`search_word` hold the PostgreSQL
full-text backend's data (its tsvector column and GIN indexes are added by the migration on
PostgreSQL only).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Integer, String, Text, event, false, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime, utcnow


class SearchOutbox(Base):
    """A record whose index entry must be refreshed (or removed, if the record is gone)."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Applied to the live index while a rebuild ran: kept (not deleted) so that the rebuild replays it
    # into the new index before the swap; deleted once no rebuild is running.
    drained: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class SearchRebuild(Base):
    """A rebuild in progress (at most one row). While it exists, drainers keep the rows they apply."""

    __tablename__ = "search_rebuild"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(40))
    high_water: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchHeartbeat(Base):
    """The search worker's last sign of life, for /healthz (the worker may run on another machine)."""

    __tablename__ = "search_heartbeat"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    host: Mapped[str] = mapped_column(String(120), default="")


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
    kecamatan_id: Mapped[str] = mapped_column(String(20), default="", index=True)
    kelurahan_id: Mapped[str] = mapped_column(String(20), default="", index=True)
    kota: Mapped[str] = mapped_column(String(120), default="")
    kecamatan: Mapped[str] = mapped_column(String(120), default="")
    kelurahan: Mapped[str] = mapped_column(String(120), default="")
    kbli_section: Mapped[str] = mapped_column(String(1), default="", index=True)
    kbli_code: Mapped[str] = mapped_column(String(5), default="", index=True)
    kbli_title: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(20), default="", index=True)
    # A cooperative's status is derived at query time from this year (last confirmed RAT, or the
    # year before founding), so that it turns on 1 January without a reindex.
    status_year: Mapped[int | None] = mapped_column(Integer)
    # A business's permit: "valid" (a current one, see permit_until), "revoked" or "none"; whether it
    # has expired is decided at query time, for today in WIB.
    permit: Mapped[str] = mapped_column(String(10), default="", index=True)
    permit_until: Mapped[date | None] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(40), default="")


class SearchWord(Base):
    """The vocabulary of indexed words, for typo tolerance (pg_trgm) and suggestions."""

    __tablename__ = "search_word"

    word: Mapped[str] = mapped_column(String(100), primary_key=True)


class SearchableMixin:
    """A record kept in the search index. Models that affect another record's entry (a permit
    changes its business) define `search_targets()` returning that record's (kind, id) instead."""

    __search_kind__: str
    id: int

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
