"""One atomic, fsynced write helper and one lock helper (thads/durable.py), used by every
writer of THADS_HOME; every state path named in thads.config.Paths."""

from __future__ import annotations

import ast
import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest

from thads import durable
from thads.config import Paths

ROOT = Path(__file__).resolve().parents[1]
CODE_DIRS = ("ingest", "expectations", "thads", "dags")


def _sources() -> list[Path]:
    return [p for top in CODE_DIRS for p in sorted((ROOT / top).rglob("*.py"))]


def test_atomic_write_fsyncs_the_file_and_its_directory(tmp_path, monkeypatch) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:  # the real fsync, and which inode it synced
        synced.append("dir" if os.path.isdir(f"/proc/self/fd/{fd}") else "file")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    dest = tmp_path / "sub" / "raw.parquet"
    durable.atomic_write_bytes(dest, b"first")
    assert dest.read_bytes() == b"first" and synced == ["file", "dir"]
    assert os.listdir(dest.parent) == ["raw.parquet"]  # no temporary left


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path) -> None:
    dest = tmp_path / "registry_export.parquet"
    durable.atomic_write_text(dest, "old")

    def broken(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        durable.atomic_write(dest, broken)
    assert dest.read_text() == "old" and os.listdir(tmp_path) == ["registry_export.parquet"]


def test_stale_temporaries_are_removed(tmp_path) -> None:
    leftover = durable.temp_sibling(tmp_path / "a.parquet")
    leftover.write_text("crashed mid-write")
    (tmp_path / "a.parquet").write_text("kept")
    assert durable.remove_stale_temps(tmp_path) == [leftover]
    assert os.listdir(tmp_path) == ["a.parquet"]


def _hold(lock_file: str, seconds: float, log: str) -> None:
    with durable.exclusive_lock(Path(lock_file)):
        with open(log, "a") as fh:
            fh.write(f"in {time.monotonic()}\n")
        time.sleep(seconds)
        with open(log, "a") as fh:
            fh.write(f"out {time.monotonic()}\n")


def test_the_lock_excludes_other_processes_and_threads(tmp_path) -> None:
    lock, log = tmp_path / "commit.lock", tmp_path / "log"
    ctx = multiprocessing.get_context("spawn")
    other = ctx.Process(target=_hold, args=(str(lock), 0.8, str(log)))
    other.start()
    deadline = time.monotonic() + 60
    while not log.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    thread = threading.Thread(target=_hold, args=(str(lock), 0.1, str(log)))
    thread.start()
    _hold(str(lock), 0.1, str(log))
    thread.join()
    other.join()
    events = [line.split()[0] for line in log.read_text().splitlines()]
    assert events == ["in", "out"] * 3  # never two holders at once


def test_every_state_path_is_under_home_and_named_in_paths(tmp_path) -> None:
    paths = Paths.from_env(tmp_path)
    state = {
        name: getattr(paths, name)
        for name, value in vars(Paths).items()
        if isinstance(value, property)
    }
    assert {"batches", "staging", "dbt_target", "commit_lock", "dbt_lock", "publish_lock",
            "outbox_lock", "serving_parquet", "publish_pending"} <= set(state)  # fmt: skip
    assert all(p.is_relative_to(paths.home) for p in state.values())
    # Nobody else builds a THADS_HOME path by hand.
    offenders = []
    for path in _sources():
        if path == ROOT / "thads" / "config.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Div)
                and isinstance(node.left, ast.Attribute)
                and node.left.attr == "home"
                and isinstance(node.right, ast.Constant)
                and node.right.value in ("state", "dbt", "serving", "raw", "warehouse", "logs")
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders


def test_one_lock_helper_and_one_atomic_rename_helper() -> None:
    locking, renaming = [], []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "flock":
                locking.append(rel)
            func = node.func if isinstance(node, ast.Call) else None
            if isinstance(func, ast.Attribute) and func.attr == "fsync":
                renaming.append(rel)
    assert set(locking) == {"thads/durable.py"}
    assert set(renaming) == {"thads/durable.py"}  # fsync only inside the helper
