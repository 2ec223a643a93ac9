"""The real-browser harness: Balai served by gunicorn, Chromium launch options, log-in, typing and axe helpers.

Every journey runs against gunicorn, the production server, in its own process: the shared demo site
(`start_gunicorn`: a SQLite database with the regions, KBLI, deterministic demo data, a built search
index, signing officials and the demo accounts with known passwords), used by the pytest journeys
(tests/e2e/conftest.py) and `make screenshots` (tests/e2e/screenshots.py); or a test's own app
(`start_gunicorn_for`: its own database and settings, passed as the environment a deployment sets).
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

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


def log_in(page, server: GunicornSite, role: str = "superadmin") -> Account:
    """Log in through the login form, as a person would, and wait for the back office."""
    account = server.account(role)
    page.goto(server.page_url("/masuk/"))
    page.get_by_label("Nama pengguna").press_sequentially(account.username)
    page.get_by_label("Kata sandi").press_sequentially(account.password)
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


def type_into(page, selector: str, text: str) -> None:
    """Go to a field and type into it, replacing what it held (Control+A selects it first)."""
    page.locator(selector).focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose(page, locator, label: str) -> None:
    """Pick an option of a <select> as a person does with the keyboard: focus it and type the start of the
    option's text (the browser's type-ahead), then check that the option chosen is that one."""
    from playwright.sync_api import expect

    locator.focus()
    page.keyboard.type(label, delay=40)
    expect(locator.locator("option:checked")).to_have_text(re.compile(r"^\s*" + re.escape(label)))


# Debian's Chromium ships only the en-US locale pack (chromium-l10n is not installed), so its date and
# datetime-local fields show month/day/year whatever the page's or the context's locale (id-ID would be
# day/month/year). The helpers below type the digits in that order and then check the field's value, so
# a Chromium with another segment order fails here, plainly, instead of storing a wrong date. Each segment
# moves on to the next by itself once full, and is a Tab stop of its own, as is the calendar button after it.
DATE_SEGMENTS = "%m%d%Y"


def type_date(page, locator, day: date) -> None:
    """Type a date into an <input type=date> as a person does: focus it, then the digits of each segment."""
    from playwright.sync_api import expect

    locator.focus()
    page.keyboard.type(day.strftime(DATE_SEGMENTS))
    expect(locator).to_have_value(day.isoformat())


def type_datetime(page, locator, moment: datetime) -> None:
    """Type a wall-clock time into an <input type=datetime-local>: date segments, then the time.

    The year segment takes up to six digits, so it does not move on by itself: ArrowRight does, as a
    person would press it. The time is typed in the field's 12-hour segments with AM/PM.
    """
    from playwright.sync_api import expect

    locator.focus()
    page.keyboard.type(moment.strftime(DATE_SEGMENTS))
    page.keyboard.press("ArrowRight")
    page.keyboard.type(moment.strftime("%I%M") + ("AM" if moment.hour < 12 else "PM"))
    expect(locator).to_have_value(moment.strftime("%Y-%m-%dT%H:%M"))


@dataclass
class GunicornSite:
    """Balai served by gunicorn (the production server) on a loopback port, on a SQLite file."""

    url: str
    accounts: dict[str, Account]
    database_path: Path
    log_path: Path
    process: subprocess.Popen = field(repr=False)

    def page_url(self, path: str = "/") -> str:
        return self.url + path

    def account(self, role: str) -> Account:
        return self.accounts[role]

    def log(self) -> str:
        return self.log_path.read_text()

    def query(self, sql: str, *args) -> list[tuple]:
        """Read the site's database as the journeys' assertions need (what a user's action stored)."""
        with sqlite3.connect(self.database_path) as connection:
            return connection.execute(sql, args).fetchall()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:  # a worker that will not stop is killed
                self.process.kill()
                self.process.wait()


def gunicorn_env(database_path: Path, index_dir: Path, workdir: Path, port: int) -> dict:
    """The demo site's gunicorn environment: the settings of `site_config`, as a deployment passes them."""
    return _base_env() | {
        "DATABASE_URL": f"sqlite:///{database_path}",
        "SEARCH_INDEX_DIR": str(index_dir),
        "SECRET_KEY": site_config(database_path, index_dir)["SECRET_KEY"],
        "MUNICIPALITY": "DKI Jakarta",
        "BALAI_ENV": "development",
        "SIGNING_DEMO_DIR": str(workdir / "signing"),
        "MEDIA_DIR": str(workdir / "media"),
        "BATCH_DIR": str(workdir / "batches"),
        "JOBS_URL": f"sqlite:///{workdir / 'jobs.sqlite3'}",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }


def _base_env() -> dict:
    import os

    skipped = ("FLASK_DEBUG", "SECRET_KEY", "DATABASE_URL")
    # Render processes as in production, one per worker (not two: each loads WeasyPrint when its worker boots).
    return {key: value for key, value in os.environ.items() if key not in skipped} | {"RENDER_PROCESSES": "1"}


# The settings a test's own app may be given that reach gunicorn as the environment variables of the
# same name (config.load_config reads them); settings the test leaves alone default alike in both.
ENV_SETTINGS = (
    "SEARCH_INDEX_DIR",
    "SECRET_KEY",
    "MUNICIPALITY",
    "TIMEZONE",
    "RATELIMIT_ENABLED",
    "TOTP_REQUIRED",
    "SIGNING_DEMO_DIR",
    "MEDIA_DIR",
    "BATCH_DIR",
    "PUBLIC_BASE_URL",
    "SMTP_URL",
    "MAIL_FROM",
)
# Settings of the test process only: the database (given as DATABASE_URL), TESTING, JOBS_IMMEDIATE (the
# served app uses its own job queue file), RENDER_PROCESSES (the served app renders in render processes, as in
# production: one per worker, see _base_env) and the port the test asked for (LIVE_PORT).
IN_PROCESS_ONLY = ("SQLALCHEMY_DATABASE_URI", "TESTING", "JOBS_IMMEDIATE", "RENDER_PROCESSES", "LIVE_PORT")


def env_for_config(app_config: dict, workdir: Path) -> dict:
    """The environment that gives gunicorn's app the test app's database and the settings the test chose.

    `app_config` is what the test passed to create_app. A setting that no environment variable carries
    (a CLOCK, say) is refused rather than silently left out: such a journey brings its own data instead.
    """
    unknown = sorted(set(app_config) - set(ENV_SETTINGS) - set(IN_PROCESS_ONLY))
    if unknown:
        raise ValueError(f"gunicorn cannot be given {', '.join(unknown)}: no environment variable sets it")
    env = _base_env() | {
        "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
        "BALAI_ENV": "development",
        "JOBS_URL": f"sqlite:///{workdir / 'jobs.sqlite3'}",
    }
    for name in ENV_SETTINGS:
        value = app_config.get(name)
        if value is None or value == "":
            continue
        env[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return env


def launch_gunicorn(workdir: Path, env: dict, port: int, workers: int = 2) -> tuple[subprocess.Popen, Path]:
    """Start gunicorn on 127.0.0.1:`port` in the project's directory (so it reads gunicorn.conf.py) and
    wait until it serves the login page. Returns the process and its log file (stdout and stderr)."""
    workdir.mkdir(parents=True, exist_ok=True)
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
                # A permit's signing can take seconds on a busy 2-core CI machine: no worker killed mid-journey.
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                "--no-control-socket",
                "app:create_app()",
            ],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url + "/masuk/", timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return process, log_path
        except OSError:
            time.sleep(0.1)
    process.kill()
    process.wait()
    raise RuntimeError(f"gunicorn never served the login page:\n{log_path.read_text()}")


def start_gunicorn(workdir: Path, template: Path | None = None, workers: int = 2) -> GunicornSite:
    """Build the demo site (plus signing officials) and serve it with gunicorn on a free port until `stop()`."""
    from demo import records as demo
    from extensions import db

    app, accounts = build_site(workdir, template)
    with app.app_context():
        demo.seed_officials(db.session, DEMO_SEED)
        db.session.remove()
        db.engine.dispose()
    database_path = workdir / "balai.sqlite3"
    port = free_port()
    env = gunicorn_env(database_path, workdir / "search_index", workdir, port)
    process, log_path = launch_gunicorn(workdir, env, port, workers)
    return GunicornSite(f"http://127.0.0.1:{port}", accounts, database_path, log_path, process)


def start_gunicorn_for(app_config: dict, workdir: Path, workers: int = 1) -> GunicornSite:
    """Serve a test's own app (its database and the settings it chose: see env_for_config) with gunicorn
    on its LIVE_PORT or a free port. The accounts are the test's own (`accounts` is empty)."""
    port = app_config.get("LIVE_PORT") or free_port()
    process, log_path = launch_gunicorn(workdir, env_for_config(app_config, workdir), port, workers)
    database = app_config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    return GunicornSite(f"http://127.0.0.1:{port}", {}, Path(database), log_path, process)
