"""Where state lives. Everything the pipeline keeps is under one folder, THADS_HOME."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


@dataclass(frozen=True)
class Paths:
    """The layout of THADS_HOME. Only the pipeline writes here; BI reads `serving/`."""

    home: Path

    @classmethod
    def from_env(cls, home: str | os.PathLike[str] | None = None) -> Paths:
        value = home or os.environ.get("THADS_HOME") or "./.thads"
        return cls(Path(value).expanduser().resolve())

    @property
    def archive(self) -> Path:
        """Every file ever received, stored by sha256: nothing a province sent is lost."""
        return self.home / "archive"

    @property
    def quarantine(self) -> Path:
        """Copies of refused files under their own names, with a `.reasons.json` beside each."""
        return self.home / "quarantine"

    @property
    def state(self) -> Path:
        """The pipeline's own bookkeeping: registry, batch records, staging, locks."""
        return self.home / "state"

    @property
    def batches(self) -> Path:
        """`<batch_id>.plan.json` / `.result.json`: what each load planned and committed."""
        return self.state / "batches"

    @property
    def staging(self) -> Path:
        """`<batch_id>/`: parsed but not yet validated groups, between Airflow tasks."""
        return self.state / "staging"

    @property
    def publish_pending(self) -> Path:
        """Exists while accepted data is not yet built and published (a failed build
        leaves it, so the next load builds again)."""
        return self.state / "publish_pending"

    @property
    def load_lock(self) -> Path:
        """Held by a whole `thads load` from plan to commit (`ingest.lock.load_lock`)."""
        return self.state / "load.lock"

    @property
    def commit_lock(self) -> Path:
        """Held by the commit step and the targets step: one writer of the registry."""
        return self.state / "commit.lock"

    @property
    def registry(self) -> Path:
        """SQLite file: every file seen, its submission, status and reasons (ingest's state)."""
        return self.state / "registry.sqlite"

    @property
    def raw(self) -> Path:
        """The raw layer dbt reads: Parquet written by ingest, never by dbt."""
        return self.home / "raw"

    @property
    def report_rows(self) -> Path:
        return self.raw / "report_rows"

    @property
    def submissions_export(self) -> Path:
        return self.raw / "submissions.parquet"

    @property
    def approval_log_export(self) -> Path:
        """The registry's approval decisions for dbt (`thads.approval.export`)."""
        return self.raw / "approval_log.parquet"

    @property
    def data_quality(self) -> Path:
        return self.raw / "data_quality"

    @property
    def targets(self) -> Path:
        return self.raw / "targets.parquet"

    @property
    def landing_waits(self) -> Path:
        """When each lone CSV half in the landing zone was first seen (ingest.readiness)."""
        return self.home / "state" / "landing_waits.json"

    @property
    def deadline_alerts(self) -> Path:
        """The periods whose missing-report alert went out, and when (once per period)."""
        return self.home / "state" / "deadline_alerts.json"

    @property
    def warehouse(self) -> Path:
        """The DuckDB file dbt builds. One writer: dbt. Readers use `serving/`."""
        return self.home / "warehouse" / "thads.duckdb"

    @property
    def dbt_lock(self) -> Path:
        """One dbt run at a time on this THADS_HOME."""
        return self.warehouse.parent / ".dbt.lock"

    @property
    def dbt(self) -> Path:
        return self.home / "dbt"

    @property
    def dbt_target(self) -> Path:
        """dbt's target folder (manifest, run results, docs) lives with the state it describes."""
        return self.dbt / "target"

    @property
    def dbt_logs(self) -> Path:
        return self.logs / "dbt"

    @property
    def serving(self) -> Path:
        return self.home / "serving"

    @property
    def serving_parquet(self) -> Path:
        """One Parquet file per mart for BI (`versions/<v>/` behind stable hard links)."""
        return self.serving / "parquet"

    @property
    def publish_lock(self) -> Path:
        """One publisher at a time (two loads finishing together must not interleave)."""
        return self.serving / ".publish.lock"

    @property
    def snapshot(self) -> Path:
        return self.serving / "thads.duckdb"

    @property
    def report(self) -> Path:
        return self.serving / "report" / "index.html"

    @property
    def data_docs(self) -> Path:
        return self.home / "data_docs"

    @property
    def alerts(self) -> Path:
        """Outbox of alerts not yet delivered (retried on the next load)."""
        return self.home / "alerts"

    @property
    def outbox(self) -> Path:
        """Alerts not yet delivered, one JSON per line, retried first at the next load."""
        return self.alerts / "outbox.jsonl"

    @property
    def outbox_lock(self) -> Path:
        """One alert delivery at a time (two loads must not lose outbox entries)."""
        return self.alerts / ".outbox.lock"

    @property
    def tokens(self) -> Path:
        """Province access tokens of the check page, stored hashed (`thads tokens`)."""
        return self.state / "tokens.json"

    @property
    def tokens_lock(self) -> Path:
        """One change of the tokens file at a time (`thads tokens issue/revoke`)."""
        return self.state / "tokens.lock"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

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
