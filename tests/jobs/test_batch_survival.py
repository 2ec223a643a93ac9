"""A batch print survives its worker: `kill -9` mid-way, then a new worker resumes it (or, out of
attempts, it is marked failed and the officer retries it). The audit log records only the print
that happened. Real `flask jobs worker` processes on a SQLite job queue, on both databases."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from extensions import db
from models.audit import AuditEvent
from models.batch import BatchJob
from services import batch
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue

ROOT = Path(__file__).resolve().parents[2]
COPIES = 240  # enough certificates that the worker is surely mid-way when killed


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(
        JOBS_IMMEDIATE=False,
        JOBS_URL=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        BATCH_DIR=str(tmp_path / "batches"),
        SIGNING_DEMO_DIR=str(tmp_path / "signing"),
        BATCH_STALE_SECONDS=2,
    )
    return app_config


def _start_worker(app_config, tmp_path, name: str, **env) -> subprocess.Popen:
    environment = {
        **os.environ,
        "FLASK_APP": "app",
        "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app_config["SECRET_KEY"],
        "JOBS_URL": app_config["JOBS_URL"],
        "BATCH_DIR": app_config["BATCH_DIR"],
        "SEARCH_INDEX_DIR": app_config["SEARCH_INDEX_DIR"],
        "SEARCH_WRITER": "worker",
        "BATCH_STALE_SECONDS": "2",
        **env,
    }
    log = (tmp_path / f"{name}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "jobs", "worker", "--workers", "1"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _job(job_id: str) -> BatchJob:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(BatchJob, job_id)


def _wait(job_id: str, condition, timeout: float, what: str, logs: Path) -> BatchJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = _job(job_id)
        if condition(job):
            return job
        time.sleep(0.05)
    pytest.fail(f"batch job never {what}: {_job(job_id)!r}\n" + "\n".join(p.read_text() for p in logs.glob("*.log")))


def _prints() -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "permit_batch.print")
    )


def _queue_a_big_batch(app, auth):
    officer = auth.login_as("officer")
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    permits = [
        issue(app, add_business(kelurahan, name=f"Usaha Antar {i}", nik=f"31710145038500{60 + i}")) for i in (1, 2)
    ]
    job = batch.start(db.session, officer, permits * (COPIES // 2))
    return officer, job.id


def _kill_mid_way(app_config, tmp_path, job_id):
    worker = _start_worker(app_config, tmp_path, "first")
    try:
        job = _wait(job_id, lambda j: j.state == "running" and j.done >= 20, 120, "got under way", tmp_path)
        assert job.done < job.total
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
    killed = _job(job_id)
    assert killed.state == "running" and killed.done < killed.total
    assert _prints() == 0, "the audit log records a print that has not happened"
    time.sleep(2.5)  # a restart after a crash: the dead worker's heartbeat has gone quiet


@pytest.mark.both_databases
def test_batch_killed_mid_way_is_resumed_by_the_next_worker(app, app_config, auth, client, tmp_path):
    _officer, job_id = _queue_a_big_batch(app, auth)
    _kill_mid_way(app_config, tmp_path, job_id)

    worker = _start_worker(app_config, tmp_path, "second")
    try:
        job = _wait(job_id, lambda j: j.state in ("done", "failed"), 180, "finished", tmp_path)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(30)
    assert job.state == "done" and job.attempts == 2 and job.done == job.total == COPIES + 2
    page = client.get(f"/kantor/izin/cetak/{job_id}").get_data(as_text=True)
    assert "Selesai" in page and "percobaan ke-2" in page
    pdf = client.get(f"/kantor/izin/cetak/{job_id}/unduh")
    assert pdf.status_code == 200
    reader = PdfReader(io.BytesIO(pdf.data))
    assert sum("IZIN USAHA MIKRO" in (page.extract_text() or "").upper() for page in reader.pages) >= COPIES
    assert _prints() == 1
    leftovers = [p.name for p in Path(app_config["BATCH_DIR"]).iterdir() if p.name.startswith(".")]
    assert leftovers == [], "the killed attempt's partial file was left behind"


def test_batch_out_of_attempts_is_failed_and_the_officer_retries_it(app, app_config, auth, client, tmp_path):
    _officer, job_id = _queue_a_big_batch(app, auth)
    _kill_mid_way(app_config, tmp_path, job_id)

    worker = _start_worker(app_config, tmp_path, "second", BATCH_MAX_ATTEMPTS="1")
    try:
        job = _wait(job_id, lambda j: j.state == "failed", 60, "failed", tmp_path)
        assert job.error == "interrupted" and _prints() == 0
        page = client.get(f"/kantor/izin/cetak/{job_id}").get_data(as_text=True)
        assert "Gagal" in page and "Coba lagi" in page
        retried = client.post(f"/kantor/izin/cetak/{job_id}/ulang")
        assert retried.status_code == 303
        job = _wait(job_id, lambda j: j.state == "done", 180, "was rebuilt after the retry", tmp_path)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(30)
    assert job.attempts == 1 and _prints() == 1
    assert client.get(f"/kantor/izin/cetak/{job_id}/unduh").status_code == 200
