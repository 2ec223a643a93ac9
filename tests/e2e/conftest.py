"""Real-browser fixtures: Debian Chromium through pytest-playwright, and one live Balai server per session.

The server is shared by every journey of the session: a journey that changes data creates its own
records (its own names) rather than relying on a clean database.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import CHROMIUM_LAUNCH_ARGS, log_in, serve, start_gunicorn, start_live_server
from tests.support import chromium_available, require


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options (--headed, --slowmo…) plus Debian's Chromium binary."""
    require(chromium_available(), "Debian chromium (apt-get install chromium)")
    return {**browser_type_launch_args, **CHROMIUM_LAUNCH_ARGS}


@pytest.fixture(scope="session")
def live_server(sqlite_template, tmp_path_factory):
    server = start_live_server(tmp_path_factory.mktemp("live-server"), template=sqlite_template)
    yield server
    server.stop()


@pytest.fixture
def login(live_server):
    """`login(page, role="superadmin")` logs the page in through the form; returns the Account."""
    return lambda page, role="superadmin": log_in(page, live_server, role)


@pytest.fixture
def axe_page(new_context):
    """A page whose context ignores the site's CSP, so that axe-core can be injected (axe tests only)."""
    return new_context(bypass_csp=True).new_page()


@pytest.fixture
def app_live_url(app):
    """The test's own `app` served on a port (LIVE_PORT in its config, or a free one): for journeys
    that need their own data, settings or clock."""
    with serve(app, app.config.get("LIVE_PORT", 0)) as url:
        yield url


@pytest.fixture(scope="session")
def gunicorn_site(sqlite_template, tmp_path_factory):
    """The demo site served by gunicorn, the production server, on a free loopback port (journeys of issue 9)."""
    site = start_gunicorn(tmp_path_factory.mktemp("gunicorn-site"), template=sqlite_template)
    yield site
    site.stop()
    assert "Traceback" not in site.log(), site.log()


@pytest.fixture
def officer_page(browser):
    """A fresh browser context in Indonesian, with axe allowed in (CSP bypassed) and downloads accepted."""
    context = browser.new_context(locale="id-ID", bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
