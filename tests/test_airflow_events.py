"""Event-driven loads under Airflow: the landing trigger (real watchfiles on a real folder,
run as the triggerer runs it: an async generator), the load DAG's schedule (the landing
Asset with its watcher, or the safety poll), and a real triggerer turning a file's
arrival into an Asset event that schedules thads_load (tests/test_airflow_triggerer.py)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from tests.airflow_harness import airflow_env, inspect_dags
from thads.airflow_events import (
    LANDING_ASSET_URI,
    LandingArrivalTrigger,
    landing_asset,
    schedule_on_arrivals,
)
from thads.airflow_support import load_schedule

BOUND_SECONDS = 30.0
LANDING_URI = LANDING_ASSET_URI + "/"  # Airflow normalises thads://landing to this form


async def _next_event(trigger: LandingArrivalTrigger, act: Any) -> dict:
    """Start the trigger, do `act` once it watches, return its first event's payload."""
    events = trigger.run()
    first = asyncio.ensure_future(events.__anext__())
    await asyncio.sleep(0.5)  # the watcher is armed
    await act()
    try:
        event = await asyncio.wait_for(first, BOUND_SECONDS)
    finally:
        await events.aclose()
    return event.payload


def test_the_trigger_fires_once_a_new_file_stops_changing(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "THADS_01_2024_01.json").write_text("{}")  # there before: not an arrival
    trigger = LandingArrivalTrigger(str(landing), stable_seconds=0.5)

    async def arrive() -> None:
        (landing / ".upload.tmp").write_text("hidden temporaries are not arrivals")
        growing = landing / "THADS_80_2024_11.json"
        for i in range(4):  # still being copied for ~1.2 s
            with growing.open("a") as fh:
                fh.write(f'{{"part": {i}}}\n')
            await asyncio.sleep(0.4)

    payload = asyncio.run(_next_event(trigger, arrive))
    assert payload == {"landing": str(landing), "files": ["THADS_80_2024_11.json"]}


def test_the_trigger_serializes_to_what_the_triggerer_rebuilds(tmp_path: Path) -> None:
    trigger = LandingArrivalTrigger(str(tmp_path), stable_seconds=1.5, force_polling=True)
    classpath, kwargs = trigger.serialize()
    assert classpath == "thads.airflow_events.LandingArrivalTrigger"
    module, _, name = classpath.rpartition(".")
    rebuilt = getattr(__import__(module, fromlist=[name]), name)(**kwargs)
    assert rebuilt.serialize() == (classpath, kwargs)


def test_the_landing_asset_is_watched_and_the_load_still_polls(tmp_path: Path) -> None:
    asset = landing_asset(tmp_path)
    assert asset.uri == LANDING_URI
    (watcher,) = asset.watchers
    assert isinstance(watcher.trigger, LandingArrivalTrigger)
    assert watcher.trigger.landing == str(tmp_path.resolve())
    schedule = schedule_on_arrivals(tmp_path)
    assert type(schedule).__name__ == "AssetOrTimeSchedule"
    assert schedule.timetable.expression == load_schedule()  # the safety poll


def test_the_load_dag_runs_on_arrivals_or_the_safety_poll(tmp_path: Path) -> None:
    env = airflow_env(tmp_path / "airflow", THADS_LANDING=tmp_path / "landing")
    dags = inspect_dags(env)
    assert dags["import_errors"] == {}
    load = dags["dags"]["thads_load"]
    assert load["timetable"] == "AssetOrTimeSchedule"
    assert load["asset_triggers"] == [LANDING_URI]
    assert load["max_active_runs"] == 1  # arrivals during a run are taken by the next one
    assert dags["dags"]["thads_build"]["max_active_runs"] == 1


@pytest.mark.skipif(os.name != "posix", reason="inotify/polling on POSIX")
def test_polling_mode_sees_arrivals_too(tmp_path: Path) -> None:
    """For landing zones on network mounts (THADS_LANDING_FORCE_POLLING=1)."""
    landing = tmp_path / "landing"
    landing.mkdir()
    trigger = LandingArrivalTrigger(str(landing), stable_seconds=0.3, force_polling=True)

    async def arrive() -> None:
        (landing / "THADS_92_2025_12_viec.csv").write_text("a;b\n")

    payload = asyncio.run(_next_event(trigger, arrive))
    assert payload["files"] == ["THADS_92_2025_12_viec.csv"]
