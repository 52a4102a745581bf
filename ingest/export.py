"""`raw/submissions.parquet`: the registry as a table dbt can read (one row per file seen).

Columns of docs/interfaces.md "Submission statuses" first; then extras that help people
trace a file: boundary, submitted_at, superseded_by, duplicate_of, archive_path.
`reasons` is a JSON list of strings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from ingest.raw import write_parquet_atomic
from ingest.registry import Registry, from_iso
from thads.config import Paths

_TS = pa.timestamp("us", tz="UTC")
SUBMISSIONS_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("sha256", pa.string()),
        ("submission_id", pa.string()),
        ("submission_key", pa.string()),
        ("province_code", pa.string()),
        ("statistical_year", pa.int64()),
        ("months", pa.int64()),
        ("revision", pa.int64()),
        ("fmt", pa.string()),
        ("arrival_time", _TS),
        ("first_seen", _TS),
        ("status", pa.string()),
        ("reasons", pa.string()),
        ("batch_id", pa.string()),
        ("boundary", pa.int64()),
        ("submitted_at", _TS),
        ("superseded_by", pa.string()),
        ("duplicate_of", pa.string()),
        ("archive_path", pa.string()),
    ]
)
_TIMES = ("arrival_time", "first_seen", "submitted_at")


def submissions_table(registry: Registry) -> pa.Table:
    listing = registry.listing()
    columns: dict[str, list] = {name: [] for name in SUBMISSIONS_SCHEMA.names}
    for row in listing:
        for name in SUBMISSIONS_SCHEMA.names:
            value = row[name]
            if name in _TIMES:
                value = from_iso(value)
            elif name == "reasons":
                value = json.dumps(value, ensure_ascii=False)
            columns[name].append(value)
    return pa.table(columns, schema=SUBMISSIONS_SCHEMA)


def export_submissions(paths: Paths, registry: Registry) -> Path:
    return write_parquet_atomic(submissions_table(registry), paths.submissions_export)
