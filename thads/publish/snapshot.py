"""The read-only DuckDB snapshot BI tools open: `serving/thads.duckdb`.

The warehouse has one writer (dbt). Readers never open it: they open a copy, made after the
build, checked, and renamed into place. DuckDB reads a database through the file handle it
opened, so a reader of the previous snapshot keeps its (now unlinked) file and stays
consistent; a reader that opens the path after the rename gets the new file.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from thads.durable import fsync_dir, fsync_file, temp_sibling
from thads.publish.marts import MartsError, check_marts


class SnapshotError(RuntimeError):
    """The warehouse cannot be copied or the copy does not hold the marts."""


@dataclass(frozen=True)
class StagedSnapshot:
    path: Path  # the checked copy, under a temporary name beside the published one
    catalog: str  # the name DuckDB gives the database (file stem): views are bound to it
    row_counts: dict[str, int]


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def open_snapshot(path: Path, catalog: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file read-only under `catalog` (default: its stem) in a fresh connection.

    ATTACH into a new in-memory database rather than `duckdb.connect(path)`: the Python
    client caches database instances by path, so a second `connect(path)` in a process that
    still holds an older connection would be handed the old snapshot.
    """
    catalog = catalog or path.stem
    con = duckdb.connect()
    try:
        con.execute(f'ATTACH {_sql_path(path)} AS "{catalog}" (READ_ONLY)')
        con.execute(f'USE "{catalog}"')
    except Exception:
        con.close()
        raise
    return con


def stage_snapshot(warehouse: Path, dest: Path, info: dict[str, str]) -> StagedSnapshot:
    """Copy `warehouse` beside `dest` under a temporary name, checkpoint and check the copy.

    `info` goes into the copy as table `publish.info` (one row), so a reader can tell which
    publish it is reading from inside its own consistent snapshot. The caller renames the
    copy onto `dest` (`commit_snapshot`) or deletes it.
    """
    if not warehouse.is_file():
        raise SnapshotError(
            f"warehouse {warehouse} does not exist: nothing to publish (build first)"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    catalog = warehouse.stem
    tmp = temp_sibling(dest, ".duckdb")
    tmp_wal = Path(f"{tmp}.wal")
    try:
        _copy_while_no_writer(warehouse, tmp, tmp_wal, catalog)
        _checkpoint_copy(tmp, catalog, info)
        os.chmod(tmp, 0o444)  # a snapshot is for reading: nobody should open it for writing
        fsync_file(tmp)
        row_counts = _check_copy(tmp, catalog)
    except Exception:
        tmp.unlink(missing_ok=True)
        tmp_wal.unlink(missing_ok=True)
        raise
    return StagedSnapshot(tmp, catalog, row_counts)


def _copy_while_no_writer(warehouse: Path, tmp: Path, tmp_wal: Path, catalog: str) -> None:
    """Copy the file bytes while holding a read-only attach: DuckDB's file lock then
    guarantees no writer (dbt) is changing the file under the copy."""
    guard = duckdb.connect()
    try:
        try:
            guard.execute(f'ATTACH {_sql_path(warehouse)} AS "{catalog}" (READ_ONLY)')
        except duckdb.Error as exc:
            raise SnapshotError(
                f"cannot open warehouse {warehouse} read-only (is dbt still writing it?): {exc}"
            ) from exc
        shutil.copyfile(warehouse, tmp)
        # A writer that died before its checkpoint leaves committed work in the WAL only.
        wal = Path(f"{warehouse}.wal")
        if wal.is_file():
            shutil.copyfile(wal, tmp_wal)
    finally:
        guard.close()


def _checkpoint_copy(tmp: Path, catalog: str, info: dict[str, str]) -> None:
    """Fold any WAL into the copy and record the publish info; leaves no .wal behind."""
    con = duckdb.connect()
    try:
        con.execute(f'ATTACH {_sql_path(tmp)} AS "{catalog}"')
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{catalog}".publish')
        columns = ", ".join(f'"{k}" VARCHAR' for k in info)
        con.execute(f'CREATE OR REPLACE TABLE "{catalog}".publish.info ({columns})')
        marks = ", ".join("?" for _ in info)
        con.execute(f'INSERT INTO "{catalog}".publish.info VALUES ({marks})', list(info.values()))
        con.execute(f'CHECKPOINT "{catalog}"')
        con.execute(f'DETACH "{catalog}"')
    finally:
        con.close()
    if Path(f"{tmp}.wal").exists():
        raise SnapshotError(f"checkpoint of {tmp} left a WAL behind; refusing to publish it")


def _check_copy(tmp: Path, catalog: str) -> dict[str, int]:
    """The copy must open read-only and hold every mart with its key columns."""
    try:
        con = open_snapshot(tmp, catalog)
    except duckdb.Error as exc:
        raise SnapshotError(f"the copy of the warehouse does not open: {exc}") from exc
    try:
        return check_marts(con, catalog)
    except MartsError as exc:
        raise SnapshotError(f"the warehouse is not publishable: {exc}") from exc
    finally:
        con.close()


def commit_snapshot(staged: StagedSnapshot, dest: Path) -> None:
    """Rename the checked copy onto the published name (atomic)."""
    stray_wal = Path(f"{dest}.wal")
    # A WAL beside the published file would be replayed onto the NEW file by the next
    # reader. Only a process that opened the snapshot for writing (nobody should) leaves one.
    stray_wal.unlink(missing_ok=True)
    os.replace(staged.path, dest)
    fsync_dir(dest.parent)


def file_mtime_utc(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
