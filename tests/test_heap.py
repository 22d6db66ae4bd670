"""Freed C-heap memory goes back to the system (speechlabel.core.heap), measured in a fresh
process: what a pre-labeling worker does after each recording so its memory stays flat."""

from __future__ import annotations

import platform
import textwrap

import pytest

from tests.test_audio_memory import run_measured

FREE_MOST_OF_THE_HEAP = textwrap.dedent("""
    import json
    import numpy as np
    from speechlabel.core.heap import release_free_memory

    def rss_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024

    arrays = [np.ones(8000) for _ in range(3000)]  # 64 kB each: the C heap, below mmap's threshold
    kept = arrays[::10]  # every tenth stays, so the heap cannot shrink from its top by itself
    del arrays
    held = rss_mb()
    release_free_memory()
    print(json.dumps({"held": held, "after": rss_mb()}))
""")


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_freed_heap_memory_is_returned_to_the_system():
    result = run_measured(FREE_MOST_OF_THE_HEAP)
    # 192 MB allocated, 173 MB of it freed but held by the allocator until it is released.
    assert result["held"] - result["after"] > 120, result
