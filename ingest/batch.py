"""A batch from the landing zone to staging: plan, archive, parse, stage (per province group).

The pipeline (thads/pipeline.py, the Airflow DAGs) calls, in order:
1. `plan_batch(landing, paths)` -> {"batch_id", "groups": {province_code: [paths]},
   "n_files", "targets": [paths]}: the files not seen before, grouped per province so a
   DAG can map one task per group.
2. `stage_group(paths, batch_id, files)` per group (an Airflow task each), or
   `stage_batch(paths, batch_id, groups)` for all groups on both cores (`thads load`):
   archive every file, parse what is new, stage the result as `<group>.parquet` (rows)
   + `<group>.json` (the rest) in `state/staging/<batch_id>/` (`ingest.staging`).
3. `load_staged(paths, batch_id)` -> the batch's ParsedSubmissions, for validation and
   `ingest.commit.commit_batch`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.arrival import stamp_arrivals, stamper
from ingest.dedupe import Duplicate, classify
from ingest.files import (
    Candidate,
    archive_bytes,
    archive_file,
    discover,
    read_once,
    sync_archive,
)
from ingest.isolation import merge_frames, parse_isolated
from ingest.limits import Limits
from ingest.model import ParsedSubmission
from ingest.parse import default_workers, pool_context
from ingest.readiness import Readiness, Waiting
from ingest.registry import Registry
from ingest.rowsets import attach_rows
from ingest.staging import read_group, staged_groups, write_group
from thads.config import Paths


def new_batch_id() -> str:
    """Sortable by time, unique enough for concurrent runs: 20240903T081500Z-a1b2c3."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}Z-{secrets.token_hex(3)}"


def staging_dir(paths: Paths, batch_id: str) -> Path:
    return paths.staging / batch_id


def plan_batch(
    landing: Path,
    paths: Paths | None = None,
    readiness: Readiness | None = None,
    trust_mtime: bool = False,
) -> dict[str, Any]:
    """The files of `landing` not seen before, grouped by province code (`_unnamed` for bad
    names). Files seen with the same name and content are left out: a rerun is a no-op.
    With `readiness` (a polling load), files not ready yet are left for the next poll and
    listed under "waiting". Every file found is recorded as seen (its arrival time,
    `ingest.arrival`); with `trust_mtime` its mtime is taken as its arrival, never later
    than its first sight."""
    paths = (paths or Paths.from_env()).ensure()
    found = discover(Path(landing), stamp=stamper(paths, trust_mtime))
    waiting: list[Waiting] = []
    if readiness is not None:
        pause = readiness.until_settled(found) if readiness.wait_for_settling else 0.0
        if pause > 0:
            time.sleep(pause + 0.05)
            found = discover(Path(landing), stamp=stamper(paths, trust_mtime))
        found, waiting = readiness.hold_back(found)
    with Registry.open(paths, readonly=True) as registry:
        plan = classify(found.candidates, registry)
    groups: dict[str, list[str]] = {}
    for c in [*plan.new, *(d.candidate for d in plan.duplicates)]:
        groups.setdefault(c.group, []).extend(str(f.path) for f in c.files)
    for files in groups.values():
        files[:] = sorted(set(files))
    return {
        "batch_id": new_batch_id(),
        "groups": dict(sorted(groups.items())),
        "n_files": sum(len(v) for v in groups.values()),
        "n_already_seen": len(plan.already_seen),
        "targets": [str(f.path) for f in found.targets],
        "waiting": [w.to_dict() for w in waiting],
        "trust_mtime": trust_mtime,
    }


#: Bytes of landing files held in memory at once by one staging process: files are read,
#: archived and parsed a slice at a time, so a load's memory does not grow with the inbox.
STAGE_BYTES = 64 << 20
STAGE_FILES = 64


def _slices(new: list[Candidate], limits: Limits) -> list[list[Candidate]]:
    out: list[list[Candidate]] = [[]]
    held = 0
    for c in new:
        size = sum(min(f.size, limits.file_bytes) for f in c.files if f.unread is None)
        if out[-1] and (held + size > STAGE_BYTES or len(out[-1]) >= STAGE_FILES):
            out.append([])
            held = 0
        out[-1].append(c)
        held += size
    return out


def _read_slice(
    paths: Paths, chunk: list[Candidate], limits: Limits
) -> tuple[list[Candidate], list[dict[str, bytes]]]:
    """Each file of a slice read once: checked against its hash and archived. A file that
    is not read here (too large, unreadable, not a regular file) is archived when it can
    be (streamed) and left to the parser, which refuses it with the reason."""
    candidates: list[Candidate] = []
    contents: list[dict[str, bytes]] = []
    for c in chunk:
        files, data = [], {}
        for f in c.files:
            if f.unread is not None or f.size > limits.file_bytes:
                with contextlib.suppress(OSError):
                    archive_file(f, paths.archive)  # kept whole, never parsed
                files.append(f)
                continue
            try:
                checked, content = read_once(f, limits.file_bytes)
            except OSError:
                files.append(f)  # gone, grown or replaced since planning: the parser says
                continue
            if checked is not f:  # rewritten since planning: a new file, seen now
                (checked,) = stamp_arrivals(paths, [checked])
            archive_bytes(checked, content, paths.archive)
            files.append(checked)
            data[checked.name] = content
        candidates.append(replace(c, files=files))
        contents.append(data)
    sync_archive(paths.archive)
    return candidates, contents


def _stage(
    paths: Paths, batch_id: str, group: str, new: list[Candidate], duplicates: list[Duplicate]
) -> dict[str, Any]:
    """Archive, parse and stage one group (runs in a worker process for stage_batch).
    Each file is read once: its bytes are checked against the hash, archived and parsed,
    a slice of the group at a time, in a guarded child process (`ingest.isolation`)."""
    limits = Limits.from_env()
    for d in duplicates:
        for f in d.candidate.files:
            archive_file(f, paths.archive)
    pieces = []
    for chunk in _slices(new, limits):
        candidates, contents = _read_slice(paths, chunk, limits)
        pieces.append(parse_isolated(candidates, batch_id, contents, limits))
        del candidates, contents
    parsed, spans, frame = merge_frames(pieces)
    target = write_group(staging_dir(paths, batch_id), group, parsed, spans, frame, duplicates)
    return {
        "group": group,
        "n_submissions": len(parsed),
        "n_duplicates": len(duplicates),
        "n_with_errors": sum(1 for p in parsed if p.has_errors),
        "staged": str(target),
    }


def stage_group(
    paths: Paths | None,
    batch_id: str,
    files: Sequence[str | os.PathLike[str]],
    group: str | None = None,
) -> dict[str, Any]:
    """Stage one group of files (one Airflow task). Duplicates across groups of the same
    batch are caught by the commit step."""
    paths = (paths or Paths.from_env()).ensure()
    found = discover([Path(f) for f in files], stamp=stamper(paths))
    with Registry.open(paths, readonly=True) as registry:
        plan = classify(found.candidates, registry)
    name = group or (plan.new[0].group if plan.new else "_group")
    return _stage(paths, batch_id, name, plan.new, plan.duplicates)


def stage_batch(
    paths: Paths | None,
    batch_id: str,
    groups: Mapping[str, Sequence[str | os.PathLike[str]]],
    workers: int | None = None,
) -> list[dict[str, Any]]:
    """Stage every group on `workers` processes (default both cores): `thads load`."""
    paths = (paths or Paths.from_env()).ensure()
    files = [Path(f) for group_files in groups.values() for f in group_files]
    found = discover(files, stamp=stamper(paths))
    with Registry.open(paths, readonly=True) as registry:
        plan = classify(found.candidates, registry)
    by_group: dict[str, tuple[list[Candidate], list[Duplicate]]] = {}
    for c in plan.new:
        by_group.setdefault(c.group, ([], []))[0].append(c)
    for d in plan.duplicates:
        by_group.setdefault(d.candidate.group, ([], []))[1].append(d)
    jobs = sorted(by_group.items(), key=lambda kv: -len(kv[1][0]))  # biggest first
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(jobs) <= 1:
        return [_stage(paths, batch_id, g, new, dups) for g, (new, dups) in jobs]
    with ProcessPoolExecutor(max_workers=workers, mp_context=pool_context()) as pool:
        futures = [pool.submit(_stage, paths, batch_id, g, new, dups) for g, (new, dups) in jobs]
        return [f.result() for f in futures]


def load_staged(paths: Paths | None, batch_id: str) -> list[ParsedSubmission]:
    """Every ParsedSubmission staged for the batch. Each one's rows are a slice of its
    group's frame (cheap to make; the index is the position in that frame, not 0-based);
    `ingest.rowsets.combined_rows(parsed)` gives all of them as one frame, fast."""
    paths = paths or Paths.from_env()
    out: list[ParsedSubmission] = []
    for meta in staged_groups(staging_dir(paths, batch_id)):
        subs, spans, frame, _ = read_group(meta)
        if frame is not None:
            attach_rows(subs, spans, frame, reindex=False)
        out += subs
    return out


def load_staged_duplicates(paths: Paths | None, batch_id: str) -> list[Duplicate]:
    """The staged duplicates of the batch (their rows are not read)."""
    paths = paths or Paths.from_env()
    out: list[Duplicate] = []
    for meta in staged_groups(staging_dir(paths, batch_id)):
        out += read_group(meta, with_rows=False)[3]
    return out


def clear_staging(paths: Paths, batch_id: str) -> None:
    shutil.rmtree(staging_dir(paths, batch_id), ignore_errors=True)
