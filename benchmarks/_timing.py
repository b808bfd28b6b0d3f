"""Shared by the benchmark scripts: best-of-N wall time of a command in fresh processes."""

from __future__ import annotations

import subprocess
import time


def best_time(command: list[str], repeat: int) -> float:
    """The fastest of ``repeat`` runs (seconds): the least disturbed by the rest of the machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)
