"""Keep a long fetch's C heap from growing with fragmentation (glibc's malloc only)."""

from __future__ import annotations

import functools

M_MMAP_THRESHOLD = -3  # glibc's malloc.h
LARGE = 128 * 1024  # glibc's default threshold, here kept fixed


@functools.cache
def unpool_large_buffers() -> None:
    """Have every buffer of 128 KiB or more served from a mapping of its own, returned to
    the system when freed. By default glibc raises that threshold to the largest buffer
    freed so far; the history pages' bodies (~300 KB, more decoded) then come from the heap,
    between small long-lived blocks that keep it from shrinking: a 50 k-play first sync
    peaked ~20 MiB higher. Elsewhere than glibc this does nothing."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(M_MMAP_THRESHOLD, LARGE)
