"""thads.memory: freed heap really goes back to the system (what `thads load` relies on before
it waits on dbt)."""

from __future__ import annotations

import subprocess
import sys

import pytest

# A fragmented heap: 300 MiB of 2 KiB blocks (malloc, not pymalloc, not mmap), freed but for
# every 64th block, so glibc cannot shrink the heap by itself.
CHILD = """
import psutil
from thads.memory import release_unused
me = psutil.Process()
blocks = [bytearray(2048) for _ in range(150_000)]
kept = blocks[::64]
del blocks
before = me.memory_info().rss
release_unused()
after = me.memory_info().rss
print(before >> 20, after >> 20)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc_trim")
def test_release_unused_returns_freed_heap_to_the_system() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True
    ).stdout
    before, after = map(int, out.split())
    assert before > 250  # the freed blocks were still counted
    assert after < before - 200
