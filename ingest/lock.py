"""One writer at a time: the commit step and the targets step hold `commit_lock`; a whole
`thads load` holds `load_lock`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from thads.config import Paths
from thads.durable import exclusive_lock


@contextmanager
def commit_lock(paths: Paths) -> Iterator[None]:
    """An exclusive lock on `Paths.commit_lock` (blocks until the other writer is done)."""
    with exclusive_lock(paths.commit_lock):
        yield


class LoadBusy(RuntimeError):
    """Another load holds the load lock and the caller chose not to wait."""


@contextmanager
def load_lock(
    paths: Paths, wait: bool = True, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """One load at a time from plan to commit (`Paths.load_lock`): a second `thads load`
    started meanwhile waits (after telling `on_wait`) or, with `wait=False`, raises
    LoadBusy. Two loads of the same files would otherwise both validate them."""
    message = f"another thads load is running (it holds {paths.load_lock})"

    def busy() -> None:
        if not wait:
            raise LoadBusy(message)
        if on_wait is not None:
            on_wait(f"{message}; waiting for it to finish")

    with exclusive_lock(paths.load_lock, on_busy=busy):
        yield
