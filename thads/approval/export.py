"""`raw/approval_log.parquet`: the registry's approval log as a table dbt reads
(`stg_raw__approval_log` -> `marts.fct_approval_log`), rewritten before every build."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from ingest.raw import write_parquet_atomic
from ingest.registry import Registry, from_iso
from thads.approval import state
from thads.config import Paths

APPROVAL_LOG_SCHEMA = pa.schema(
    [
        ("statistical_year", pa.int64()),
        ("months", pa.int64()),
        ("province_code", pa.string()),
        ("action", pa.string()),
        ("decided_by", pa.string()),
        ("note", pa.string()),
        ("decided_at", pa.timestamp("us", tz="UTC")),
        ("submission_id", pa.string()),
    ]
)


def approval_log_table(registry: Registry) -> pa.Table:
    rows = [d.to_dict() for d in state.log(registry)]
    for row in rows:
        # `by` and `at` are reserved words in SQL: the raw layer says decided_by and
        # decided_at, the mart quotes the contract's names.
        row["decided_by"] = row.pop("by")
        row["decided_at"] = from_iso(row.pop("at"))  # type: ignore[arg-type]
    return pa.Table.from_pylist(rows, schema=APPROVAL_LOG_SCHEMA)


def export_approval_log(paths: Paths) -> Path:
    """Write the whole log (even empty, so dbt always reads the same typed columns)."""
    with Registry.open(paths) as registry:
        table = approval_log_table(registry)
    return write_parquet_atomic(table, paths.approval_log_export)
