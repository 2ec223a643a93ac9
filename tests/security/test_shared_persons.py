"""A person owning businesses in two kecamatans: an officer scoped to one may link them by NIK but neither
sees nor overwrites their personal data; a city-wide officer may; every person change is audited, masked."""

from __future__ import annotations

import pytest

from extensions import db
from models.audit import AuditEvent
from models.business import Business, Person
from models.region import Region
from models.user import OFFICER
from tests.permits.helpers import add_business, any_kelurahan
from tests.permits.test_backoffice_web import _form

NIK = "3171014503850003"
PHONE = "+6281234567890"
ADDRESS = "Jl. Kebon Sirih No. 5, RT 003/RW 002"


def _two_kecamatans():
    here = any_kelurahan()
    there = db.session.scalars(
        db.select(Region).where(Region.level == "kelurahan", Region.parent_id != here.parent_id).limit(1)
    ).one()
    return here, there


def _edit_form(business: Business, **overrides) -> dict:
    data = _form(business.kelurahan_id, name=business.name)
    data.update(overrides)
    return data


@pytest.mark.both_databases
def test_scoped_officer_links_an_owner_from_elsewhere_but_never_sees_or_changes_them(auth, client):
    here, there = _two_kecamatans()
    theirs = add_business(there, name="Usaha Di Kecamatan Lain")
    auth.login_as(OFFICER, kecamatan_id=here.parent_id)

    check = client.post("/kantor/usaha/validasi/owner_nik", data={"owner_nik": NIK}).get_data(as_text=True)
    assert "Siti Rahayu" not in check and "S*** R*****" in check and "kecamatan lain" in check

    registered = client.post(
        "/kantor/usaha/baru",
        data=_form(
            here.id,
            name="Usaha Di Sini",
            owner_name="Nama Lain",
            owner_phone="0899 1111 2222",
            owner_address="Alamat palsu",
            use_existing_owner=str(theirs.owner_id),
        ),
    )
    assert registered.status_code == 303, registered.get_data(as_text=True)
    mine = db.session.scalar(db.select(Business).where(Business.name == "Usaha Di Sini"))
    assert mine.owner_id == theirs.owner_id
    db.session.expire_all()
    person = db.session.get(Person, theirs.owner_id)
    assert (person.full_name, person.phone, person.home_address) == ("Siti Rahayu", PHONE, ADDRESS)

    edit_page = client.get(f"/kantor/usaha/{mine.id}/ubah").get_data(as_text=True)
    for secret in (PHONE, "0812", ADDRESS, "1985", NIK, "Siti Rahayu"):
        assert secret not in edit_page, secret
    assert "S*** R*****" in edit_page

    saved = client.post(
        f"/kantor/usaha/{mine.id}/ubah",
        data=_edit_form(mine, owner_phone="0899 1111 2222", owner_address="Alamat palsu", activity="Warung kopi"),
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)
    db.session.expire_all()
    person = db.session.get(Person, theirs.owner_id)
    assert (person.phone, person.home_address) == (PHONE, ADDRESS)
    assert db.session.get(Business, mine.id).activity == "Warung kopi"
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "person.edit")) is None
    checks = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "person.nik_check")).all()
    assert checks and all(NIK not in (event.summary or "") for event in checks)


@pytest.mark.both_databases
def test_officer_covering_all_the_persons_businesses_changes_them_audited_field_by_field(auth, client):
    here, there = _two_kecamatans()
    add_business(there, name="Usaha Di Kecamatan Lain")
    mine = add_business(here, name="Usaha Di Sini")
    auth.login_as(OFFICER)  # city-wide
    page = client.get(f"/kantor/usaha/{mine.id}/ubah").get_data(as_text=True)
    assert "Siti Rahayu" in page and ADDRESS in page
    saved = client.post(f"/kantor/usaha/{mine.id}/ubah", data=_edit_form(mine, owner_phone="0899 1111 2222"))
    assert saved.status_code == 303, saved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, mine.owner_id).phone == "+6289911112222"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "person.edit"))
    assert event.summary == "phone"
    assert event.before == {"phone": "+6281•••890"} and event.after == {"phone": "+6289•••222"}
    assert "2222" not in str(event.after)


def test_nik_checks_are_rate_limited_per_officer(auth, client, app):
    app.config["NIK_CHECK_LIMIT"] = "3 per minute"
    auth.login_as(OFFICER)
    codes = [client.post("/kantor/usaha/validasi/owner_nik", data={"owner_nik": NIK}).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    other_field = client.post("/kantor/usaha/validasi/owner_phone", data={"owner_phone": "0812 3456 7890"})
    assert other_field.status_code == 200
