"""gunicorn reads this file from the working directory: the production defaults, and a configuration check.

Threaded workers (gthread): issuing a certificate renders and signs for a few hundred milliseconds of CPU,
and with one thread per worker four officers issuing at once would leave no worker free, so public
requests (/verify from a bank, search) waited in the listen queue behind the renders. With threads, a free
thread answers them; the render itself runs in the worker's render processes at a lower CPU priority
(RENDER_PROCESSES, services/documents.py). Figures: README, "Benchmarks" (bench/bench_concurrent_issue.py).
"""

import ctypes
import sys

worker_class = "gthread"
# An issuing request waits for its render without using the CPU; with 4 threads, a worker that took four
# of a burst of officers' requests had no thread left for /verify (its p95 rose 11× in the burst; 8: 1.4×).
threads = 8

# A render holds the GIL for long stretches; a thread answering a short request waits for it at most
# this long each time it needs it back (CPython's default is 5 ms).
SWITCH_INTERVAL = 0.001


# glibc's allocator, per worker (README, "Locust mix"): searches at 300,000 businesses allocate arrays of
# ~1 MB by the dozen from 8 threads. By default each thread may get an arena of its own and, once such an
# array is freed, arrays of that size stop being memory-mapped and come from the arenas, whose freed
# space is seldom given back: the workers' RSS grew 170 -> 350-400 MB in ten minutes of load and kept
# growing. With 2 arenas and a fixed 128 KiB mapping threshold (large arrays always mapped, and unmapped
# when freed), it stayed at 240-255 MB.
MALLOC_ARENAS = 2
MALLOC_MMAP_THRESHOLD = 128 * 1024
_M_MMAP_THRESHOLD, _M_ARENA_MAX = -3, -8  # glibc's <malloc.h>


def tune_malloc() -> bool:
    """Apply the allocator settings above to this process (True), or do nothing off glibc (False)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_ARENA_MAX, MALLOC_ARENAS)) and bool(mallopt(_M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD))


def on_starting(server):
    from app import refuse_bad_configuration

    refuse_bad_configuration()


def post_fork(server, worker):
    sys.setswitchinterval(SWITCH_INTERVAL)
    if not tune_malloc():
        server.log.info("not glibc: the allocator keeps its defaults")


def post_worker_init(worker):
    """Start the worker's render processes now, so that no officer waits for one to load WeasyPrint."""
    from services import documents

    app = worker.wsgi
    if hasattr(app, "app_context"):
        with app.app_context():
            documents.start_renderers()
