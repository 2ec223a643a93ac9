"""Demo cooperatives: the source articles' names in their kecamatan, kampungs, founders, a mix of statuses."""

from datetime import date

import pytest
from sqlalchemy import select

from demo.records import ensure_cooperative_demo_account, seed_cooperatives, seed_source_cooperatives
from extensions import db
from models.cooperative import ACTIVE, AT_RISK, DORMANT, PRIMER, Cooperative
from models.user import COOPERATIVE, User
from services.cooperatives import MIN_PRIMER_FOUNDERS, activity_status

TODAY = date(2026, 5, 1)


def test_source_cooperatives_in_their_kecamatan_with_a_mix_of_statuses(app):
    assert seed_source_cooperatives(db.session, dki=True, today=TODAY) == 9
    cooperatives = {c.name: c for c in db.session.scalars(select(Cooperative))}
    akuarium = cooperatives["Koperasi Konsumen Akuarium Bangkit Mandiri"]
    assert akuarium.kelurahan.parent.name == "Penjaringan"
    assert [k.name for k in akuarium.kampungs] == ["Kampung Akuarium"]
    ciliwung = cooperatives["Koperasi Konsumen Komunitas Anak Kali Ciliwung"]
    assert [k.name for k in ciliwung.kampungs] == ["Kampung Kerapu", "Kampung Lodan", "Kampung Tongkol"]
    assert all(len(c.founders) >= 9 for c in cooperatives.values())
    assert all(len({f.nik for f in c.founders}) == len(c.founders) for c in cooperatives.values())
    statuses = {activity_status(c, TODAY).status for c in cooperatives.values()}
    assert statuses == {ACTIVE, DORMANT, AT_RISK}
    assert seed_source_cooperatives(db.session, dki=True, today=TODAY) == 0  # safe to run again


def test_outside_jakarta_the_names_are_generic(app):
    seed_source_cooperatives(db.session, dki=False, today=TODAY)
    names = db.session.scalars(select(Cooperative.name)).all()
    assert len(names) == 9 and not any("Akuarium" in name for name in names)


@pytest.mark.both_databases
def test_setup_prints_a_portal_account_that_works(app, runner, auth, client):
    result = runner.invoke(args=["demo", "seed", "--businesses", "0", "--cooperatives", "3", "--source-cooperatives"])
    assert result.exit_code == 0, result.output
    accounts = ensure_cooperative_demo_account(db.session)
    assert [a.username for a in accounts] == ["koperasi"] and ensure_cooperative_demo_account(db.session) == []
    user = db.session.scalar(select(User).where(User.username == "koperasi"))
    assert user.role == COOPERATIVE
    response = auth.login("koperasi", accounts[0].password)
    assert response.headers["Location"] == "/portal/"
    assert "Koperasi Konsumen Akuarium Bangkit Mandiri" in client.get("/portal/").get_data(as_text=True)


def test_demo_deeds_are_issued_once_and_the_demo_account_downloads_its_own(app, auth, client):
    from demo.records import seed_deeds

    seed_source_cooperatives(db.session, dki=True, today=TODAY)
    password = ensure_cooperative_demo_account(db.session)[0].password
    assert seed_deeds(db.session, config=app.config, instance_path=app.instance_path) == 9
    assert seed_deeds(db.session, config=app.config, instance_path=app.instance_path) == 0  # safe to run again
    auth.login("koperasi", password)
    own = db.session.scalar(select(User).where(User.username == "koperasi")).cooperative_id
    deed = db.session.scalar(select(Cooperative).where(Cooperative.id == own)).deeds[0]
    response = client.get(f"/portal/akta/{deed.id}/unduh")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")


def test_generated_primer_cooperatives_have_the_founders_the_law_asks(app):
    assert seed_cooperatives(db.session, 12, seed=5) == 12
    cooperatives = db.session.scalars(select(Cooperative)).all()
    assert len(cooperatives) == 12 and {c.level for c in cooperatives} == {PRIMER}
    assert all(len(c.founders) >= MIN_PRIMER_FOUNDERS for c in cooperatives)
    niks = [f.nik for c in cooperatives for f in c.founders]
    assert len(set(niks)) == len(niks) and all(len(nik) == 16 and nik.isdigit() for nik in niks)
