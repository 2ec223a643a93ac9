"""Batch printing for delivery runs: the stored certificates in one PDF, after a delivery manifest.

Built in a background thread so that 500 certificates never hold a request open; the officer's page
polls the progress and gets a download link. Each job's state is also written as JSON beside its
PDF under BATCH_DIR (default instance/batches), so that any worker process can answer the polling;
with several machines, BATCH_DIR must be a shared directory.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import Flask
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.permit import Permit
from models.region import Region
from models.user import User
from services import documents
from services.audit import record
from services.formatting import full_address, long_date
from services.permits import permit_pdf

MANIFEST_TEMPLATE = "documents/delivery_manifest.html"
MAX_BATCH = 2000


@dataclass
class BatchJob:
    id: str
    owner_id: int
    total: int
    done: int = 0
    state: str = "running"  # running | done | failed
    error: str | None = None
    path: Path | None = None
    filename: str = "cetak-izin.pdf"
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)


_jobs: dict[str, BatchJob] = {}


def select_permits(
    session: Session, user_scope: int | None, *, issued_on: date, kelurahan_id: int | None, include_all: bool
) -> list[Permit]:
    """Permits issued on `issued_on` (optionally in one kelurahan) within the officer's kecamatan, by number."""
    query = select(Permit).where(Permit.issued_on == issued_on)
    if kelurahan_id:
        query = query.where(Permit.kelurahan_id == kelurahan_id)
    if user_scope is not None:
        query = query.join(Region, Permit.kelurahan_id == Region.id).where(Region.parent_id == user_scope)
    if not include_all:
        query = query.where(Permit.revoked_at.is_(None), Permit.superseded_by_id.is_(None))
    return list(session.scalars(query.order_by(Permit.seq).limit(MAX_BATCH)))


def start(
    app: Flask, session: Session, actor: User, permits: list[Permit], *, ip_address: str | None = None
) -> BatchJob:
    """Record the print in the audit log and build the batch PDF in a background thread."""
    job = BatchJob(id=uuid.uuid4().hex, owner_id=actor.id, total=len(permits))
    ids = [permit.id for permit in permits]
    record(
        session,
        actor,
        "print",
        "permit_batch",
        job.id,
        summary=f"{len(ids)} sertifikat",
        after={"permit_ids": ids[:500], "count": len(ids)},
        ip_address=ip_address,
    )
    session.commit()
    _jobs[job.id] = job
    _save_state(app, job)
    thread = threading.Thread(target=_build, args=(app, job, ids), name=f"batch-{job.id[:8]}", daemon=True)
    thread.start()
    return job


def batch_dir(app: Flask) -> Path:
    return Path(app.config.get("BATCH_DIR") or Path(app.instance_path) / "batches")


def _save_state(app: Flask, job: BatchJob) -> None:
    directory = batch_dir(app)
    directory.mkdir(parents=True, exist_ok=True)
    state = {
        "owner_id": job.owner_id,
        "total": job.total,
        "done": job.done,
        "state": job.state,
        "path": str(job.path) if job.path else None,
    }
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump(state, handle)
    os.replace(tmp, directory / f"{job.id}.json")


def get(app: Flask, job_id: str, user: User) -> BatchJob | None:
    """The job if `user` started it: from this process, else from its state file (another worker)."""
    job = _jobs.get(job_id)
    if job is None and job_id.isalnum():
        state_file = batch_dir(app) / f"{job_id}.json"
        if state_file.exists():
            state = json.loads(state_file.read_text())
            job = BatchJob(
                id=job_id,
                owner_id=state["owner_id"],
                total=state["total"],
                done=state["done"],
                state=state["state"],
                path=Path(state["path"]) if state["path"] else None,
            )
    if job is None or job.owner_id != user.id:
        return None
    return job


def _build(app: Flask, job: BatchJob, permit_ids: list[int]) -> None:
    from extensions import db

    with app.app_context():
        try:
            permits = [db.session.get(Permit, permit_id) for permit_id in permit_ids]
            writer = PdfWriter()
            manifest = documents.html_to_pdf(
                documents.render_html(MANIFEST_TEMPLATE, rows=_manifest_rows(permits), today=_today_label(app)),
                title="Daftar antar",
            )
            writer.append(PdfReader(io.BytesIO(manifest)))
            for permit in permits:
                writer.append(PdfReader(io.BytesIO(permit_pdf(permit, app.config))))
                with job.lock:
                    job.done += 1
                if job.done % 25 == 0:
                    _save_state(app, job)
            directory = batch_dir(app)
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, suffix=".pdf")
            with os.fdopen(fd, "wb") as handle:
                writer.write(handle)
            job.path = Path(tmp)
            job.state = "done"
        except Exception as exc:
            app.logger.exception("batch %s failed", job.id)
            job.state = "failed"
            job.error = type(exc).__name__
        finally:
            _save_state(app, job)
            db.session.remove()


def _today_label(app: Flask) -> str:
    from services.permits import local_today

    return long_date(local_today(app.config))


def _manifest_rows(permits: list[Permit]) -> list[dict]:
    rows = []
    for index, permit in enumerate(permits, start=1):
        business = permit.business
        rows.append(
            {
                "index": index,
                "number": permit.number,
                "recipient": business.owner.full_name,
                "business": permit.business_name,
                "address": full_address(business.address, permit.kelurahan.name),
                "phone": business.owner.phone or "-",
            }
        )
    return rows
