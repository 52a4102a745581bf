"""Measure a command as a user runs it: wall time, CPU time and the peak memory of its whole
process tree (the CLI, its parse workers, the dbt subprocess).

`ru_maxrss` of RUSAGE_CHILDREN is the peak of the single largest child, not of the tree, so a
sampler thread looks at the process and all its descendants with psutil every few
milliseconds and keeps the highest sums of two measures:
- PSS (proportional set size, /proc/PID/smaps_rollup): each page is divided among the
  processes that share it, so the sum over the tree counts a page a forked parse worker
  shares with its parent once. This is the tree's real memory, the number the goal means.
- RSS summed: counts a shared page once per process; an upper bound, kept for comparison
  with earlier rows.
At the PSS peak the sampler also keeps what each process held (`peak_parts`), to say where
the peak is.

Reading PSS is not free: the kernel walks the page tables for smaps_rollup, ~6-8 ms per
process of a few hundred MiB, so reading it for three or four processes every 20 ms kept a
whole core of the two busy and slowed the very runs it measured. RSS is a counter (~0.01 ms)
and an upper bound of PSS, so the sampler reads RSS every SAMPLE_SECONDS and PSS only when
the tree's RSS exceeds the highest PSS seen so far (only then can PSS be a new peak), at
most every PSS_SAMPLE_SECONDS.
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
#: At most this often the (costly) PSS of the tree, and only when it can be a new peak.
PSS_SAMPLE_SECONDS = 0.25
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
    #: Peak of the tree's summed PSS (0 where the kernel gives no smaps_rollup).
    peak_pss: int = 0
    #: At the PSS peak: (process, PSS bytes) of each process of the tree, largest first.
    peak_parts: list[tuple[str, int]] = field(default_factory=list)

    @property
    def peak_mib(self) -> float:
        return self.peak_rss / MIB

    @property
    def peak_pss_mib(self) -> float:
        return self.peak_pss / MIB

    def memory(self) -> str:
        """The two peaks as a row says them."""
        return f"peak PSS {self.peak_pss_mib:,.0f} MiB (RSS summed {self.peak_mib:,.0f} MiB)"

    def where_peak(self) -> str:
        """Each process's PSS at the tree's PSS peak."""
        return ", ".join(f"{name} {size / MIB:,.0f} MiB" for name, size in self.peak_parts)


def process_name(proc: psutil.Process, root: int) -> str:
    """A short name for a process of the tree: the command itself, a forked worker of it
    (same command line, a child of the command), or the program it started (dbt)."""
    if proc.pid == root:
        return "command"
    try:
        cmdline = proc.cmdline()
    except psutil.Error:
        return f"pid {proc.pid}"
    if any(part.endswith("dbt") or "dbt.cli" in part for part in cmdline[:3]):
        return "dbt"
    return f"child {Path(cmdline[0]).name if cmdline else proc.pid} ({proc.pid})"


class TreeSampler:
    """Peaks of the summed PSS and of the summed RSS of `pid` and its descendants while the
    context is open (module doc)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self.peak_pss = 0
        self.peak_parts: list[tuple[str, int]] = []
        self._names: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _name(self, proc: psutil.Process) -> str:
        if proc.pid not in self._names:
            self._names[proc.pid] = process_name(proc, self.pid)
        return self._names[proc.pid]

    def _tree(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    @staticmethod
    def _rss(procs: list[psutil.Process]) -> int:
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:  # a worker that just ended
                continue
        return total

    def _pss(self, procs: list[psutil.Process]) -> tuple[int, list[tuple[str, int]]]:
        """(summed PSS, each process's PSS) of the tree now."""
        parts = []
        for proc in procs:
            try:
                pss = getattr(proc.memory_full_info(), "pss", 0)
            except psutil.Error:  # a worker that just ended
                continue
            parts.append((self._name(proc), pss))
        return sum(size for _, size in parts), parts

    def _run(self) -> None:
        last_pss = float("-inf")
        while not self._stop.is_set():
            procs = self._tree()
            rss = self._rss(procs)
            self.peak = max(self.peak, rss)
            now = time.monotonic()
            if rss > self.peak_pss and now - last_pss >= PSS_SAMPLE_SECONDS:
                last_pss = now
                pss, parts = self._pss(procs)
                if pss > self.peak_pss:
                    self.peak_pss = pss
                    self.peak_parts = sorted(parts, key=lambda part: -part[1])
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
    return Measured(
        wall,
        cpu_seconds() - cpu0,
        sampler.peak,
        stdout,
        proc.returncode,
        peak_pss=sampler.peak_pss,
        peak_parts=sampler.peak_parts,
    )


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
