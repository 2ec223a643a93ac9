"""Status that depends on the day is computed when searching, for today in WIB, on both backends:
each result's permit state (with a facet, the page, the API and the CSV) and a cooperative's
activity status, both right on 1 January without a reindex."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import UTC, date, datetime

import pytest

from extensions import db
from models.permit import Permit
from services.search import SearchQuery, rebuild_index, search
from tests.coop_factory import add_rat
from tests.factories import make_business, make_cooperative

pytestmark = pytest.mark.both_databases

NEW_YEARS_EVE = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 23:30 WIB on 31 December 2026
NEW_YEAR = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 WIB on 1 January 2027 (UTC: still 31 Dec)


@pytest.fixture
def app_config(app_config, db_kind):
    app_config["SEARCH_BACKEND"] = "postgres" if db_kind == "postgresql" else "whoosh"
    return app_config


@pytest.fixture
def at(app):
    def set_clock(moment: datetime) -> None:
        app.config["CLOCK"] = lambda: moment

    return set_clock


def give_permit(business, valid_until: date, revoked: bool = False) -> Permit:
    seq = db.session.scalar(db.select(db.func.count()).select_from(Permit)) + 1
    permit = Permit(
        number=f"510/{seq:04d}/IUMK/2026",
        series="IUMK",
        year=2026,
        seq=seq,
        token=secrets.token_urlsafe(24),
        business=business,
        business_name=business.name,
        kelurahan=business.kelurahan,
        issued_on=date(valid_until.year - 5, valid_until.month, valid_until.day),
        valid_until=valid_until,
        revoked_at=NEW_YEARS_EVE if revoked else None,
        revoke_reason="Tidak beroperasi" if revoked else None,
    )
    db.session.add(permit)
    db.session.commit()
    return permit


def states(text: str, **filters) -> dict[str, tuple[str, date | None]]:
    return {hit.name: (hit.permit, hit.permit_until) for hit in search(SearchQuery(text=text, filters=filters)).hits}


@pytest.fixture
def caterers(app, at):
    at(NEW_YEARS_EVE)
    rebuild_index(db.session)
    give_permit(make_business("Katering Sehat"), date(2026, 12, 31))
    give_permit(make_business("Katering Dicabut"), date(2029, 5, 1), revoked=True)
    make_business("Katering Baru")
    renewed = make_business("Katering Diperpanjang")
    old = give_permit(renewed, date(2026, 12, 31))
    old.superseded_at = NEW_YEARS_EVE  # re-issued: one current permit per business
    db.session.commit()
    new = give_permit(renewed, date(2031, 12, 31))
    old.superseded_by_id = new.id
    db.session.commit()


def test_each_result_says_whether_it_is_licensed(caterers):
    assert states("katering") == {
        "Katering Sehat": ("valid", date(2026, 12, 31)),
        "Katering Dicabut": ("revoked", None),
        "Katering Baru": ("none", None),
        "Katering Diperpanjang": ("valid", date(2031, 12, 31)),
    }
    assert search(SearchQuery(text="katering")).facets["permit"] == {"valid": 2, "revoked": 1, "none": 1}


def test_a_permit_expires_at_midnight_wib_without_a_reindex(caterers, at):
    at(NEW_YEAR)
    assert states("katering sehat") == {"Katering Sehat": ("expired", date(2026, 12, 31))}
    result = search(SearchQuery(text="katering"))
    assert result.facets["permit"] == {"valid": 1, "expired": 1, "revoked": 1, "none": 1}
    assert list(states("katering", permit="expired")) == ["Katering Sehat"]
    browse = search(SearchQuery())  # browse-all counts are per day too
    assert browse.facets["permit"]["expired"] == 1


def test_permit_state_on_the_page_in_the_api_and_in_the_csv(caterers, at, client):
    page = client.get("/cari?q=katering").get_data(as_text=True)
    assert "Izin berlaku s.d. 31 Desember 2026" in page
    assert "Izin dicabut" in page and "Belum berizin" in page
    at(NEW_YEAR)
    page = client.get("/cari?q=katering&izin=expired").get_data(as_text=True)
    assert "Katering Sehat" in page and "Izin kedaluwarsa" in page and "Katering Baru" not in page
    items = {item["name"]: item for item in client.get("/api/v1/businesses?q=katering").get_json()["items"]}
    assert items["Katering Sehat"]["permit"] == {"state": "expired", "valid_until": "2026-12-31"}
    assert items["Katering Baru"]["permit"] == {"state": "none", "valid_until": None}
    rows = list(csv.reader(io.StringIO(client.get("/cari/unduh.csv?q=katering+sehat").get_data(as_text=True))))
    assert rows[0][7:9] == ["izin", "izin_berlaku_sampai"] and rows[1][7:9] == ["expired", "2026-12-31"]


def test_cooperative_status_turns_on_1_january_without_a_reindex(app, at):
    at(NEW_YEARS_EVE)
    rebuild_index(db.session)
    cooperative = make_cooperative("Koperasi Tahun Baru", founding_date=date(2015, 6, 1))
    add_rat(cooperative, 2025)  # the RAT of the year that closes tonight is not due yet
    make_cooperative("Koperasi Lama Tidur", founding_date=date(2015, 6, 1))
    result = search(SearchQuery(text="koperasi"))
    assert result.facets["status"] == {"active": 1, "at_risk": 1}
    at(NEW_YEAR)  # 2026 has closed: a year without its RAT
    assert search(SearchQuery(text="koperasi")).facets["status"] == {"dormant": 1, "at_risk": 1}
    hits = search(SearchQuery(text="koperasi", filters={"status": "dormant"})).hits
    assert [(hit.name, hit.status) for hit in hits] == [("Koperasi Tahun Baru", "dormant")]
