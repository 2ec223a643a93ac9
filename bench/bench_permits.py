"""Permit benchmarks: issue-and-render p50, a batch print, verification throughput vs /healthz.

Run from the repository root:  .venv/bin/python -m bench.bench_permits [--permits 500] [--seconds 5]
Works in a throw-away SQLite database under bench/out/; talks only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"


def _app(db_path: Path):
    from app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "SEARCH_INDEX_DIR": str(OUT / "index"),
            "SIGNING_DEMO_DIR": str(OUT / "signing"),
            "SKIP_DATABASE_CHECK": True,
        }
    )


def prepare(db_path: Path, businesses: int):
    from flask_migrate import upgrade

    from demo import records as demo
    from extensions import db
    from services import kbli, regions

    app = _app(db_path)
    with app.app_context():
        upgrade()
        regions.load_regions(db.session, app.extensions["municipality"])
        kbli.load_kbli(db.session)
        demo.seed_businesses(db.session, businesses, seed=7)
        demo.seed_officials(db.session, seed=7)
    return app


def bench_issue(app, count: int) -> dict:
    """Time issue_permit (number, render, sign, store, commit) against a bare WeasyPrint render of the same HTML."""
    from weasyprint import HTML

    from extensions import db
    from models.business import OPERATING, Business
    from services import documents, permits

    with app.app_context():
        ids = list(db.session.scalars(db.select(Business.id).where(Business.status == OPERATING).order_by(Business.id)))
        issue_times, bare_times, tokens = [], [], []
        for business_id in ids[:count]:
            business = db.session.get(Business, business_id)
            start = time.perf_counter()
            permit = permits.issue_permit(
                db.session,
                business,
                None,
                config=app.config,
                municipality=app.extensions["municipality"],
                instance_path=app.instance_path,
            )
            issue_times.append(time.perf_counter() - start)
            tokens.append(permit.token)
            if len(bare_times) < 30:
                context = permits.certificate_context(
                    db.session,
                    business,
                    config=app.config,
                    municipality=app.extensions["municipality"],
                    number=permit.number,
                    token=permit.token,
                    issued_on=permit.issued_on,
                    valid_until=permit.valid_until,
                    official=permit.official,
                    demo=True,
                )
                html = documents.render_html(permits.CERTIFICATE_TEMPLATE, **context)
                start = time.perf_counter()
                HTML(string=html, url_fetcher=documents.SafeURLFetcher()).write_pdf(pdf_variant="pdf/a-3b")
                bare_times.append(time.perf_counter() - start)
        return {
            "issued": len(issue_times),
            "issue_p50_ms": 1000 * statistics.median(issue_times),
            "issue_p95_ms": 1000 * sorted(issue_times)[int(0.95 * (len(issue_times) - 1))],
            "bare_weasyprint_p50_ms": 1000 * statistics.median(bare_times),
            "ratio": statistics.median(issue_times) / statistics.median(bare_times),
            "tokens": tokens,
        }


def bench_batch(app) -> dict:
    from extensions import db
    from models.permit import Permit
    from services import batch

    with app.app_context():
        from datetime import timedelta

        from models.batch import BatchJob
        from models.user import User

        chosen = list(db.session.scalars(db.select(Permit).order_by(Permit.seq)))
        owner = db.session.scalar(db.select(User).limit(1))
        job = BatchJob(id="bench", owner_id=owner.id, permit_ids=[p.id for p in chosen], total=len(chosen))
        db.session.add(job)
        db.session.commit()
        start = time.perf_counter()
        state = batch.build(db.session, job.id, app.config, timedelta(seconds=120))
        elapsed = time.perf_counter() - start
        path = batch.file_path(app.config, db.session.get(BatchJob, "bench"))
        size = path.stat().st_size if path else 0
        return {"batch_certificates": len(chosen), "batch_seconds": elapsed, "batch_mb": size / 1e6, "state": state}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _throughput(url: str, seconds: float, clients: int = 8) -> float:
    deadline = time.perf_counter() + seconds
    counts = [0] * clients

    def loop(index: int):
        while time.perf_counter() < deadline:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
                response.read()
            counts[index] += 1

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(loop, range(clients)))
    return sum(counts) / seconds


def bench_verify(db_path: Path, tokens: list[str], seconds: float) -> dict:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "RATELIMIT_ENABLED": "false",
        "SEARCH_INDEX_DIR": str(OUT / "index"),
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()  # noqa: S310 - loopback only
                break
            except OSError:
                time.sleep(0.1)
        healthz = _throughput(f"{base}/healthz", seconds)
        verify = _throughput(f"{base}/verify/{tokens[len(tokens) // 2]}", seconds)
        return {"healthz_rps": healthz, "verify_rps": verify, "verify_share": verify / healthz}
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--permits", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    db_path = OUT / "bench.sqlite3"
    app = prepare(db_path, int(args.permits * 1.3) + 10)
    threading.current_thread().name = "bench"
    issued = bench_issue(app, args.permits)
    tokens = issued.pop("tokens")
    print(
        f"issue-and-render: {issued['issued']} permits, p50 {issued['issue_p50_ms']:.0f} ms, "
        f"p95 {issued['issue_p95_ms']:.0f} ms; bare WeasyPrint p50 {issued['bare_weasyprint_p50_ms']:.0f} ms; "
        f"ratio {issued['ratio']:.2f}x (target <= 1.3x)"
    )
    batched = bench_batch(app)
    print(
        f"batch print: {batched['batch_certificates']} certificates in {batched['batch_seconds']:.1f} s "
        f"({batched['batch_mb']:.1f} MB, {batched['state']})"
    )
    verified = bench_verify(db_path, tokens, args.seconds)
    print(
        f"verification (gunicorn, 2 workers): {verified['verify_rps']:.0f} req/s vs /healthz "
        f"{verified['healthz_rps']:.0f} req/s = {100 * verified['verify_share']:.0f}% (target >= 50%)"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
