"""The real Airflow stack for integration tests: `scripts/airflow.sh start` (what `make airflow`
runs: api-server, scheduler, dag-processor and triggerer as separate processes, LocalExecutor)
on a given metadata DB, and a small client of its REST API.

    with AirflowStack(root, db_url, THADS_HOME=..., THADS_LANDING=...) as stack:
        run = stack.wait_for_run("thads_build", lambda r: r["state"] == "success")
        stack.xcom("thads_load", run_id, "plan")

Reusable for any test that needs the components running for real (an AssetWatcher in the
triggerer, the UI, the scheduler's own timing). Nothing here calls dag.test().
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.airflow_harness import REPO

SCRIPT = REPO / "scripts" / "airflow.sh"

Run = dict[str, Any]
#: The states of a task waiting for a person's answer (Airflow 3.3 parks it; earlier, deferred).
PARKED = ("awaiting_input", "deferred")
#: How long a human-in-the-loop task waits before `respond` answers it (see there).
ANSWER_AFTER_SECONDS = 3.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AirflowStack:
    """Starts on `__enter__`, stops (only the processes it started) on `__exit__`."""

    def __init__(
        self, root: Path, db_url: str, start_timeout: float = 420, **env: str | os.PathLike[str]
    ) -> None:
        self.root = root
        self.home = root / "airflow"
        self.port = free_port()
        # Nothing inherited from the caller's Airflow or THADS settings.
        base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "THADS_"))}
        self.env = {
            **base,
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db_url,
            "THADS_AIRFLOW_PORT": str(self.port),
            "THADS_AIRFLOW_START_TIMEOUT": str(int(start_timeout)),
            **{k: str(v) for k, v in env.items()},
        }
        self.start_timeout = start_timeout
        self.url = f"http://127.0.0.1:{self.port}"
        self.start_output = ""
        self._token: str | None = None

    # --- lifecycle -----------------------------------------------------------------------

    def script(self, command: str, timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(SCRIPT), command],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def __enter__(self) -> AirflowStack:
        proc = self.script("start", self.start_timeout + 180)
        self.start_output = proc.stdout + proc.stderr
        if proc.returncode != 0:
            self.__exit__()
            raise AssertionError(f"airflow.sh start failed:\n{self.start_output}\n{self.logs()}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.script("stop", 180)

    def logs(self, lines: int = 40) -> str:
        """The end of each component's log, for assertion messages."""
        out = []
        for log in sorted((self.home / "logs").glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(out)

    @property
    def settings_file(self) -> Path:
        return self.home / "airflow.env"

    def admin_password(self) -> str:
        return json.loads((self.home / "passwords.json").read_text())["admin"]

    # --- REST API --------------------------------------------------------------------------

    def token(self) -> str:
        if self._token is None:
            proc = self.script("token", 60)
            assert proc.returncode == 0, proc.stderr
            self._token = proc.stdout.strip()
        return self._token

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx.request(
            method,
            f"{self.url}/api/v2{path}",
            headers={"Authorization": f"Bearer {self.token()}"},
            timeout=30,
            **kwargs,
        )
        response.raise_for_status()
        return response.json()

    def runs(self, dag_id: str) -> list[Run]:
        """The DAG's runs, oldest first; none while the dag-processor has not parsed it yet."""
        try:
            found = self.api("GET", f"/dags/{dag_id}/dagRuns", params={"order_by": "id"})
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 404:
                return []
            raise
        return found["dag_runs"]

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str | None]:
        tis = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")["task_instances"]
        return {
            (f"{ti['task_id']}[{ti['map_index']}]" if ti["map_index"] >= 0 else ti["task_id"]): ti[
                "state"
            ]
            for ti in tis
        }

    def xcom(self, dag_id: str, run_id: str, task_id: str) -> Any:
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/return_value"
        return self.api("GET", path, params={"deserialize": True})["value"]

    def upstream_asset_events(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        path = f"/dags/{dag_id}/dagRuns/{run_id}/upstreamAssetEvents"
        return self.api("GET", path)["asset_events"]

    def trigger(self, dag_id: str, conf: dict[str, Any]) -> Run:
        """A manual run of `dag_id` with `conf`, as the UI's Trigger button makes it."""
        return self.api(
            "POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf}
        )

    def respond(
        self,
        dag_id: str,
        run_id: str,
        task_id: str,
        chosen_options: list[str],
        params_input: dict[str, Any],
        timeout: float,
    ) -> dict[str, Any]:
        """Answer a human-in-the-loop task (the UI's Required Actions) through the REST API:
        wait until the task asks (its HITL detail exists, unanswered, and the task waits), then
        PATCH the answer. Returns the API's record of the response (who, when, what)."""
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/-1/hitlDetails"
        deadline = time.monotonic() + timeout
        waiting_since: float | None = None
        while time.monotonic() < deadline:
            try:
                detail = self.api("GET", path)
            except httpx.HTTPStatusError as exc:
                if exc.response.status_code != 404:
                    raise
            else:
                # Answered once it has waited (parked or deferred) a few seconds, as a person
                # sees it in the UI. Not sooner: an answer within a second of the task
                # pausing can reschedule it before the scheduler has read the pausing
                # process's exit, and Airflow 3.3 then fails the task ("finished with state
                # success, but the task instance's state attribute is queued").
                waiting = self.task_states(dag_id, run_id).get(task_id) in PARKED
                if not waiting or detail.get("response_received"):
                    waiting_since = None
                elif waiting_since is None:
                    waiting_since = time.monotonic()
                elif time.monotonic() - waiting_since >= ANSWER_AFTER_SECONDS:
                    body = {"chosen_options": chosen_options, "params_input": params_input}
                    return self.api("PATCH", path, json=body)
            time.sleep(1)
        states = self.task_states(dag_id, run_id)
        raise AssertionError(
            f"{dag_id}.{task_id} never asked in {timeout} s: {states}\n{self.logs()}"
        )

    def wait_for_run(
        self,
        dag_id: str,
        done: Callable[[Run], bool],
        timeout: float,
        after: set[str] | None = None,
        poll: float = 3.0,
    ) -> Run:
        """The first run of `dag_id` (not in `after`) for which `done(run)` holds, polling
        the API; fails with the components' logs after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        seen: list[Run] = []
        while time.monotonic() < deadline:
            seen = [r for r in self.runs(dag_id) if r["dag_run_id"] not in (after or set())]
            for run in seen:
                if done(run):
                    return run
            time.sleep(poll)
        states = [(r["dag_run_id"], r["state"]) for r in seen]
        raise AssertionError(f"no {dag_id} run as expected in {timeout} s: {states}\n{self.logs()}")
