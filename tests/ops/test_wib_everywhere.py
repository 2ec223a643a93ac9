"""Every "today" is WIB's, whatever the server's zone: on a New York server at 00:30 WIB on New Year's
Day (still 31 December there), a RAT held that day is accepted, a permit is dated the new year, and
the date-sensitive tests of the suite pass when run with TZ=America/New_York."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from extensions import db
from models.cooperative import RatReport
from services import clock
from tests.coop_factory import make_cooperative
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue

ROOT = Path(__file__).resolve().parents[2]
NEW_YEAR_WIB = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # 1 January 2027, 00:30 WIB; 12:30 on 31 Dec in New York
DATE_SENSITIVE = [
    "tests/unit/test_cooperative_status.py",
    "tests/jobs/test_periodic.py",
    f"{Path(__file__).relative_to(ROOT)}::test_new_years_day_in_wib_on_a_new_york_server",
]


@pytest.fixture
def new_york():
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["SIGNING_DEMO_DIR"] = str(tmp_path / "signing")
    app_config["CLOCK"] = lambda: NEW_YEAR_WIB
    return app_config


def test_new_years_day_in_wib_on_a_new_york_server(new_york, app, client, auth):
    assert date.fromtimestamp(NEW_YEAR_WIB.timestamp()) == date(2026, 12, 31)  # the server's own calendar
    assert clock.today() == date(2027, 1, 1)

    auth.login_as("officer")
    cooperative = make_cooperative(founding_date=date(2010, 1, 1))
    response = client.post(
        f"/kantor/koperasi/{cooperative.id}/rat",
        data={"financial_year": "2026", "meeting_date": "2027-01-01", "members_present": "25"},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    assert db.session.scalar(db.select(RatReport.meeting_date)) == date(2027, 1, 1)

    kelurahan = any_kelurahan()
    add_official(kelurahan)
    permit = issue(app, add_business(kelurahan))
    assert permit.issued_on == date(2027, 1, 1) and permit.number.endswith("/2027")


def test_date_sensitive_tests_pass_with_the_server_in_new_york():
    env = {**os.environ, "TZ": "America/New_York"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "ignore::DeprecationWarning",
            *DATE_SENSITIVE,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout
