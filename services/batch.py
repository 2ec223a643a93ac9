"""Batch printing for delivery runs: one PDF/A print file, a delivery manifest then each certificate.

The print file is plainly a print file: each certificate page is the stored certificate as rendered
before signing (its first revision, with its QR code), so no copy of a signature field is carried
over; the signed originals stay in the registry and are what the QR code verifies. Progress counts
every step: the manifest, each certificate, writing the file.

A print is a job on the job queue (services/jobs.py): `start` records the request as a `batch_job`
row (queued) and the worker builds the PDF. The row is the truth the officer's page reads (queued,
running n/m, done, failed) from any web process. Surviving a crash: the worker claims a job by a
conditional UPDATE and writes a heartbeat while it builds; a job whose heartbeat went quiet (the
worker was killed, the machine restarted) is queued again by `recover_stale` and built from the
start (building is idempotent: a temporary file renamed at the end), until BATCH_MAX_ATTEMPTS is
reached, then it is marked failed and the officer can retry it. The audit log records the print
in the same transaction that marks the job done: only a print that happened is recorded.
Files are under BATCH_DIR (default instance/batches; shared by every worker when several machines
serve) and deleted after BATCH_RETENTION_DAYS.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from models.batch import DONE, EXPIRED, FAILED, QUEUED, RUNNING, WRITING, BatchJob
from models.permit import Permit
from models.region import Region
from models.user import User
from services import clock, documents
from services.audit import AuditAction, record
from services.formatting import full_address, long_date
from services.permits import permit_pdf
from services.transactions import changed_rows

MANIFEST_TEMPLATE = "documents/delivery_manifest.html"
MAX_BATCH = 2000
HEARTBEAT_SECONDS = 2.0


class BatchError(Exception):
    """A batch request that cannot be done; the message is for the officer."""


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
        query = query.where(Permit.current())
    return list(session.scalars(query.order_by(Permit.seq).limit(MAX_BATCH)))


def start(session: Session, actor: User, permits: list[Permit], *, ip_address: str | None = None) -> BatchJob:
    """Record a queued print job and put it on the job queue. Nothing is audited until it is built."""
    job = BatchJob(
        id=uuid.uuid4().hex,
        owner_id=actor.id,
        state=QUEUED,
        permit_ids=[permit.id for permit in permits],
        total=len(permits) + 2,  # steps: the manifest, each certificate, writing the file
        done=0,
        attempts=0,
        ip_address=ip_address,
        created_at=clock.wall_now(),
    )
    session.add(job)
    session.commit()
    _enqueue(job.id)
    return job


def retry(session: Session, job: BatchJob) -> BatchJob:
    """Queue a failed (or expired) job again from the start."""
    if job.state not in (FAILED, EXPIRED):
        raise BatchError("only a failed or expired job can be retried")
    job.state, job.done, job.attempts, job.error = QUEUED, 0, 0, None
    job.created_at, job.started_at, job.heartbeat_at, job.finished_at = clock.wall_now(), None, None, None
    session.commit()
    _enqueue(job.id)
    return job


def _enqueue(job_id: str) -> None:
    """Hand the job to the queue. Should the queue be unreachable, the job stays queued and the next
    recovery round (every minute, and at worker start) enqueues it."""
    from flask import current_app

    from services import jobs

    try:
        jobs.build_batch(job_id)
    except Exception as exc:
        current_app.logger.warning("batch %s not queued yet (%s); the worker will pick it up", job_id, exc)


def get(session: Session, job_id: str, user: User) -> BatchJob | None:
    """The job if `user` started it."""
    if not job_id.isalnum() or len(job_id) > 32:
        return None
    job = session.get(BatchJob, job_id)
    if job is None or job.owner_id != user.id:
        return None
    return job


def recent(session: Session, user: User, limit: int = 10) -> list[BatchJob]:
    """The officer's latest jobs, newest first."""
    query = select(BatchJob).where(BatchJob.owner_id == user.id).order_by(BatchJob.created_at.desc()).limit(limit)
    return list(session.scalars(query))


def batch_dir(config) -> Path:
    """BATCH_DIR; services.jobs.init_app sets it to instance/batches when not configured."""
    return Path(config["BATCH_DIR"])


def file_path(config, job: BatchJob) -> Path | None:
    return batch_dir(config) / job.filename if job.filename else None


def claim(session: Session, job_id: str, stale_after: timedelta) -> bool:
    """Take the job for this worker: queued, or running with a heartbeat older than `stale_after`.
    One conditional UPDATE, so two workers never build the same job at once."""
    now = clock.wall_now()
    result = session.execute(
        update(BatchJob)
        .where(
            BatchJob.id == job_id,
            or_(
                BatchJob.state == QUEUED,
                (BatchJob.state == RUNNING) & (BatchJob.heartbeat_at < now - stale_after),
            ),
        )
        .values(state=RUNNING, done=0, attempts=BatchJob.attempts + 1, started_at=now, heartbeat_at=now, error=None)
    )
    session.commit()
    return changed_rows(result) == 1


def build(session: Session, job_id: str, config, stale_after: timedelta) -> str | None:
    """Claim and build one job; returns its final state, or None when another worker has it."""
    if not claim(session, job_id, stale_after):
        return None
    job = session.get(BatchJob, job_id)
    directory = batch_dir(config)
    directory.mkdir(parents=True, exist_ok=True)
    for partial in directory.glob(f".{job.id}-*.pdf"):  # what a killed attempt left behind
        partial.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{job.id}-", suffix=".pdf")
    last_beat = clock.wall_now()

    def progress(done: int, phase: str) -> None:
        nonlocal last_beat
        now = clock.wall_now()
        if phase == WRITING or (now - last_beat).total_seconds() >= HEARTBEAT_SECONDS:
            values = {"done": done, "phase": phase, "heartbeat_at": now}
            session.execute(update(BatchJob).where(BatchJob.id == job.id).values(**values))
            session.commit()
            last_beat = now

    try:
        with os.fdopen(fd, "wb") as handle:
            assemble(session, list(job.permit_ids), config, handle, progress)
        final = directory / f"{job.id}.pdf"
        os.replace(tmp, final)
    except Exception as exc:
        session.rollback()
        Path(tmp).unlink(missing_ok=True)
        _finish(session, job_id, FAILED, error=type(exc).__name__)
        raise
    job = session.get(BatchJob, job_id)
    job.state, job.phase, job.filename, job.finished_at = DONE, DONE, final.name, clock.wall_now()
    job.done = job.total
    count = len(job.permit_ids)
    record(
        session,
        job.owner,
        AuditAction.PERMIT_BATCH_PRINT,
        "permit_batch",
        job.id,
        summary=f"{count} sertifikat",
        after={"permit_ids": job.permit_ids[:500], "count": count, "attempts": job.attempts},
        ip_address=job.ip_address,
    )
    session.commit()
    return DONE


def _finish(session: Session, job_id: str, state: str, error: str | None = None) -> None:
    session.execute(
        update(BatchJob).where(BatchJob.id == job_id).values(state=state, error=error, finished_at=clock.wall_now())
    )
    session.commit()


def assemble(session: Session, permit_ids: list[int], config, handle, progress: Callable[[int, str], None]) -> None:
    """Write the print file (manifest, then each certificate's unsigned first revision) into `handle`."""
    permits = [session.get(Permit, permit_id) for permit_id in permit_ids]
    manifest = documents.html_to_pdf(
        documents.render_html(MANIFEST_TEMPLATE, rows=_manifest_rows(permits), today=_today_label()),
        title="Daftar antar",
    )
    progress(1, "certificates")
    certificates = []
    for step, permit in enumerate(permits, start=2):
        certificates.append(unsigned_revision(permit_pdf(permit, config)))
        progress(step, "certificates")
    progress(len(permits) + 1, WRITING)
    handle.write(print_file(manifest, certificates))


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


def recover_stale(session: Session, stale_after: timedelta, max_attempts: int) -> dict:
    """Jobs left behind by a dead worker: queue them again, or fail them after `max_attempts`.

    Running jobs whose heartbeat is older than `stale_after`, and queued jobs older than that (their
    queue entry may be lost), are returned for re-queueing; the claim makes duplicates harmless."""
    cutoff = clock.wall_now() - stale_after
    requeue, failed = [], []
    stale = session.scalars(
        select(BatchJob).where(
            or_(
                (BatchJob.state == RUNNING) & (BatchJob.heartbeat_at < cutoff),
                (BatchJob.state == QUEUED) & (BatchJob.created_at < cutoff),
            )
        )
    ).all()
    for job in stale:
        if job.state == RUNNING and job.attempts >= max_attempts:
            job.state, job.error, job.finished_at = FAILED, "interrupted", clock.wall_now()
            failed.append(job.id)
        else:
            requeue.append(job.id)
    session.commit()
    return {"requeue": requeue, "failed": failed}


def purge_old(session: Session, config, older_than: datetime) -> int:
    """Delete the files of jobs finished before `older_than` (they hold names, addresses and phones);
    their rows stay, marked expired. Also removes stray files of that age in BATCH_DIR."""
    removed = 0
    for job in session.scalars(
        select(BatchJob).where(BatchJob.state.in_((DONE, FAILED)), BatchJob.finished_at < older_than)
    ):
        path = file_path(config, job)
        if path is not None and path.exists():
            path.unlink()
            removed += 1
        job.state, job.filename = EXPIRED, None
    session.commit()
    directory = batch_dir(config)
    if directory.is_dir():
        for stray in directory.iterdir():
            if stray.is_file() and stray.stat().st_mtime < older_than.timestamp():
                known = session.scalar(select(BatchJob.id).where(BatchJob.filename == stray.name))
                if known is None:
                    stray.unlink()
                    removed += 1
    return removed


def purge_expired(app) -> int:
    """`flask batches purge`: delete print files older than BATCH_RETENTION_DAYS (the job worker does it daily)."""
    from datetime import timedelta

    from extensions import db

    days = app.config["BATCH_RETENTION_DAYS"]
    return purge_old(db.session, app.config, clock.wall_now() - timedelta(days=days))


def _today_label() -> str:
    return long_date(clock.today())


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
