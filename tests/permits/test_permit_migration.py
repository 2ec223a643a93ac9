"""Migration 0007 on a database that already holds the double-issued permits and duplicate NIBs of before."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from extensions import db
from tests.support import (
    create_postgres_database,
    drop_postgres_database,
    postgres_available,
    postgres_database_url,
    require,
)

NOW = datetime(2026, 1, 5, 3, tzinfo=UTC)


@pytest.fixture
def empty_url(db_kind, tmp_path):
    if db_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    require(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    name = create_postgres_database()
    try:
        yield postgres_database_url(name)
    finally:
        drop_postgres_database(name)


@pytest.mark.both_databases
def test_upgrade_keeps_the_newest_of_several_current_permits_and_one_holder_per_nib(empty_url, tmp_path, db_kind):
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_url, "SEARCH_INDEX_DIR": str(tmp_path / "index"),
         "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789"}
    )  # fmt: skip
    with app.app_context():
        upgrade(revision="0010_accounts")
        run = db.session.execute
        run(text("INSERT INTO region (id, level, name) VALUES (1, 'kelurahan', 'Gambir')"))
        run(
            text("INSERT INTO person (id, full_name, nik, created_at) VALUES (1, 'Siti', '3171014503850003', :now)"),
            {"now": NOW},
        )
        for business_id, nib in ((1, "9120001234567"), (2, "9120001234567"), (3, None)):
            run(
                text(
                    "INSERT INTO business (id, name, owner_id, legal_form, address, kelurahan_id, jakpreneur_stage, "
                    "status, created_at, updated_at, nib) VALUES (:id, :name, 1, 'perseorangan', 'Jl. A', 1, "
                    "'pendaftaran', 'operating', :now, :now, :nib)"
                ),
                {"id": business_id, "name": f"Usaha {business_id}", "nib": nib, "now": NOW},
            )
        for permit_id, business_id in ((1, 1), (2, 1), (3, 1), (4, 3)):
            run(
                text(
                    "INSERT INTO permit (id, number, series, year, seq, token, business_id, business_name, "
                    "kelurahan_id, issued_at, issued_on, valid_until, demo_signature) VALUES (:id, :number, 'IUMK', "
                    "2026, :id, :token, :business, 'Usaha', 1, :now, :issued, :until, :demo)"
                ),
                {"id": permit_id, "number": f"{permit_id:05d}/IUMK/1/2026", "token": f"t{permit_id}",
                 "business": business_id, "demo": False, "now": NOW, "issued": date(2026, 1, 5),
                 "until": date(2031, 1, 5)},
            )  # fmt: skip
        run(text("INSERT INTO permit_counter (series, year, last_seq) VALUES ('IUMK', 2026, 4)"))
        db.session.commit()
        upgrade()
        rows = run(text("SELECT id, superseded_by_id, superseded_at IS NOT NULL FROM permit ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, 3, True), (2, 3, True), (3, None, False), (4, None, False)]
        assert run(text("SELECT id, nib FROM business ORDER BY id")).all() == [
            (1, "9120001234567"),
            (2, None),
            (3, None),
        ]
        assert run(text("SELECT series, year, scope, last_seq FROM permit_counter")).all() == [("IUMK", 2026, "", 4)]
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
