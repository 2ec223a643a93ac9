"""Import of an existing register at scale: a clean N-row CSV (Faker, Indonesian locale) applied to SQLite.

Usage: .venv/bin/python -m bench.bench_import [--rows 150000] [--database-url URL]
Builds a fresh database in a temporary directory (unless --database-url is given), loads the DKI
regions and KBLI, writes a register of N businesses (about one owner in ten has two), each with a paper
permit, then times: the dry run, the apply (one transaction), the same bytes again (refused as already
imported) and the same register saved again with other bytes (everything found unchanged).
Target (issue 12): the apply of 150,000 rows in at most 5 minutes on the 2-core machine.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from faker import Faker
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from extensions import db
from models.business import Business, Person
from models.permit import Permit
from models.region import KELURAHAN, Region
from services import imports, spreadsheets
from services.kbli import load_kbli
from services.regions import load_regions

KBLI_CODES = ("56102", "47112", "56103", "56303", "10710", "10792", "10794", "14111", "45407")
HEADER = (
    "NIK Pemilik",
    "Nama Pemilik",
    "No HP",
    "Nama Usaha",
    "Alamat Usaha",
    "Kelurahan",
    "Kecamatan",
    "NIB",
    "KBLI",
    "Modal Usaha",
    "Nomor Izin",
    "Tanggal Terbit",
)


def _nik(i: int) -> str:
    serial = i % 9999 + 1
    day = 1 + (i // 9999) % 28
    month = 1 + (i // (9999 * 28)) % 12
    return f"317101{day:02d}{month:02d}85{serial:04d}"


def register_rows(rows: int, kelurahan: list[tuple[str, str, str]], seed: int = 12) -> list[list]:
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    seq_by_year: dict[int, int] = {}
    out = []
    owner = None
    for i in range(rows):
        if owner is None or rng.random() > 0.1:
            owner = (_nik(i), fake.name(), f"08{rng.randrange(10**9, 10**10)}")
        name, kecamatan, code = rng.choice(kelurahan)
        year = rng.choice((2019, 2020, 2021, 2022))
        seq_by_year[year] = seq_by_year.get(year, 0) + 1
        issued = date(year, 1, 1) + timedelta(days=rng.randrange(360))
        out.append(
            [
                owner[0],
                owner[1],
                owner[2],
                f"{fake.company()} {i}",
                fake.street_address(),
                name,
                kecamatan,
                f"{9120000000000 + i}" if i % 2 else "",
                rng.choice(KBLI_CODES),
                rng.randrange(1, 500) * 1_000_000,
                f"{seq_by_year[year]:05d}/IUMK/{code}/{year}",
                issued.strftime("%d/%m/%Y"),
            ]
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=150_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="balai-bench-import-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": str(workdir / "index"), "RATELIMIT_ENABLED": False}
    )
    with app.app_context():
        upgrade()
        load_regions(db.session, app.extensions["municipality"])
        load_kbli(db.session)
        kelurahan = [
            (r.name, r.parent.name, r.kemendagri_code)
            for r in db.session.scalars(select(Region).where(Region.level == KELURAHAN))
            if r.kemendagri_code
        ]
        started = time.perf_counter()
        rows = register_rows(args.rows, kelurahan)
        data = spreadsheets.csv_text(HEADER, rows).encode()
        print(f"generated {args.rows:,} rows ({len(data) / 1e6:.1f} MB CSV) in {time.perf_counter() - started:.1f} s")
        mapping = imports.guess_mapping(list(HEADER))
        config = app.config

        started = time.perf_counter()
        dry = imports.plan(db.session, data, "register.csv", "bench", mapping, config)
        print(f"dry run: {time.perf_counter() - started:.1f} s, {len(dry.problems)} problems, {dry.counts()}")
        for problem in dry.problems[:5]:
            print("  ", problem)
        db.session.rollback()

        started = time.perf_counter()
        result = imports.apply(db.session, data, "register.csv", "bench", mapping, config, None)
        applied = time.perf_counter() - started
        print(f"apply: {applied:.1f} s ({args.rows / applied:,.0f} rows/s) {result.counts()}")
        print("target: apply of 150,000 rows <= 300 s:", "OK" if applied <= 300 else "MISSED", f"({url.split(':')[0]})")

        counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (Person, Business, Permit)]
        started = time.perf_counter()
        try:
            imports.apply(db.session, data, "register.csv", "bench", mapping, config, None)
        except imports.ImportRefused as exc:
            print(f"same bytes again: refused in {time.perf_counter() - started:.1f} s ({exc})")
        resaved = data.replace(b"\r\n", b"\n")
        started = time.perf_counter()
        again = imports.apply(db.session, resaved, "register-resaved.csv", "bench", mapping, config, None)
        after = [db.session.scalar(select(func.count()).select_from(m)) for m in (Person, Business, Permit)]
        print(f"same register, other bytes: {time.perf_counter() - started:.1f} s, {again.counts()}")
        print("second import changed nothing:", "OK" if after == counts else f"CHANGED {counts} -> {after}")


if __name__ == "__main__":
    main()
