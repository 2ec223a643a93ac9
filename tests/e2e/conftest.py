"""Real-browser fixtures: Debian Chromium through pytest-playwright, and Balai served by gunicorn.

`gunicorn_site` is one gunicorn server for the whole session, over the demo site: a journey that changes
data there creates its own records (its own names) rather than relying on a clean database. A journey
that needs its own data or settings gets `app_site_url`: gunicorn serving the test's own `app` (its
database, its settings as environment variables). Every gunicorn log must end without a traceback.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import CHROMIUM_LAUNCH_ARGS, log_in, start_gunicorn, start_gunicorn_for
from tests.support import chromium_available, require


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options (--headed, --slowmo…) plus Debian's Chromium binary."""
    require(chromium_available(), "Debian chromium (apt-get install chromium)")
    return {**browser_type_launch_args, **CHROMIUM_LAUNCH_ARGS}


@pytest.fixture(scope="session")
def gunicorn_site(sqlite_template, tmp_path_factory):
    """The demo site served by gunicorn, the production server, on a free loopback port, for the session."""
    site = start_gunicorn(tmp_path_factory.mktemp("gunicorn-site"), template=sqlite_template)
    yield site
    site.stop()
    assert "Traceback" not in site.log(), site.log()


@pytest.fixture
def app_site_url(app, app_config, tmp_path):
    """The test's own `app` (its data and the settings it put in `app_config`) served by gunicorn on its
    LIVE_PORT or a free port: for journeys that need their own data or settings. Yields the base URL."""
    site = start_gunicorn_for(app_config, tmp_path / "gunicorn")
    yield site.url
    site.stop()
    assert "Traceback" not in site.log(), site.log()


@pytest.fixture
def login(gunicorn_site):
    """`login(page, role="superadmin")` logs the page in through the form; returns the Account."""
    return lambda page, role="superadmin": log_in(page, gunicorn_site, role)


@pytest.fixture
def axe_page(new_context):
    """A page whose context ignores the site's CSP, so that axe-core can be injected (axe tests only)."""
    return new_context(bypass_csp=True).new_page()


@pytest.fixture
def officer_page(browser):
    """A fresh browser context in Indonesian, with axe allowed in (CSP bypassed) and downloads accepted."""
    context = browser.new_context(locale="id-ID", bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
