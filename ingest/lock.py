"""One writer at a time: the commit step and the targets step hold this lock."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

from thads.config import Paths


@contextmanager
def commit_lock(paths: Paths) -> Iterator[None]:
    """An exclusive lock on `state/commit.lock` (blocks until the other writer is done)."""
    lock_path = paths.registry.parent / "commit.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
