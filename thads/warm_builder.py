"""A build-and-publish process that stays alive: the builder child of `thads watch`.

A fresh process pays 3-4 s (more on a loaded machine) to start Python and import dbt, the
DuckDB adapter, pandas and the publisher before dbt's own clock starts; a resubmission's
whole build is a few seconds more. This process pays it once: it imports everything at
start, then waits for a line `build` on stdin and answers each with one JSON line
(`{"ok": true, "seconds": 4.2}` or `{"ok": false, "error": "...", "seconds": ...}`).

Each build is what the one-shot path does (`pipeline.build` + `pipeline.publish`), with dbt
run in this process by a fresh `dbtRunner` (`thads.build.run_dbt(in_process=True)`): one
build at a time (requests are read one after the other), under the same one-writer lock as
`thads load` and Airflow, and the warehouse file is closed after each dbt command. dbt logs
to its log file as usual; its console output goes nowhere (stdout carries the answers).
End of stdin ends the process. An unexpected exception ends it too (exit 1, traceback on
stderr): dbt's in-process state after it is unknown, and the watcher starts a new one.

    THADS_HOME=... python -m thads.warm_builder
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, TextIO

from thads.config import Paths

#: What a build needs, imported once at start (dbt alone is ~1.300 modules).
_WARM_MODULES = (
    "dbt.cli.main",
    "dbt.adapters.duckdb",
    "thads.build",
    "thads.approval.export",
    "thads.publish.publisher",
)


def warm_up() -> float:
    """Import what every build needs; returns the seconds it took."""
    import importlib

    started = time.perf_counter()
    for name in _WARM_MODULES:
        importlib.import_module(name)
    return time.perf_counter() - started


def build_once(paths: Paths) -> dict[str, Any]:
    """One build + publish in this process: the answer to one `build` request."""
    from thads import pipeline
    from thads.build import DbtError
    from thads.publish import PublishError

    started = time.perf_counter()
    answer: dict[str, Any] = {"ok": True}
    try:
        pipeline.build(paths, in_process=True)
        pipeline.publish(paths)
    except (DbtError, PublishError) as exc:
        answer = {"ok": False, "error": str(exc)}
    answer["seconds"] = round(time.perf_counter() - started, 2)
    return answer


def serve(paths: Paths, requests: TextIO, answers: TextIO) -> int:
    """Answer `build` requests until end of input; returns the number of builds."""
    answers.write(json.dumps({"ready": True, "seconds": round(warm_up(), 2)}) + "\n")
    answers.flush()
    builds = 0
    for line in requests:
        if line.strip() != "build":
            continue
        answers.write(json.dumps(build_once(paths), ensure_ascii=False) + "\n")
        answers.flush()
        builds += 1
    return builds


def main() -> int:
    # The answers get their own copy of stdout; fd 1 itself (where dbt's console logger and
    # anything else writes) goes to /dev/null so nothing can interleave with them.
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    serve(Paths.from_env(), sys.stdin, answers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
