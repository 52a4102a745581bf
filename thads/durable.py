"""Durable, atomic file writes and the one lock helper: every writer of THADS_HOME uses these.

A file is written under a temporary name in its destination's own directory, flushed and
fsynced, renamed onto its final name (`os.replace`: atomic within one filesystem), and the
directory is fsynced so that the rename itself survives a power cut. A reader sees the old
file or the new one, never half of one; a crash leaves at most a hidden temporary
(`.tmp-<name>.<random>.tmp`) that `remove_stale_temps` clears.

The archive and the raw Parquet are the data that must survive (the province's files, the
accepted rows); the registry exports and the published snapshot follow the same rule.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

TMP_PREFIX = ".tmp-"
TMP_SUFFIX = ".tmp"


def temp_sibling(dest: Path, suffix: str = TMP_SUFFIX) -> Path:
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


def atomic_write(dest: Path, write: Callable[[Path], object], sync_dir: bool = True) -> Path:
    """`write(tmp_path)` writes the content; it becomes `dest` only once it is on disk.

    `sync_dir=False` leaves the directory fsync to the caller (who writes many files into
    one directory and fsyncs it once at the end, e.g. the archive of a batch)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_sibling(dest)
    try:
        write(tmp)
        fsync_file(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    if sync_dir:
        fsync_dir(dest.parent)
    return dest


def atomic_write_bytes(dest: Path, data: bytes, sync_dir: bool = True) -> Path:
    return atomic_write(dest, lambda tmp: tmp.write_bytes(data), sync_dir)


def atomic_write_text(dest: Path, text: str, sync_dir: bool = True) -> Path:
    return atomic_write_bytes(dest, text.encode("utf-8"), sync_dir)


def atomic_copy(source: Path, dest: Path, sync_dir: bool = True) -> Path:
    return atomic_write(dest, lambda tmp: shutil.copyfile(source, tmp), sync_dir)


def remove_stale_temps(directory: Path, recursive: bool = False) -> list[Path]:
    """Leftovers of a writer that died mid-way (they were never visible under real names)."""
    if not directory.is_dir():
        return []
    pattern = f"{TMP_PREFIX}*"
    found = list(directory.rglob(pattern) if recursive else directory.glob(pattern))
    for path in found:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return found


#: flock excludes other processes, not other threads of this one holding their own handle
#: on the same file; one in-process lock per lock file does that.
_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def exclusive_lock(lock_file: Path, on_busy: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold `lock_file` exclusively: one holder at a time across processes and threads
    (blocks until the other holder is done). The one lock helper of THADS_HOME: the commit
    step, dbt, publish and the alert outbox each lock their own file (`thads.config.Paths`).
    `on_busy` is called once when another holder (process or thread) has the lock, before
    waiting: it may tell the user, or raise to give up instead of waiting."""
    lock_file = Path(lock_file)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with _THREAD_LOCKS_GUARD:
        in_process = _THREAD_LOCKS.setdefault(str(lock_file.resolve()), threading.Lock())
    told = False

    def busy() -> None:
        nonlocal told
        if on_busy is not None and not told:
            told = True
            on_busy()

    if not in_process.acquire(blocking=False):
        busy()
        in_process.acquire()
    try:
        with open(lock_file, "a+") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                busy()
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    finally:
        in_process.release()
