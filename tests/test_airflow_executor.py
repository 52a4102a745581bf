"""The executor scripts/airflow.sh configures (thads/airflow_executor.py): Airflow resolves
it from the configured name, and the worker processes it forks (which fork the task
processes) already hold Great Expectations and pandas, where a plain LocalExecutor's
workers do not. Checked on the real workers' memory maps (/proc/PID/maps: the compiled
pandas modules are mapped in a process that imported pandas), in a fresh interpreter so
that nothing this test session imported counts."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.airflow_harness import REPO, airflow_env

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork and /proc: Linux")

SCRIPT = Path(__file__).with_name("airflow_executor_probe.py")
AIRFLOW_SH = REPO / "scripts" / "airflow.sh"


def configured_executor() -> str:
    match = re.search(r"env_line AIRFLOW__CORE__EXECUTOR (\S+)", AIRFLOW_SH.read_text())
    assert match, "scripts/airflow.sh configures no executor"
    return match.group(1)


def test_workers_are_forked_with_the_thads_imports(tmp_path: Path) -> None:
    env = airflow_env(
        tmp_path / "airflow",
        AIRFLOW__CORE__EXECUTOR=configured_executor(),
        AIRFLOW__CORE__PARALLELISM="1",
    )
    proc = subprocess.run(
        [sys.executable, str(SCRIPT)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["configured"] == "WarmLocalExecutor"
    assert seen["plain_worker_has_pandas"] is False  # the control: nothing leaks in
    assert seen["warm_worker_has_pandas"] is True
    assert seen["warm_parent_modules"] == {
        "great_expectations": True,
        "thads.pipeline": True,
        "thads.airflow_events": True,
    }
