"""The executor scripts/airflow.sh configures: Airflow's LocalExecutor, started warm.

On Linux, Airflow 3's LocalExecutor forks its worker processes from the scheduler when it
starts (`LocalExecutor.start`, multiprocessing's fork start method), and each worker's task
supervisor forks the task process from itself (`airflow.sdk.execution_time.supervisor`:
`os.fork()`, no new interpreter). Whatever the scheduler has imported before the workers
are forked is therefore already imported in every task process. Without this, each
thads_load task process imported Great Expectations, pandas, the parsers and the rules
itself: ~4 s of CPU per validate_and_commit, paid while a province waits for its answer.

`WarmLocalExecutor` imports them once (`thads.watch.warm_up`, what `thads watch` imports
before its first arrival, and the modules the DAG files import) and then starts the
LocalExecutor unchanged. Configure it with
AIRFLOW__CORE__EXECUTOR=thads.airflow_executor.WarmLocalExecutor.
"""

from __future__ import annotations

import importlib
import time

from airflow.executors.local_executor import LocalExecutor

#: What a thads DAG file imports when a task process parses it (its own module is parsed
#: again in each task process; these are then found already imported).
DAG_IMPORTS = ("thads.pipeline", "thads.airflow_support", "thads.airflow_events")


def warm_imports() -> float:
    """Import what the thads tasks need (Great Expectations, parsers, rules, notifier, the
    DAG files' modules) into this process; returns the seconds it took."""
    from thads.watch import warm_up

    started = time.perf_counter()
    warm_up()
    for module in DAG_IMPORTS:
        importlib.import_module(module)
    return time.perf_counter() - started


class WarmLocalExecutor(LocalExecutor):
    """LocalExecutor whose workers are forked after the thads imports (see the module)."""

    def start(self) -> None:
        seconds = warm_imports()
        self.log.info("thads imports loaded before the workers fork, in %.1f s", seconds)
        super().start()
