"""Benchmark: activity status computed in SQL over many cooperatives (dashboard counts, overdue list, a list page).

    .venv/bin/python -m bench.cooperative_status [--cooperatives 20000] [--database-url URL]

Builds a fresh database (SQLite file in a temporary directory unless --database-url is given), loads the
regions, inserts cooperatives with 0-5 years of RAT reports, then times the queries the dashboard runs.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select

from app import create_app
from extensions import db
from models.cooperative import RAT_CONFIRMED, Cooperative, RatReport
from models.region import KELURAHAN, Region
from services.cooperatives import overdue_cooperatives, search_cooperatives, status_counts_by_kecamatan

TODAY = date(2026, 6, 1)


def build(count: int) -> None:
    from flask_migrate import upgrade

    from services.regions import load_regions

    upgrade()
    from flask import current_app

    load_regions(db.session, current_app.extensions["municipality"])
    kelurahan = db.session.scalars(select(Region.id).where(Region.level == KELURAHAN)).all()
    rng = random.Random(7)
    rows = [
        {
            "name": f"Koperasi Uji {n:06d}",
            "kind": "konsumen",
            "level": "primer",
            "seat_address": "Jl. Uji",
            "kelurahan_id": rng.choice(kelurahan),
            "founding_date": date(rng.randint(2000, 2024), 1, 1),
        }
        for n in range(count)
    ]
    db.session.execute(insert(Cooperative), rows)
    ids = db.session.scalars(select(Cooperative.id)).all()
    reports = []
    for cooperative_id in ids:
        last = TODAY.year - 1 - rng.choice((0, 0, 0, 1, 2, 3))
        for year in range(last - rng.randint(0, 4), last + 1):
            reports.append(
                {
                    "cooperative_id": cooperative_id,
                    "financial_year": year,
                    "meeting_date": date(year + 1, 3, 1),
                    "members_present": 20,
                    "status": RAT_CONFIRMED,
                }
            )
    db.session.execute(insert(RatReport), reports)
    db.session.commit()
    print(f"{count} cooperatives, {len(reports)} RAT reports")


def timed(label: str, function, repeat: int = 5) -> None:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<40} {best * 1000:8.1f} ms (best of {repeat})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cooperatives", type=int, default=20_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "x" * 40,
                "SEARCH_INDEX_DIR": str(Path(tmp) / "index"),
            }
        )
        with app.app_context():
            build(args.cooperatives)
            session = db.session
            timed("counts by kecamatan and status", lambda: status_counts_by_kecamatan(session, None, TODAY))
            timed("overdue list (all)", lambda: overdue_cooperatives(session, None, TODAY))
            timed("list page, filter at_risk", lambda: search_cooperatives(session, None, TODAY, status="at_risk"))
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
