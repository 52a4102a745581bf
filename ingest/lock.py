"""One writer at a time: the commit step and the targets step hold this lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from thads.config import Paths
from thads.durable import exclusive_lock


@contextmanager
def commit_lock(paths: Paths) -> Iterator[None]:
    """An exclusive lock on `Paths.commit_lock` (blocks until the other writer is done)."""
    with exclusive_lock(paths.commit_lock):
        yield
