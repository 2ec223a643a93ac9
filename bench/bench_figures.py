"""Figures page at scale: server time of GET /angka with N businesses, first load and warm.

Usage: .venv/bin/python -m bench.bench_figures [--businesses 300000] [--database-url URL]
Builds a fresh SQLite database in a temporary directory (unless --database-url is given), loads
the DKI regions and KBLI, bulk-inserts the businesses with Core (fast, no Faker), then times the page.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert, select

from app import create_app
from extensions import db
from models.business import Business, Person
from models.cooperative import Cooperative
from models.region import KELURAHAN, Region
from services.kbli import load_kbli
from services.regions import load_regions

KBLI_CODES = ("56102", "47112", "56103", "56303", "10710", "10792", "10794", "10391", "14111", "45407")


def _load(businesses: int, cooperatives: int) -> None:
    rng = random.Random(7)
    kelurahan = list(db.session.scalars(select(Region.id).where(Region.level == KELURAHAN)))
    batch = 20_000
    for start in range(0, businesses, batch):
        size = min(batch, businesses - start)
        people = [{"full_name": f"Pemilik {start + i}", "nik": f"{3171000000000000 + start + i}"} for i in range(size)]
        db.session.execute(insert(Person), people)
        first_id = db.session.scalar(select(Person.id).where(Person.nik == people[0]["nik"]))
        db.session.execute(
            insert(Business),
            [
                {
                    "name": f"Usaha {start + i}",
                    "owner_id": first_id + i,
                    "address": "Jl. Contoh",
                    "kelurahan_id": rng.choice(kelurahan),
                    "kbli_version": "2020",
                    "kbli_code": rng.choice(KBLI_CODES),
                    "status": "operating" if rng.random() < 0.88 else "closed",
                }
                for i in range(size)
            ],
        )
        db.session.commit()
    db.session.execute(
        insert(Cooperative),
        [
            {
                "name": f"Koperasi {i}",
                "kind": "konsumen",
                "seat_address": "Jl. Koperasi",
                "kelurahan_id": rng.choice(kelurahan),
            }
            for i in range(cooperatives)
        ],
    )
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--businesses", type=int, default=300_000)
    parser.add_argument("--cooperatives", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="balai-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": str(workdir / "index"), "RATELIMIT_ENABLED": False}
    )
    with app.app_context():
        upgrade()
        load_regions(db.session, app.extensions["municipality"])
        load_kbli(db.session)
        started = time.perf_counter()
        _load(args.businesses, args.cooperatives)
        print(f"loaded {args.businesses:,} businesses in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
    client = app.test_client()
    started = time.perf_counter()
    first = client.get("/angka")
    first_ms = (time.perf_counter() - started) * 1000
    assert first.status_code == 200, first.status_code
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        response = client.get("/angka")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(f"GET /angka first load: {first_ms:.0f} ms")
    print(f"GET /angka warm: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms over {args.runs} runs")
    print("target: warm < 200 ms:", "OK" if p95 < 200 else "MISSED")


if __name__ == "__main__":
    main()
