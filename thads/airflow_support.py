"""Small helpers the Airflow DAGs call, so the DAG files stay wiring only.

- `settings()`: where the landing zone and THADS_HOME are (Airflow Variable, else environment,
  else the defaults the CLI uses);
- the reporting calendar: which period's deadline passed most recently (`latest_due_period`,
  from thads.reporting_calendar) and the moment a deadline run judges at (`judged_moment`);
- alerts to the data team through the same notifier as validation (`thads.notify`), used by
  the task failure callback (the deadline check itself is thads.deadlines).

Airflow is imported lazily (Variables only, inside a running task): the library stays
importable, quick and quiet where Airflow is not configured.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thads import reporting_calendar
from thads.config import Paths

if TYPE_CHECKING:
    from ingest.readiness import Readiness

log = logging.getLogger("thads.airflow")

#: The Asset the load DAG updates when new data was accepted, and the build DAG waits on.
RAW_ASSET_URI = "thads://raw"

#: Airflow Variable keys (also settable as AIRFLOW_VAR_THADS_HOME / AIRFLOW_VAR_THADS_LANDING).
VAR_HOME = "thads_home"
VAR_LANDING = "thads_landing"
#: Defaults when neither a Variable nor THADS_HOME / THADS_LANDING is set (as for the CLI).
DEFAULT_HOME = "./.thads"
DEFAULT_LANDING = "./landing"


# --- Settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    landing: Path
    paths: Paths


def _airflow_variable(key: str) -> str | None:
    """The Airflow Variable `key`, or None when unset or when not inside an Airflow task."""
    if "airflow.sdk" not in sys.modules:  # not running under Airflow: do not import it here
        return None
    try:
        from airflow.sdk import Variable

        # default=None: Airflow masks a default value in logs, and a path is not a secret.
        value = Variable.get(key, default=None)
    except Exception:  # no Airflow, or not running inside a task: fall back to the env
        return None
    return str(value) if value not in (None, "") else None


def setting(variable: str, env: str, default: str) -> str:
    """Airflow Variable first, then the environment variable, then the default."""
    return _airflow_variable(variable) or os.environ.get(env) or default


def settings(landing: str | os.PathLike[str] | None = None) -> Settings:
    """Resolve where to read and write. `landing` overrides the configured landing zone
    (the DAG's `landing` param, e.g. to load a past period's folder)."""
    home = setting(VAR_HOME, "THADS_HOME", DEFAULT_HOME)
    landing_dir = landing or setting(VAR_LANDING, "THADS_LANDING", DEFAULT_LANDING)
    return Settings(
        landing=Path(landing_dir).expanduser().resolve(),
        paths=Paths.from_env(home).ensure(),
    )


#: How often thads_load polls the landing zone (cron, Vietnam time). Read when the DAG file
#: is parsed, so from the environment only (THADS_LOAD_SCHEDULE), not from a Variable.
DEFAULT_LOAD_SCHEDULE = "*/30 * * * *"


def load_schedule() -> str:
    return os.environ.get("THADS_LOAD_SCHEDULE") or DEFAULT_LOAD_SCHEDULE


#: How many mapped ingest tasks a load is split into (each stages its share of the provinces
#: in one process). A few, not one per province: each Airflow task pays a few seconds of
#: start-up, and the machine has few cores anyway.
VAR_INGEST_CHUNKS = "thads_ingest_chunks"
DEFAULT_INGEST_CHUNKS = 4


def ingest_chunk_count() -> int:
    """The configured number of ingest chunks (Variable, THADS_INGEST_CHUNKS, else 4)."""
    value = setting(VAR_INGEST_CHUNKS, "THADS_INGEST_CHUNKS", str(DEFAULT_INGEST_CHUNKS))
    return max(1, int(value))


#: A batch of at most this many files (a province's report or two: the usual arrival) is
#: ingested by `plan` itself, in the task process that found it, not by mapped tasks: one
#: Airflow task start (scheduler gap + process) less before the province hears back.
#: Bigger batches keep the mapped chunks, side by side.
VAR_SMALL_BATCH_FILES = "thads_small_batch_files"
DEFAULT_SMALL_BATCH_FILES = 4


def small_batch_files() -> int:
    """The configured small-batch size (Variable, THADS_SMALL_BATCH_FILES, else 4); 0 maps
    every batch."""
    value = setting(
        VAR_SMALL_BATCH_FILES, "THADS_SMALL_BATCH_FILES", str(DEFAULT_SMALL_BATCH_FILES)
    )
    return max(0, int(value))


def ingest_if_small(batch: Mapping[str, Any], paths: Paths) -> list[str]:
    """Ingest `batch` (plan_batch's) here when it has at most `small_batch_files()` files;
    returns the groups ingested ([] when the batch is empty or left to the mapped tasks)."""
    groups: dict[str, list[str]] = batch["groups"]
    n_files = sum(len(files) for files in groups.values())
    if not groups or n_files > small_batch_files():
        return []
    from thads import pipeline

    pipeline.ingest_all(batch["batch_id"], groups, paths, workers=1)
    return sorted(groups)


def chunk_label(codes: list[str]) -> str:
    """What a mapped ingest task shows in the UI: its province codes, or their range."""
    if len(codes) <= 6:
        return ",".join(codes)
    return f"{codes[0]}…{codes[-1]} ({len(codes)} groups)"


def ingest_chunks(groups: Mapping[str, list[str]], n_chunks: int) -> list[dict[str, Any]]:
    """plan_batch's per-province groups dealt into at most `n_chunks` chunks of about the
    same number of files (largest group first, into the lightest chunk), one kwargs dict per
    mapped ingest task: {"label", "groups"}. Ordered by first province code, so the map
    indexes are stable between runs; a province's files always stay in one chunk."""
    chunks: list[dict[str, list[str]]] = [{} for _ in range(min(n_chunks, len(groups)))]
    sizes = [0] * len(chunks)
    for group, files in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lightest = sizes.index(min(sizes))
        chunks[lightest][group] = list(files)
        sizes[lightest] += len(files)
    out = [{"label": chunk_label(sorted(c)), "groups": dict(sorted(c.items()))} for c in chunks]
    return sorted(out, key=lambda c: next(iter(c["groups"])))


#: dbt's per-node result lines ("12 of 120 OK created sql table model marts.x ... [OK in 0.4s]")
#: and its closing summary, as dbt writes them to its log file.
_DBT_RESULT_LINE = re.compile(
    r"\d+ of \d+ (OK|PASS|WARN|ERROR|FAIL|SKIP)|Finished running|Done\. PASS=|Completed |Failure in"
)


def _dbt_lines_since(log_file: Path, offset: int) -> list[str]:
    if not log_file.exists():
        return []
    size = log_file.stat().st_size
    with log_file.open("rb") as handle:
        handle.seek(offset if offset <= size else 0)  # the log rotated: read it all
        text = handle.read().decode("utf-8", errors="replace")
    return [
        line
        for line in text.splitlines()
        if "[debug]" not in line and _DBT_RESULT_LINE.search(line)
    ]


def build_warehouse(paths: Paths) -> dict[str, Any]:
    """`pipeline.build` (dbt build in a subprocess), then dbt's own per-model and per-test
    result lines of this run copied into the log, so each model's outcome shows in the
    Airflow task log (also when dbt fails). The task process runs at the build's low CPU
    priority (`thads.build.BUILD_NICENESS`, as `thads watch` runs its builds): a load
    answering a province meanwhile goes first."""
    from thads import pipeline
    from thads.build import at_build_priority, dbt_log_dir

    at_build_priority(os.getpid())
    log_file = dbt_log_dir(paths) / "dbt.log"
    offset = log_file.stat().st_size if log_file.exists() else 0
    try:
        return pipeline.build(paths)
    finally:
        for line in _dbt_lines_since(log_file, offset):
            log.info("dbt | %s", line)


def publish_warehouse(paths: Paths) -> dict[str, Any]:
    """`pipeline.publish` (snapshot, Parquet, HTML report) in a task process lowered to the
    build's CPU priority, as `build_warehouse`: rendering the report never holds up a load."""
    from thads import pipeline
    from thads.build import at_build_priority

    at_build_priority(os.getpid())
    return pipeline.publish(paths)


#: A polling load reads a file once it has not changed for this long, and lets a lone CSV
#: half wait this long for its pair before refusing it (`ingest.readiness`).
VAR_SETTLE_SECONDS = "thads_settle_seconds"
VAR_PAIR_WAIT_SECONDS = "thads_pair_wait_seconds"
DEFAULT_SETTLE_SECONDS = 5.0
DEFAULT_PAIR_WAIT_SECONDS = 3600.0


def landing_readiness(paths: Paths) -> Readiness:
    """The readiness rule of the load DAG (Variables, THADS_SETTLE_SECONDS /
    THADS_PAIR_WAIT_SECONDS, else 5 s and one hour). A run waits out the settle time of a
    file that has just arrived: the landing trigger fires after a shorter stability window,
    and the file must not wait for the next arrival or the safety poll."""
    from ingest.readiness import Readiness

    settle = setting(VAR_SETTLE_SECONDS, "THADS_SETTLE_SECONDS", str(DEFAULT_SETTLE_SECONDS))
    pair_wait = setting(
        VAR_PAIR_WAIT_SECONDS, "THADS_PAIR_WAIT_SECONDS", str(DEFAULT_PAIR_WAIT_SECONDS)
    )
    return Readiness(paths.landing_waits, float(settle), float(pair_wait), wait_for_settling=True)


# --- Reporting calendar --------------------------------------------------------------------

# The deadline rule lives in thads.reporting_calendar (contract 6.1, one place); the names
# are kept here for the DAGs and their tests.
add_working_days = reporting_calendar.add_working_days
report_deadline = reporting_calendar.deadline_day
period_ending_in = reporting_calendar.period_closing_in
DuePeriod = reporting_calendar.DuePeriod
latest_due_period = reporting_calendar.latest_due_period


# --- Alerts --------------------------------------------------------------------------------


def alert_data_team(subject: str, body: str, paths: Paths | None = None) -> dict[str, Any]:
    """One message to the data team through the validation notifier (`thads.notify`: the
    configured webhook / SMTP channels, with its outbox for failed deliveries). Returns the
    delivery report as a dict."""
    from thads import notify

    report = notify.notify_data_team(subject, body, paths or settings().paths)
    log.info(
        "alert to the data team: %s (channels %s, sent %d, pending %d)",
        subject,
        ",".join(report.channels) or "none configured",
        report.sent,
        report.pending,
    )
    return report.to_dict()


def _describe(error: object) -> str:
    """`FileNotFoundError: [Errno 2] No such file or directory: '/landing'` (str() names the
    file, repr() does not)."""
    if isinstance(error, BaseException):
        return f"{type(error).__name__}: {error}"
    return str(error)


def failure_message(context: Mapping[str, Any]) -> tuple[str, str]:
    """Subject and body of a task failure alert, from the Airflow callback context."""
    ti = context.get("ti") or context.get("task_instance")
    dag_id = getattr(ti, "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    map_index = getattr(ti, "map_index", -1)
    run_id = getattr(ti, "run_id", "?")
    try_number = getattr(ti, "try_number", "?")
    task = f"{task_id}[{map_index}]" if isinstance(map_index, int) and map_index >= 0 else task_id
    subject = f"[THADS] Airflow task failed: {dag_id}.{task}"
    lines = [
        f"DAG: {dag_id}",
        f"task: {task}",
        f"run: {run_id}",
        f"try: {try_number}",
        f"error: {_describe(context.get('exception'))}",
    ]
    if log_url := getattr(ti, "log_url", None):
        lines.append(f"log: {log_url}")
    return subject, "\n".join(lines)


def on_task_failure(context: Mapping[str, Any]) -> None:
    """on_failure_callback: alert the data team. Never raises (a callback error would hide
    the task's own error)."""
    try:
        subject, body = failure_message(context)
        alert_data_team(subject, body)
    except Exception:
        log.exception("could not send the task failure alert")


def run_date(logical_date: date | datetime | str | None, dag_run: Any = None) -> date:
    """The day a run stands for: its logical date, or when it was due to run (manual runs
    in Airflow 3 may have no logical date), in Vietnam time."""
    value = logical_date or getattr(dag_run, "run_after", None)
    return as_date(value)


def judged_moment(logical_date: date | datetime | str | None, dag_run: Any = None) -> datetime:
    """The moment a deadline run judges at: its logical date (a backfilled run stands for its
    own morning), or when it was due to run, or now; always time-zone aware."""
    value = logical_date or getattr(dag_run, "run_after", None)
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):  # a bare date: that morning's run, 08:00 in Vietnam
        return datetime.combine(value, time(8, 0), reporting_calendar.VIETNAM)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def as_date(value: date | datetime | str | None) -> date:
    """A run's logical date (datetime, ISO string or None for "now") as a calendar date in
    Vietnam, where the deadlines fall."""
    from zoneinfo import ZoneInfo

    vietnam = ZoneInfo("Asia/Ho_Chi_Minh")
    if value is None:
        return datetime.now(vietnam).date()
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(vietnam)
        return value.date()
    return value
