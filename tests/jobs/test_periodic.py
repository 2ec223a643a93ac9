"""The worker's periodic work, run as the worker runs it (`tick`, every minute) with a set clock:
scheduled posts go live with nobody visiting, the open-data dump once a day after 02:00 WIB, old
batch files deleted, the yearly refresh of status-dependent search data, and email."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from demo.records import seed_cooperatives
from extensions import db
from models.batch import DONE, BatchJob
from models.content import NewsPost
from models.search import SearchOutbox
from services import jobs, opendata
from services.clock import local_to_utc


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(
        JOBS_IMMEDIATE=False,
        JOBS_URL=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        BATCH_DIR=str(tmp_path / "batches"),
        OPENDATA_DIR=str(tmp_path / "opendata"),
        SEARCH_WRITER="worker",  # leave the outbox rows for the test to count
    )
    return app_config


def _utc(wib: str) -> datetime:
    return local_to_utc(datetime.fromisoformat(wib), "Asia/Jakarta")


def _at(app, wib: str) -> None:
    """Set the app's clock to a wall-clock time in WIB."""
    moment = local_to_utc(datetime.fromisoformat(wib), "Asia/Jakarta")
    app.config["CLOCK"] = lambda: moment


def test_a_scheduled_post_goes_live_at_its_time_with_nobody_visiting(app, auth):
    from models.content import NEWS
    from services.content import SCHEDULE, ContentInput, save

    editor = auth.create("editor")
    _at(app, "2026-12-01T08:00")
    post = save(
        db.session,
        NEWS,
        None,
        ContentInput(
            title="Pasar Murah",
            slug="",
            body="Isi.",
            publish_at=local_to_utc(datetime(2026, 12, 1, 9, 30), "Asia/Jakarta"),
        ),
        editor,
        action=SCHEDULE,
    )
    assert post.state == "scheduled"
    _at(app, "2026-12-01T09:29")
    assert jobs.tick.call_local()["published"] == 0
    _at(app, "2026-12-01T09:31")
    assert jobs.tick.call_local()["published"] == 1
    db.session.expire_all()
    assert db.session.get(NewsPost, post.id).state == "published"


def test_the_open_data_dump_is_written_once_a_day_after_two_in_the_morning(app):
    folder = opendata.folder(app.instance_path)
    _at(app, "2026-12-02T01:59")
    assert "opendata" not in jobs.tick.call_local()
    assert not (folder / opendata.META_NAME).exists()
    _at(app, "2026-12-02T02:01")
    report = jobs.tick.call_local()
    assert report["opendata"]["generated_at"].startswith("2026-12-01T19:01")  # 02:01 WIB in UTC
    meta = json.loads((folder / opendata.META_NAME).read_text())
    assert meta["generated_at"] == report["opendata"]["generated_at"]
    _at(app, "2026-12-02T14:00")
    assert "opendata" not in jobs.tick.call_local()
    _at(app, "2026-12-03T02:00")
    assert "opendata" in jobs.tick.call_local()


def test_old_batch_files_are_deleted_after_the_retention_days(app, auth, tmp_path):
    officer = auth.create("officer")
    directory = tmp_path / "batches"
    directory.mkdir()
    now = datetime.now(UTC)
    for job_id, age in (("old", 8), ("recent", 1)):
        (directory / f"{job_id}.pdf").write_bytes(b"%PDF-1.7 names, addresses and phones")
        db.session.add(
            BatchJob(
                id=job_id,
                owner_id=officer.id,
                state=DONE,
                permit_ids=[1],
                total=1,
                done=1,
                filename=f"{job_id}.pdf",
                finished_at=now - timedelta(days=age),
            )
        )
    db.session.commit()
    _at(app, "2026-12-02T03:05")
    assert jobs.tick.call_local()["purge"] == 1
    assert not (directory / "old.pdf").exists() and (directory / "recent.pdf").exists()
    db.session.expire_all()
    assert db.session.get(BatchJob, "old").state == "expired"
    assert db.session.get(BatchJob, "recent").state == DONE


def test_status_dependent_search_data_is_refreshed_once_a_year(app):
    seed_cooperatives(db.session, 3, seed=4)
    db.session.execute(SearchOutbox.__table__.delete())
    db.session.commit()

    def queued() -> int:
        return db.session.scalar(
            select(func.count()).select_from(SearchOutbox).where(SearchOutbox.kind == "cooperative")
        )

    _at(app, "2026-12-31T23:58")
    jobs.tick.call_local()
    assert queued() == 3
    jobs.tick.call_local()
    assert queued() == 3
    _at(app, "2027-01-01T00:01")
    assert "status-refresh" in jobs.tick.call_local()
    assert queued() == 6


@pytest.fixture
def smtp():
    """A local SMTP server; yields (port, received envelopes)."""
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            received.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def test_email_goes_out_through_the_configured_server(app, smtp):
    port, received = smtp
    app.config.update(SMTP_URL=f"smtp://127.0.0.1:{port}", MAIL_FROM="balai@kota.example")
    jobs.send_email.call_local("koperasi@contoh.example", "Ibu Ratna", "Undangan portal", "Tautan: https://balai/x")
    assert len(received) == 1
    assert received[0].rcpt_tos == ["koperasi@contoh.example"]
    assert b"Subject: Undangan portal" in received[0].content and b"Tautan: https://balai/x" in received[0].content


def test_email_is_retried_by_the_queue_when_the_server_does_not_answer(app):
    from services.mail import MailError

    app.config.update(SMTP_URL="smtp://127.0.0.1:1", MAIL_FROM="balai@kota.example")
    with pytest.raises(MailError):
        jobs.send_email.call_local("koperasi@contoh.example", None, "Undangan", "Isi")
    assert jobs.send_email.retries == 5 and jobs.send_email.retry_delay == 60
