"""Permits that follow the rules: one current permit per business (the database itself refuses a second),
corrections keep validity, renewals near or after expiry, numbers without row ids, one permit per click."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from extensions import db
from models.business import Business
from models.permit import CORRECTION, RENEWAL, SUPERSEDED, Permit, PermitReservation
from services import clock, documents, permits
from services.search.documents import permit_fields
from tests.permits.concurrency import rendezvous, run_together
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue


def _text(permit: Permit, app) -> str:
    data = permits.permit_pdf(permit, app.config)
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def _reissue(app, permit, kind=CORRECTION):
    act = permits.reissue_permit if kind == CORRECTION else permits.renew_permit
    return act(
        db.session, permit, None, config=app.config, municipality=app.extensions["municipality"], instance_path="."
    )


def _age(permit: Permit, days: int) -> None:
    """Move a permit's dates `days` into the past, as if issued that long ago."""
    permit.issued_on -= timedelta(days=days)
    permit.valid_until -= timedelta(days=days)
    db.session.commit()


@pytest.mark.both_databases
def test_a_second_current_permit_for_a_business_is_refused_by_the_database(app, db_kind):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    first = issue(app, add_business(kelurahan))
    copy = Permit(
        number="99999/IUMK/X/2026",
        series="IUMK",
        year=2026,
        seq=99999,
        token="another-token-for-the-same-business",
        business_id=first.business_id,
        business_name=first.business_name,
        kelurahan_id=first.kelurahan_id,
        issued_on=first.issued_on,
        valid_until=first.valid_until,
    )
    db.session.add(copy)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # A revoked permit no longer counts: then a new one may be issued.
    permits.revoke_permit(db.session, db.session.get(Permit, first.id), None, "data_tidak_benar", config=app.config)
    assert issue(app, db.session.get(Business, first.business_id)).seq == 2


@pytest.mark.both_databases
def test_current_means_one_thing_to_the_index_the_status_the_queries_and_the_search_index(app, db_kind):
    """A permit marked replaced (superseded_at, as during a reissue before its replacement has an id) is
    out of the way of the unique index, and every reader agrees it is no longer current."""
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    first = issue(app, add_business(kelurahan))
    today = clock.today()
    first.superseded_at = clock.now()
    db.session.flush()
    assert first.superseded_by_id is None
    assert not first.is_current and first.status_on(today) == SUPERSEDED
    of_business = select(Permit.id).where(Permit.business_id == first.business_id)
    assert db.session.scalars(of_business.where(Permit.current())).all() == []
    assert db.session.scalars(of_business.where(Permit.valid_on(today))).all() == []
    assert permits.current_permit(db.session, first.business_id) is None
    assert permit_fields([(first.revoked_at, first.superseded_at, first.valid_until)])["permit"] != "valid"
    db.session.add(
        Permit(
            number="99998/IUMK/X/2026",
            series="IUMK",
            year=2026,
            seq=99998,
            token="the-replacement-of-the-first-permit",
            business_id=first.business_id,
            business_name=first.business_name,
            kelurahan_id=first.kelurahan_id,
            issued_on=first.issued_on,
            valid_until=first.valid_until,
        )
    )
    db.session.flush()  # the index lets the replacement in
    assert len(db.session.scalars(of_business.where(Permit.current())).all()) == 1
    db.session.rollback()


@pytest.mark.both_databases
def test_a_correction_keeps_the_original_validity_end(app, db_kind):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    first = issue(app, add_business(kelurahan))
    _age(first, 400)
    end = first.valid_until
    corrected = _reissue(app, first)
    assert corrected.valid_until == end and corrected.kind == CORRECTION
    assert corrected.issued_on == permits.local_today(app.config)
    text = _text(corrected, app)
    assert "perbaikan" in text and first.number in text
    from babel.dates import format_date

    assert format_date(end, "d MMMM y", locale="id") in text


@pytest.mark.both_databases
def test_an_expired_permit_cannot_be_corrected_into_validity_but_can_be_renewed(app, db_kind):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    business = add_business(kelurahan)
    first = issue(app, business)
    _age(first, 5 * 366 + 10)
    assert first.valid_until < permits.local_today(app.config)
    with pytest.raises(permits.PermitError, match="kedaluwarsa"):
        _reissue(app, first)
    with pytest.raises(permits.PermitError, match="perpanjangan"):
        issue(app, business)
    assert db.session.scalar(select(func.count(Permit.id))) == 1
    renewed = _reissue(app, first, RENEWAL)
    today = permits.local_today(app.config)
    assert renewed.kind == RENEWAL and renewed.valid_until == permits.add_years(today, 5)
    assert "Perpanjangan izin Nomor " + first.number in _text(renewed, app)
    # The counter did not move for the refused attempts: the renewal is number 2.
    assert renewed.seq == 2


def test_renewal_is_offered_only_near_or_after_expiry(app):
    app.config["PERMIT_RENEWAL_WINDOW_DAYS"] = 60
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    first = issue(app, add_business(kelurahan))
    today = permits.local_today(app.config)
    assert not permits.actions_for(first, today, app.config)["renew"]
    with pytest.raises(permits.PermitError, match="perpanjangan dapat diterbitkan mulai"):
        _reissue(app, first, RENEWAL)
    near = first.valid_until - timedelta(days=59)
    assert permits.actions_for(first, near, app.config) == {"correct": True, "renew": True, "revoke": True}


def test_numbers_carry_codes_never_row_ids_and_issuing_refuses_without_one(app, runner):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    kelurahan.kemendagri_code = None
    db.session.commit()
    business = add_business(kelurahan)
    with pytest.raises(permits.PermitError, match="kode Kemendagri maupun kode kantor"):
        issue(app, business)
    assert db.session.scalar(select(func.count(PermitReservation.seq))) == 0
    result = runner.invoke(
        args=["regions", "office-code", kelurahan.name, "503.7", "--kecamatan", kelurahan.parent.name]
    )
    assert result.exit_code == 0, result.output
    permit = issue(app, db.session.get(Business, business.id))
    assert permit.number == f"00001/IUMK/503.7/{permits.local_today(app.config).year}"
    assert f"/{kelurahan.id}/" not in permit.number


def test_sequences_per_kelurahan_when_configured(app):
    app.config["PERMIT_SEQUENCE_PER_KELURAHAN"] = True
    gambir, cideng = any_kelurahan("Gambir"), any_kelurahan("Cideng")
    add_official(gambir)
    add_official(cideng)
    a = issue(app, add_business(gambir, nik="3171014503850021"))
    b = issue(app, add_business(cideng, nik="3171014503850022"))
    c = issue(app, add_business(gambir, nik="3171014503850023", name="Usaha Kedua"))
    assert (a.seq, b.seq, c.seq) == (1, 1, 2)
    assert a.number.startswith("00001/IUMK/31.71.01.1001/") and b.number.startswith("00001/IUMK/31.71.01.1002/")


def test_import_codes_sets_kelurahan_codes_from_the_official_table(app, runner, tmp_path):
    kelurahan = any_kelurahan("Gambir")
    kelurahan.kemendagri_code = None
    db.session.commit()
    table = tmp_path / "kode.csv"
    table.write_text("kode;nama\n", encoding="utf-8")
    result = runner.invoke(args=["regions", "import-codes", str(table)])
    assert result.exit_code != 0 and "no column code" in result.output
    table.write_text("code,name\n31.71.01,GAMBIR\n31.71.01.1001,GAMBIR\n", encoding="utf-8")
    result = runner.invoke(args=["regions", "import-codes", str(table)])
    assert result.exit_code == 0 and "1 kelurahan" in result.output, result.output
    db.session.expire_all()
    assert any_kelurahan("Gambir").kemendagri_code == "31.71.01.1001"
    again = runner.invoke(args=["regions", "import-codes", str(table)])
    assert "0 kelurahan" in again.output


@pytest.mark.both_databases
def test_eight_officers_issuing_at_once_get_gap_free_numbers_and_a_double_click_one_permit(app, monkeypatch, db_kind):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    ids = [add_business(kelurahan, name=f"Usaha {i}", nik=f"31710145038501{i:02d}").id for i in range(6)]
    clicked = ids[0]
    # Two clicks on the first business, one each on the others, all at once.
    targets = [clicked, clicked, clicked, *ids[1:]]

    def act_for(index):
        return lambda: issue(app, db.session.get(Business, targets[index]))

    counter = iter(range(len(targets)))
    # The six distinct businesses render and sign at the same time: no lock is held while they do.
    with rendezvous(monkeypatch, documents, "issue_pdf", parties=6, timeout=30) as together:
        results = run_together(app, len(targets), lambda: act_for(next(counter))())
    assert not together.broken, "renders were serialised behind a lock"
    issued = [r for r in results if isinstance(r, Permit)]
    refused = [r for r in results if isinstance(r, permits.PermitError)]
    assert len(issued) == 6 and len(refused) == 2, results
    assert all("sedang diterbitkan" in str(r) or "sudah memiliki" in str(r) for r in refused)
    db.session.expire_all()
    rows = db.session.scalars(select(Permit)).all()
    assert sorted(p.seq for p in rows) == list(range(1, 7))
    assert [p.business_id for p in rows].count(clicked) == 1


@pytest.mark.both_databases
def test_two_officers_correcting_the_same_permit_at_once_give_one_replacement(app, monkeypatch, db_kind):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    first_id = issue(app, add_business(kelurahan)).id
    with rendezvous(monkeypatch, documents, "issue_pdf", parties=3):
        results = run_together(app, 3, lambda: _reissue(app, db.session.get(Permit, first_id)))
    assert sum(isinstance(r, Permit) for r in results) == 1, results
    assert sum(isinstance(r, permits.PermitError) for r in results) == 2, results
    db.session.expire_all()
    current = db.session.scalars(select(Permit).where(Permit.revoked_at.is_(None), Permit.superseded_at.is_(None)))
    assert len(list(current)) == 1


@pytest.mark.both_databases
def test_a_signing_failure_after_the_number_is_drawn_leaves_no_gap(app, monkeypatch, db_kind):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    first = add_business(kelurahan, nik="3171014503850031")
    second = add_business(kelurahan, nik="3171014503850032", name="Usaha Kedua")

    def broken(*args, **kwargs):
        raise documents.DocumentError("signing key cannot be loaded")

    original = documents.issue_pdf
    monkeypatch.setattr(documents, "issue_pdf", broken)
    with pytest.raises(permits.PermitError, match="tidak dapat ditandatangani"):
        issue(app, first)
    monkeypatch.setattr(documents, "issue_pdf", original)
    assert db.session.scalar(select(func.count(Permit.id))) == 0
    permit = issue(app, db.session.get(Business, second.id))
    assert permit.seq == 1
    assert issue(app, db.session.get(Business, first.id)).seq == 2


def test_a_reservation_left_by_a_killed_worker_is_given_back(app):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    business = add_business(kelurahan)
    db.session.add(
        PermitReservation(
            series="IUMK",
            year=permits.local_today(app.config).year,
            scope="",
            seq=1,
            business_id=business.id,
            reserved_at=clock.now() - timedelta(minutes=30),
        )
    )
    db.session.commit()
    assert issue(app, business).seq == 1


@pytest.mark.both_databases
def test_double_click_on_issue_and_reissue_answers_no_5xx(app, auth, client, db_kind):
    auth.login_as("superadmin")
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    business = add_business(kelurahan)
    url = f"/kantor/usaha/{business.id}/izin"
    assert client.post(url).status_code == 303
    second = client.post(url, follow_redirects=True)
    assert second.status_code == 200 and "sudah memiliki izin yang masih berlaku" in second.get_data(as_text=True)
    permit = db.session.scalar(select(Permit))
    confirmed = {"konfirmasi": "1"}  # the officer confirmed the re-issue (blueprints/confirmation.py)
    assert client.post(f"/kantor/izin/{permit.id}/terbit-ulang", data=confirmed).status_code == 303
    again = client.post(f"/kantor/izin/{permit.id}/terbit-ulang", data=confirmed, follow_redirects=True)
    assert again.status_code == 200 and "sudah digantikan" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Permit.id))) == 2


def test_every_kelurahan_of_the_demo_municipality_has_its_kemendagri_code(app):
    from models.region import Region

    missing = db.session.scalars(
        select(Region.name).where(Region.level == "kelurahan", Region.kemendagri_code.is_(None))
    ).all()
    assert missing == []
    codes = dict(
        db.session.execute(select(Region.name, Region.kemendagri_code).where(Region.level == "kelurahan")).all()
    )
    assert codes["Sukabumi Selatan (Udik)"] == "31.73.05.1003"  # areaid's addition folded away
    assert codes["Harapan Mulya"] == "31.71.03.1003"  # spelled "Harapan Mulia" in the official table
    assert codes["Kampung Tengah"] == "31.75.04.1002"  # "Tengah" in the official table (alias)


@pytest.mark.both_databases
def test_two_officers_clicking_terbitkan_izin_at_the_same_moment_get_one_permit_and_no_5xx(
    app, auth, client, monkeypatch, db_kind
):
    from tests.support import TEST_PASSWORD

    auth.login_as("superadmin")
    auth.create("officer", username="petugas2")
    other = app.test_client()
    assert other.post("/masuk/", data={"username": "petugas2", "password": TEST_PASSWORD}).status_code == 303
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    url = f"/kantor/usaha/{add_business(kelurahan).id}/izin"
    clients = iter([client, other])
    with rendezvous(monkeypatch, documents, "issue_pdf", parties=2):
        responses = run_together(app, 2, lambda: next(clients).post(url, follow_redirects=True))
    assert [r.status_code for r in responses] == [200, 200]
    pages = " ".join(r.get_data(as_text=True) for r in responses)
    assert "diterbitkan." in pages
    assert "sedang diterbitkan" in pages or "sudah memiliki izin yang masih berlaku" in pages
    assert db.session.scalar(select(func.count(Permit.id))) == 1
