"""Give the C heap's free memory back to the system between long pieces of work.

Pre-labeling runs the VAD (onnxruntime) and Whisper (CTranslate2) from several threads; they
allocate and free their working memory on every run, and glibc's allocator keeps what they free
in its arenas for reuse. So a worker's resident memory swung between ~290 and ~350 MB from one
hundred recordings to the next (bench/prelabel_memory.py, tiny.en) though nothing was kept
(Python's own objects stayed flat), and segmenting a long recording took more the longer it was.
``malloc_trim`` after each recording, and after each block the VAD reads, hands the free pages
back: the worker stays flat (~240 MB in that run) and the VAD within a block's memory. Elsewhere
than glibc (musl, macOS) there is no such call and this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # no C library by that name, or not glibc
        return None


def release_free_memory() -> None:
    """Return the free pages of every arena of the C heap to the system (glibc); else nothing."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
