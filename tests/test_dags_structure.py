"""Every DAG in dags/ imports with no errors (DagBag, no cycles) and has the expected shape:
tasks, wiring, mapping, the Asset between load and build, schedules, retries, callbacks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.airflow_harness import airflow_env, inspect_dags

RAW_URI = "thads://raw/"  # Airflow normalises thads://raw to this form


@pytest.fixture(scope="module")
def dags(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("airflow_inspect")
    result = inspect_dags(airflow_env(home / "airflow", THADS_HOME=home / "thads"))
    assert result["import_errors"] == {}, result["import_errors"]
    return result["dags"]


def test_dagbag_has_every_dag(dags: dict[str, Any]) -> None:
    assert set(dags) == {"thads_load", "thads_build", "thads_deadlines", "thads_year_end_close"}
    for dag_id, dag in dags.items():
        assert Path(dag["fileloc"]).name == f"{dag_id}.py"


def test_load_dag_maps_ingest_over_chunks_and_updates_the_asset(dags: dict[str, Any]) -> None:
    load = dags["thads_load"]
    assert load["tasks"] == [
        "ingest",
        "ingest_chunk_list",
        "plan",
        "raw_updated",
        "send_alerts",
        "validate_and_commit",
    ]
    assert load["mapped"] == ["ingest"]
    assert load["max_active_tis_per_dagrun"] == {"ingest": 8}  # the chunks side by side
    edges = {tuple(e) for e in load["edges"]}
    assert {
        ("plan", "ingest_chunk_list"),
        ("ingest_chunk_list", "ingest"),
        ("ingest", "validate_and_commit"),
        ("validate_and_commit", "send_alerts"),
        ("validate_and_commit", "raw_updated"),
    } <= edges
    # Only the task that checks "new data accepted" announces the raw layer.
    assert load["outlets"] == {"raw_updated": [RAW_URI]}
    assert load["max_active_runs"] == 1
    assert load["catchup"] is False
    assert "landing" in load["params"]


def test_build_dag_runs_on_the_raw_asset(dags: dict[str, Any]) -> None:
    build = dags["thads_build"]
    assert build["timetable"] == "AssetTriggeredTimetable"
    assert build["asset_triggers"] == [RAW_URI]
    assert build["tasks"] == ["dbt_build", "publish"]
    assert [tuple(e) for e in build["edges"]] == [("dbt_build", "publish")]
    assert build["max_active_runs"] == 1


def test_deadline_dag_runs_daily_in_vietnam_time(dags: dict[str, Any]) -> None:
    deadlines = dags["thads_deadlines"]
    assert deadlines["timetable"] == "CronTriggerTimetable"
    assert deadlines["schedule"] == "0 8 * * *"
    assert deadlines["timezone"] == "Asia/Ho_Chi_Minh"
    assert [tuple(e) for e in deadlines["edges"]] == [("missing_reports", "send_alerts")]
    assert deadlines["params"] == ["months", "statistical_year"]


def test_year_end_close_waits_for_a_human_decision(dags: dict[str, Any]) -> None:
    close = dags["thads_year_end_close"]
    assert close["timetable"] == "CronTriggerTimetable"
    assert (close["schedule"], close["timezone"]) == ("0 8 20 10 *", "Asia/Ho_Chi_Minh")
    edges = {tuple(e) for e in close["edges"]}
    assert {
        ("summarise_the_year", "approve_final_figures"),
        ("approve_final_figures", "record_approval"),
        ("record_approval", "record_rejection"),
        ("record_approval", "build_and_publish"),
    } <= edges
    assert close["params"] == ["statistical_year"]


def test_io_tasks_retry_with_exponential_backoff(dags: dict[str, Any]) -> None:
    io_tasks = {
        "thads_load": ["plan", "ingest", "send_alerts"],
        "thads_build": ["publish"],
        "thads_deadlines": ["send_alerts"],
    }
    for dag_id, tasks in io_tasks.items():
        for task_id in tasks:
            assert dags[dag_id]["retries"][task_id] >= 2, (dag_id, task_id)
            assert dags[dag_id]["retry_exponential_backoff"][task_id] >= 2.0, (dag_id, task_id)
    # Validation is deterministic: retrying a refused batch would only repeat the refusal.
    assert dags["thads_load"]["retries"]["validate_and_commit"] == 0


def test_every_task_alerts_on_failure(dags: dict[str, Any]) -> None:
    for dag_id, dag in dags.items():
        assert all(dag["has_failure_callback"].values()), dag_id
