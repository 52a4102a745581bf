"""Measure a command as a user runs it: wall time, CPU time and the peak memory of its whole
process tree (the CLI, its parse workers, the dbt subprocess).

`ru_maxrss` of RUSAGE_CHILDREN is the peak of the single largest child, not of the tree, so a
sampler thread sums the resident memory of the process and all its descendants with psutil
every few milliseconds and keeps the highest sum.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from bench.common import cpu_seconds

#: How often the sampler looks at the process tree; short steps (dbt, publish) last ~1 s.
SAMPLE_SECONDS = 0.02
GIB = 1024**3
MIB = 1024**2


@dataclass
class Measured:
    """One run of a command: what it printed on stdout and what it cost."""

    wall: float
    cpu: float
    peak_rss: int
    stdout: str = ""
    returncode: int = 0
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def peak_mib(self) -> float:
        return self.peak_rss / MIB


class TreeSampler:
    """Peak of the summed RSS of `pid` and its descendants while the context is open."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:  # a worker that just ended
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_measured(command: Sequence[str], env: Mapping[str, str] | None = None) -> Measured:
    """Run `command`, return its cost; raises when it fails (a bench must not time errors)."""
    cpu0 = cpu_seconds()
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    with TreeSampler(proc.pid) as sampler:
        stdout, stderr = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed (exit {proc.returncode}):\n{stderr[-3000:]}"
        )
    return Measured(wall, cpu_seconds() - cpu0, sampler.peak, stdout, proc.returncode)


def thads_command(*args: str) -> list[str]:
    """`thads ...` with this interpreter (the .venv the bench runs in)."""
    return [sys.executable, "-m", "thads.cli", *args]


def thads_load(landing: Path, home: Path, *extra: str, wrapper: Sequence[str] = ()) -> Measured:
    """`thads load --landing DIR --json` on THADS_HOME=home, as a data team member runs it
    (behind `wrapper`, e.g. faketime, if given); `result` is its JSON (per-step seconds,
    counts, build and publish summaries) plus, when it built, "dbt_nodes": what dbt's own
    run_results say the nodes took."""
    from thads.build import dbt_target_dir
    from thads.config import Paths

    measured = run_measured(
        [*wrapper, *thads_command("load", "--landing", str(landing), "--json", *extra)],
        env={"THADS_HOME": str(home)},
    )
    measured.result = json.loads(measured.stdout)
    run_results = dbt_target_dir(Paths.from_env(home)) / "run_results.json"
    if measured.result.get("build") and run_results.exists():
        data = json.loads(run_results.read_text(encoding="utf-8"))
        measured.result["dbt_nodes"] = {"n": len(data["results"]), "seconds": data["elapsed_time"]}
    return measured


def step_seconds(measured: Measured) -> dict[str, float]:
    """Every step of a load: the pipeline's own timings, the dbt build and docs split, and the
    process start-up (interpreter and imports) as what the steps leave of the wall time."""
    result = measured.result
    steps = dict(result.get("seconds", {}))
    build = result.get("build") or {}
    if "docs_seconds" in build and "build" in steps:
        steps["build"] = round(steps["build"] - build["docs_seconds"], 2)
        steps["dbt docs"] = build["docs_seconds"]
    if "dbt_nodes" in result and "build" in steps:
        # dbt's own clock for running the nodes; the rest of the step is the dbt process
        # starting, importing and (partially) parsing the project.
        nodes = result["dbt_nodes"]
        steps[f"of which dbt ran {nodes['n']} nodes"] = round(nodes["seconds"], 2)
    steps["start-up"] = round(measured.wall - sum(result.get("seconds", {}).values()), 2)
    return steps


def format_steps(steps: Mapping[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in steps.items())
