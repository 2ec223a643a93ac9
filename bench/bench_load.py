"""A locust mix at 300,000 businesses under gunicorn with the production configuration.

Run from the repository root:
    .venv/bin/python -m bench.bench_load [--businesses 300000] [--users 20] [--run-time 120]

1. Builds, or reuses when it is there, a SQLite database under bench/out/load-<N>/ (gitignored):
   N businesses and N/100 cooperatives (search_bench's bulk seeding), signing officials, officer
   accounts, a few permits issued through the real service (rendered and signed) and a permit for
   every fifth operating business cloned from them in bulk (own number, token and business; the
   stored PDF is the template's, so /verify shows each permit's own facts over a shared document),
   then the Whoosh index. Building at 300,000 takes several minutes (the reindex most of them).
2. Starts gunicorn as production does (gunicorn.conf.py: worker class, threads, the configuration
   check) with `--workers` workers, and the search worker beside it (SEARCH_WRITER=worker).
3. Records every worker's RSS, warms each route once, records it again, runs
   `locust --headless` (bench/locustfile.py) for a fixed number of users and a fixed time, records
   the RSS after, and prints throughput, p50/p95/p99 per route and the errors. During the run it samples
   the workers' memory every `--rss-every` seconds, split into anonymous memory (the process's own heap)
   and file-backed pages (the memory-mapped Whoosh index, page cache shared by the workers). Exit status 1
   if any request failed.
Rate limiting is off (every simulated client shares one address).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PASSWORD = "bench-password-0123456789"  # noqa: S105 - throw-away bench accounts
OFFICERS = 8
REAL_PERMITS = 24
PERMIT_SHARE = 5  # one permit for every fifth operating business


def _paths(businesses: int) -> dict:
    base = OUT / f"load-{businesses}"
    return {
        "base": base,
        "db": base / "balai.sqlite3",
        "index": base / "index",
        "documents": base / "documents",
        "signing": base / "signing",
        "targets": base / "targets.json",
    }


def _app(paths: dict):
    from app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{paths['db']}",
            "SEARCH_INDEX_DIR": str(paths["index"]),
            "SEARCH_BACKEND": "whoosh",
            "SEARCH_WRITER": "worker",
            "DOCUMENT_STORE": str(paths["documents"]),
            "SIGNING_DEMO_DIR": str(paths["signing"]),
            "RATELIMIT_ENABLED": False,
            "SKIP_DATABASE_CHECK": True,
        }
    )


def build(businesses: int, paths: dict) -> None:
    """Seed the database, issue and clone permits, reindex; write targets.json last (it marks a finished build)."""
    from sqlalchemy import insert, select, update

    from bench.search_bench import seed
    from demo import records as demo
    from extensions import db
    from models.business import OPERATING, Business
    from models.permit import Permit, PermitCounter
    from models.region import Region
    from services import permits, users
    from services.search import rebuild_index

    shutil.rmtree(paths["base"], ignore_errors=True)
    paths["base"].mkdir(parents=True)
    paths["documents"].mkdir()
    app = _app(paths)
    started = time.perf_counter()
    seed(app, businesses, max(1, businesses // 100))
    print(f"seeded {businesses:,} businesses in {time.perf_counter() - started:.0f} s", flush=True)
    with app.app_context():
        session = db.session
        demo.seed_officials(session, seed=11)
        for n in range(OFFICERS):
            users.create_user(session, f"petugas{n}", PASSWORD, "superadmin", f"Petugas {n}")
        session.commit()
        candidates = list(
            session.scalars(
                select(Business.id).where(Business.status == OPERATING, Business.nib.is_not(None)).order_by(Business.id)
            )
        )
        rng = random.Random(5)
        rng.shuffle(candidates)
        real = []
        for business_id in candidates:
            if len(real) == REAL_PERMITS:
                break
            try:
                permit = permits.issue_permit(
                    session,
                    session.get_one(Business, business_id),
                    None,
                    config=app.config,
                    municipality=app.extensions["municipality"],
                    instance_path=app.instance_path,
                )
            except permits.PermitError as exc:
                print(f"business {business_id}: {exc}", flush=True)
                continue
            real.append(permit.id)
        print(f"issued {len(real)} permits through the service", flush=True)

        # Clones: one permit for every fifth operating business still without one.
        table = Permit.__table__
        templates = [dict(row) for row in session.execute(select(table).where(table.c.id.in_(real))).mappings()]
        template = templates[0]
        holders = set(session.scalars(select(Permit.business_id)))
        regions = {region.id: region for region in session.scalars(select(Region).where(Region.level == "kelurahan"))}
        chosen = [
            row
            for row in session.execute(
                select(Business.id, Business.name, Business.kelurahan_id).where(Business.status == OPERATING)
            )
            if row.id % PERMIT_SHARE == 0 and row.id not in holders
        ]
        seq = session.scalar(
            select(PermitCounter.last_seq).where(
                PermitCounter.series == template["series"],
                PermitCounter.year == template["year"],
                PermitCounter.scope == template["sequence_scope"],
            )
        )
        pattern = app.config["PERMIT_NUMBER_PATTERN"]
        connection = session.connection()
        rows = []
        for business in chosen:
            seq += 1
            row = {key: value for key, value in template.items() if key != "id"}
            row.update(
                seq=seq,
                number=permits.format_number(
                    pattern,
                    seq=seq,
                    year=template["year"],
                    series=template["series"],
                    kelurahan=regions[business.kelurahan_id],
                ),
                token=f"bench{rng.getrandbits(160):040x}",
                business_id=business.id,
                business_name=business.name,
                kelurahan_id=business.kelurahan_id,
            )
            rows.append(row)
            if len(rows) == 20_000:
                connection.execute(insert(table), rows)
                rows = []
        if rows:
            connection.execute(insert(table), rows)
        connection.execute(
            update(PermitCounter)
            .where(
                PermitCounter.series == template["series"],
                PermitCounter.year == template["year"],
                PermitCounter.scope == template["sequence_scope"],
            )
            .values(last_seq=seq)
        )
        session.commit()
        print(f"cloned {len(chosen):,} permits", flush=True)

        started = time.perf_counter()
        documents = rebuild_index(session)
        print(f"reindexed {documents:,} documents in {time.perf_counter() - started:.0f} s", flush=True)

        tokens = list(session.scalars(select(Permit.token)))
        holders = set(session.scalars(select(Permit.business_id)))
        issuable = [business_id for business_id in candidates if business_id not in holders]
        kecamatan = list(session.execute(select(Region.id, Region.name).where(Region.level == "kecamatan")))
        targets = {
            "businesses": businesses,
            "business_ids": rng.sample(range(1, businesses + 1), min(5000, businesses)),
            "tokens": rng.sample(tokens, min(5000, len(tokens))),
            "kecamatan": [[region_id, name.split()[0].lower()] for region_id, name in kecamatan],
            "issuable": issuable[:20_000],
            "officers": [f"petugas{n}" for n in range(OFFICERS)],
            "password": PASSWORD,
        }
        db.session.remove()
        db.engine.dispose()
    paths["targets"].write_text(json.dumps(targets))


def migrate(paths: dict) -> None:
    from flask_migrate import upgrade

    from extensions import db

    app = _app(paths)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status_mb(pid: int, field: str) -> float:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    for line in lines:
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _rss_mb(pid: int) -> float:
    return _status_mb(pid, "VmRSS")


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def worker_rss(master: int) -> list[float]:
    """The RSS of every gunicorn worker (the master's children), MB."""
    return sorted(round(_rss_mb(pid), 1) for pid in _children(master))


def worker_memory(master: int) -> tuple[list[float], list[float]]:
    """Every worker's RSS split into anonymous memory (the process's own heap) and file-backed pages
    (mostly the Whoosh index, which Whoosh memory-maps: page cache shared by all workers, counted in
    each worker's RSS as soon as it reads the pages, and given back by the kernel under pressure)."""
    pids = _children(master)
    return (
        sorted(round(_status_mb(pid, "RssAnon"), 1) for pid in pids),
        sorted(round(_status_mb(pid, "RssFile"), 1) for pid in pids),
    )


def render_rss(master: int) -> list[float]:
    """The RSS of every render process (the workers' children; services/documents.py), MB."""
    return sorted(round(_rss_mb(child), 1) for pid in _children(master) for child in _children(pid))


def report(csv_prefix: Path) -> dict:
    """Per-route and total figures from locust's CSV statistics."""
    with open(f"{csv_prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    routes = []
    for row in rows:
        routes.append(
            {
                "route": f"{row['Type']} {row['Name']}".strip(),
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
                "p99": float(row["99%"] or 0),
            }
        )
    return {"routes": routes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=300_000)
    parser.add_argument("--users", type=int, default=20, help="simulated users (9 public visitors : 1 officer)")
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--run-time", type=int, default=120, help="seconds of load")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if cached")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--rss-every", type=int, default=60, help="seconds between two RSS samples during the run")
    args = parser.parse_args()

    paths = _paths(args.businesses)
    if args.rebuild or not paths["targets"].exists():
        build(args.businesses, paths)
    else:
        migrate(paths)  # a database cached before a new migration landed
    if args.build_only:
        return
    # Earlier runs issued permits from the cached database: offer the officers only businesses still without one.
    targets = json.loads(paths["targets"].read_text())
    with sqlite3.connect(paths["db"]) as connection:
        holders = {row[0] for row in connection.execute("SELECT business_id FROM permit")}
    targets["issuable"] = [business_id for business_id in targets["issuable"] if business_id not in holders]
    run_targets = paths["base"] / "targets-run.json"
    run_targets.write_text(json.dumps(targets))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{paths['db']}",
        SEARCH_INDEX_DIR=str(paths["index"]),
        SEARCH_BACKEND="whoosh",
        SEARCH_WRITER="worker",
        DOCUMENT_STORE=str(paths["documents"]),
        SIGNING_DEMO_DIR=str(paths["signing"]),
        SECRET_KEY="bench-secret-key-0123456789-0123456789",  # noqa: S106 - throw-away
        RATELIMIT_ENABLED="false",
        PUBLIC_BASE_URL=base,
        FLASK_APP="app",
        BALAI_LOAD_TARGETS=str(run_targets),
    )
    bin_dir = Path(sys.executable).parent
    log = (paths["base"] / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--timeout", "120",
         "--no-control-socket", "app:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    search_worker = subprocess.Popen(
        [str(bin_dir / "flask"), "search", "worker"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5).read()  # noqa: S310 - loopback only
                break
            except Exception:
                time.sleep(0.5)
        time.sleep(1)
        rss_started = worker_rss(server.pid)
        for path in ["/", "/cari?q=warung", f"/usaha/{targets['business_ids'][0]}", f"/verify/{targets['tokens'][0]}",
                     "/angka", "/data-terbuka"] * (2 * args.workers):  # fmt: skip
            urllib.request.urlopen(base + path, timeout=120).read()  # noqa: S310 - loopback only
        rss_before = worker_rss(server.pid)
        csv_prefix = paths["base"] / "locust"
        load_before = os.getloadavg()
        started = time.perf_counter()
        locust = subprocess.Popen(
            [str(bin_dir / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "-u", str(args.users), "-r", str(args.spawn_rate), "--run-time", f"{args.run_time}s",
             "--host", base, "--csv", str(csv_prefix), "--only-summary", "--stop-timeout", "30",
             "--loglevel", "WARNING"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        samples = []  # (seconds into the run, worker RSS, its anonymous and file parts, render-process RSS)
        while locust.poll() is None:
            try:
                locust.wait(timeout=args.rss_every)
            except subprocess.TimeoutExpired:
                samples.append(
                    (time.perf_counter() - started, worker_rss(server.pid), *worker_memory(server.pid),
                     render_rss(server.pid))
                )  # fmt: skip
        wall = time.perf_counter() - started
        load_after = os.getloadavg()
        rss_after, render_after = worker_rss(server.pid), render_rss(server.pid)
        anon_after, file_after = worker_memory(server.pid)
    finally:
        for process in (search_worker, server):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
    figures = report(csv_prefix)
    total = next(route for route in figures["routes"] if route["route"].endswith("Aggregated"))
    print(
        f"\n{args.businesses:,} businesses; gunicorn {args.workers} workers (gunicorn.conf.py); "
        f"{args.users} users for {args.run_time} s ({wall:.0f} s wall); {os.cpu_count()} cores; "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    print(f"{'route':<40} {'requests':>9} {'fail':>5} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7}  (ms)")
    for route in figures["routes"]:
        print(
            f"{route['route']:<40} {route['requests']:>9} {route['failures']:>5} {route['rps']:>7.1f} "
            f"{route['p50']:>7.0f} {route['p95']:>7.0f} {route['p99']:>7.0f}"
        )
    print(f"throughput {total['rps']:.1f} requests/s; errors {total['failures']}")
    print(f"worker RSS MB: started {rss_started}; warmed {rss_before}; after {rss_after}")
    print(f"  of which anonymous {anon_after}, file-backed (the memory-mapped index) {file_after}")
    print(f"render process RSS MB after: {render_after}")
    for seconds, workers, anon, mapped, renderers in samples:
        print(
            f"  at {seconds:5.0f} s: workers {workers} (sum {sum(workers):.0f}; anonymous {anon}, sum "
            f"{sum(anon):.0f}; file-backed sum {sum(mapped):.0f}); render processes {renderers}"
        )
    sys.exit(1 if total["failures"] else 0)


if __name__ == "__main__":
    main()
