"""`flask setup` as `make run` calls it: the demo shows the rules (an officer scoped to one kecamatan beside a
city-wide one, a sekunder cooperative, reports awaiting confirmation), the open-data page is not empty, and it
prints the port it will serve on (and refuses a port that is taken)."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import func, select

from extensions import db
from models.cooperative import RAT_PENDING, SEKUNDER, Cooperative, RatReport
from services.cooperatives import MIN_SEKUNDER_MEMBERS
from services.users import find_user
from tests.e2e.harness import free_port


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["PORT"] = free_port()
    app_config["OPENDATA_DIR"] = str(tmp_path / "opendata")
    app_config["SIGNING_DEMO_DIR"] = str(tmp_path / "signing")
    return app_config


def test_setup_seeds_a_demo_that_shows_the_rules_and_prints_its_port(app, runner, client):
    port = app.config["PORT"]
    result = runner.invoke(args=["setup", "--demo-businesses", "30", "--demo-cooperatives", "6"])
    assert result.exit_code == 0, result.output
    assert f"Balai will serve on http://127.0.0.1:{port}/" in result.output
    assert f"log in at http://127.0.0.1:{port}/masuk/" in result.output
    assert "5000" not in result.output.replace(str(port), "")

    scoped, citywide = find_user(db.session, "petugas"), find_user(db.session, "petugas-kota")
    assert scoped.kecamatan_id is not None and citywide.kecamatan_id is None and citywide.role == "officer"
    assert f"(Kecamatan {scoped.kecamatan.name})" in result.output and "(seluruh kota)" in result.output

    secondary = db.session.scalar(select(Cooperative).where(Cooperative.level == SEKUNDER))
    assert secondary is not None and len(secondary.member_cooperatives) >= MIN_SEKUNDER_MEMBERS
    assert db.session.scalar(select(func.count(RatReport.id)).where(RatReport.status == RAT_PENDING)) > 0
    # Every seeded RAT report is one the rules would accept: no more attendees than members.
    too_many = (
        select(func.count(RatReport.id)).join(Cooperative).where(RatReport.members_present > Cooperative.member_count)
    )
    assert db.session.scalar(too_many) == 0

    page = client.get("/data-terbuka").get_data(as_text=True)
    assert "registri-usaha-koperasi.csv" in page
    assert client.get("/data-terbuka/registri-usaha-koperasi.csv").status_code == 200


def test_setup_refuses_a_port_that_is_taken(app, runner):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", app.config["PORT"]))
        holder.listen()
        result = runner.invoke(args=["setup", "--demo-businesses", "5", "--demo-cooperatives", "3"])
    assert result.exit_code == 1
    assert f"port {app.config['PORT']} is already in use" in result.output
