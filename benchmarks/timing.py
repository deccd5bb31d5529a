"""Timing of the benchmarks: best wall time of a few runs and the peak memory above the start.

Peak memory is the peak resident memory (Linux ``VmHWM``, reset through
``/proc/self/clear_refs`` before each run) above the resident memory before
the call.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def measure(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(best wall seconds, peak extra MiB, last result)."""
    best, peak, out = float("inf"), 0.0, None
    for _ in range(repeat):
        out = None
        gc.collect()
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
        except OSError:
            pass
        before = _rss_kib("VmRSS:")
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
        peak = max(peak, (_rss_kib("VmHWM:") - before) / 1024)
    return best, peak, out


def best(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """(best wall seconds of ``repeat`` runs, last result), without the memory probe."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out
