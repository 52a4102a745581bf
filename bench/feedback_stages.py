"""Where an answer's time goes under Airflow (issue 17): each arrival's latency split into
its stages from Airflow's own records, read through the REST API after the run.

    .venv/bin/python -m bench.feedback_stages bench/out/feedback/airflow-timeline.json

For each submission, the file answered last is followed through:
file written -> the landing Asset event that names it (the trigger: watchfiles + the 2 s
stability wait) -> the thads_load run that took it in (the run whose `plan` returned the
batch_id the registry gives the file) queued -> started -> each task of its path queued ->
started -> ended -> the alert received / the status visible (whichever came later).
When an earlier run's `plan` listed the file as "waiting" (the readiness rule: modified
less than THADS_SETTLE_SECONDS ago), the time until the later run was queued is its own
stage. Moments that come out of order (a run queued before the file's event, waiting for
the run before it) count from the latest moment so far, so the stages add up to the
latency. `timeline()` reads the records (saved as JSON beside the bench's output, so the
breakdown can be recomputed without rerunning Airflow); `breakdown()` computes.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

#: thads_load's tasks on the way to an answer, in order (dags/thads_load.py).
PATH = ("plan", "ingest_chunk_list", "ingest", "validate_and_commit", "send_alerts")
LANDING_ASSET_URI = "thads://landing"  # thads.airflow_events (not imported: no Airflow here)
PAGE = 100
TI_FIELDS = ("task_id", "map_index", "queued_when", "start_date", "end_date", "duration")

#: The stages of the row, in order; the task stages are summed over PATH.
TRIGGER = "trigger (landed -> Asset event)"
#: Airflow creates no asset-triggered run while one is queued or running (max_active_runs=1,
#: DagModel.dags_needing_dagruns): the wait for the run before is in this stage.
TO_RUN = "Asset event -> run queued (after the active run)"
HELD = "held by plan's readiness rule -> later run queued"
RUN_WAIT = "run queued -> started"
SCHEDULING = "scheduler (step ended -> next task queued, 5 tasks)"
EXECUTOR = "executor (task queued -> started, 5 tasks)"
ANSWER = "send_alerts started -> alert and status"


def running(task: str) -> str:
    return f"{task} running"


STAGES = (
    TRIGGER,
    TO_RUN,
    HELD,
    RUN_WAIT,
    SCHEDULING,
    EXECUTOR,
    *(running(task) for task in PATH[:-1]),
    ANSWER,
)


def epoch(moment: str | None) -> float | None:
    return None if moment is None else datetime.fromisoformat(moment).timestamp()


# --- reading Airflow's records ----------------------------------------------------------


def _pages(stack: Any, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while True:
        page = stack.api("GET", path, params={**params, "limit": PAGE, "offset": len(rows)})
        rows += page[key]
        total = page.get("total_entries")
        if len(page[key]) < PAGE or (total is not None and len(rows) >= total):
            return rows


def _read(stack: Any, path: str, key: str | None = None, **params: Any) -> Any:
    """One record (or all pages of `key`), or {"error": ...}: a record that cannot be read
    must not lose the run's latencies (the raw answers are saved; `from_airflow` reads
    them)."""
    try:
        return _pages(stack, path, key, **params) if key else stack.api("GET", path, params=params)
    except Exception as exc:
        return {"error": repr(exc)}


def timeline(stack: Any, run_ids: Iterable[str]) -> dict[str, Any]:
    """Airflow's answers, as the REST API gives them: every Asset event, the thads_load
    and thads_build runs, and for each thads_load run in `run_ids` its task instances and
    what its `plan` returned (batch_id, the files it left waiting)."""
    plan = "/dags/thads_load/dagRuns/{}/taskInstances/plan/xcomEntries/{}"
    return {
        "asset_events": _read(stack, "/assets/events", "asset_events", order_by="timestamp"),
        "thads_load": _read(stack, "/dags/thads_load/dagRuns", "dag_runs", order_by="id"),
        "thads_build": _read(stack, "/dags/thads_build/dagRuns", "dag_runs", order_by="id"),
        "runs": {
            run_id: {
                "task_instances": _read(
                    stack, f"/dags/thads_load/dagRuns/{run_id}/taskInstances", "task_instances"
                ),
                **{
                    key: _read(stack, plan.format(run_id, key), deserialize=True)
                    for key in ("batch_id", "waiting")
                },
            }
            for run_id in run_ids
        },
    }


def _value(xcom: Any) -> Any:
    return xcom.get("value") if isinstance(xcom, dict) else None


def from_airflow(raw: Mapping[str, Any]) -> dict[str, Any]:
    """What the breakdown needs from `timeline`'s answers: the landing Asset's events
    ({"timestamp", "files"}: the trigger's payload), the load runs in order with their
    tasks, batch and waiting files, and the build runs' spans."""
    events = [
        {"timestamp": e["timestamp"], "files": list(e["extra"]["payload"]["files"])}
        for e in raw["asset_events"]
        if (e.get("uri") or "").rstrip("/") == LANDING_ASSET_URI  # stored as "thads://landing/"
    ]
    runs = {r["dag_run_id"]: r for r in raw["thads_load"]}
    loads = []
    for run_id, answers in raw["runs"].items():
        run = runs[run_id]
        loads.append(
            {
                "run_id": run_id,
                "queued_at": run["queued_at"],
                "start_date": run["start_date"],
                "end_date": run["end_date"],
                "batch_id": _value(answers["batch_id"]),
                "waiting": [w["file"] for w in _value(answers["waiting"]) or []],
                "tasks": [{k: ti[k] for k in TI_FIELDS} for ti in answers["task_instances"]],
            }
        )
    builds = [
        {"start_date": b["start_date"], "end_date": b["end_date"]} for b in raw["thads_build"]
    ]
    return {"landing_events": events, "load_runs": loads, "build_runs": builds}


# --- the breakdown ------------------------------------------------------------------------


def chain(points: Sequence[tuple[str, float | None]], start: float) -> dict[str, float]:
    """Seconds per stage: each stage ends at its moment, counted from the latest moment
    before it (so an early moment makes its stage 0 and the next one longer); a missing
    moment (None) leaves its time to the next stage."""
    stages: dict[str, float] = {}
    latest = start
    for name, moment in points:
        if moment is None:
            stages[name] = stages.get(name, 0.0)
            continue
        stages[name] = stages.get(name, 0.0) + max(0.0, moment - latest)
        latest = max(latest, moment)
    return stages


def _critical_instance(tasks: list[dict[str, Any]], task_id: str) -> dict[str, Any] | None:
    """The task's instance that ended last (of a mapped task: the chunk the next waited for)."""
    found = [t for t in tasks if t["task_id"] == task_id and t["end_date"]]
    return max(found, key=lambda t: epoch(t["end_date"]) or 0.0, default=None)


def file_points(
    name: str, batch_id: str, answered: float, records: Mapping[str, Any]
) -> list[tuple[str, float | None]]:
    """The moments of one file's way from its Asset event to its answer (epoch seconds)."""
    runs = records["load_runs"]
    event = next((e for e in records["landing_events"] if name in e["files"]), None)
    took = next((r for r in runs if r["batch_id"] == batch_id), None)
    if took is None:
        raise ValueError(f"{name}: no thads_load run planned batch {batch_id}")
    held = next((r for r in runs if name in r["waiting"] and r is not took), None)
    points: list[tuple[str, float | None]] = [
        (TRIGGER, epoch(event["timestamp"]) if event else None),
        (TO_RUN, epoch((held or took)["queued_at"])),
        (HELD, epoch(took["queued_at"]) if held else None),
        (RUN_WAIT, epoch(took["start_date"])),
    ]
    for task in PATH:
        ti = _critical_instance(took["tasks"], task)
        if ti is None:
            continue
        points += [(SCHEDULING, epoch(ti["queued_when"])), (EXECUTOR, epoch(ti["start_date"]))]
        if task != PATH[-1]:
            points.append((running(task), epoch(ti["end_date"])))
    return [*points, (ANSWER, answered)]


def breakdown(records: Mapping[str, Any]) -> list[dict[str, float]]:
    """Seconds per stage for each arrival in `records["arrivals"]` ({"files": {name:
    [batch_id, answered]}, "landed"}, epoch seconds): the file answered last decides."""
    out = []
    for arrival in records["arrivals"]:
        name, (batch_id, answered) = max(arrival["files"].items(), key=lambda kv: kv[1][1])
        points = file_points(name, batch_id, answered, records)
        stages = chain(points, arrival["landed"])
        out.append({stage: stages.get(stage, 0.0) for stage in STAGES})
    return out


def held_count(records: Mapping[str, Any]) -> int:
    """Files an earlier run's plan left waiting."""
    return len({name for run in records["load_runs"] for name in run["waiting"]})


def overlapping_builds(records: Mapping[str, Any]) -> int:
    """thads_load runs that ran (in part) while a thads_build run did."""
    spans = [
        (epoch(b["start_date"]), epoch(b["end_date"]))
        for b in records["build_runs"]
        if b["start_date"] and b["end_date"]
    ]
    return sum(
        1
        for run in records["load_runs"]
        if run["start_date"]
        and run["end_date"]
        and any(s < epoch(run["end_date"]) and epoch(run["start_date"]) < e for s, e in spans)
    )


def summary(saved: Mapping[str, Any]) -> str:
    """From `timeline`'s answers and the bench's "arrivals": each stage's median and p95,
    how many files the readiness rule held for a later run and how many load runs shared
    the CPU with a build."""
    from bench.bench_feedback import p95

    records = {**from_airflow(saved["airflow"]), "arrivals": saved["arrivals"]}
    rows = breakdown(records)
    parts = []
    for stage in STAGES:  # the means add up to the mean answer; medians and p95s do not
        values = [row[stage] for row in rows]
        parts.append(
            f"{stage} median {statistics.median(values):.1f} s, p95 {p95(values):.1f} s, "
            f"mean {statistics.mean(values):.1f} s"
        )
    runs = records["load_runs"]
    return (
        f"stages of each answer from Airflow's records (REST API, {len(rows)} arrivals): "
        + "; ".join(parts)
        + f"; {held_count(records)} files held by plan's readiness rule for a later run; "
        f"{overlapping_builds(records)} of {len(runs)} thads_load runs overlapped a "
        f"thads_build run"
    )


if __name__ == "__main__":
    print(summary(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
