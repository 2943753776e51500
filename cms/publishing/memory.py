"""Handing freed memory back to the system between the steps of a build.

A full build makes and drops many large strings (Markdown, HTML, JSON): glibc's allocator keeps the pages
they freed, so each step of the build starts on the leftovers of the one before and the process's resident
set only grows (about 70 MB of free pages after a full build at 10,000 pages). ``release`` asks glibc to
return them (``malloc_trim``); on other C libraries it does nothing.
"""

import ctypes
import ctypes.util
import gc
from contextlib import contextmanager


def _trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _trim()


def release():
    """Give the pages of freed memory back to the system (a few milliseconds); whether it could."""
    if _MALLOC_TRIM is None:
        return False
    _MALLOC_TRIM(0)
    return True


@contextmanager
def collected_in_steps():
    """Python's automatic collections paused; the caller collects the young objects after each step.

    Django's model instances, with what select_related and prefetch_related attach to them, and Wagtail's
    stream values hold each other in reference cycles (about 300 objects per page), which only the cycle
    collector frees. Left to the automatic collections, a step's pages are moved to the oldest generation
    before the step ends and wait there for a full collection: a whole export's pages were held at once
    (100 MB at 10,000 pages, and the process kept that size). Paused, everything a step made stays young and
    collecting the youngest generation after it frees its cycles; what it keeps moves on and is not looked at
    again. Yields the function that collects."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield lambda: gc.collect(0)
    finally:
        if enabled:
            gc.enable()
