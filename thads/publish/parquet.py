"""Parquet exports of every mart under `serving/parquet/`.

Layout (what a reader sees):
- `versions/<version>/<mart>.parquet`: one directory per publish, written completely under a
  temporary name and renamed into place, never changed afterwards; the last few are kept.
- `current` -> `versions/<version>`: a symlink flipped atomically. Resolve it once
  (`realpath`) and read every file from that directory to get one consistent set.
- `<mart>.parquet`: the same files hard-linked to the stable names of docs/interfaces.md;
  each file is replaced atomically (old or new, never partial), but two files read one
  after the other may come from two different publishes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import duckdb

from thads.durable import TMP_PREFIX, fsync_dir, fsync_file
from thads.publish.files import replace_symlink, replace_with_hardlink
from thads.publish.marts import SCHEMA

VERSIONS = "versions"
CURRENT = "current"
#: Old versions kept so a reader that resolved `current` a moment ago can finish.
KEEP_VERSIONS = 3


class ParquetError(RuntimeError):
    pass


def stage_parquet(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    root: Path,
    version: str,
    row_counts: dict[str, int],
) -> Path:
    """Write every table of `row_counts` to a temporary version directory and check it."""
    staging = root / VERSIONS / f"{TMP_PREFIX}{version}"
    staging.mkdir(parents=True)
    for table, expected in sorted(row_counts.items()):
        target = staging / f"{table}.parquet"
        quoted = "'" + str(target).replace("'", "''") + "'"
        con.execute(
            f'COPY (SELECT * FROM "{catalog}"."{SCHEMA}"."{table}") TO {quoted} '
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        (found,) = con.execute(f"SELECT count(*) FROM read_parquet({quoted})").fetchone()
        if found != expected:
            raise ParquetError(f"{target}: wrote {found} rows, the mart has {expected}")
        fsync_file(target)
    fsync_dir(staging)
    return staging


def commit_parquet(root: Path, staging: Path, version: str) -> Path:
    """Rename the staged directory into `versions/`, flip `current`, relink stable names."""
    final = root / VERSIONS / version
    os.replace(staging, final)
    fsync_dir(final.parent)
    replace_symlink(root / CURRENT, f"{VERSIONS}/{version}")
    published = {p.name for p in final.glob("*.parquet")}
    for name in sorted(published):
        replace_with_hardlink(final / name, root / name)
    for stale in root.glob("*.parquet"):  # a mart that no longer exists
        if stale.name not in published:
            stale.unlink(missing_ok=True)
    fsync_dir(root)
    prune_versions(root, keep=KEEP_VERSIONS)
    return final


def prune_versions(root: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` versions (names sort by time), never `current`."""
    current = os.path.realpath(root / CURRENT)
    versions = sorted(
        p for p in (root / VERSIONS).iterdir() if p.is_dir() and not p.name.startswith(".")
    )
    removed: list[Path] = []
    for old in versions[:-keep] if keep else versions:
        if os.path.realpath(old) == current:
            continue
        shutil.rmtree(old, ignore_errors=True)
        removed.append(old)
    return removed


def discard(paths: Iterable[Path]) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)
