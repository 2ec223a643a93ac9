"""Figures at scale: server time of GET /angka with N businesses, first load and warm, and of the
officers' figures of the work (requests, visits, permits issued and delivered per WIB day and kecamatan).

Usage: .venv/bin/python -m bench.bench_figures [--businesses 300000] [--database-url URL]
Builds a fresh SQLite database in a temporary directory (unless --database-url is given), loads
the DKI regions and KBLI, bulk-inserts the businesses with Core (fast, no Faker), a permit for six in
ten of them issued over the last two years, outreach requests (one per ten businesses, most visited)
and deliveries for a third of the permits, then times the page and the figures of the work (the
service's computation, uncached: city-wide and one kecamatan, 14 and 90 days).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from app import create_app
from extensions import db
from models.business import Business, Person
from models.cooperative import Cooperative
from models.outreach import DELIVERED, Delivery, DeliveryRun, OutreachRequest
from models.permit import Permit
from models.region import KECAMATAN, KELURAHAN, Region
from services import clock, figures, work_figures
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


def _load_work(businesses: int) -> None:
    """Permits, outreach requests and deliveries over the last two years, in bulk (Core inserts)."""
    rng = random.Random(11)
    today = clock.today()
    parent = dict(db.session.execute(select(Region.id, Region.parent_id).where(Region.level == KELURAHAN)).all())
    rows = db.session.execute(select(Business.id, Business.name, Business.kelurahan_id)).all()
    permits = []
    for seq, (business_id, name, kelurahan_id) in enumerate(rows, start=1):
        if rng.random() >= 0.6:
            continue
        issued = today - timedelta(days=rng.randrange(730))
        permits.append(
            {
                "number": f"{seq:06d}/IUMK/{kelurahan_id}/{issued.year}",
                "series": "IUMK",
                "year": issued.year,
                "sequence_scope": "",
                "seq": seq,
                "kind": "baru",
                "token": f"bench-{seq}",
                "business_id": business_id,
                "business_name": name,
                "kelurahan_id": kelurahan_id,
                "issued_at": datetime.combine(issued, datetime.min.time(), UTC),
                "issued_on": issued,
                "valid_until": issued + timedelta(days=5 * 365),
                "demo_signature": False,
            }
        )
    for start in range(0, len(permits), 20_000):
        db.session.execute(insert(Permit), permits[start : start + 20_000])
    kelurahan = list(parent)
    requests = []
    for i in range(businesses // 10):
        created = datetime.now(UTC) - timedelta(minutes=rng.randrange(730 * 24 * 60))
        visited = rng.random() < 0.8
        requests.append(
            {
                "code": f"B{i:09d}",
                "business_name": f"Usaha dilaporkan {i}",
                "activity": "warung",
                "kelurahan_id": rng.choice(kelurahan),
                "address": "Jl. Contoh",
                "reporter_role": "tetangga",
                "reporter_name": "Pelapor",
                "reporter_phone": "+6281200000000",
                "created_at": created,
                "outcome": "dikunjungi" if visited else None,
                "visited_on": (created + timedelta(days=rng.randrange(10))).date() if visited else None,
            }
        )
    for start in range(0, len(requests), 20_000):
        db.session.execute(insert(OutreachRequest), requests[start : start + 20_000])
    kecamatan = list(db.session.scalars(select(Region.id).where(Region.level == KECAMATAN)))
    db.session.execute(
        insert(DeliveryRun),
        [{"kecamatan_id": k, "run_on": date(2025, 1, 1), "courier_name": "Kurir"} for k in kecamatan],
    )
    runs = dict(db.session.execute(select(DeliveryRun.kecamatan_id, DeliveryRun.id)).all())
    permit_rows = db.session.execute(select(Permit.id, Permit.kelurahan_id, Permit.issued_at)).all()
    deliveries = [
        {
            "run_id": runs[parent[kelurahan_id]],
            "permit_id": permit_id,
            "state": DELIVERED,
            "received_by": "Penerima",
            "delivered_at": issued_at + timedelta(days=rng.randrange(1, 6)),
        }
        for permit_id, kelurahan_id, issued_at in permit_rows
        if rng.random() < 0.33
    ]
    for start in range(0, len(deliveries), 20_000):
        db.session.execute(insert(Delivery), deliveries[start : start + 20_000])
    db.session.commit()
    counts = {
        m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in (Permit, OutreachRequest, Delivery)
    }
    print(f"work loaded: {counts}")


def _time_work_figures(tz_name: str, runs: int) -> None:
    busiest = db.session.scalar(
        select(Region.parent_id)
        .join(Business, Business.kelurahan_id == Region.id)
        .group_by(Region.parent_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    for label, scope in (("city-wide", None), ("one kecamatan", busiest)):
        for days in (14, 90):
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                figures = work_figures.compute(db.session, tz_name, days, scope)
                timings.append((time.perf_counter() - started) * 1000)
            total = figures.total()
            print(
                f"figures of the work, {label}, {days} days: median {statistics.median(timings):.1f} ms, "
                f"max {max(timings):.1f} ms ({total})"
            )


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
        _load_work(args.businesses)
        print(f"loaded {args.businesses:,} businesses in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
        _time_work_figures(app.config["TIMEZONE"], max(3, args.runs // 4))
        with app.test_request_context("/angka"):
            computes = {**figures.CHARTS, figures.MONTH_KECAMATAN: figures.permits_per_kecamatan_in_month}
            for key, compute in computes.items():
                started = time.perf_counter()
                compute(db.session)
                print(f"chart {key}, uncached: {(time.perf_counter() - started) * 1000:.0f} ms")
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
