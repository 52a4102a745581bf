"""Ingest a landing zone in one call: plan -> stage (both cores) -> validate -> commit -> targets.

What `thads load` needs from ingest, for callers that do not drive the steps themselves
(the pipeline may call the steps one by one instead, as the DAGs do). Validation is a
callback so that ingest does not depend on `expectations/`:
`validate(parsed, paths) -> (extra_findings by submission_id, dq_rows or None)`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ingest.batch import load_staged, plan_batch, stage_batch
from ingest.commit import CommitSummary, commit_batch
from ingest.model import ParsedSubmission
from ingest.targets import TargetsSummary, ingest_targets
from thads.config import Paths
from thads.contract import Finding

Validator = Callable[
    [list[ParsedSubmission], Paths],
    tuple[Mapping[str, Sequence[Finding]], pd.DataFrame | None],
]


@dataclass
class IngestResult:
    plan: dict[str, Any]
    commit: CommitSummary
    targets: TargetsSummary


def ingest_landing(
    landing: Path,
    paths: Paths | None = None,
    validate: Validator | None = None,
    workers: int | None = None,
) -> IngestResult:
    paths = (paths or Paths.from_env()).ensure()
    plan = plan_batch(Path(landing), paths)
    batch_id = plan["batch_id"]
    stage_batch(paths, batch_id, plan["groups"], workers=workers)
    parsed = load_staged(paths, batch_id)
    extra: Mapping[str, Sequence[Finding]] = {}
    dq_rows = None
    if validate is not None:
        extra, dq_rows = validate(parsed, paths)
    summary = commit_batch(paths, batch_id, parsed, extra, dq_rows)
    targets = ingest_targets([Path(p) for p in plan["targets"]], paths)
    return IngestResult(plan=plan, commit=summary, targets=targets)
