"""Forced timing for concurrency tests: make several threads reach a point together when nothing stops them."""

from __future__ import annotations

import contextlib
import threading
from contextlib import contextmanager


@contextmanager
def rendezvous(monkeypatch, target, name: str, parties: int, timeout: float = 3.0):
    """Make `parties` callers of `target.name` wait for each other (at most `timeout` s) before it runs.

    Without a lock around the act, every thread gets there and they all go on together: the race
    happens every time. With a working lock only one thread gets there; it waits `timeout` and goes on.
    Yields the barrier: `barrier.broken` is False only if all `parties` were in the act at the same time.
    """
    barrier = threading.Barrier(parties)
    original = getattr(target, name)

    def wrapped(*args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapped)
    yield barrier


def run_together(app, count: int, act) -> list:
    """Run `act()` in `count` threads at once, each in its own app context; the results or exceptions."""
    from extensions import db

    results: list = [None] * count
    start = threading.Barrier(count)

    def worker(index: int) -> None:
        with app.app_context():
            start.wait(10)
            try:
                results[index] = act()
            except Exception as exc:  # noqa: BLE001 - what the caller inspects
                results[index] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
