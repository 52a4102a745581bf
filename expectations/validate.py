"""Validate a batch of parsed submissions: one Great Expectations run, findings per submission,
and the data-quality table (docs/interfaces.md "Validation results").

    result = validate_batch(parsed, history, data_docs_dir=paths.data_docs)
    result.findings[submission_id]   # validation findings (parse findings stay on the sub)
    result.quarantined               # submission ids with any error, parse or validation
    result.dq_rows                   # one row per (submission, rule) passed + per failure

`validate_for_ingest(parsed, paths)`: validation with history and Data Docs from THADS_HOME.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from expectations.config import ValidationConfig
from expectations.families import BY_NAME, FAMILIES, suite_checks
from expectations.findings import explain_outcomes, sub_file
from expectations.frame import Batch, prepare
from expectations.gx_run import run_checks
from expectations.history import empty_history, load_history
from expectations.suites import Check
from ingest.model import ParsedSubmission
from thads.config import Paths
from thads.contract import Finding
from thads.log import event, get_logger
from thads.rules import RULES

log = get_logger("thads.expectations")

#: docs/interfaces.md "Validation results", in order, with their pandas dtypes.
DQ_COLUMNS: dict[str, str] = {
    "submission_id": "str",
    "source_file": "str",
    "province_code": "str",
    "statistical_year": "Int64",
    "months": "Int64",
    "measure": "str",
    "rule": "str",
    "severity": "str",
    "outcome": "str",
    "message": "str",
    "observed": "str",
    "expected": "str",
    "sheet": "str",
    "source_row": "Int64",
    "column_label": "str",
    "batch_id": "str",
    "checked_at": "datetime64[us, UTC]",
}


@dataclass
class ValidationResult:
    #: Validation findings per submission id (every submission of the batch has a key).
    findings: dict[str, list[Finding]]
    dq_rows: pd.DataFrame
    #: Submission ids refused: an error from parsing or from validation.
    quarantined: set[str]
    n_validated: int = 0
    n_rows: int = 0
    seconds: float = 0.0
    #: Wall seconds per step: prepare (frame and derived checks), gx (the Great
    #: Expectations run, incl. its import on first use and Data Docs), findings, dq.
    timings: dict[str, float] = field(default_factory=dict)

    def all_findings(self, sub: ParsedSubmission) -> list[Finding]:
        """Parse findings then validation findings of one submission."""
        return list(sub.findings) + self.findings.get(sub.submission_id, [])


def _batch_id(subs: Sequence[ParsedSubmission]) -> str:
    """The batch id the rows carry (all rows of a batch carry the same one)."""
    for sub in subs:
        if sub.rows is not None and len(sub.rows):
            value = sub.rows["batch_id"].iat[0] if "batch_id" in sub.rows.columns else ""
            return value if isinstance(value, str) else ""
    return ""


def validate_batch(
    submissions: Sequence[ParsedSubmission],
    history: pd.DataFrame | None = None,
    data_docs_dir: Path | None = None,
    *,
    batch_id: str | None = None,
    config: ValidationConfig | None = None,
    render_docs: bool = True,
) -> ValidationResult:
    """Validate every submission that has rows in one GX run; see the module docstring.

    `history`: total rows of the standing accepted versions (`expectations.history`
    columns); None means nothing accepted yet. Submissions without rows (parsing failed)
    are not validated, but their parse findings are in `dq_rows`. `render_docs=False`
    keeps the run's results in `data_docs_dir` unrendered (`gx_run.render_data_docs`).
    """
    started = time.perf_counter()
    config = config or ValidationConfig.from_env()
    history = empty_history() if history is None else history
    batch_id = batch_id if batch_id is not None else _batch_id(submissions)
    checked_at = datetime.now(UTC)
    subs = list(submissions)
    with_rows = [s for s in subs if s.rows is not None and len(s.rows) > 0]
    findings: dict[str, list[Finding]] = {s.submission_id: [] for s in subs}
    checks = suite_checks(config)
    prepared: Batch | None = None
    timings: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = round(now - mark, 3)
        mark = now

    if with_rows:
        prepared = prepare(with_rows, history, FAMILIES, config)
        lap("prepare")
        run_name = batch_id or None
        outcomes = run_checks(prepared.frame, checks, data_docs_dir, run_name, render_docs)
        lap("gx")
        built = explain_outcomes(prepared, outcomes, BY_NAME)
        for sub, found in zip(with_rows, built, strict=True):
            findings[sub.submission_id].extend(found)
        lap("findings")
    quarantined = {
        s.submission_id
        for s in subs
        if s.has_errors or any(f.severity == "error" for f in findings[s.submission_id])
    }
    dq = dq_frame(subs, findings, prepared, checks, batch_id, checked_at)
    lap("dq")
    result = ValidationResult(
        findings=findings,
        dq_rows=dq,
        quarantined=quarantined,
        n_validated=len(with_rows),
        n_rows=0 if prepared is None else len(prepared.frame),
        seconds=time.perf_counter() - started,
        timings=timings,
    )
    event(
        log,
        "validated",
        batch_id=batch_id,
        submissions=len(subs),
        validated=result.n_validated,
        rows=result.n_rows,
        quarantined=len(quarantined),
        seconds=round(result.seconds, 2),
        **{f"t_{k}": v for k, v in timings.items()},
    )
    return result


# --- the data-quality table ----------------------------------------------------------------


def _failure_row(sub: ParsedSubmission, f: Finding, batch_id: str) -> dict[str, object]:
    return {
        "submission_id": sub.submission_id,
        "source_file": f.file,
        "province_code": sub.province_code,
        "statistical_year": sub.statistical_year,
        "months": sub.months,
        "measure": f.extra.get("measure"),
        "rule": f.rule,
        "severity": f.severity,
        "outcome": "fail",
        "message": f.message,
        "observed": f.observed,
        "expected": f.expected,
        "sheet": f.sheet,
        "source_row": f.row,
        "column_label": f.column,
        "batch_id": batch_id,
    }


def _evaluated(prepared: Batch, checks: Sequence[Check]) -> pd.DataFrame:
    """Per submission position x rule: was the rule evaluated on any row at all?"""
    frame = prepared.frame
    columns = {c.column for c in checks}
    present = frame[sorted(columns)].notna()
    per_sub = present.groupby(frame["_sub"].to_numpy()).any()
    by_rule: dict[str, pd.Series] = {}
    for check in checks:
        hit = per_sub[check.column]
        by_rule[check.rule] = by_rule[check.rule] | hit if check.rule in by_rule else hit
    out = pd.DataFrame(by_rule)
    return out.reindex(range(len(prepared.submissions)), fill_value=False)


def dq_frame(
    subs: Sequence[ParsedSubmission],
    findings: Mapping[str, list[Finding]],
    prepared: Batch | None,
    checks: Sequence[Check],
    batch_id: str,
    checked_at: datetime,
) -> pd.DataFrame:
    records: list[dict[str, object]] = []
    for sub in subs:
        for f in sub.findings:
            records.append(_failure_row(sub, f, batch_id))
        for f in findings.get(sub.submission_id, []):
            records.append(_failure_row(sub, f, batch_id))
    frames = [pd.DataFrame.from_records(records, columns=list(DQ_COLUMNS))] if records else []
    if prepared is not None:
        frames.append(_pass_rows(prepared, findings, checks, batch_id))
    if not frames:
        out = pd.DataFrame({c: pd.Series([], dtype=object) for c in DQ_COLUMNS})
    else:
        out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    out["batch_id"] = batch_id
    out["checked_at"] = pd.Timestamp(checked_at)
    return out[list(DQ_COLUMNS)].astype(DQ_COLUMNS)


def _pass_rows(
    prepared: Batch,
    findings: Mapping[str, list[Finding]],
    checks: Sequence[Check],
    batch_id: str,
) -> pd.DataFrame:
    subs = prepared.submissions
    evaluated = _evaluated(prepared, checks)
    failed = pd.DataFrame(False, index=evaluated.index, columns=evaluated.columns)
    for i, sub in enumerate(subs):
        for f in findings.get(sub.submission_id, []):
            if f.rule in failed.columns:
                failed.iat[i, failed.columns.get_loc(f.rule)] = True
    passed = evaluated & ~failed
    sub_pos, rule_pos = np.nonzero(passed.to_numpy())
    rule_names = np.asarray(passed.columns, dtype=object)[rule_pos]
    meta = pd.DataFrame(
        {
            "submission_id": [s.submission_id for s in subs],
            "source_file": [sub_file(s) for s in subs],
            "province_code": [s.province_code for s in subs],
            "statistical_year": [s.statistical_year for s in subs],
            "months": [s.months for s in subs],
        }
    ).iloc[sub_pos]
    out = meta.reset_index(drop=True)
    out["measure"] = None
    out["rule"] = rule_names
    out["severity"] = [RULES[r].severity for r in rule_names]
    out["outcome"] = "pass"
    out["message"] = [RULES[r].title_en for r in rule_names]
    for col in ("observed", "expected", "sheet", "source_row", "column_label"):
        out[col] = None
    out["batch_id"] = batch_id
    return out


# --- the ingest callback -------------------------------------------------------------------


def validate_for_ingest(
    parsed: list[ParsedSubmission], paths: Paths
) -> tuple[dict[str, list[Finding]], pd.DataFrame]:
    """History from THADS_HOME, Data Docs into `paths.data_docs`."""
    result = validate_batch(parsed, load_history(paths), data_docs_dir=paths.data_docs)
    return result.findings, result.dq_rows
