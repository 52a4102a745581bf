"""The commit step: after validation, make a batch's outcome permanent.

`commit_batch` marks every submission of a final (approved) period as `held` (kept, not
loaded: `thads.approval.held`), every other submission with an error finding (parse or
validation) as `quarantined`, appends the accepted rows to the raw layer, writes the
validation results, copies refused files to `quarantine/`, records everything in the registry in ONE
transaction, settles which version of each period stands, and exports
`raw/submissions.parquet`.

Crash safety: Parquet files are written first (temp name + rename), the registry last.
A batch whose registry transaction never happened leaves files the registry does not know;
the next commit deletes them (`raw.remove_orphans`) before writing its own, and the
submissions of that batch are simply new again on the next load. Commits are serialised
by a lock file, so a concurrent commit never mistakes a live batch for an orphan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from ingest.batch import clear_staging, load_staged_duplicates
from ingest.dedupe import Duplicate
from ingest.export import export_submissions
from ingest.files import Candidate, archive_file, quarantine_file
from ingest.lock import commit_lock
from ingest.model import ParsedSubmission, SourceFile
from ingest.raw import remove_orphans, write_parquet_atomic, write_report_rows
from ingest.registry import FileRecord, Registry, SubmissionRecord, now_iso
from ingest.rowsets import combined_rows
from thads.approval import held as approval_held
from thads.approval import state as approval_state
from thads.config import Paths
from thads.contract import Finding


@dataclass
class CommitSummary:
    """What a commit did; `to_dict()` is small enough for an Airflow XCom."""

    batch_id: str
    n_submissions: int = 0
    n_accepted: int = 0
    n_loaded: int = 0  # accepted and standing after this commit
    n_superseded: int = 0  # versions (of this or earlier batches) replaced by this commit
    n_quarantined: int = 0
    n_held: int = 0  # for a final period: kept, not loaded (contract section 7)
    n_duplicates: int = 0
    n_skipped: int = 0  # already recorded (e.g. a retried commit of a staged group)
    n_rows: int = 0
    new_data: bool = False
    already_committed: bool = False
    periods: list[tuple[str, int, int]] = field(default_factory=list)
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    held: list[dict[str, Any]] = field(default_factory=list)
    files_written: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CommitSummary:
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in data.items() if k in known}  # summaries of older versions
        data["periods"] = [tuple(p) for p in data.get("periods", [])]
        return cls(**data)


def reasons_of(findings: Sequence[Finding]) -> list[str]:
    """Errors first, then warnings; each a full sentence naming file, sheet, row, column."""
    ordered = sorted(findings, key=lambda f: f.severity != "error")
    return [str(f) for f in ordered]


def _candidate_of(p: ParsedSubmission) -> Candidate:
    return Candidate(list(p.files), p.files[0].filename if p.files else None)


def commit_batch(
    paths: Paths | None,
    batch_id: str,
    parsed: Sequence[ParsedSubmission],
    extra_findings: Mapping[str, Sequence[Finding]] | None = None,
    dq_rows: pd.DataFrame | None = None,
    duplicates: Sequence[Duplicate] | None = None,
) -> CommitSummary:
    """Commit a validated batch. `extra_findings[submission_id]` are validation findings;
    `duplicates` defaults to those staged for the batch (`ingest.batch`)."""
    paths = (paths or Paths.from_env()).ensure()
    extra = extra_findings or {}
    with commit_lock(paths), Registry.open(paths) as registry:
        committed = registry.committed_batches()
        if batch_id in committed:
            previous = registry.batch_summary(batch_id) or {"batch_id": batch_id}
            summary = CommitSummary.from_dict(previous)
            summary.already_committed = True
            return summary
        remove_orphans(paths, committed)
        if duplicates is None:
            duplicates = load_staged_duplicates(paths, batch_id)
        summary = _commit(paths, registry, batch_id, parsed, extra, dq_rows, list(duplicates))
    clear_staging(paths, batch_id)
    return summary


def _commit(
    paths: Paths,
    registry: Registry,
    batch_id: str,
    parsed: Sequence[ParsedSubmission],
    extra: Mapping[str, Sequence[Finding]],
    dq_rows: pd.DataFrame | None,
    duplicates: list[Duplicate],
) -> CommitSummary:
    summary = CommitSummary(batch_id=batch_id)
    # The registry may have moved since staging (another batch, a retried commit):
    # decide "already recorded" and "duplicate" again, now, under the lock.
    known = registry.known_submission_ids(
        [p.submission_id for p in parsed] + [d.candidate.submission_id for d in duplicates]
    )
    # Approval state now, under the lock: a period approved since staging holds its files;
    # held files of a period reopened since are judged again (they are not "known").
    final = approval_state.final_approvals(registry)
    released = approval_held.releasable(registry, [p.submission_id for p in parsed], final)
    known -= released
    owners = registry.content_owners(_candidate_of(p).content_sha for p in parsed if p.files)
    in_batch: dict[tuple, ParsedSubmission] = {}
    to_record: list[tuple[ParsedSubmission, str, list[Finding]]] = []
    for p in parsed:
        if p.submission_id in known:
            summary.n_skipped += 1
            continue
        cand = _candidate_of(p)
        is_real = cand.problem is None and p.files and p.files[0].filename is not None
        key = cand.dedupe_key
        if is_real and key in owners and owners[key][1] != p.submission_id:
            duplicates.append(Duplicate(cand, owners[key][1], owners[key][0]))
            continue
        if is_real and key in in_batch:
            first = in_batch[key]
            duplicates.append(Duplicate(cand, first.submission_id, first.files[0].name))
            continue
        if is_real:
            in_batch[key] = p
        findings = list(p.findings) + list(extra.get(p.submission_id, ()))
        no_rows = p.rows is None or len(p.rows) == 0
        if no_rows and not any(f.severity == "error" for f in findings):
            findings.append(
                Finding.of(
                    "parse.no_rows",
                    ", ".join(p.file_names),
                    "nothing could be read from the submission",
                )
            )
        status = "quarantined" if any(f.severity == "error" for f in findings) else "accepted"
        approval = final.get((p.province_code, p.statistical_year, p.months))  # type: ignore[arg-type]
        if approval is not None:
            status, findings = "held", [approval_held.held_finding(p.file_names, approval)]
            summary.held.append(approval_held.held_item(p, approval))
        to_record.append((p, status, findings))
    duplicates = [d for d in duplicates if d.candidate.submission_id not in known]

    # 1. Parquet: accepted rows (per statistical year), validation results.
    accepted = [p for p, status, _ in to_record if status == "accepted"]
    # One statistical year's rows at a time (a file per year, `write_report_rows`): a
    # backfill never holds a second copy of all its rows, only of one year's.
    by_year: dict[int | None, list[ParsedSubmission]] = {}
    for p in accepted:
        by_year.setdefault(p.statistical_year, []).append(p)
    for year, subs in sorted(by_year.items(), key=lambda item: item[0] or 0):
        rows = combined_rows(subs)
        if (rows["statistical_year"] != year).any():  # would overwrite another year's file
            raise ValueError(f"rows of another statistical year than their submission's {year}")
        rows["batch_id"] = pd.array([batch_id] * len(rows), dtype="str")
        summary.files_written += [str(x) for x in write_report_rows(paths, rows, batch_id)]
        summary.n_rows += len(rows)
        del rows
    held_ids = {p.submission_id for p, status, _ in to_record if status == "held"}
    if dq_rows is not None and held_ids:
        # A held file is judged when its period is reopened, not now.
        dq_rows = dq_rows[~dq_rows["submission_id"].isin(held_ids)]
    if dq_rows is not None and len(dq_rows):
        # Only the results of submissions this commit records: a batch that overlapped
        # another (two loads of the same files) must not record their checks twice.
        recorded = {p.submission_id for p, _, _ in to_record}
        dq_rows = dq_rows[dq_rows["submission_id"].isin(recorded)]
    if dq_rows is not None and len(dq_rows):
        dq_path = paths.data_quality / f"{batch_id}.parquet"
        table = pa.Table.from_pandas(dq_rows, preserve_index=False)
        summary.files_written.append(str(write_parquet_atomic(table, dq_path)))

    # 2. Files: archive (idempotent: staging did it already), quarantine copies.
    file_records: list[FileRecord] = []
    for p, status, findings in to_record:
        for f in p.files:
            file_records.append(_file_record(f, p, archive_file(f, paths.archive)))
            if status == "quarantined":
                _quarantine_copy(paths, f, p, findings)
        if status == "quarantined":
            summary.quarantined.append(
                {
                    "submission_id": p.submission_id,
                    "files": p.file_names,
                    "province_code": p.province_code,
                    "statistical_year": p.statistical_year,
                    "months": p.months,
                    "reasons": [str(f) for f in findings if f.severity == "error"],
                }
            )
    for d in duplicates:
        cand = d.candidate
        for f in cand.files:
            record = _file_record(f, None, archive_file(f, paths.archive), cand)
            record.own_status = "duplicate"
            record.own_reasons = [d.reason]
            record.duplicate_of = d.duplicate_of
            file_records.append(record)

    # 3. Registry, in one transaction; then the export dbt reads.
    seen = now_iso()
    periods = {
        (p.province_code, p.statistical_year, p.months)
        for p, status, _ in to_record
        if status == "accepted" and p.province_code and p.statistical_year and p.months
    }
    with registry.transaction():
        approval_state.forget_held(registry, released)
        for p, status, findings in to_record:
            registry.add_submission(_submission_record(p, status, findings), batch_id, seen)
        registry.add_files(file_records, batch_id, seen)
        changes = registry.settle_periods(periods)  # type: ignore[arg-type]
        summary.n_submissions = len(to_record)
        summary.n_accepted = len(accepted)
        summary.n_held = len(held_ids)
        summary.n_quarantined = len(to_record) - len(accepted) - len(held_ids)
        summary.n_duplicates = len(duplicates)
        accepted_ids = {p.submission_id for p in accepted}
        summary.n_loaded = sum(
            1 for sid, st in changes.items() if st == "loaded" and sid in accepted_ids
        )
        summary.n_superseded = sum(1 for st in changes.values() if st == "superseded")
        summary.new_data = bool(accepted)
        summary.periods = sorted(periods)  # type: ignore[arg-type]
        registry.add_batch(batch_id, summary.to_dict())
    export_submissions(paths, registry)
    return summary


def _file_record(
    f: SourceFile, p: ParsedSubmission | None, archived: Path, cand: Candidate | None = None
) -> FileRecord:
    if p is not None:
        sid, key, fmt, rev = p.submission_id, p.submission_key, p.fmt, p.revision
        code, year, months = p.province_code, p.statistical_year, p.months
    else:
        assert cand is not None
        name = cand.filename
        sid, key, fmt = cand.submission_id, cand.submission_key, cand.fmt
        rev = name.revision if name else 1
        code = name.province_code if name else None
        year = name.statistical_year if name else None
        months = name.months if name else None
    return FileRecord(
        file=f.name,
        sha256=f.sha256,
        size=f.size,
        submission_id=sid,
        submission_key=key,
        province_code=code,
        statistical_year=year,
        months=months,
        revision=rev,
        fmt=fmt,
        arrival_time=f.arrival_time,
        first_seen=f.first_seen,
        archive_path=str(archived.relative_to(archived.parent.parent)),
    )


def _submission_record(
    p: ParsedSubmission, status: str, findings: Sequence[Finding]
) -> SubmissionRecord:
    return SubmissionRecord(
        submission_id=p.submission_id,
        submission_key=p.submission_key,
        content_sha=_candidate_of(p).content_sha,
        province_code=p.province_code,
        statistical_year=p.statistical_year,
        months=p.months,
        revision=p.revision,
        fmt=p.fmt,
        boundary=p.boundary,
        arrival_time=p.arrival_time,
        submitted_at=p.submitted_at,
        status=status,
        reasons=reasons_of(findings),
        n_rows=0 if p.rows is None else len(p.rows),
    )


def _quarantine_copy(
    paths: Paths, f: SourceFile, p: ParsedSubmission, findings: Sequence[Finding]
) -> Path:
    note = {
        "submission_id": p.submission_id,
        "files": p.file_names,
        "reasons": reasons_of(findings),
        "findings": [x.to_dict() for x in findings],
    }
    return quarantine_file(f, paths.quarantine, paths.archive, note)
