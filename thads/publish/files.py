"""Atomic file operations: a reader sees the old file or the new one, never half of one.

Everything is written under a temporary name in the destination's own directory (so the
final `os.replace` is a rename within one filesystem, which POSIX makes atomic) and only
then renamed onto the published name. A process that already opened the old file keeps
its inode and goes on reading it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

TMP_PREFIX = ".tmp-"


def temp_sibling(dest: Path, suffix: str = "") -> Path:
    """A fresh hidden name beside `dest` (same directory, hence same filesystem)."""
    return dest.parent / f"{TMP_PREFIX}{dest.name}.{secrets.token_hex(4)}{suffix}"


def fsync_dir(directory: Path) -> None:
    """Make a rename durable: fsync the directory entry, not just the file."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def atomic_write_bytes(dest: Path, data: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_sibling(dest)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(dest.parent)


def atomic_write_text(dest: Path, text: str) -> None:
    atomic_write_bytes(dest, text.encode("utf-8"))


def replace_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` atomically (make a new symlink, rename it over the old)."""
    tmp = temp_sibling(link)
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    finally:
        if tmp.is_symlink():
            tmp.unlink()
    fsync_dir(link.parent)


def replace_with_hardlink(source: Path, dest: Path) -> None:
    """Publish `source` under the name `dest` without copying its bytes."""
    tmp = temp_sibling(dest)
    os.link(source, tmp)
    try:
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def remove_stale_temps(directory: Path) -> None:
    """Leftovers of a publish that died mid-way (they were never visible under real names)."""
    if not directory.is_dir():
        return
    for path in directory.glob(f"{TMP_PREFIX}*"):
        if path.is_dir() and not path.is_symlink():
            _rmtree(path)
        else:
            path.unlink(missing_ok=True)


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def exclusive_lock(lock_file: Path) -> Iterator[None]:
    """One publisher at a time (two loads finishing together must not interleave swaps)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
