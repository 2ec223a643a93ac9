"""Eight officers issuing on PostgreSQL under gunicorn (4 workers), and /verify meanwhile.

Run from the repository root:
    .venv/bin/python -m bench.bench_concurrent_issue [--officers 8] [--each 8] [--paced 12] [--postgres URL]

Creates a throw-away PostgreSQL database (dropped at the end), seeds businesses and signing officials,
starts gunicorn with the production configuration (gunicorn.conf.py: worker class and threads, unless
--threads is given) on a free loopback port and measures through HTTP, as officers and banks would:
1. single-issue latency: one officer issuing alone (POST "Terbitkan izin"), p50;
2. /verify/<token> latency with nothing else running, p95;
3. burst: `--officers` officers each issuing `--each` permits back to back, all starting at the same
   instant, while a reader keeps calling /verify: issue p95 and /verify p95 under that load;
4. paced: the same officers each issuing `--paced` permits at a human pace (a think time drawn from
   `--think` seconds between two issues, seeded; an officer types a form for well over a minute, so
   3–8 s is conservative), with the reader calling /verify meanwhile.
The reader calls /verify `--verify-rate` times a second (20: far more than a municipality's banks do; a
reader calling back to back would itself take a core from the renders, more so the faster it is answered).
Reported as medians/percentiles and ratios (targets: issue p95 ≤ 2× single p50, verify p95 ≤ 2× idle p95).
A burst of N simultaneous CPU-bound renders on C cores cannot take less than N/C × one render, whatever
the server does: the burst shows the worst case, the paced run an office's day.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PASSWORD = "bench-password-0123456789"  # noqa: S105 - a throw-away bench account


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


class Officer:
    """A logged-in browser session (cookies + CSRF token) talking to the server."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        page = self.get("/masuk/")
        self.post("/masuk/", {"username": username, "password": PASSWORD, "csrf_token": _csrf(page)})
        self.token = _csrf(self.get("/kantor/usaha/"))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=120) as response:  # noqa: S310 - loopback only
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def issue(self, business_id: int) -> tuple[float, int]:
        start = time.perf_counter()
        status = self.post(f"/kantor/usaha/{business_id}/izin", {"csrf_token": self.token})
        return time.perf_counter() - start, status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp

    http_error_301 = http_error_303 = http_error_307 = http_error_302


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'name="csrf-token" content="([^"]+)"', page
    )
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def prepare(url: str, officers: int, businesses: int) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from demo import records as demo
    from extensions import db
    from services import kbli, regions, users

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SEARCH_INDEX_DIR": str(OUT / "index"),
            "SIGNING_DEMO_DIR": str(OUT / "signing"),
        }
    )
    with app.app_context():
        upgrade()
        regions.load_regions(db.session, app.extensions["municipality"])
        kbli.load_kbli(db.session)
        demo.seed_businesses(db.session, businesses, seed=11)
        demo.seed_officials(db.session, seed=11)
        for n in range(officers + 1):
            users.create_user(db.session, f"petugas{n}", PASSWORD, "superadmin", f"Petugas {n}")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=8)
    parser.add_argument("--each", type=int, default=8, help="permits per officer in the concurrent phase")
    parser.add_argument("--single", type=int, default=8, help="permits issued alone, for the single-issue p50")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--threads", type=int, default=None, help="gunicorn threads per worker (default: gunicorn.conf.py's)"
    )
    parser.add_argument(
        "--verify-rate", type=float, default=20, help="/verify requests a second from the reader (0: back to back)"
    )
    parser.add_argument("--worker-class", help="gunicorn worker class (default: gunicorn.conf.py's)")
    parser.add_argument("--paced", type=int, default=12, help="permits per officer in the paced phase (0: skip)")
    parser.add_argument(
        "--think", type=float, nargs=2, default=(3.0, 8.0), metavar=("MIN", "MAX"), help="think time, seconds"
    )
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    args = parser.parse_args()

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    OUT.mkdir(parents=True, exist_ok=True)
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    name = f"balai_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
    server = None
    try:
        needed = args.single + 2 * args.workers + args.officers * (args.each + args.paced)
        seeded = 2 * needed + 20  # the demo seed makes some businesses closed or suspended: no permit for them
        print(f"preparing {name}: {seeded} businesses, officials, {args.officers + 1} officers …", flush=True)
        prepare(url, args.officers, seeded)
        port = _free_port()
        env = dict(
            os.environ,
            DATABASE_URL=url,
            SECRET_KEY="bench-secret-key-0123456789-0123456789",  # noqa: S106 - throw-away
            SIGNING_DEMO_DIR=str(OUT / "signing"),
            SEARCH_INDEX_DIR=str(OUT / "index"),
            SEARCH_WRITER="inline",
            RATELIMIT_ENABLED="false",
            FLASK_APP="app",
        )
        threads = ["--threads", str(args.threads)] if args.threads else []
        threads += ["--worker-class", args.worker_class] if args.worker_class else []
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-w", str(args.workers), *threads,
             "-b", f"127.0.0.1:{port}", "--timeout", "120", "--no-control-socket", "app:create_app()"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()  # noqa: S310 - loopback only
                break
            except Exception:
                time.sleep(0.25)
        engine = create_engine(url)
        with engine.connect() as connection:
            ids = list(
                connection.execute(text("SELECT id FROM business WHERE status = 'operating' ORDER BY id")).scalars()
            )

        alone = Officer(base, "petugas0")
        officers = [Officer(base, f"petugas{n + 1}") for n in range(args.officers)]
        # Warm-up, as a server that has been running: every worker's first render loads WeasyPrint and the key.
        warm = [ids.pop(0) for _ in range(2 * args.workers)]
        warmers = [
            threading.Thread(target=officer.issue, args=(business_id,))
            for officer, business_id in zip(officers, warm, strict=False)
        ]
        for thread in warmers:
            thread.start()
        for thread in warmers:
            thread.join()
        single = []
        for _ in range(args.single):
            seconds, status = alone.issue(ids.pop(0))
            assert status == 303, status
            single.append(seconds)
        with engine.connect() as connection:
            tokens = list(connection.execute(text("SELECT token FROM permit")).scalars())

        def verify_once(index: int) -> float:
            start = time.perf_counter()
            urllib.request.urlopen(f"{base}/verify/{tokens[index % len(tokens)]}", timeout=60).read()  # noqa: S310 - loopback only
            return time.perf_counter() - start

        began = time.perf_counter()

        def pace(i: int) -> None:
            """Wait for the reader's next slot (--verify-rate a second); none when it has fallen behind."""
            if args.verify_rate:
                time.sleep(max(0.0, began + i / args.verify_rate - time.perf_counter()))

        idle = []
        for i in range(200):
            idle.append(verify_once(i))
            pace(i + 1)

        rng = random.Random(args.seed)

        def run_phase(batches: list[list[int]], think: tuple[float, float] | None) -> dict:
            """Every officer issues its batch (with think times, when given) while a reader calls /verify."""
            issue_times: list[float] = []
            statuses: list[int] = []
            under_load: list[float] = []
            done = threading.Event()
            barrier = threading.Barrier(len(officers) + 1)
            pauses = [[rng.uniform(*think) for _ in batch] if think else [0.0] * len(batch) for batch in batches]

            def officer_run(officer: Officer, batch: list[int], waits: list[float]) -> None:
                barrier.wait()
                for business_id, wait in zip(batch, waits, strict=True):
                    time.sleep(wait)  # typing the form (the first wait staggers the officers' starts)
                    seconds, status = officer.issue(business_id)
                    issue_times.append(seconds)
                    statuses.append(status)

            def reader() -> None:
                nonlocal began
                barrier.wait()
                began = time.perf_counter()
                i = 0
                while not done.is_set():
                    under_load.append(verify_once(i))
                    i += 1
                    pace(i)

            threads = [
                threading.Thread(target=officer_run, args=triple)
                for triple in zip(officers, batches, pauses, strict=True)
            ]
            verifier = threading.Thread(target=reader)
            for thread in [*threads, verifier]:
                thread.start()
            wall = time.perf_counter()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - wall
            done.set()
            verifier.join()
            return {
                "issue": issue_times,
                "errors": sum(1 for s in statuses if s >= 500),
                "refused": sum(1 for s in statuses if s != 303),
                "verify": under_load,
                "wall": wall,
                "load": os.getloadavg()[0],
            }

        burst = run_phase([[ids.pop(0) for _ in range(args.each)] for _ in officers], None)
        paced = None
        if args.paced:
            paced = run_phase([[ids.pop(0) for _ in range(args.paced)] for _ in officers], tuple(args.think))

        with engine.connect() as connection:
            seqs = list(connection.execute(text("SELECT seq FROM permit ORDER BY seq")).scalars())
        engine.dispose()
        single_p50 = statistics.median(single)
        idle_p95 = _pct(idle, 0.95)
        print(
            f"gunicorn: {args.workers} workers, worker class {args.worker_class or 'from gunicorn.conf.py'}, "
            f"threads {args.threads or 'from gunicorn.conf.py'}; "
            f"{os.cpu_count()} cores"
        )
        print(f"single issue (alone): p50 {single_p50 * 1000:.0f} ms over {len(single)}")
        print(f"/verify idle: p95 {idle_p95 * 1000:.1f} ms ({len(idle)} requests)")
        phases = [(f"burst: {args.officers} officers × {args.each} back to back, all at once", burst)]
        if paced is not None:
            think = f"{args.think[0]:g}–{args.think[1]:g} s"
            phases.append((f"paced: {args.officers} officers × {args.paced}, think time {think}", paced))
        for title, phase in phases:
            issue_times, under_load = phase["issue"], phase["verify"]
            load_p95 = _pct(under_load, 0.95)
            print(title)
            print(
                f"  issue p50 {statistics.median(issue_times) * 1000:.0f} ms, "
                f"p95 {_pct(issue_times, 0.95) * 1000:.0f} ms, "
                f"max {max(issue_times) * 1000:.0f} ms; {len(issue_times)} permits in {phase['wall']:.1f} s; "
                f"5xx: {phase['errors']}, not issued: {phase['refused']}"
            )
            print(f"  issue p95 / single p50 = {_pct(issue_times, 0.95) / single_p50:.2f} (target ≤ 2)")
            print(
                f"  /verify under load p50 {statistics.median(under_load) * 1000:.1f} ms, "
                f"p95 {load_p95 * 1000:.1f} ms, max {max(under_load) * 1000:.0f} ms ({len(under_load)} requests); "
                f"/ idle p95 = {load_p95 / idle_p95:.2f} (target ≤ 2); load average {phase['load']:.1f}"
            )
        print(f"numbers gap-free: {seqs == list(range(1, len(seqs) + 1))} ({len(seqs)} permits)")
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(OUT / "index", ignore_errors=True)


if __name__ == "__main__":
    main()
