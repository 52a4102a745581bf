"""Runs Airflow for the DAG tests in subprocesses (Airflow reads its config at import time, so
each test environment is a process environment, never pytest's own).

`airflow_env` builds the environment, `migrate` creates the metadata DB, `inspect_dags` and
`run_dags` call tests/airflow_dag_runner.py and return its JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DAGS = REPO / "dags"
RUNNER = Path(__file__).with_name("airflow_dag_runner.py")
AIRFLOW = Path(sys.executable).with_name("airflow")


def airflow_env(
    airflow_home: Path, db_url: str | None = None, **extra: str | os.PathLike[str]
) -> dict[str, str]:
    """A clean Airflow environment: own AIRFLOW_HOME, our dags/, no examples, the given
    metadata DB (default: SQLite in AIRFLOW_HOME), plus `extra` (THADS_HOME, ...)."""
    airflow_home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "AIRFLOW__"))}
    env.update(
        {
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db_url
            or f"sqlite:///{airflow_home / 'airflow.db'}",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "PYTHONPATH": os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(
                os.pathsep
            ),
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _run(cmd: list[str], env: dict[str, str], log: Path, timeout: float) -> None:
    with log.open("w") as out:
        proc = subprocess.run(
            cmd, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, timeout=timeout
        )
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-60:])
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}); log {log}:\n{tail}")


def migrate(env: dict[str, str], timeout: float = 300) -> None:
    """`airflow db migrate` on the environment's metadata DB."""
    log = Path(env["AIRFLOW_HOME"]) / "migrate.log"
    _run([str(AIRFLOW), "db", "migrate"], env, log, timeout)


def inspect_dags(env: dict[str, str], timeout: float = 180) -> dict[str, Any]:
    home = Path(env["AIRFLOW_HOME"])
    out = home / "inspect.json"
    _run([sys.executable, str(RUNNER), "inspect", str(out)], env, home / "inspect.log", timeout)
    return json.loads(out.read_text())


def run_dags(
    env: dict[str, str], runs: list[dict[str, Any]], name: str, timeout: float = 900
) -> list[dict[str, Any]]:
    """dag.test() each of `runs` ({"dag_id", "logical_date"?, "conf"?}) in one process, in
    order; returns one summary per run (state, tasks, XComs, Asset events)."""
    home = Path(env["AIRFLOW_HOME"])
    spec, out, log = home / f"{name}.spec.json", home / f"{name}.out.json", home / f"{name}.log"
    spec.write_text(json.dumps(runs))
    out.unlink(missing_ok=True)
    _run([sys.executable, str(RUNNER), "run", str(spec), str(out)], env, log, timeout)
    results = json.loads(out.read_text())
    assert len(results) == len(runs), f"only {len(results)} of {len(runs)} runs finished; {log}"
    return results
