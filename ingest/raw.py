"""The raw layer on disk (`THADS_HOME/raw`): Parquet written atomically, read back for history.

Layout (docs/interfaces.md): `report_rows/statistical_year=YYYY/<batch_id>.parquet`
(hive partitioning; the files also carry the `statistical_year` column, which DuckDB's
`read_parquet(..., hive_partitioning=true)` accepts), `data_quality/<batch_id>.parquet`,
`submissions.parquet`, `targets.parquet`. Every file is written under a temporary name in
the same folder and renamed into place, so a reader (dbt) never sees half a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ingest.schema import REPORT_ROW_SCHEMA
from thads.config import Paths
from thads.contract import NUMERIC_KEYS
from thads.durable import TMP_SUFFIX, atomic_write


def write_parquet_atomic(table: pa.Table, path: Path) -> Path:
    """Written, fsynced, renamed into place, directory fsynced (`thads.durable`)."""
    return atomic_write(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def report_rows_path(paths: Paths, statistical_year: int, batch_id: str) -> Path:
    return paths.report_rows / f"statistical_year={statistical_year}" / f"{batch_id}.parquet"


def report_rows_table(frame: pd.DataFrame) -> pa.Table:
    """A frame of tidy rows as an Arrow table with the fixed raw-layer schema."""
    columns = [name for name in REPORT_ROW_SCHEMA.names]
    return pa.Table.from_pandas(frame[columns], schema=REPORT_ROW_SCHEMA, preserve_index=False)


def write_report_rows(paths: Paths, frame: pd.DataFrame, batch_id: str) -> list[Path]:
    """One file per statistical year present in `frame`."""
    written = []
    for year, part in frame.groupby("statistical_year", sort=True):
        path = report_rows_path(paths, int(year), batch_id)  # type: ignore[call-overload]
        written.append(write_parquet_atomic(report_rows_table(part), path))
    return written


def batch_files(paths: Paths) -> dict[str, list[Path]]:
    """batch_id -> the raw files that batch wrote (report rows and data quality)."""
    found: dict[str, list[Path]] = {}
    for folder, pattern in ((paths.report_rows, "*/*.parquet"), (paths.data_quality, "*.parquet")):
        if folder.exists():
            for path in folder.glob(pattern):
                found.setdefault(path.stem, []).append(path)
    return found


def remove_orphans(paths: Paths, committed: set[str], keep: Iterable[str] = ()) -> list[Path]:
    """Delete raw files of batches that never committed (a crash between the Parquet write
    and the registry transaction), and stray temporary files. Runs under the commit lock."""
    keep = set(keep)
    removed = []
    for batch_id, files in batch_files(paths).items():
        if batch_id not in committed and batch_id not in keep:
            for path in files:
                path.unlink(missing_ok=True)
                removed.append(path)
    for folder in (paths.report_rows, paths.data_quality, paths.raw):
        if folder.exists():
            for tmp in folder.rglob(f"*{TMP_SUFFIX}"):
                tmp.unlink(missing_ok=True)
                removed.append(tmp)
    return removed


TOTALS_COLUMNS = (
    "province_code",
    "statistical_year",
    "months",
    "boundary",
    "measure",
    *NUMERIC_KEYS,
    "submission_id",
)


def read_report_rows(
    paths: Paths,
    submission_ids: Iterable[str] | None = None,
    totals_only: bool = False,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Tidy rows from the raw layer, optionally only some submissions / only total rows."""
    files = sorted(paths.report_rows.glob("statistical_year=*/*.parquet"))
    cols = list(columns) if columns is not None else list(REPORT_ROW_SCHEMA.names)
    if not files:
        return REPORT_ROW_SCHEMA.empty_table().select(cols).to_pandas()
    # No partitioning argument: the year is a column of the files themselves.
    dataset = ds.dataset([str(f) for f in files], schema=REPORT_ROW_SCHEMA, format="parquet")
    condition = None
    if totals_only:
        condition = ds.field("is_total")
    if submission_ids is not None:
        wanted = pa.array(sorted(set(submission_ids)), pa.string())
        in_ids = ds.field("submission_id").isin(wanted)
        condition = in_ids if condition is None else condition & in_ids
    table = dataset.to_table(columns=cols, filter=condition)
    return table.to_pandas()
