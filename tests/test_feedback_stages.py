"""bench.feedback_stages splits an Airflow answer into its stages from the REST API's
records: here two arrivals on records shaped as Airflow 3.3's API answers them (the Asset
event of a watcher, the runs, the task instances, plan's XComs)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench import feedback_stages as fs
from tests.airflow_stack import AirflowStack


def approx(seconds: float) -> object:
    return pytest.approx(seconds, abs=1e-5)


T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC).timestamp()


def at(seconds: float) -> str:
    return datetime.fromtimestamp(T0 + seconds, UTC).isoformat().replace("+00:00", "Z")


def run(run_id: str, queued: float, started: float, ended: float) -> dict:
    return {"dag_run_id": run_id, "queued_at": at(queued), "start_date": at(started)} | {
        "end_date": at(ended)
    }


def ti(task_id: str, queued: float, started: float, ended: float, map_index: int = -1) -> dict:
    return {
        "task_id": task_id,
        "map_index": map_index,
        "queued_when": at(queued),
        "start_date": at(started),
        "end_date": at(ended),
        "duration": ended - started,
    }


def load_tasks(t: float) -> list[dict]:
    """A run started at t: each task queued 1 s after the previous ended, started 0.5 s
    later, running 1 s (validate_and_commit 4 s); two mapped ingest chunks."""
    return [
        ti("plan", t + 1, t + 1.5, t + 2.5),
        ti("ingest_chunk_list", t + 3.5, t + 4, t + 5),
        ti("ingest", t + 6, t + 6.5, t + 7, map_index=0),
        ti("ingest", t + 6, t + 6.5, t + 7.5, map_index=1),
        ti("validate_and_commit", t + 8.5, t + 9, t + 13),
        ti("send_alerts", t + 14, t + 14.5, t + 15.5),
        ti("raw_updated", t + 14, t + 14.5, t + 15),
    ]


def saved() -> dict:
    """File a.xlsx lands at 0, its event at 2.1, run 1 queued at 3, started at 3.5: plan
    leaves b.xlsx (landed at 1) waiting; run 2 (queued at 10 for b's event, started when
    run 1 ended at 19) takes b.xlsx in."""
    event = {"uri": "thads://landing/", "timestamp": at(2.1)}  # as Airflow stores it
    return {
        "airflow": {
            "asset_events": [
                event | {"extra": {"from_trigger": True, "payload": {"files": ["a.xlsx"]}}},
                {"uri": "thads://raw", "timestamp": at(18), "extra": {}},
                event | {"timestamp": at(3.2), "extra": {"payload": {"files": ["b.xlsx"]}}},
            ],
            "thads_load": [run("r1", 3, 3.5, 19), run("r2", 10, 19, 35)],
            "thads_build": [run("b1", 18, 18.5, 40)],
            "runs": {
                "r1": {
                    "task_instances": load_tasks(3.5),
                    "batch_id": {"key": "batch_id", "value": "B1"},
                    "waiting": {"value": [{"file": "b.xlsx", "reason": "still being written"}]},
                },
                "r2": {
                    "task_instances": load_tasks(19),
                    "batch_id": {"value": "B2"},
                    "waiting": {"value": []},
                },
            },
        },
        "arrivals": [
            {"landed": T0, "files": {"a.xlsx": ["B1", T0 + 18.3]}},
            {"landed": T0 + 1, "files": {"b.xlsx": ["B2", T0 + 33.8]}},
        ],
    }


def test_each_arrival_is_split_into_stages_that_add_up_to_its_latency() -> None:
    data = saved()
    records = {**fs.from_airflow(data["airflow"]), "arrivals": data["arrivals"]}
    first, second = fs.breakdown(records)
    # Seconds as epoch floats: equal to the microsecond Airflow's timestamps carry.
    assert sum(first.values()) == approx(18.3) and sum(second.values()) == approx(32.8)
    assert first[fs.TRIGGER] == approx(2.1) and first[fs.HELD] == 0.0
    assert first[fs.TO_RUN] == approx(0.9) and first[fs.RUN_WAIT] == approx(0.5)
    # Five tasks on the way: 1 s of scheduling and 0.5 s of executor start-up each.
    assert first[fs.SCHEDULING] == approx(5.0) and first[fs.EXECUTOR] == approx(2.5)
    # The mapped ingest waited for its slower chunk.
    assert first[fs.running("ingest")] == approx(1.0)
    assert first[fs.running("validate_and_commit")] == approx(4.0)
    assert first[fs.ANSWER] == approx(0.3)
    # b.xlsx: its event at 3.2, but run 1 (queued at 3) left it waiting; run 2 was queued at
    # 10 and started when run 1 ended.
    assert second[fs.TRIGGER] == approx(2.2) and second[fs.TO_RUN] == 0.0
    assert second[fs.HELD] == approx(6.8) and second[fs.RUN_WAIT] == approx(9.0)
    assert fs.held_count(records) == 1 and fs.overlapping_builds(records) == 2


def test_the_summary_names_every_stage_and_survives_unreadable_records(tmp_path: Path) -> None:
    text = fs.summary(saved())
    for stage in fs.STAGES:
        assert f"{stage} median " in text
    assert "1 files held by plan's readiness rule" in text
    assert "2 of 2 thads_load runs overlapped a thads_build run" in text

    # An API that does not answer (nothing listens on the stack's port) leaves errors in
    # the saved records, never an exception that would lose the measured latencies.
    stack = AirflowStack(tmp_path, "sqlite:///unused.db")
    stack._token = "not started"
    raw = fs.timeline(stack, ["r1"])
    assert raw["thads_load"]["error"].startswith("ConnectError")
    assert raw["runs"]["r1"]["batch_id"]["error"].startswith("ConnectError")
