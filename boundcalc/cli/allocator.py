"""The C allocator of a ``boundcalc`` process: memory an array frees is kept for the next one.

A sweep over every T of L = 16384 allocates and frees arrays of a few MB (a chunk of 2^18 steps, a block of
rows' coefficients) tens of thousands of times. glibc's malloc gives the top of its heap back to the system
as soon as more than its trim threshold is free, and the next array faults the same pages in again: that was
1.1 s of the 10.4 s CPU of ``sweep --loss-curve c.csv --steps 1:16384 -f linear -f cosine-mdlm --csv`` and
2.3 s of the 6.9 s of ``-f mdlm``, as system time. With a trim threshold of 1 GiB and a top pad of 64 MiB the
heap keeps what it has until the process ends (measured: 0.25 s of system time instead of 1.1-1.5 s, CPU
ratio 0.91 by the process timer; peak memory the same for linear + cosine-mdlm, 0.79 -> 0.88 GB for mdlm).

Setting the trim threshold also switches off glibc's dynamic mmap threshold, which otherwise rises to the size of
the largest block freed: every block of 128 KiB or more was then a fresh mmap, its pages faulted in on first
touch and unmapped on free. The double-double pass of ``mdlm:T:geometric`` (arrays of 0.3·10^6 floats, a few
hundred of them) spent 3.2 s of system time on that in ``sweep --steps 1:1024`` (1.6·10^6 page faults). So the
mmap threshold is raised too, to glibc's most (32 MiB on 64 bits): blocks below it come from the kept heap
(geometric sweep: 0.13 s of system time, 45·10^3 faults; peak memory 166 -> 218 MB).

Only the command's own process is tuned, never the library's callers, and never against the user: nothing is
set when MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_, MALLOC_MMAP_THRESHOLD_ or GLIBC_TUNABLES is in the environment, or off Linux, or when
the C library has no ``mallopt`` (then everything works as before, only with those page faults).
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["keep_freed_memory", "TRIM_THRESHOLD", "TOP_PAD", "MMAP_THRESHOLD"]

#: glibc's mallopt parameters (malloc.h): M_TRIM_THRESHOLD, M_TOP_PAD and M_MMAP_THRESHOLD.
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
#: Free memory at the top of the heap kept rather than returned (bytes).
TRIM_THRESHOLD = 1 << 30
#: Extra memory asked of the system each time the heap grows (bytes): fewer, larger growths.
TOP_PAD = 64 << 20
#: Blocks from this size on are mapped separately (bytes): glibc's largest accepted value on 64 bits
#: (DEFAULT_MMAP_THRESHOLD_MAX); a fixed trim threshold would otherwise leave it at 128 KiB.
MMAP_THRESHOLD = 32 << 20
_USER_SETTINGS = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES")


def keep_freed_memory(libc: Any = None) -> bool:
    """Raise the C allocator's trim threshold, top pad and mmap threshold (see the module's text); True when all
    three were set.

    ``libc`` is the C library to tune (default: the process's own, through ctypes)."""
    if not sys.platform.startswith("linux") or any(name in os.environ for name in _USER_SETTINGS):
        return False
    try:
        if libc is None:
            import ctypes

            libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # no C library to load, or one without mallopt
        return False
    return (bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)) & bool(mallopt(_M_TOP_PAD, TOP_PAD))
            & bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)))
