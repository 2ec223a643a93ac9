"""gunicorn.conf.py tunes glibc's allocator in each worker so that the ~1 MB arrays a search allocates by
the dozen are given back when freed (README, "Locust mix"): without it, a worker's RSS grew by about
200 MB in ten minutes of load and kept growing.

Checked by behaviour in a fresh interpreter, since glibc does not report its settings: after one 1 MiB
block has been freed (glibc's default then stops memory-mapping blocks of that size), 200 such blocks
are allocated between small ones that stay, and freed. Untuned, their memory stays with the process;
tuned, it goes back to the system."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
PROBE = """
import runpy, sys
settings = runpy.run_path(sys.argv[1])
if sys.argv[2] == "tuned":
    assert settings["tune_malloc"](), "mallopt refused the settings"
def anonymous_mb():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) // 1024
first = bytearray(1 << 20)
del first
before = anonymous_mb()
blocks, kept = [], []
for _ in range(200):
    blocks.append(bytearray(1 << 20))
    kept.append(bytearray(1000))
del blocks
print(anonymous_mb() - before)
"""


def _retained_mb(mode: str) -> int:
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", PROBE, str(CONFIG), mode], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip())


def test_a_tuned_worker_gives_freed_arrays_back():
    assert _retained_mb("default") >= 150  # the probe shows the problem when nothing is tuned
    assert _retained_mb("tuned") <= 20
