"""Import of a cooperative register at scale: one XLSX (Koperasi, Pendiri, Pengurus, RAT sheets) applied to SQLite.

Usage: .venv/bin/python -m bench.bench_import_cooperatives [--cooperatives 2000] [--database-url URL]
Builds a fresh database in a temporary directory (unless --database-url is given), loads the DKI
regions, writes a register of N primer cooperatives, each with 9-12 founders, 4 pengurus and 2 pengawas
and three years of RAT, then times: the dry run, the apply (one transaction), and the same register
saved again with other bytes (everything found unchanged).
"""

from __future__ import annotations

import argparse
import io
import random
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from openpyxl import Workbook
from sqlalchemy import func, select

from app import create_app
from extensions import db
from models.cooperative import Cooperative, CooperativeFounder, RatReport
from models.region import KELURAHAN, Region
from services import import_cooperatives
from services.regions import load_regions

KINDS = ("Simpan Pinjam", "Konsumen", "Produsen", "Pemasaran", "Jasa")
TITLES = ("Ketua", "Sekretaris", "Bendahara", "Wakil Ketua")


def register(cooperatives: int, kelurahan: list[tuple[str, str]], title: str = "Koperasi") -> bytes:
    rng = random.Random(5)
    book = Workbook(write_only=True)
    sheets = {name: book.create_sheet(name) for name in (title, "Pendiri", "Pengurus", "RAT")}
    sheets[title].append(
        ["Nomor Badan Hukum", "Nama Koperasi", "Jenis Koperasi", "Alamat Kedudukan", "Kelurahan", "Kecamatan",
         "Kampung Dilayani", "Tanggal Pendirian", "Jumlah Anggota"]
    )  # fmt: skip
    sheets["Pendiri"].append(["Nomor Badan Hukum", "Nama Pendiri", "NIK", "Tempat Lahir", "Tanggal Lahir"])
    sheets["Pengurus"].append(["Nomor Badan Hukum", "Organ", "Jabatan", "Nama"])
    sheets["RAT"].append(["Nomor Badan Hukum", "Tahun Buku", "Tanggal RAT", "Anggota Hadir", "SHU", "Total Aset"])
    serial = 0
    for i in range(cooperatives):
        number = f"AHU-{i:07d}.AH.01.26.TAHUN {2010 + i % 12}"
        name, kecamatan = rng.choice(kelurahan)
        members = rng.randrange(20, 500)
        sheets[title].append(
            [number, f"Koperasi Bench {i}", rng.choice(KINDS), f"Jl. Koperasi {i}", name, kecamatan,
             f"Kampung {i % 300}", f"01/03/{2010 + i % 12}", members]
        )  # fmt: skip
        for j in range(rng.randrange(9, 13)):
            serial += 1
            nik = f"3171{1 + j % 9:02d}{1 + serial % 28:02d}{1 + serial % 12:02d}8{serial % 10}{1 + serial % 9999:04d}"
            sheets["Pendiri"].append([number, f"Pendiri {i}-{j}", nik, "Jakarta", None])
        for j, position in enumerate(TITLES):
            sheets["Pengurus"].append([number, "Pengurus", position, f"Pengurus {i}-{j}"])
        for j in range(2):
            sheets["Pengurus"].append([number, "Pengawas", f"Anggota Pengawas {j + 1}", f"Pengawas {i}-{j}"])
        for year in (2022, 2023, 2024):
            sheets["RAT"].append([number, year, f"15/03/{year + 1}", rng.randrange(1, members), 1_000_000, 50_000_000])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cooperatives", type=int, default=2_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="balai-bench-coop-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": str(workdir / "index"), "RATELIMIT_ENABLED": False}
    )
    with app.app_context():
        upgrade()
        load_regions(db.session, app.extensions["municipality"])
        kelurahan = [
            (r.name, r.parent.name) for r in db.session.scalars(select(Region).where(Region.level == KELURAHAN))
        ]
        started = time.perf_counter()
        data = register(args.cooperatives, kelurahan)
        took = time.perf_counter() - started
        print(f"generated {args.cooperatives:,} cooperatives ({len(data) / 1e6:.1f} MB XLSX) in {took:.1f} s")
        headers = import_cooperatives.headers_of(data, "koperasi.xlsx")
        mapping = import_cooperatives.mapping_for(db.session, "bench", headers)
        config = app.config

        started = time.perf_counter()
        dry = import_cooperatives.plan(db.session, data, "koperasi.xlsx", "bench", mapping, config)
        print(f"dry run: {time.perf_counter() - started:.1f} s, {len(dry.problems)} problems, {dry.counts()}")
        for problem in dry.problems[:5]:
            print("  ", problem)
        db.session.rollback()

        started = time.perf_counter()
        result = import_cooperatives.apply(db.session, data, "koperasi.xlsx", "bench", mapping, config, None)
        print(f"apply: {time.perf_counter() - started:.1f} s {result.counts()}")
        counts = [
            db.session.scalar(select(func.count()).select_from(m)) for m in (Cooperative, CooperativeFounder, RatReport)
        ]
        resaved = register(args.cooperatives, kelurahan, title="Data Koperasi")
        started = time.perf_counter()
        again = import_cooperatives.apply(db.session, resaved, "koperasi-lagi.xlsx", "bench", mapping, config, None)
        after = [
            db.session.scalar(select(func.count()).select_from(m)) for m in (Cooperative, CooperativeFounder, RatReport)
        ]
        print(f"same register, other bytes: {time.perf_counter() - started:.1f} s, {again.counts()}")
        print("second import changed nothing:", "OK" if after == counts else f"CHANGED {counts} -> {after}")


if __name__ == "__main__":
    main()
