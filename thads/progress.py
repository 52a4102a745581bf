"""Progress bars for long commands (rich), silent with --quiet or when not on a terminal."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


def track(
    items: Iterable[T], description: str, total: int | None = None, quiet: bool = False
) -> Iterator[T]:
    if quiet:
        yield from items
        return
    from rich.console import Console
    from rich.progress import track as rich_track

    console = Console(stderr=True)
    if not console.is_terminal:
        yield from items
        return
    yield from rich_track(
        items, description=description, total=total, console=console, transient=True
    )


@contextmanager
def status(description: str, quiet: bool = False) -> Iterator[None]:
    """A spinner with `description` while a step runs (for steps that are one long call)."""
    if quiet:
        yield
        return
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(description):
        yield
