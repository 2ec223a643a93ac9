"""Production renders in low-priority render processes (RENDER_PROCESSES > 0): what an officer gets from
them is the same signed certificate, a render process that dies costs one render (never a number), and no
render process outlives the web process that started it."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from extensions import db
from models.permit import Permit
from services import documents, permits
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue, issue_with_damaged_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RENDER_PROCESSES": 2}


def _wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_a_permit_is_rendered_and_signed_in_a_lower_priority_process(app):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    business = add_business(kelurahan)
    with app.app_context():
        documents.start_renderers()
        renderers = documents.render_process_ids()
    assert len(renderers) == 2 and os.getpid() not in renderers
    lowered = min(19, os.getpriority(os.PRIO_PROCESS, 0) + documents.RENDER_NICENESS)
    # Each lowers its priority as it starts, before it takes any render.
    _wait_for(lambda: {os.getpriority(os.PRIO_PROCESS, pid) for pid in renderers} == {lowered})

    permit = issue(app, business)
    pdf = permits.permit_pdf(permit, app.config)
    assert PdfReader(io.BytesIO(pdf)).metadata.title == permit.number
    key = documents.signing_key(app.config, app.instance_path)
    assert documents.check_signature(pdf, key.cert_path).ok


def test_refused_resources_and_signing_errors_come_back_from_the_render_process(app, tmp_path):
    fetcher = documents.SafeURLFetcher()
    html = '<html><body><p>Isi</p><img src="https://example.invalid/logo.png"></body></html>'
    with app.app_context():
        pdf = documents.html_to_pdf(html, title="Izin", fetcher=fetcher)
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "Izin"
    assert fetcher.refused == ["https://example.invalid/logo.png"]

    with app.app_context(), pytest.raises(documents.DocumentError, match="signing key cannot be read"):
        issue_with_damaged_key(app, tmp_path)


def test_a_render_process_killed_mid_render_fails_that_render_only(app):
    """The officer whose render died gets a DocumentError (issue_permit then gives the number back, as for
    any signing failure); the next certificate is rendered by a new process."""
    processes = app.config["RENDER_PROCESSES"]
    outcome: list[BaseException | None] = []

    def slow_render():
        try:
            documents._render_processes.run(processes, time.sleep, 30)  # noqa: SLF001 - a render that lasts
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - the test reads it
            outcome.append(exc)

    with app.app_context():
        documents.start_renderers()
    thread = threading.Thread(target=slow_render)
    thread.start()
    _wait_for(lambda: any(_sleeping(pid) for pid in documents.render_process_ids()))
    busy = next(pid for pid in documents.render_process_ids() if _sleeping(pid))
    os.kill(busy, signal.SIGKILL)
    thread.join(20)
    assert len(outcome) == 1 and isinstance(outcome[0], documents.DocumentError)

    kelurahan = any_kelurahan()
    add_official(kelurahan)
    permit = issue(app, add_business(kelurahan))
    assert permit.seq == 1 and db.session.scalar(select(func.count(Permit.id))) == 1
    assert busy not in documents.render_process_ids()


def test_a_machine_that_cannot_start_render_processes_renders_in_the_render_thread(app, monkeypatch, caplog):
    """No /dev/shm (a locked-down container) or no process left to start: issuing still works, and the
    log says once why the render processes are not used."""

    def no_processes(*args, **kwargs):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(documents, "ProcessPoolExecutor", no_processes)
    monkeypatch.setattr(documents, "_render_processes", documents._RenderProcesses())  # noqa: SLF001 - a fresh pool
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    with app.app_context():
        documents.start_renderers()
    first = issue(app, add_business(kelurahan))
    second = issue(app, add_business(kelurahan, nik="3171014503850004", name="Toko Kedua"))
    key = documents.signing_key(app.config, app.instance_path)
    for permit in (first, second):
        assert documents.check_signature(permits.permit_pdf(permit, app.config), key.cert_path).ok
    warnings = [r.getMessage() for r in caplog.records if "render processes cannot start" in r.getMessage()]
    assert len(warnings) == 1 and "Function not implemented" in warnings[0]


def _sleeping(pid: int) -> bool:
    """Is the render process `pid` inside time.sleep (the kernel's wait channel says so)?"""
    try:
        return Path(f"/proc/{pid}/wchan").read_text() in {"hrtimer_nanosleep", "do_nanosleep"}
    except OSError:
        return False


def test_render_processes_end_when_their_web_process_is_killed(tmp_path):
    """`kill -9` of a gunicorn worker cannot stop its pool: the render processes notice and exit."""
    script = textwrap.dedent(
        """
        import sys, time
        from app import create_app
        from services import documents

        if __name__ == "__main__":
            app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "RENDER_PROCESSES": 2,
                              "SEARCH_INDEX_DIR": sys.argv[1], "SECRET_KEY": "x" * 40})
            with app.app_context():
                documents.start_renderers()
            while len(documents.render_process_ids()) < 2:
                time.sleep(0.05)
            print(*documents.render_process_ids(), flush=True)
            time.sleep(120)
        """
    )
    (tmp_path / "web.py").write_text(script)
    web = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, str(tmp_path / "web.py"), str(tmp_path / "index")],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        renderers = [int(pid) for pid in web.stdout.readline().split()]
        assert len(renderers) == 2
        web.kill()
        web.wait()
        _wait_for(lambda: not any(_alive(pid) for pid in renderers), seconds=15)
    finally:
        web.kill()
        web.wait()
        web.stdout.close()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except OSError:
        return False
    return state != "Z"
