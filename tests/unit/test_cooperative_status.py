"""Activity status from RAT reports: derived, never typed; the Python and SQL forms agree."""

from datetime import date

import pytest

from extensions import db
from models.cooperative import ACTIVE, AT_RISK, DORMANT, RAT_PENDING, Cooperative
from services.cooperatives import (
    StatusRules,
    activity_status,
    cooperatives_with_status,
    overdue_cooperatives,
    status_counts_by_kecamatan,
)
from tests.coop_factory import add_rat, founders, kecamatan_named, make_cooperative

TODAY = date(2026, 3, 15)  # last closed financial year: 2025

# (name, founding date, confirmed RAT years, pending RAT years, expected status, expected last RAT year)
CASES = [
    ("RAT tahun lalu", date(2015, 1, 1), [2023, 2024, 2025], [], ACTIVE, 2025),
    ("Terlambat satu tahun", date(2015, 1, 1), [2023, 2024], [], DORMANT, 2024),
    ("Terlambat dua tahun", date(2015, 1, 1), [2023], [], AT_RISK, 2023),
    ("Hanya diajukan", date(2015, 1, 1), [2024], [2025], DORMANT, 2024),
    ("Baru tahun ini", date(2026, 1, 10), [], [], ACTIVE, None),
    ("Berdiri tahun lalu tanpa RAT", date(2025, 2, 1), [], [], DORMANT, None),
    ("Lama tanpa RAT", date(2019, 2, 1), [], [], AT_RISK, None),
    ("Tanpa tanggal pendirian", None, [], [], AT_RISK, None),
]


def _build_cases():
    built = {}
    for index, (name, founded, confirmed, pending, _status, _last) in enumerate(CASES):
        cooperative = make_cooperative(
            name=name,
            founding_date=founded,
            kelurahan="Penjaringan" if index % 2 else "Pinangsia",
            founders=founders(9, prefix=f"31720{index}"),
        )
        for year in confirmed:
            add_rat(cooperative, year)
        for year in pending:
            add_rat(cooperative, year, status=RAT_PENDING)
        built[name] = cooperative.id
    return built


@pytest.mark.both_databases
def test_status_in_python_and_sql_agree_with_the_working_rule(app):
    ids = _build_cases()
    from_sql = {
        row.Cooperative.id: (row.activity_status, row.last_rat_year)
        for row in db.session.execute(cooperatives_with_status(TODAY))
    }
    for name, _founded, _confirmed, _pending, expected, last in CASES:
        cooperative = db.session.get(Cooperative, ids[name])
        computed = activity_status(cooperative, TODAY)
        assert (computed.status, computed.last_rat_year) == (expected, last), name
        assert from_sql[ids[name]] == (expected, last), name


@pytest.mark.both_databases
def test_thresholds_come_from_configuration(app_config, app):
    app.config.update(COOP_DORMANT_AFTER_YEARS=2, COOP_AT_RISK_AFTER_YEARS=3)
    cooperative = make_cooperative(name="Longgar", founding_date=date(2010, 1, 1))
    add_rat(cooperative, 2024)
    assert activity_status(cooperative, TODAY).status == ACTIVE
    row = db.session.execute(cooperatives_with_status(TODAY).where(Cooperative.id == cooperative.id)).one()
    assert row.activity_status == ACTIVE
    assert activity_status(cooperative, date(2027, 6, 1)).status == DORMANT
    assert activity_status(cooperative, date(2028, 6, 1), StatusRules(2, 3)).status == AT_RISK


@pytest.mark.both_databases
def test_status_moves_with_the_injected_today(app):
    cooperative = make_cooperative(name="Waktu Berjalan", founding_date=date(2015, 1, 1))
    add_rat(cooperative, 2025)
    statuses = [activity_status(cooperative, date(y, 6, 1)).status for y in (2026, 2027, 2028)]
    assert statuses == [ACTIVE, DORMANT, AT_RISK]


@pytest.mark.both_databases
def test_dashboard_counts_by_kecamatan_and_overdue_list(app, auth):
    _build_cases()
    rows = {row["kecamatan"]: row for row in status_counts_by_kecamatan(db.session, None, TODAY)}
    assert rows["Penjaringan"]["total"] + rows["Taman Sari"]["total"] == len(CASES)
    assert sum(row[ACTIVE] for row in rows.values()) == 2
    assert sum(row[AT_RISK] for row in rows.values()) == 3
    overdue = [row.Cooperative.name for row in overdue_cooperatives(db.session, None, TODAY)]
    assert len(overdue) == 6 and "RAT tahun lalu" not in overdue
    officer = auth.create("officer", username="taman", kecamatan_id=kecamatan_named("Taman Sari").id)
    scoped = status_counts_by_kecamatan(db.session, officer, TODAY)
    assert [row["kecamatan"] for row in scoped] == ["Taman Sari"]
