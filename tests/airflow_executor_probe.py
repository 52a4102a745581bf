"""Run by tests/test_airflow_executor.py in a fresh interpreter (AIRFLOW_HOME and the
executor set in the environment): start a plain LocalExecutor, then the configured one,
each with one worker, and print as JSON whether each worker process has pandas mapped."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from airflow.executors.executor_loader import ExecutorLoader
from airflow.executors.local_executor import LocalExecutor


def worker_has_pandas(executor: LocalExecutor) -> bool:
    executor.start()
    try:
        (pid,) = executor.workers
        maps = Path(f"/proc/{pid}/maps").read_text()
        return "/pandas/_libs/" in maps
    finally:
        executor.end()


def main() -> None:
    plain = worker_has_pandas(LocalExecutor(parallelism=1))
    configured = ExecutorLoader.get_default_executor()
    warm = worker_has_pandas(configured)
    modules = ("great_expectations", "thads.pipeline", "thads.airflow_events")
    print(
        json.dumps(
            {
                "configured": type(configured).__name__,
                "plain_worker_has_pandas": plain,
                "warm_worker_has_pandas": warm,
                "warm_parent_modules": {name: name in sys.modules for name in modules},
            }
        )
    )


if __name__ == "__main__":
    main()
