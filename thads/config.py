"""Where state lives. Everything the pipeline keeps is under one folder, THADS_HOME."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


class _Location(property):
    """A state path, relative to THADS_HOME: `batches = _Location("state/batches", "...")`.

    One line per path, so the layout of THADS_HOME reads as a table; still a property
    (tests walk `vars(Paths)` for them)."""

    def __init__(self, relative: str, doc: str | None = None) -> None:
        def location(paths: Paths) -> Path:
            return paths.home / relative

        super().__init__(location)
        self.__doc__ = doc  # a property subclass would otherwise show this class's docstring

    if TYPE_CHECKING:

        def __get__(self, instance: Any, owner: type | None = None) -> Path: ...


@dataclass(frozen=True)
class Paths:
    """The layout of THADS_HOME. Only the pipeline writes here; BI reads `serving/`."""

    home: Path

    @classmethod
    def from_env(cls, home: str | os.PathLike[str] | None = None) -> Paths:
        value = home or os.environ.get("THADS_HOME") or "./.thads"
        return cls(Path(value).expanduser().resolve())

    # Every path below is relative to `home`; the doc says who writes it and why.
    archive = _Location("archive", "Every file ever received, by sha256: nothing sent is lost.")
    quarantine = _Location("quarantine", "Refused files by name, a `.reasons.json` beside each.")

    state = _Location("state", "The pipeline's bookkeeping: registry, batches, staging, locks.")
    batches = _Location("state/batches", "`<batch_id>.plan.json`/`.result.json` of each load.")
    staging = _Location("state/staging", "`<batch_id>/`: parsed groups between Airflow tasks.")
    #: Exists while accepted data is not yet built and published (a failed build leaves it,
    #: so the next load builds again).
    publish_pending = _Location("state/publish_pending", "Accepted data awaits build+publish.")
    load_lock = _Location("state/load.lock", "Held by a whole `thads load`, plan to commit.")
    commit_lock = _Location("state/commit.lock", "Commit and targets steps: one registry writer.")
    registry = _Location("state/registry.sqlite", "Every file seen, its status and reasons.")
    landing_waits = _Location("state/landing_waits.json", "When each lone CSV half was seen.")
    deadline_alerts = _Location("state/deadline_alerts.json", "Missing-report alerts sent.")
    tokens = _Location("state/tokens.json", "Check-page tokens, stored hashed (`thads tokens`).")
    tokens_lock = _Location("state/tokens.lock", "One change of the tokens file at a time.")

    raw = _Location("raw", "The raw layer dbt reads: Parquet written by ingest, never by dbt.")
    report_rows = _Location("raw/report_rows")
    submissions_export = _Location("raw/submissions.parquet")
    approval_log_export = _Location("raw/approval_log.parquet", "`thads.approval.export`.")
    data_quality = _Location("raw/data_quality")
    targets = _Location("raw/targets.parquet")
    calendar = _Location(
        "reference", "The reporting calendar dbt reads (thads.reporting_calendar)."
    )

    warehouse = _Location("warehouse/thads.duckdb", "dbt's DuckDB file; readers use `serving/`.")
    dbt_lock = _Location("warehouse/.dbt.lock", "One dbt run at a time on this THADS_HOME.")
    dbt = _Location("dbt")
    dbt_target = _Location("dbt/target", "dbt's manifest, run results, docs, beside the state.")
    logs = _Location("logs")
    dbt_logs = _Location("logs/dbt")

    serving = _Location("serving", "What readers (BI, the report) open; only publish writes it.")
    serving_parquet = _Location("serving/parquet", "A Parquet file per mart (`versions/<v>/`).")
    publish_lock = _Location("serving/.publish.lock", "One publisher at a time.")
    snapshot = _Location("serving/thads.duckdb")
    report = _Location("serving/report/index.html")
    data_docs = _Location("data_docs")

    alerts = _Location("alerts")
    outbox = _Location("alerts/outbox.jsonl", "Undelivered alerts, retried first next load.")
    outbox_lock = _Location("alerts/.outbox.lock", "One delivery at a time: no outbox loss.")

    def ensure(self) -> Paths:
        for path in (
            self.archive,
            self.quarantine,
            self.registry.parent,
            self.raw,
            self.warehouse.parent,
            self.serving,
            self.alerts,
            self.logs,
        ):
            path.mkdir(parents=True, exist_ok=True)
        return self
