"""A staged group on disk, between Airflow tasks: Parquet for the rows, JSON for the rest.

`state/staging/<batch_id>/<group>.parquet` holds the group's tidy rows (one frame; each
submission's rows are a span of it) and `<group>.json` everything else: the submissions
without their rows (files, period, findings, labels, header), their spans, and the files
that repeat content already seen (duplicates). Both are plain formats a person can open
(`duckdb`, `jq`) and that do not depend on this code's classes: fields are written by
name, unknown names are ignored on reading and missing ones take their defaults, so a
staging area written by one version of the code is read by the next.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ingest.dedupe import Duplicate
from ingest.files import Candidate
from ingest.model import ParsedSubmission, SourceFile
from thads.contract import FileName, Finding
from thads.durable import atomic_write, atomic_write_text

#: Bumped only if a field changes meaning (a new field needs no bump).
FORMAT_VERSION = 1
ROWS_SUFFIX = ".parquet"
META_SUFFIX = ".json"


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --- records to JSON and back -------------------------------------------------------------


def _filename_to(fn: FileName | None) -> dict[str, Any] | None:
    return asdict(fn) if fn is not None else None


def _filename_from(data: dict[str, Any] | None) -> FileName | None:
    return FileName(**_known(FileName, data)) if data else None


def _finding_to(f: Finding | None) -> dict[str, Any] | None:
    return f.to_dict() if f is not None else None


def _finding_from(data: dict[str, Any] | None) -> Finding | None:
    return Finding(**_known(Finding, data)) if data else None


def _source_to(f: SourceFile) -> dict[str, Any]:
    return {
        "path": str(f.path),
        "name": f.name,
        "sha256": f.sha256,
        "size": f.size,
        "arrival_time": f.arrival_time.isoformat(),
        "filename": _filename_to(f.filename),
        "mtime": f.mtime.isoformat() if f.mtime else None,
        "first_seen": f.first_seen.isoformat() if f.first_seen else None,
        "unread": f.unread,
    }


def _source_from(data: dict[str, Any]) -> SourceFile:
    values = _known(SourceFile, data)
    values["path"] = Path(data["path"])
    values["arrival_time"] = _time(data["arrival_time"])
    values["filename"] = _filename_from(data.get("filename"))
    values["mtime"] = _time(data.get("mtime"))
    values["first_seen"] = _time(data.get("first_seen"))
    return SourceFile(**values)


def submission_to(sub: ParsedSubmission) -> dict[str, Any]:
    """Everything of a submission but its rows, as JSON-ready values."""
    return {
        "submission_id": sub.submission_id,
        "submission_key": sub.submission_key,
        "files": [_source_to(f) for f in sub.files],
        "province_code": sub.province_code,
        "statistical_year": sub.statistical_year,
        "months": sub.months,
        "revision": sub.revision,
        "fmt": sub.fmt,
        "boundary": sub.boundary,
        "arrival_time": sub.arrival_time.isoformat(),
        "findings": [_finding_to(f) for f in sub.findings],
        "labels": [[m, k, sheet, label] for (m, k), (sheet, label) in sub.labels.items()],
        "header": dict(sub.header),
        "submitted_at": sub.submitted_at.isoformat() if sub.submitted_at else None,
    }


def submission_from(data: dict[str, Any]) -> ParsedSubmission:
    values = _known(ParsedSubmission, data)
    values["files"] = [_source_from(f) for f in data.get("files", [])]
    values["arrival_time"] = _time(data["arrival_time"])
    values["submitted_at"] = _time(data.get("submitted_at"))
    values["findings"] = [_finding_from(f) for f in data.get("findings", [])]
    values["labels"] = {(m, k): (sheet, label) for m, k, sheet, label in data.get("labels", [])}
    values.pop("rows", None)
    return ParsedSubmission(**values)


def duplicate_to(d: Duplicate) -> dict[str, Any]:
    c = d.candidate
    return {
        "candidate": {
            "files": [_source_to(f) for f in c.files],
            "filename": _filename_to(c.filename),
            "problem": _finding_to(c.problem),
        },
        "duplicate_of": d.duplicate_of,
        "original_file": d.original_file,
    }


def duplicate_from(data: dict[str, Any]) -> Duplicate:
    c = data["candidate"]
    candidate = Candidate(
        files=[_source_from(f) for f in c.get("files", [])],
        filename=_filename_from(c.get("filename")),
        problem=_finding_from(c.get("problem")),
    )
    return Duplicate(
        candidate=candidate,
        duplicate_of=data["duplicate_of"],
        original_file=data["original_file"],
    )


# --- one staged group ----------------------------------------------------------------------


def write_group(
    folder: Path,
    group: str,
    submissions: list[ParsedSubmission],
    spans: list[tuple[int, int] | None],
    frame: pd.DataFrame | None,
    duplicates: list[Duplicate],
) -> Path:
    """Write the rows first, the JSON last: a group is staged once its JSON is there."""
    meta_path = folder / f"{group}{META_SUFFIX}"
    has_rows = frame is not None and len(frame.columns) > 0
    if has_rows:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        atomic_write(folder / f"{group}{ROWS_SUFFIX}", lambda tmp: pq.write_table(table, tmp))
    meta = {
        "format_version": FORMAT_VERSION,
        "group": group,
        "rows": f"{group}{ROWS_SUFFIX}" if has_rows else None,
        "submissions": [submission_to(s) for s in submissions],
        "spans": [list(s) if s is not None else None for s in spans],
        "duplicates": [duplicate_to(d) for d in duplicates],
    }
    # ASCII-escaped: a landing path may hold bytes that are not UTF-8 (a hostile name).
    atomic_write_text(meta_path, json.dumps(meta, ensure_ascii=True, indent=1, default=str))
    return meta_path


def staged_groups(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{META_SUFFIX}")) if folder.is_dir() else []


def read_group(
    meta_path: Path, with_rows: bool = True
) -> tuple[list[ParsedSubmission], list[tuple[int, int] | None], pd.DataFrame | None,
           list[Duplicate]]:  # fmt: skip
    """(submissions without rows, their spans, the rows frame, duplicates) of one group."""
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("format_version", 1) > FORMAT_VERSION:
        raise ValueError(
            f"{meta_path}: staged by a newer THADS (format {meta['format_version']}); "
            "finish or discard that batch with the same version"
        )
    subs = [submission_from(s) for s in meta.get("submissions", [])]
    spans = [tuple(s) if s is not None else None for s in meta.get("spans", [])]
    frame = None
    if with_rows and meta.get("rows"):
        frame = pq.read_table(meta_path.parent / meta["rows"]).to_pandas()
    duplicates = [duplicate_from(d) for d in meta.get("duplicates", [])]
    return subs, spans, frame, duplicates  # type: ignore[return-value]
