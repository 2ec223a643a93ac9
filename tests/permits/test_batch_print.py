"""The AJIB print file: one PDF/A document, no signature fields, a QR on each certificate, files purged."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from extensions import db
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


def _run_batch(app, permits):
    from services.users import create_user

    officer = create_user(db.session, f"cetak{time.monotonic_ns()}", "sandi-uji-panjang-123", "officer", "Petugas")
    job = batch.start(app, db.session, officer, permits)
    for _ in range(300):
        if job.state != "running":
            break
        time.sleep(0.1)
    assert job.state == "done", job.error
    return job


@pytest.mark.both_databases
def test_the_print_file_is_one_pdfa_document_without_signature_fields(app):
    permits = _issue_three(app)
    single = permit_pdf(permits[0], app.config)
    assert_pdfa_3b(single)  # the same checks a single signed certificate passes
    assert signature_fields(single), "the stored original is signed"

    job = _run_batch(app, permits)
    data = job.path.read_bytes()
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
    assert job.total == 5 and job.done == 5 and job.phase == "done"
    state = json.loads((batch.batch_dir(app) / f"{job.id}.json").read_text())
    assert state["done"] == 5 and state["phase"] == "done"


def test_print_files_are_deleted_after_the_retention_period(app, runner):
    permits = _issue_three(app)
    old_job = _run_batch(app, permits[:1])
    new_job = _run_batch(app, permits[1:])
    app.config["BATCH_RETENTION_DAYS"] = 7
    state_file = batch.batch_dir(app) / f"{old_job.id}.json"
    state = json.loads(state_file.read_text())
    state["created_at"] = (clock.now() - timedelta(days=8)).isoformat()
    state_file.write_text(json.dumps(state))
    running = batch.BatchJob(id="stillrunning", owner_id=1, total=3, created_at=state["created_at"])
    batch._save_state(app, running)

    result = runner.invoke(args=["batches", "purge"])
    assert result.exit_code == 0 and "1 batch file(s) deleted" in result.output
    assert not old_job.path.exists() and not state_file.exists()
    assert new_job.path.exists()
    assert (batch.batch_dir(app) / "stillrunning.json").exists()
