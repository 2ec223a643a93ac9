"""Pages under load (issue 14, item 7): requests per second of /healthz, / and /cari?q=warung with
gunicorn (2 workers by default) in front of a 300,000-business SQLite database, in one run.

    .venv/bin/python bench/bench_pages.py                      # 300,000 + 3,000, built once, then reused
    .venv/bin/python bench/bench_pages.py --businesses 30000 --seconds 5

The database and its Whoosh index are built by bench/search_bench.py's bulk seeding into
bench/out/pages-<businesses>/ (gitignored) and reused by later runs. The server runs as in
production: gunicorn with gunicorn.conf.py, `flask search worker` and `flask jobs worker` beside it
(so /healthz is green). The client is a small threaded one speaking HTTP/1.0 over raw sockets (cheap
per request, so it takes little CPU from the server on the same machine); each route is measured
alone, with the same fixed number of requests in flight, for the same time.

Besides requests per second, the CPU time the gunicorn workers spent per request is reported (from
/proc): on a shared, busy machine throughput follows the load of other processes, while CPU per
request does not; on an otherwise idle machine the throughput ratio is about the inverse CPU ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

ROUTES = ("/healthz", "/", "/cari?q=warung")


def prepare(workdir: Path, businesses: int, cooperatives: int) -> dict:
    """The database and index, built once (seconds spent are reported when built now)."""
    from bench.search_bench import build_app, reindex, seed

    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "bench.sqlite3"
    url, index_dir = f"sqlite:///{database}", str(workdir / "index")
    report: dict = {}
    fresh = not database.exists()
    app = build_app(url, index_dir, "whoosh")
    if fresh:
        report["seed_s"] = round(seed(app, businesses, cooperatives), 1)
    from services.search import index_status

    with app.app_context():
        status = index_status(index_dir)
    if fresh or status.get("documents") != businesses + cooperatives:
        seconds, _count = reindex(app)
        report["reindex_s"] = round(seconds, 1)
    from extensions import db

    with app.app_context():
        db.engine.dispose()
    return {"url": url, "index_dir": index_dir, **report}


def server_env(url: str, index_dir: str, workdir: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("FLASK_DEBUG",)}
    env.update(
        FLASK_APP="app",
        DATABASE_URL=url,
        SEARCH_INDEX_DIR=index_dir,
        SEARCH_WRITER="worker",
        JOBS_URL=f"sqlite:///{workdir / 'jobs.sqlite3'}",
        BATCH_DIR=str(workdir / "batches"),
        RATELIMIT_ENABLED="false",  # the bench measures the pages, not the throttle
        SECRET_KEY=env.get("SECRET_KEY") or "bench-secret-key-that-is-long-enough-0123456789",
    )
    return env


@contextmanager
def process(args: list[str], env: dict, log_path: Path):
    with log_path.open("w") as log:
        child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield child
        finally:
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()


def listening_port(child: subprocess.Popen, log_path: Path, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log_path.read_text())
        if match:
            return int(match.group(1))
        if child.poll() is not None:
            break
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start:\n{log_path.read_text()[-3000:]}")


def get(port: int, path: str) -> tuple[int, float]:
    """One GET over a fresh connection (HTTP/1.0: the server closes it); (status, seconds)."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
        connection.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: bench-pages\r\n\r\n".encode())
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    head = b"".join(chunks[:1])[:20]
    status = int(head.split()[1]) if head.startswith(b"HTTP/") else 0
    return status, time.perf_counter() - started


def wait_healthy(port: int, timeout: float = 300) -> None:
    """Until /healthz answers 200 with no search backlog (changes queued at start, e.g. by a periodic
    job, are indexed before the measurement, not during it)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
                connection.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                raw = b""
                while chunk := connection.recv(65536):
                    raw += chunk
            head, _, body = raw.partition(b"\r\n\r\n")
            last = body[:300]
            if head.split()[1] == b"200" and json.loads(body)["search"].get("backlog") == 0:
                return
        except (OSError, ValueError, IndexError, KeyError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"/healthz never answered 200 with no backlog (last {last!r})")


def worker_cpu_seconds(master: int) -> float:
    """User + system CPU time of the gunicorn master's worker processes, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # fields after the name: state, ppid, ..., utime (12), stime (13)
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def load(port: int, path: str, concurrency: int, seconds: float) -> dict:
    """`concurrency` clients, each sending its next request when the previous one is answered."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        mine, failed = [], 0
        while time.monotonic() < stop_at:
            try:
                status, elapsed = get(port, path)
            except OSError:
                failed += 1
                continue
            if status != 200:
                failed += 1
            mine.append(elapsed)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "req_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p95_ms": round(ordered[max(0, int(0.95 * len(ordered)) - 1)] * 1000, 1) if ordered else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--businesses", type=int, default=300_000)
    parser.add_argument("--cooperatives", type=int, default=3_000)
    parser.add_argument("--workdir", type=Path, help="Default: bench/out/pages-<businesses>.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--concurrency", type=int, default=8, help="Requests in flight.")
    parser.add_argument("--seconds", type=float, default=15, help="Measured time per route.")
    args = parser.parse_args()

    workdir = args.workdir or ROOT / "bench" / "out" / f"pages-{args.businesses}"
    prepared = prepare(workdir, args.businesses, args.cooperatives)
    env = server_env(prepared["url"], prepared["index_dir"], workdir)
    report: dict = {
        "businesses": args.businesses,
        "cooperatives": args.cooperatives,
        "gunicorn_workers": args.workers,
        "concurrency": args.concurrency,
        "seconds_per_route": args.seconds,
        "cpus": os.cpu_count(),
        **{key: value for key, value in prepared.items() if key.endswith("_s")},
    }
    with ExitStack() as stack:
        stack.enter_context(process([str(BIN / "flask"), "jobs", "worker"], env, workdir / "jobs.log"))
        stack.enter_context(process([str(BIN / "flask"), "search", "worker"], env, workdir / "search.log"))
        log_path = workdir / "gunicorn.log"
        gunicorn = stack.enter_context(
            process(
                [
                    str(BIN / "gunicorn"),
                    "-w",
                    str(args.workers),
                    "-b",
                    "127.0.0.1:0",
                    "--no-control-socket",
                    "app:create_app()",
                ],
                env,
                log_path,
            )
        )
        port = listening_port(gunicorn, log_path)
        wait_healthy(port)
        for path in ROUTES:  # warm every worker: first queries open the index, fill caches
            for _ in range(4 * args.workers):
                get(port, path)
        report["load_before"] = os.getloadavg()[0]
        report["routes"] = {}
        for path in ROUTES:
            cpu_before = worker_cpu_seconds(gunicorn.pid)
            result = load(port, path, args.concurrency, args.seconds)
            cpu = worker_cpu_seconds(gunicorn.pid) - cpu_before
            result["worker_cpu_ms_per_request"] = round(cpu * 1000 / max(1, result["requests"]), 2)
            report["routes"][path] = result
        report["load_after"] = os.getloadavg()[0]
    health = report["routes"]["/healthz"]["req_per_s"] or 1
    health_cpu = report["routes"]["/healthz"]["worker_cpu_ms_per_request"] or 1
    report["ratio_to_healthz"] = {
        path: {
            "throughput": round(result["req_per_s"] / health, 2),
            "inverse_cpu": round(health_cpu / (result["worker_cpu_ms_per_request"] or 1), 2),
        }
        for path, result in report["routes"].items()
        if path != "/healthz"
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
