"""Give memory the process no longer uses back to the system before it waits on a child.

After a large validation the load process holds hundreds of MiB it has freed but not
returned: glibc keeps freed heap pages for reuse and pyarrow's allocator keeps its pools.
`thads load` then waits on dbt for the whole build, so the two would be counted together
(the process tree's peak, bench/RESULTS.md "growth: --scale 10"). Returning them costs a
few milliseconds.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys


def release_unused() -> None:
    """Collect garbage, then return the free heap (glibc) and pyarrow's unused pool memory
    to the operating system. A no-op where neither applies."""
    gc.collect()
    if "pyarrow" in sys.modules:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        libc = ctypes.util.find_library("c")
        if libc:
            trim = getattr(ctypes.CDLL(libc), "malloc_trim", None)
            if trim is not None:  # glibc only (musl has none)
                trim(0)
