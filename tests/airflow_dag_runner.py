"""Runs Airflow in its own process for the DAG tests (Airflow reads its config at import time,
so the tests set AIRFLOW_HOME etc. in this process's environment, never in pytest's).

    python tests/airflow_dag_runner.py inspect OUT.json
    python tests/airflow_dag_runner.py run SPEC.json OUT.json

`inspect` parses dags/ with a DagBag and writes import errors, tasks, edges and schedules.
`run` executes each run of SPEC (a JSON list of {"dag_id", "logical_date"?, "conf"?,
"retries"?: override for every task, "block"?/"unblock"?: a file to make unusable / usable
again before the run, see `_fault`, "respond"?: an answer to a human-in-the-loop task,
{"task_id", "chosen_options", "params_input", "user": {"id", "name"}}}) with
`dag.test()` against the configured metadata DB and writes, per run: the run state, every
task instance's state and rendered map index, the tasks' XCom return values and the Asset
events the run emitted.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

DAGS = Path(os.environ.get("AIRFLOW__CORE__DAGS_FOLDER", Path(__file__).parents[1] / "dags"))


def _dagbag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def _asset_uris(condition: Any) -> list[str]:
    """The URIs an asset schedule waits on (an Asset, or AssetAll/AssetAny of them)."""
    if condition is None:
        return []
    if hasattr(condition, "objects"):
        return sorted(uri for obj in condition.objects for uri in _asset_uris(obj))
    return [condition.uri]


def inspect(out: Path) -> None:
    bag = _dagbag()
    dags: dict[str, Any] = {}
    for dag_id, dag in sorted(bag.dags.items()):
        dag.check_cycle()  # raises on a cycle (the DagBag already refused cyclic DAGs)
        timetable = dag.timetable
        dags[dag_id] = {
            "fileloc": dag.fileloc,
            "tasks": sorted(dag.task_ids),
            "edges": sorted(
                [t.task_id, d] for t in dag.tasks for d in sorted(t.downstream_task_ids)
            ),
            "mapped": sorted(t.task_id for t in dag.tasks if getattr(t, "is_mapped", False)),
            "timetable": type(timetable).__name__,
            "schedule": getattr(timetable, "expression", None),
            "timezone": str(getattr(timetable, "timezone", "")) or None,
            "asset_triggers": _asset_uris(getattr(timetable, "asset_condition", None)),
            "outlets": {
                t.task_id: sorted(o.uri for o in t.outlets) for t in dag.tasks if t.outlets
            },
            "retries": {t.task_id: t.retries for t in dag.tasks},
            "retry_exponential_backoff": {
                t.task_id: float(t.retry_exponential_backoff or 0) for t in dag.tasks
            },
            "max_active_tis_per_dagrun": {
                t.task_id: t.max_active_tis_per_dagrun
                for t in dag.tasks
                if t.max_active_tis_per_dagrun is not None
            },
            "has_failure_callback": {t.task_id: bool(t.on_failure_callback) for t in dag.tasks},
            "catchup": dag.catchup,
            "max_active_runs": dag.max_active_runs,
            "params": sorted(dag.params.keys()),
        }
    out.write_text(
        json.dumps({"import_errors": bag.import_errors, "dags": dags}, indent=2, default=str)
    )


def _run_summary(dag_id: str, run_id: str, state: str) -> dict[str, Any]:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        tis = session.scalars(
            select(TaskInstance).where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)
        ).all()
        tasks = {
            (f"{ti.task_id}[{ti.map_index}]" if ti.map_index >= 0 else ti.task_id): {
                "state": str(ti.state) if ti.state else None,
                "map_label": ti.rendered_map_index,
                "try_number": ti.try_number,
            }
            for ti in tis
        }
        xcoms: dict[str, Any] = {}
        for row in session.scalars(
            XComModel.get_many(run_id=run_id, dag_ids=dag_id, key="return_value")
        ):
            name = f"{row.task_id}[{row.map_index}]" if row.map_index >= 0 else row.task_id
            xcoms[name] = XComModel.deserialize_value(row)
        events = session.execute(
            select(AssetModel.uri, AssetEvent.source_task_id)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetEvent.source_dag_id == dag_id, AssetEvent.source_run_id == run_id)
        ).all()
    return {
        "dag_id": dag_id,
        "run_id": run_id,
        "state": state,
        "tasks": tasks,
        "xcoms": xcoms,
        "asset_events": [{"uri": uri, "task_id": task_id} for uri, task_id in events],
    }


def _fault(item: dict[str, Any]) -> None:
    """A fault the scenario injects before a run: "block" puts a directory where a file
    (the warehouse) must be, moving the file aside; "unblock" undoes it."""
    if "block" in item:
        path = Path(item["block"])
        if path.exists():
            os.replace(path, path.with_name(path.name + ".blocked"))
        path.mkdir(parents=True)
    if "unblock" in item:
        path = Path(item["unblock"])
        path.rmdir()
        aside = path.with_name(path.name + ".blocked")
        if aside.exists():
            os.replace(aside, path)


def _respond(dag_id: str, answer: dict[str, Any], stop: threading.Event) -> None:
    """Answer a human-in-the-loop task once it waits (AWAITING_INPUT), the way the
    api-server's HITL endpoint does (PATCH .../hitlDetails): record the response on the
    task's HITL detail and hand it to the task as its resume event. dag.test() then runs the
    operator's execute_complete, as the scheduler would."""
    from airflow._shared.timezones import timezone
    from airflow.models.hitl import HITLDetail
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.trigger import handle_event_submit
    from airflow.triggers.base import TriggerEvent
    from airflow.utils.session import create_session
    from airflow.utils.state import TaskInstanceState
    from sqlalchemy import select

    while not stop.is_set():
        with create_session() as session:
            ti = session.scalars(
                select(TaskInstance).where(
                    TaskInstance.dag_id == dag_id,
                    TaskInstance.task_id == answer["task_id"],
                    TaskInstance.state == TaskInstanceState.AWAITING_INPUT,
                )
            ).first()
            detail = session.get(HITLDetail, ti.id) if ti is not None else None
            if ti is not None and detail is not None and not detail.response_received:
                detail.responded_by = answer["user"]
                detail.responded_at = timezone.utcnow()
                detail.chosen_options = answer["chosen_options"]
                detail.params_input = answer.get("params_input") or {}
                session.add(detail)
                event = TriggerEvent(detail.as_resume_event_payload())
                handle_event_submit(event, task_instance=ti, session=session)
                return
        time.sleep(0.5)


def run(spec_file: Path, out: Path) -> None:
    bag = _dagbag()
    if bag.import_errors:
        raise SystemExit(f"DAG import errors: {bag.import_errors}")
    results = []
    for item in json.loads(spec_file.read_text()):
        dag = bag.get_dag(item["dag_id"])
        _fault(item)
        if "retries" in item:
            # A run that is meant to fail: dag.test() would otherwise wait out every backoff.
            for task in dag.tasks:
                task.retries = item["retries"]
        logical_date = item.get("logical_date")
        kwargs: dict[str, Any] = {"run_conf": item.get("conf") or None}
        if logical_date:
            kwargs["logical_date"] = datetime.fromisoformat(logical_date)
        stop = threading.Event()
        responder = None
        if item.get("respond"):
            responder = threading.Thread(
                target=_respond, args=(dag.dag_id, item["respond"], stop), daemon=True
            )
            responder.start()
        try:
            dag_run = dag.test(**kwargs)
        finally:
            stop.set()
            if responder is not None:
                responder.join(timeout=30)
        results.append(_run_summary(dag.dag_id, dag_run.run_id, str(dag_run.state)))
        # Written after every run so a failing later run still leaves the earlier results.
        out.write_text(json.dumps(results, indent=2, default=str))


def main(argv: list[str]) -> int:
    command = argv[0]
    if command == "inspect":
        inspect(Path(argv[1]))
    elif command == "run":
        run(Path(argv[1]), Path(argv[2]))
    else:
        raise SystemExit(f"unknown command {command!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
