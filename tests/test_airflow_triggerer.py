"""Under real Airflow: a file's arrival in the landing zone, seen by our event trigger in a
real `airflow triggerer`, becomes an Asset event that the real `airflow scheduler` turns into
an asset-triggered run of thads_load: the load starts from the arrival, not from a schedule.

Metadata DB: SQLite in a temporary AIRFLOW_HOME (tests/airflow_harness.py). Takes a few
minutes on a shared machine (migrate, parse, two Airflow processes): marked slow.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.airflow_harness import AIRFLOW, REPO, airflow_env, migrate

pytestmark = [pytest.mark.slow, pytest.mark.integration]

#: From the file landing to the Asset event (measured ~2.5 s: 2 s of it is the trigger
#: waiting for the file to stop changing).
EVENT_BOUND_SECONDS = 60.0
START_BOUND_SECONDS = 300.0


@contextmanager
def airflow_process(command: str, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    home = Path(env["AIRFLOW_HOME"])
    with (home / f"{command}.log").open("wb") as log:
        proc = subprocess.Popen(
            [str(AIRFLOW), command], env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with its children
        )  # fmt: skip
        try:
            yield proc
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


def _query(db: Path, sql: str, *args: object) -> list[tuple]:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(sql, args).fetchall()


def _wait(db: Path, sql: str, bound: float, proc: subprocess.Popen[bytes], what: str) -> list:
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        rows = _query(db, sql)
        if rows:
            return rows
        assert proc.poll() is None, f"the Airflow process died while waiting for {what}"
        time.sleep(0.5)
    raise AssertionError(f"no {what} within {bound} s")


def test_an_arrival_starts_thads_load_through_the_real_triggerer(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    env = airflow_env(
        tmp_path / "airflow",
        THADS_LANDING=landing,
        THADS_HOME=tmp_path / "thads_home",
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",  # a paused DAG's asset has no watcher
    )
    db = Path(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].removeprefix("sqlite:///"))
    migrate(env)
    subprocess.run(
        [str(AIRFLOW), "dags", "reserialize"], env=env, cwd=REPO, check=True,
        capture_output=True, timeout=START_BOUND_SECONDS,
    )  # fmt: skip
    (classpath,) = _query(db, "select classpath from trigger")[0]
    assert classpath == "thads.airflow_events.LandingArrivalTrigger"

    with airflow_process("triggerer", env) as triggerer:
        _wait(db, "select id from trigger where triggerer_id is not null",
              START_BOUND_SECONDS, triggerer, "trigger picked up by the triggerer")  # fmt: skip
        time.sleep(3)  # the trigger has started watching
        report = REPO / "tests" / "fixtures" / "samples" / "THADS_80_2024_11.json"
        staged = tmp_path / report.name
        staged.write_bytes(report.read_bytes())
        landed = time.monotonic()
        os.replace(staged, landing / report.name)
        ((extra,),) = _wait(
            db,
            "select e.extra from asset_event e join asset a on a.id = e.asset_id "
            "where a.uri = 'thads://landing/'",
            EVENT_BOUND_SECONDS, triggerer, "Asset event from the landing trigger",
        )  # fmt: skip
        seconds = time.monotonic() - landed
        extra = json.loads(extra)
        assert extra["from_trigger"] is True
        assert extra["payload"] == {"landing": str(landing), "files": [report.name]}
        assert _query(db, "select target_dag_id from asset_dag_run_queue") == [("thads_load",)]
        print(f"Asset event {seconds:.1f} s after the file landed")

        with airflow_process("scheduler", env) as scheduler:
            (run,) = _wait(
                db,
                "select run_type from dag_run where dag_id = 'thads_load' "
                "and run_type = 'asset_triggered'",
                START_BOUND_SECONDS, scheduler, "an asset-triggered run of thads_load",
            )  # fmt: skip
            assert run == ("asset_triggered",)
