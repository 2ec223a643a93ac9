"""Batch printing for delivery runs: one PDF/A print file, a delivery manifest then each certificate.

The print file is plainly a print file: each certificate page is the stored certificate as rendered
before signing (its first revision, with its QR code), so no copy of a signature field is carried
over; the signed originals stay in the registry and are what the QR code verifies.

Built in a background thread so that 500 certificates never hold a request open; the officer's page
polls the progress (every phase counts: manifest, each certificate, writing) and gets a download link.
Each job's state is also written as JSON beside its PDF under BATCH_DIR (default instance/batches), so
that any worker process can answer the polling; with several machines, BATCH_DIR must be a shared
directory. Print files carry names and phone numbers: `purge_expired` deletes them after
BATCH_RETENTION_DAYS (`flask batches purge`).
"""

from __future__ import annotations

import io
import json
import os
import re
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
from services import clock, documents
from services.audit import record
from services.formatting import full_address, long_date
from services.permits import permit_pdf

MANIFEST_TEMPLATE = "documents/delivery_manifest.html"
MAX_BATCH = 2000


@dataclass
class BatchJob:
    id: str
    owner_id: int
    total: int  # steps: the manifest, each certificate, writing the file
    done: int = 0
    phase: str = "manifest"  # manifest | certificates | writing | done
    state: str = "running"  # running | done | failed
    error: str | None = None
    path: Path | None = None
    filename: str = "cetak-izin.pdf"
    created_at: str = field(default_factory=lambda: clock.now().isoformat())
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
    job = BatchJob(id=uuid.uuid4().hex, owner_id=actor.id, total=len(permits) + 2)
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
        "phase": job.phase,
        "state": job.state,
        "path": str(job.path) if job.path else None,
        "created_at": job.created_at,
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
                phase=state.get("phase", "done"),
                created_at=state.get("created_at", ""),
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
            manifest = documents.html_to_pdf(
                documents.render_html(MANIFEST_TEMPLATE, rows=_manifest_rows(permits), today=_today_label(app)),
                title="Daftar antar",
            )
            _advance(app, job, "certificates")
            certificates = []
            for permit in permits:
                certificates.append(unsigned_revision(permit_pdf(permit, app.config)))
                _advance(app, job, "certificates", save=job.done % 25 == 0)
            job.phase = "writing"
            data = print_file(manifest, certificates)
            directory = batch_dir(app)
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, suffix=".pdf")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            job.path = Path(tmp)
            _advance(app, job, "done", save=False)
            job.state = "done"
        except Exception as exc:
            app.logger.exception("batch %s failed", job.id)
            job.state = "failed"
            job.error = type(exc).__name__
        finally:
            _save_state(app, job)
            db.session.remove()


def _advance(app: Flask, job: BatchJob, phase: str, *, save: bool = True) -> None:
    with job.lock:
        job.done += 1
        job.phase = phase
    if save:
        _save_state(app, job)


_FIRST_REVISION_END = re.compile(rb"startxref\s+\d+\s+%%EOF\r?\n?")


def unsigned_revision(signed_pdf: bytes) -> bytes:
    """The document as rendered before it was signed: its first revision (signing only appends updates)."""
    match = _FIRST_REVISION_END.search(signed_pdf)
    if match is None:
        raise documents.DocumentError("stored document has no complete first revision")
    return signed_pdf[: match.end()]


def print_file(manifest: bytes, certificates: list[bytes]) -> bytes:
    """One PDF/A-3b document: the manifest (whose PDF/A metadata and output intent the file keeps), then the
    pages of each certificate. Form fields are never copied, so the file holds no signature field."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(manifest)))
    for certificate in certificates:
        writer.append(PdfReader(io.BytesIO(certificate)), import_outline=False, excluded_fields=["/Annots", "/B"])
    if "/AcroForm" in writer.root_object:
        del writer.root_object["/AcroForm"]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def retention_days(app: Flask) -> int:
    return int(app.config.get("BATCH_RETENTION_DAYS", 7))


def purge_expired(app: Flask) -> int:
    """Delete batch print files (and their progress files) older than BATCH_RETENTION_DAYS; returns how many.

    Jobs still running are kept whatever their age. Meant to be run daily (`flask batches purge`).
    """
    directory = batch_dir(app)
    if not directory.exists():
        return 0
    cutoff = clock.now().timestamp() - retention_days(app) * 86400
    removed = 0
    for state_file in directory.glob("*.json"):
        try:
            state = json.loads(state_file.read_text())
        except (OSError, ValueError):
            continue
        if state.get("state") == "running" or _created(state, state_file) > cutoff:
            continue
        if state.get("path"):
            Path(state["path"]).unlink(missing_ok=True)
        state_file.unlink(missing_ok=True)
        _jobs.pop(state_file.stem, None)
        removed += 1
    for orphan in directory.glob("*.pdf"):  # a print file whose state file is gone
        if orphan.stat().st_mtime < cutoff and not any(
            job.path == orphan for job in _jobs.values() if job.state == "running"
        ):
            orphan.unlink(missing_ok=True)
    return removed


def _created(state: dict, state_file: Path) -> float:
    from datetime import datetime

    try:
        return datetime.fromisoformat(state["created_at"]).timestamp()
    except (KeyError, TypeError, ValueError):
        return state_file.stat().st_mtime


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
