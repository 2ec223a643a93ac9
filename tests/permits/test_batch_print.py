"""The AJIB print file: one PDF/A document, no signature fields, a QR on each certificate, files purged."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from extensions import db
from models.batch import DONE, RUNNING, BatchJob
from models.permit import Permit
from services import batch, clock
from services.permits import permit_pdf
from tests.pdfa import assert_pdfa_3b, signature_fields
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue


def _issue_three(app):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    return [
        issue(app, add_business(kelurahan, name=f"Usaha Cetak {i}", nik=f"31710145038500{60 + i}")) for i in range(3)
    ]


def _officer():
    from services.users import create_user

    return create_user(db.session, f"cetak{time.monotonic_ns()}", "sandi-uji-panjang-123", "officer", "Petugas")


def _run_batch(app, permits) -> BatchJob:
    """A print job, built at once (JOBS_IMMEDIATE in tests: the queue runs jobs in the calling process)."""
    job = batch.start(db.session, _officer(), permits)
    db.session.expire_all()
    job = db.session.get(BatchJob, job.id)
    assert job.state == DONE, job.error
    return job


@pytest.mark.both_databases
def test_the_print_file_is_one_pdfa_document_without_signature_fields(app):
    permits = _issue_three(app)
    single = permit_pdf(permits[0], app.config)
    assert_pdfa_3b(single)  # the same checks a single signed certificate passes
    assert signature_fields(single), "the stored original is signed"

    job = _run_batch(app, permits)
    data = batch.file_path(app.config, job).read_bytes()
    reader = assert_pdfa_3b(data)
    assert signature_fields(data) == []
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert len(reader.pages) == 4
    assert "Berkas cetak" in reader.pages[0].extract_text()
    for page, permit in zip(reader.pages[1:], permits, strict=True):
        text = page.extract_text().replace("\n", "")
        assert permit.number in text and f"/verify/{permit.token}" in text
    # The originals are untouched and still the signed documents.
    for permit in permits:
        stored = db.session.get(Permit, permit.id)
        assert permit_pdf(stored, app.config).startswith(batch.unsigned_revision(permit_pdf(stored, app.config)))
        assert signature_fields(permit_pdf(stored, app.config))


def test_progress_counts_the_manifest_each_certificate_and_the_writing(app):
    permits = _issue_three(app)
    job = _run_batch(app, permits)
    assert job.total == 5 and job.done == 5 and job.phase == DONE


def test_print_files_are_deleted_after_the_retention_period(app, runner):
    permits = _issue_three(app)
    old_job = _run_batch(app, permits[:1])
    new_job = _run_batch(app, permits[1:])
    old_path, new_path = batch.file_path(app.config, old_job), batch.file_path(app.config, new_job)
    app.config["BATCH_RETENTION_DAYS"] = 7
    old_job.finished_at = clock.wall_now() - timedelta(days=8)
    running = BatchJob(
        id="stillrunning",
        owner_id=old_job.owner_id,
        state=RUNNING,
        permit_ids=[],
        total=3,
        heartbeat_at=clock.wall_now(),
    )
    db.session.add(running)
    db.session.commit()

    result = runner.invoke(args=["batches", "purge"])
    assert result.exit_code == 0 and "1 batch file(s) deleted" in result.output
    assert not old_path.exists() and new_path.exists()
    db.session.expire_all()
    assert db.session.get(BatchJob, old_job.id).state == "expired"
    assert db.session.get(BatchJob, "stillrunning").state == RUNNING
