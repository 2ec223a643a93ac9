"""Search benchmark: seed N businesses + M cooperatives, reindex, time the query mix per backend.

    .venv/bin/python bench/search_bench.py                    # 300,000 + 3,000, Whoosh + raw FTS5
    .venv/bin/python bench/search_bench.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/search_bench.py --postgres … --no-whoosh --businesses 3000000 --database bench_3m

Seeding is bulk Core inserts (not the ORM per row). Queries go through the real /cari view (test
client, full WSGI stack); raw SQLite FTS5 on the same analysed rows is the reference. The memory of
one web worker is the peak RSS of a separate process that starts the app and serves the query mix.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# (query string, kind): the kinds of query issue 14 asks figures for, each with a few examples.
# {kec} is a kecamatan id, {place} the first word of its name (for "place + activity").
QUERY_MIX = [
    ("q=warung", "plain"),
    ("q=kelontong", "plain"),
    ("q=sejahtera", "plain"),
    ("q=warung+makan", "two words"),
    ("q=kue+basah", "two words"),
    ("q=kelon", "prefix"),
    ("q=sumb", "prefix"),
    ("q=kelontomg", "one typo"),
    ("q=sejahtra", "one typo"),
    ("q=tahu+berakh", "adjacent swap"),
    ("q=kelontnog", "adjacent swap"),
    ("q=tahuberkah", "words run together"),
    ("q=kedaikopi", "words run together"),
    ("q=tempe+{place}", "place + activity"),
    ("q=warung+makan+{place}", "place + activity"),
    ("q=xqzvbrtplmnkwd", "long random word"),
    ("q=bvcxzlkjhgfdsam", "long random word"),
    ("q=warung&kecamatan={kec}&status=operating", "facets"),
    ("q=kelon&kecamatan={kec}&status=operating", "facets"),
    ("q=warung&izin=valid", "facets"),
    ("q=warung&halaman=5", "page 5"),
    ("q=sejahtera&kecamatan={kec}&status=operating&halaman=5", "page 5"),
    ("", "browse all"),
    ("status=operating", "browse all"),
]
# The kinds raw FTS5 can answer, as MATCH expressions (typos given corrected: FTS5 has no fuzzy matching).
FTS5_MIX = [
    ("warung", "plain"),
    ("kelontong", "plain"),
    ("sejahtera", "plain"),
    ("warung makan", "two words"),
    ("kue basah", "two words"),
    ("kelon*", "prefix"),
    ("sumb*", "prefix"),
]


def build_app(url: str, index_dir: str, backend: str):
    from app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SEARCH_INDEX_DIR": index_dir,
            "SEARCH_BACKEND": backend,
            "SEARCH_WRITER": "worker",
            # The mix repeats the same searches each round: the result cache would answer them all.
            "SEARCH_RESULT_CACHE": 0,
            "RATELIMIT_ENABLED": False,
            "SKIP_DATABASE_CHECK": True,
        }
    )


def seed(app, businesses: int, cooperatives: int, seed_value: int = 7) -> float:
    """Bulk-insert realistic rows; returns seconds."""
    from faker import Faker
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from demo.records import BUSINESS_TRADES, COOPERATIVE_PATTERNS, NAME_WORDS
    from extensions import db
    from models.business import Business, Person
    from models.cooperative import Cooperative
    from models.region import Region
    from services.kbli import load_kbli
    from services.regions import load_regions

    started = time.perf_counter()
    with app.app_context():
        upgrade()
        load_regions(db.session, app.extensions["municipality"])
        load_kbli(db.session)
        rng = random.Random(seed_value)
        fake = Faker("id_ID")
        fake.seed_instance(seed_value)
        first = [fake.first_name() for _ in range(3000)]
        last = [fake.last_name() for _ in range(3000)]
        kelurahan = list(db.session.execute(select(Region.id, Region.name).where(Region.level == "kelurahan")))
        connection = db.session.connection()
        chunk = 20_000
        for start in range(0, businesses, chunk):
            size = min(chunk, businesses - start)
            people, rows = [], []
            for offset in range(size):
                n = start + offset + 1
                given, family = rng.choice(first), rng.choice(last)
                people.append(
                    {
                        "id": n,
                        "full_name": f"{given} {family}",
                        "nik": f"{3171000000000000 + n}",
                        "phone": f"+62812{n:08d}",
                        "home_address": f"Jl. Bench {n}",
                        "created_at": _now(),
                    }
                )
                pattern, code, activity = rng.choice(BUSINESS_TRADES)
                region_id, region_name = rng.choice(kelurahan)
                rows.append(
                    {
                        "id": n,
                        "name": pattern.format(owner=given, family=family, word=rng.choice(NAME_WORDS)),
                        "owner_id": n,
                        "legal_form": "perseorangan",
                        "address": f"Jl. Usaha {n}, Kel. {region_name}",
                        "kelurahan_id": region_id,
                        "kbli_version": "2020",
                        "kbli_code": code,
                        "activity": activity,
                        "nib": f"{9120000000000 + n}" if rng.random() < 0.6 else None,
                        "jakpreneur_stage": "pendaftaran",
                        "status": "closed" if rng.random() < 0.12 else "operating",
                        "created_at": _now(),
                        "updated_at": _now(),
                    }
                )
            connection.execute(insert(Person), people)
            connection.execute(insert(Business), rows)
        coops = []
        for n in range(1, cooperatives + 1):
            pattern, kind = rng.choice(COOPERATIVE_PATTERNS)
            region_id, region_name = rng.choice(kelurahan)
            coops.append(
                {
                    "id": n,
                    "name": pattern.format(word=rng.choice(NAME_WORDS), kelurahan=region_name),
                    "kind": kind,
                    "level": "primer",
                    "seat_address": "Jl. Koperasi",
                    "kelurahan_id": region_id,
                    "legal_entity_number": f"AHU-{n:07d}.AH.01.26.TAHUN 2020",
                    "created_at": _now(),
                    "updated_at": _now(),
                }
            )
        if coops:
            connection.execute(insert(Cooperative), coops)
        db.session.commit()
    return time.perf_counter() - started


def _seeded(app) -> bool:
    """Whether the database already holds businesses (a kept bench database)."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from extensions import db
    from models.business import Business

    with app.app_context():
        upgrade()
        return bool(db.session.scalar(select(func.count()).select_from(Business)))


def _now():
    from models.base import utcnow

    return utcnow()


def reindex(app) -> tuple[float, int]:
    from extensions import db
    from services.search import rebuild_index

    with app.app_context():
        started = time.perf_counter()
        count = rebuild_index(db.session)
        return time.perf_counter() - started, count


def a_kecamatan(app) -> tuple[int, str]:
    from sqlalchemy import select

    from extensions import db
    from models.region import Region

    with app.app_context():
        region_id, name = db.session.execute(
            select(Region.id, Region.name).where(Region.level == "kecamatan").order_by(Region.id).limit(1)
        ).one()
        return region_id, name.split()[0].lower()


def time_queries(app, rounds: int) -> dict:
    """p50/p95 (ms) over the mix through the real view, overall and per kind; one warm-up round first."""
    kec, place = a_kecamatan(app)
    client = app.test_client()
    urls = [f"/cari?{qs.format(kec=kec, place=place)}" for qs, _label in QUERY_MIX]
    for url in urls:
        assert client.get(url).status_code == 200, url
    samples, per_label = [], {}
    for _ in range(rounds):
        for url, (_qs, label) in zip(urls, QUERY_MIX, strict=True):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200 and b"notice-degraded" not in response.data, url
            samples.append(elapsed)
            per_label.setdefault(label, []).append(elapsed)
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(_p95(samples), 1),
        "by_kind_ms": {
            label: {"p50": round(statistics.median(v), 1), "p95": round(_p95(v), 1)} for label, v in per_label.items()
        },
    }


def _p95(values):
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def fts5_reference(app, rounds: int) -> dict:
    """Raw SQLite FTS5 over the same analysed words: MATCH, rank, 20 rows and the total count."""
    from extensions import db
    from services.search.documents import iter_all_documents

    path = Path(tempfile.mkdtemp()) / "fts.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE VIRTUAL TABLE fts USING fts5(name_words, form_words, text_words, id_words, kind UNINDEXED)")
    with app.app_context():
        con.executemany(
            "INSERT INTO fts VALUES (?, ?, ?, ?, ?)",
            (
                (d["name_words"], d["form_words"], d["text_words"], d["id_words"], d["kind"])
                for d in iter_all_documents(db.session)
            ),
        )
    con.commit()
    samples, per_label = [], {}
    for _ in range(rounds):
        for expression, label in FTS5_MIX:
            started = time.perf_counter()
            con.execute(
                "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, 4.0, 0.5, 1.0, 3.0) LIMIT 20",
                (expression,),
            ).fetchall()
            con.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (expression,)).fetchone()
            elapsed = (time.perf_counter() - started) * 1000
            samples.append(elapsed)
            per_label.setdefault(label, []).append(elapsed)
    con.close()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(_p95(samples), 2),
        "by_kind_p50_ms": {label: round(statistics.median(v), 2) for label, v in per_label.items()},
    }


def peak_rss_kb() -> int:
    """This process's own peak RSS (VmHWM). Not ru_maxrss: Linux carries that over from the parent across exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def worker_memory(url: str, index_dir: str, backend: str, rounds: int) -> float:
    """Peak RSS (MB) of a fresh process that starts the app and serves the query mix."""
    root = str(Path(__file__).resolve().parents[1])
    code = (
        f"import resource, sys, json; sys.path.insert(0, {root!r}); "
        "from bench.search_bench import build_app, peak_rss_kb, time_queries; "
        f"app = build_app({url!r}, {index_dir!r}, {backend!r}); time_queries(app, {rounds}); "
        "print(json.dumps(peak_rss_kb()))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return round(int(output.strip().splitlines()[-1]) / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--businesses", type=int, default=300_000)
    parser.add_argument("--cooperatives", type=int, default=3_000)
    parser.add_argument("--rounds", type=int, default=5, help="Rounds of the query mix per backend.")
    parser.add_argument("--postgres", help="Admin URL of a PostgreSQL server to also bench SEARCH_BACKEND=postgres.")
    parser.add_argument("--no-whoosh", action="store_true", help="Only the PostgreSQL backend (with --postgres).")
    parser.add_argument(
        "--database",
        help="With --postgres: use (and keep) this database instead of a throw-away one; seeded only "
        "when it has no businesses yet (seeding 3,000,000 takes a while: do it once).",
    )
    parser.add_argument("--no-reindex", action="store_true", help="With --database: query the index as it is.")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="balai-bench-"))
    sqlite_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    index_dir = str(workdir / "index")
    report = {"businesses": args.businesses, "cooperatives": args.cooperatives, "cpus": os.cpu_count()}

    if not args.no_whoosh:
        app = build_app(sqlite_url, index_dir, "whoosh")
        report["seed_s"] = round(seed(app, args.businesses, args.cooperatives), 1)
        seconds, count = reindex(app)
        report["whoosh"] = {"reindex_s": round(seconds, 1), "documents": count, **time_queries(app, args.rounds)}
        report["whoosh"]["worker_peak_rss_mb"] = worker_memory(sqlite_url, index_dir, "whoosh", args.rounds)
        report["fts5_reference"] = fts5_reference(app, args.rounds)
        print(json.dumps(report, indent=2), flush=True)

    if args.postgres:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        name = args.database or f"balai_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        pg_url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
        try:
            pg_app = build_app(pg_url, index_dir, "postgres")
            report["postgres"] = {}
            if not _seeded(pg_app):
                report["postgres"]["seed_s"] = round(seed(pg_app, args.businesses, args.cooperatives), 1)
            if not (args.database and args.no_reindex):
                seconds, count = reindex(pg_app)
                report["postgres"].update(reindex_s=round(seconds, 1), documents=count)
            report["postgres"]["load_before_queries"] = os.getloadavg()
            report["postgres"].update(time_queries(pg_app, args.rounds))
            report["postgres"]["load_after_queries"] = os.getloadavg()
            report["postgres"]["worker_peak_rss_mb"] = worker_memory(pg_url, index_dir, "postgres", args.rounds)
            from extensions import db

            with pg_app.app_context():
                db.engine.dispose()
        finally:
            if not args.database:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    report["bench_peak_rss_mb"] = round(peak_rss_kb() / 1024, 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
