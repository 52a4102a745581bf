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
    def registry(self) -> Path:
        """SQLite file: every file seen, its submission, status and reasons (ingest's state)."""
        return self.home / "state" / "registry.sqlite"

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
    def serving(self) -> Path:
        return self.home / "serving"

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
