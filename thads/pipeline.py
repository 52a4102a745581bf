"""The load, step by step. `thads load` runs all steps in one process; the Airflow DAGs run
each step as a task (state passes through THADS_HOME, task results are small dicts).

Steps: plan_batch -> ingest_group (per province group, in parallel) -> validate_and_commit
-> send_alerts -> build -> publish. `missing_reports` serves the deadline DAG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from thads.config import Paths


def _todo(step: str) -> Any:
    raise NotImplementedError(f"pipeline step {step!r} is not implemented yet")


def plan_batch(landing: Path, paths: Paths | None = None) -> dict[str, Any]:
    """Find files not seen before. Returns {"batch_id", "groups": {group: [abs paths]},
    "n_files"}; groups are province codes so the DAG can map one task per province."""
    return _todo("plan_batch")


def ingest_group(batch_id: str, files: list[str], paths: Paths | None = None) -> dict[str, Any]:
    """Archive and parse one group of files into the batch's staging area."""
    return _todo("ingest_group")


def validate_and_commit(batch_id: str, paths: Paths | None = None) -> dict[str, Any]:
    """Validate the whole staged batch in one Great Expectations run, then commit: accepted
    rows to the raw layer, refused files to quarantine, statuses to the registry.
    Returns counts and "new_data": whether anything was accepted."""
    return _todo("validate_and_commit")


def send_alerts(batch_id: str, paths: Paths | None = None) -> dict[str, Any]:
    """One message per affected province and one summary for the data team."""
    return _todo("send_alerts")


def build(paths: Paths | None = None) -> dict[str, Any]:
    """dbt build of the warehouse (a subprocess: one dbt at a time)."""
    return _todo("build")


def publish(paths: Paths | None = None) -> dict[str, Any]:
    """Atomically publish the read-only snapshot, Parquet exports and the HTML report."""
    return _todo("publish")


def missing_reports(
    statistical_year: int, months: int, paths: Paths | None = None
) -> list[dict[str, Any]]:
    """Provinces of the period's boundary set with no accepted report (missing or
    quarantined), for the deadline alert."""
    return _todo("missing_reports")


def load(landing: Path, paths: Paths | None = None, quiet: bool = False) -> dict[str, Any]:
    """Every step in one process: what `thads load` runs."""
    return _todo("load")
