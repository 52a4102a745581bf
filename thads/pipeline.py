"""The load, step by step. `thads load` runs every step in one process; the Airflow DAGs run
each step as a task. State passes through THADS_HOME; each step returns a small dict (an
Airflow XCom).

    plan_batch -> ingest_all (all groups, or one chunk of them per task) -> validate_and_commit
               -> send_alerts -> build -> publish

The deadline DAG's check is thads.deadlines. The steps hold no parsing, rule or SQL logic of
their own: they call ingest/, expectations/, dbt (thads.build) and thads.publish.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thads.config import Paths
from thads.log import event, get_logger

if TYPE_CHECKING:
    from ingest.readiness import Readiness

log = get_logger("pipeline")


def _paths(paths: Paths | None) -> Paths:
    return (paths or Paths.from_env()).ensure()


def _batch_file(paths: Paths, batch_id: str, kind: str) -> Path:
    """Small JSON records of a batch (its plan, its result) kept beside the registry."""
    paths.batches.mkdir(parents=True, exist_ok=True)
    return paths.batches / f"{batch_id}.{kind}.json"


def _write_json(path: Path, data: Any) -> None:
    # Imported here: the DAG files import this module at parse time, keep that light.
    from thads.durable import atomic_write_text

    text = json.dumps(data, ensure_ascii=False, indent=1, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A landing path with bytes that are not UTF-8 (a hostile file name): escaped JSON
        # keeps it exact (json.loads gives the same path back).
        text = json.dumps(data, ensure_ascii=True, indent=1, default=str)
    atomic_write_text(path, text)


def _read_json(path: Path, default: Any) -> Any:
    return json.loads(path.read_text("utf-8")) if path.exists() else default


def mark_publish_pending(paths: Paths | None = None) -> None:
    """Something changed that the published snapshot does not show yet (new data, an
    approval decision): the next load builds and publishes even with no new files."""
    _paths(paths).publish_pending.touch()


def publish_pending(paths: Paths | None = None) -> bool:
    """Accepted data waits to be built and published: a build or publish failed (or has not
    run yet) since data was last accepted, or data was committed but never published.
    A fresh THADS_HOME with nothing committed has nothing to publish."""
    paths = _paths(paths)
    if paths.publish_pending.exists():
        return True
    # Accepted rows exist (the raw layer has report rows) but were never published.
    return not paths.snapshot.exists() and any(paths.report_rows.rglob("*.parquet"))


def needs_publish(committed: dict[str, Any], paths: Paths | None = None) -> bool:
    """Whether a load must be followed by build + publish: this batch accepted new data, or
    accepted data is still unpublished (the self-healing rule of `thads load` and of the
    `thads_load` DAG, which updates the `thads://raw` Asset exactly when this is true)."""
    return bool(committed.get("new_data")) or publish_pending(paths)


# --- steps -------------------------------------------------------------------------------


def plan_batch(
    landing: Path,
    paths: Paths | None = None,
    readiness: Readiness | None = None,
    trust_mtime: bool = False,
) -> dict[str, Any]:
    """Find files not seen before and record when each was first seen (its arrival; with
    `trust_mtime` its mtime, never later). Returns {"batch_id", "groups": {group: [abs
    paths]}, "n_files", "targets", "waiting"}; groups are province codes. `readiness`
    (polling loads) leaves files still being written and lone CSV halves within their wait
    for later."""
    from ingest.batch import plan_batch as plan_new_files

    paths = _paths(paths)
    plan = plan_new_files(Path(landing), paths, readiness, trust_mtime=trust_mtime)
    _write_json(_batch_file(paths, plan["batch_id"], "plan"), {**plan, "landing": str(landing)})
    event(
        log,
        "planned",
        batch_id=plan["batch_id"],
        landing=str(landing),
        files=plan["n_files"],
        groups=len(plan["groups"]),
        already_seen=plan["n_already_seen"],
        waiting=len(plan["waiting"]),
    )
    return plan


def ingest_all(
    batch_id: str,
    groups: dict[str, list[str]],
    paths: Paths | None = None,
    workers: int | None = None,
) -> list[dict[str, Any]]:
    """Every group at once on `workers` processes (default both cores): `thads load`, and
    each chunk of the Airflow load (one process each, the chunks run side by side)."""
    from ingest.batch import stage_batch

    return stage_batch(_paths(paths), batch_id, groups, workers=workers)


def validate_and_commit(
    batch_id: str, paths: Paths | None = None, data_docs: bool = True
) -> dict[str, Any]:
    """Validate the whole staged batch in one Great Expectations run, then commit: accepted
    rows to the raw layer, refused files to quarantine, statuses to the registry; then the
    batch's targets files. Held files of a period reopened since they arrived are judged
    with the batch (`thads.approval.held`). Returns counts and "new_data": whether anything
    was accepted. `data_docs=False` stores the validation results without rendering Data
    Docs (`render_data_docs` renders them later)."""
    from expectations.history import load_history
    from expectations.validate import validate_batch
    from ingest.batch import load_staged
    from ingest.commit import commit_batch
    from ingest.targets import ingest_targets
    from thads.approval.held import released_submissions

    paths = _paths(paths)
    parsed = load_staged(paths, batch_id) + released_submissions(paths, batch_id)
    result = validate_batch(
        parsed,
        load_history(paths),
        data_docs_dir=paths.data_docs,
        batch_id=batch_id,
        render_docs=data_docs,
    )
    summary = commit_batch(paths, batch_id, parsed, result.findings, result.dq_rows)
    plan = _read_json(_batch_file(paths, batch_id, "plan"), {})
    targets = ingest_targets([Path(p) for p in plan.get("targets", [])], paths, batch_id)
    out = summary.to_dict()
    out["targets"] = targets.to_dict()
    out["new_data"] = bool(summary.new_data or targets.loaded)
    out["validation_seconds"] = round(result.seconds, 3)
    if out["new_data"]:
        mark_publish_pending(paths)
    # The alert step reads the findings from raw/data_quality; it needs only the counts.
    _write_json(_batch_file(paths, batch_id, "result"), out)
    event(
        log,
        "committed",
        batch_id=batch_id,
        loaded=summary.n_loaded,
        quarantined=summary.n_quarantined,
        held=summary.n_held,
        duplicates=summary.n_duplicates,
        targets=len(targets.loaded),
        new_data=out["new_data"],
    )
    return out


def render_data_docs(batch_ids: Collection[str], paths: Paths | None = None) -> int:
    """Data Docs pages for batches validated with `data_docs=False`; returns how many
    validation results were rendered."""
    from expectations.gx_run import render_data_docs as render

    return render(_paths(paths).data_docs, batch_ids)


def send_alerts(batch_id: str, paths: Paths | None = None) -> dict[str, Any]:
    """One message per affected province and one summary for the data team. A failed alert
    never fails the load: the notifier keeps it in the outbox and retries next time."""
    from thads.notify import deliver, send_batch_alerts

    paths = _paths(paths)
    counts = _read_json(_batch_file(paths, batch_id, "result"), {})
    keys = ("n_loaded", "n_quarantined", "n_held", "n_duplicates")
    summary = {k: counts[k] for k in keys if k in counts}
    out = send_batch_alerts(batch_id, paths, counts=summary)
    if counts.get("held"):
        # Imported only here: it needs pandas, which a load with nothing to send never pays.
        from thads.approval.held import held_alerts

        # Files for a final period: the province is told the period is closed.
        out["held"] = deliver(held_alerts(counts["held"], batch_id), paths).to_dict()
    return out


def build(
    paths: Paths | None = None, full_refresh: bool = False, in_process: bool = False
) -> dict[str, Any]:
    """dbt build of the warehouse (a subprocess, or in this process for thads.warm_builder:
    one dbt at a time). The approval log is exported first, so a decision whose own build
    never ran is in this one."""
    from thads.approval.export import export_approval_log
    from thads.build import build as dbt_build
    from thads.memory import release_unused

    paths = _paths(paths)
    export_approval_log(paths)
    # What the validation freed goes back to the system before dbt runs (beside this process,
    # which waits on it, or in it).
    release_unused()
    return dbt_build(paths, full_refresh=full_refresh, in_process=in_process)


def publish(paths: Paths | None = None) -> dict[str, Any]:
    """Atomically publish the read-only snapshot, Parquet exports and the HTML report."""
    from thads.publish.publisher import publish as publish_snapshot

    paths = _paths(paths)
    manifest = publish_snapshot(paths)
    paths.publish_pending.unlink(missing_ok=True)
    return manifest


def period_statuses(
    statistical_year: int, months: int, paths: Paths | None = None
) -> dict[str, set[str]]:
    """{province_code: the registry statuses of its files for the period} ("loaded" marks
    the accepted report that stands)."""
    from ingest.registry import Registry

    paths = _paths(paths)
    statuses: dict[str, set[str]] = {}
    if not paths.registry.exists():
        return statuses
    with Registry.open(paths, readonly=True) as registry:
        for row in registry.listing():
            if (row["statistical_year"], row["months"]) == (statistical_year, months):
                statuses.setdefault(row["province_code"], set()).add(row["status"])
    return statuses


def accepted_provinces(statistical_year: int, months: int, paths: Paths | None = None) -> set[str]:
    """Province codes with an accepted report for the period in the registry, published or
    not."""
    statuses = period_statuses(statistical_year, months, paths)
    return {code for code, seen in statuses.items() if "loaded" in seen}


def _timed(
    timings: dict[str, float], quiet: bool, name: str, description: str, fn: Any, *args: Any
) -> Any:
    from thads.progress import status

    started = time.perf_counter()
    with status(description, quiet):
        value = fn(*args)
    timings[name] = round(time.perf_counter() - started, 2)
    return value


def ingest(
    landing: Path,
    paths: Paths | None = None,
    workers: int | None = None,
    quiet: bool = True,
    timings: dict[str, float] | None = None,
    trust_mtime: bool = False,
    wait: bool = True,
    on_wait: Any = None,
    readiness: Readiness | None = None,
    data_docs: bool = True,
) -> dict[str, Any]:
    """The ingest half of `load`: plan, archive and parse, validate and commit. Returns
    {"plan", "staged", "commit"} (commit: `validate_and_commit`'s counts). `trust_mtime`:
    arrival times from the files' mtimes (a vouched history, contract 6.1). One ingest at a
    time: a second one waits (telling `on_wait`) or, with `wait=False`, raises
    `ingest.lock.LoadBusy`, instead of validating the same files again. `readiness`: as for
    `plan_batch` (`thads watch` leaves files still being written for its next round).
    `data_docs`: as for `validate_and_commit`."""
    from ingest.lock import load_lock

    paths = _paths(paths)
    timings = {} if timings is None else timings
    with load_lock(paths, wait=wait, on_wait=on_wait):
        plan = _timed(
            timings, quiet, "plan", f"looking for new files in {landing}",
            plan_batch, landing, paths, readiness, trust_mtime,
        )  # fmt: skip
        batch_id = plan["batch_id"]
        staged = _timed(
            timings, quiet, "ingest",
            f"archiving and parsing {plan['n_files']} file(s) in {len(plan['groups'])} group(s)",
            ingest_all, batch_id, plan["groups"], paths, workers,
        )  # fmt: skip
        committed = _timed(
            timings, quiet, "validate_and_commit",
            "validating the batch (Great Expectations) and committing",
            validate_and_commit, batch_id, paths, data_docs,
        )  # fmt: skip
    return {"plan": plan, "staged": staged, "commit": committed}


def load(
    landing: Path,
    paths: Paths | None = None,
    quiet: bool = False,
    trust_mtime: bool = False,
    wait: bool = True,
    on_wait: Any = None,
    build_now: bool = True,
    readiness: Readiness | None = None,
    workers: int | None = None,
    data_docs: bool = True,
) -> dict[str, Any]:
    """Every step in one process: what `thads load` runs (`ingest`'s arguments). The
    warehouse is rebuilt and published only when something new was accepted, or an earlier
    build or publish did not finish (a failed build raises thads.build.DbtError and
    publishes nothing). `build_now=False` stops after the alerts (`thads watch` builds once
    a burst settles); the publish-pending marker then tells the caller a build is due.
    `readiness`: files not ready yet are left for a later round and listed under "waiting".
    `workers`: parse processes (default both cores); `data_docs`: as for
    `validate_and_commit`."""
    paths = _paths(paths)
    timings: dict[str, float] = {}

    def timed(name: str, description: str, fn: Any, *args: Any) -> Any:
        return _timed(timings, quiet, name, description, fn, *args)

    ingested = ingest(
        landing, paths, workers=workers, quiet=quiet, timings=timings, trust_mtime=trust_mtime,
        wait=wait, on_wait=on_wait, readiness=readiness, data_docs=data_docs,
    )  # fmt: skip
    plan, staged, committed = ingested["plan"], ingested["staged"], ingested["commit"]
    batch_id = plan["batch_id"]
    try:
        alerts = timed("alerts", "sending alerts", send_alerts, batch_id, paths)
    except Exception as exc:  # an alert must never fail a load; the data is committed
        log.exception("alerts failed for batch %s", batch_id)
        alerts = {"batch_id": batch_id, "error": repr(exc)}
    built = published = None
    if build_now and needs_publish(committed, paths):
        built = timed("build", "building the warehouse (dbt build)", build, paths)
        published = timed("publish", "publishing snapshot, Parquet and report", publish, paths)
    return {
        "batch_id": batch_id,
        "landing": str(landing),
        "n_files": plan["n_files"],
        "n_already_seen": plan["n_already_seen"],
        "waiting": plan.get("waiting", []),
        "n_groups": len(staged),
        "commit": committed,
        "alerts": alerts,
        "build": built,
        "publish": published,
        "seconds": timings,
    }
