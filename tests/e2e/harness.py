"""The real-browser harness: a live Balai server, Chromium launch options, log-in and axe helpers.

Shared by the pytest journeys (tests/e2e/conftest.py) and `make screenshots` (tests/e2e/screenshots.py),
so that both see the same site: a SQLite database with the regions, KBLI, deterministic demo data,
a built search index and the demo accounts with known passwords.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.serving import make_server

from tests.support import CHROMIUM, TEST_PASSWORD

AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")

# Debian's Chromium, with nothing that phones home or needs a GPU or a sandbox (containers, CI).
CHROMIUM_LAUNCH_ARGS = {
    "executable_path": CHROMIUM,
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ],
}

DEMO_SEED = 1
DEMO_BUSINESSES = 120
DEMO_COOPERATIVES = 20


@dataclass(frozen=True)
class Account:
    role: str
    username: str
    password: str
    full_name: str


@dataclass
class LiveServer:
    """A Balai app served by werkzeug in a background thread on 127.0.0.1."""

    app: object
    url: str
    accounts: dict[str, Account]
    _server: object = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def page_url(self, path: str = "/") -> str:
        return self.url + path

    def account(self, role: str) -> Account:
        return self.accounts[role]

    def stop(self) -> None:
        from extensions import db

        self._server.shutdown()
        self._thread.join(timeout=10)
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


def site_config(database_path: Path, index_dir: Path) -> dict:
    """The configuration of the served site: a development-mode app, as `make run` serves it."""
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_path}",
        "SEARCH_INDEX_DIR": str(index_dir),
        "SECRET_KEY": "e2e-secret-key-that-is-long-enough-0123456789abcdef",
        "MUNICIPALITY": "DKI Jakarta",
        "BALAI_ENV": "development",
        "DEBUG": False,
        "TESTING": False,
    }


def build_site(workdir: Path, template: Path | None = None):
    """Create the app on a fresh database in `workdir`: migrated, regions, demo data, index, accounts.

    `template` is an already migrated SQLite file with the regions and KBLI loaded (the test suite's
    session template); without it the database is built from the migrations, as `flask setup` does.
    Returns the app and the demo accounts (role -> Account).
    """
    from app import create_app
    from demo import records as demo
    from extensions import db
    from services.search import rebuild_index
    from services.users import find_user, set_password

    workdir.mkdir(parents=True, exist_ok=True)
    database_path = workdir / "balai.sqlite3"
    index_dir = workdir / "search_index"
    if template is not None:
        shutil.copy(template, database_path)
    app = create_app(site_config(database_path, index_dir))
    accounts: dict[str, Account] = {}
    with app.app_context():
        if template is None:
            from flask_migrate import upgrade

            from services.kbli import load_kbli
            from services.regions import load_regions

            upgrade()
            load_regions(db.session, app.extensions["municipality"])
            load_kbli(db.session)
        demo.seed_businesses(db.session, DEMO_BUSINESSES, DEMO_SEED)
        demo.seed_cooperatives(db.session, DEMO_COOPERATIVES, DEMO_SEED)
        rebuild_index(db.session, str(index_dir))
        for created in demo.ensure_demo_accounts(db.session):
            user = find_user(db.session, created.username)
            set_password(db.session, user, TEST_PASSWORD)  # the random demo password, made known
            accounts[created.role] = Account(created.role, user.username, TEST_PASSWORD, user.full_name)
        db.session.remove()
    return app, accounts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(app, port: int = 0):
    """Serve `app` on 127.0.0.1 (a free port unless given) in a thread; yields the base URL."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="balai-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def start_live_server(workdir: Path, template: Path | None = None) -> LiveServer:
    """Build the site and serve it on a free port of 127.0.0.1 until `stop()`."""
    app, accounts = build_site(workdir, template)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="balai-live-server", daemon=True)
    thread.start()
    return LiveServer(app, f"http://127.0.0.1:{server.server_port}", accounts, server, thread)


def log_in(page, server: LiveServer, role: str = "superadmin") -> Account:
    """Log in through the login form, as a person would, and wait for the back office."""
    account = server.account(role)
    page.goto(server.page_url("/masuk/"))
    page.get_by_label("Nama pengguna").fill(account.username)
    page.get_by_label("Kata sandi").fill(account.password)
    page.locator("#login-form").get_by_role("button", name="Masuk").click()
    page.wait_for_url(server.page_url("/kantor/"))
    return account


def axe_violations(page, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[dict]:
    """Run axe-core on the page (needs a context with bypass_csp=True) and return the violations of `impacts`."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [violation for violation in results["violations"] if violation.get("impact") in impacts]


def describe_violations(violations: list[dict]) -> str:
    """A readable report: rule, impact, help, and the offending elements with axe's summary."""
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


@dataclass
class GunicornSite:
    """Balai served by gunicorn (the production server) on a free loopback port, on a prepared SQLite file."""

    url: str
    accounts: dict[str, Account]
    database_path: Path
    log_path: Path
    process: object = field(repr=False)

    def page_url(self, path: str = "/") -> str:
        return self.url + path

    def account(self, role: str) -> Account:
        return self.accounts[role]

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except Exception:  # noqa: BLE001 - a worker that will not stop is killed
                self.process.kill()
                self.process.wait()


def gunicorn_env(database_path: Path, index_dir: Path, workdir: Path, port: int) -> dict:
    """The environment gunicorn gets: the same settings as `site_config`, as a deployment passes them."""
    import os

    env = {key: value for key, value in os.environ.items() if key not in ("FLASK_DEBUG", "SECRET_KEY")}
    env.update(
        DATABASE_URL=f"sqlite:///{database_path}",
        SEARCH_INDEX_DIR=str(index_dir),
        SECRET_KEY=site_config(database_path, index_dir)["SECRET_KEY"],
        MUNICIPALITY="DKI Jakarta",
        BALAI_ENV="development",
        SIGNING_DEMO_DIR=str(workdir / "signing"),
        MEDIA_DIR=str(workdir / "media"),
        BATCH_DIR=str(workdir / "batches"),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
    )
    return env


def start_gunicorn(workdir: Path, template: Path | None = None, workers: int = 2) -> GunicornSite:
    """Build the site (as `start_live_server` does, plus signing officials) and serve it with gunicorn."""
    import subprocess
    import sys
    import time
    import urllib.request

    from demo import records as demo
    from extensions import db

    app, accounts = build_site(workdir, template)
    with app.app_context():
        demo.seed_officials(db.session, DEMO_SEED)
        db.session.remove()
        db.engine.dispose()
    database_path = workdir / "balai.sqlite3"
    port = free_port()
    log_path = workdir / "gunicorn.log"
    root = Path(__file__).resolve().parents[2]
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-w",
                str(workers),
                "--threads",
                "4",
                "-b",
                f"127.0.0.1:{port}",
                "--no-control-socket",
                "app:create_app()",
            ],
            cwd=root,
            env=gunicorn_env(database_path, workdir / "search_index", workdir, port),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    site = GunicornSite(f"http://127.0.0.1:{port}", accounts, database_path, log_path, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{site.log()}")
        try:
            with urllib.request.urlopen(site.url + "/masuk/", timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return site
        except OSError:
            time.sleep(0.2)
    site.stop()
    raise RuntimeError(f"gunicorn never served the login page:\n{site.log()}")
