"""Batch print jobs: the officer's request, its progress and its outcome, kept in the database so that
any web process can show it and any job worker can resume it after a crash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.user import User

QUEUED, RUNNING, DONE, FAILED, EXPIRED = "queued", "running", "done", "failed", "expired"
STATES = (QUEUED, RUNNING, DONE, FAILED, EXPIRED)
# Phases of a running job: the manifest, the certificates, writing the file; then done.
WRITING = "writing"


class BatchJob(Base):
    __tablename__ = "batch_job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), default=QUEUED, index=True)
    permit_ids: Mapped[list] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(Integer)  # steps: the manifest, each certificate, writing the file
    done: Mapped[int] = mapped_column(Integer, default=0)
    phase: Mapped[str | None] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(200))
    filename: Mapped[str | None] = mapped_column(String(255))  # the PDF's name inside BATCH_DIR
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User] = relationship()

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)

    def __repr__(self) -> str:
        return f"<BatchJob {self.id} {self.state} {self.done}/{self.total}>"
