"""What a load spends its time on, from cProfile: the evidence behind a missed goal.

`profiled_load` replays a load under `python -m cProfile` on a copy of THADS_HOME taken
before it (so the timed run stays unprofiled) and `summarise` keeps what answers "where
did the time go": the pipeline's steps, the dbt subprocess, the Great Expectations import
and run, parsing and publishing, each as cumulative seconds.
"""

from __future__ import annotations

import pstats
import shutil
import sys
from pathlib import Path

from bench.measure import Measured, run_measured

#: (label, file suffix, function) rows picked from the profile, in this order.
PICKS = (
    ("plan", "thads/pipeline.py", "plan_batch"),
    ("ingest (parse workers)", "thads/pipeline.py", "ingest_all"),
    ("validate and commit", "thads/pipeline.py", "validate_and_commit"),
    ("  import great_expectations", "great_expectations/__init__.py", "<module>"),
    ("  GX run (checkpoint)", "expectations/gx_run.py", "run_checks"),
    ("  load accepted history", "expectations/history.py", "load_history"),
    ("  commit (raw layer, registry)", "ingest/commit.py", "commit_batch"),
    ("alerts", "thads/pipeline.py", "send_alerts"),
    ("build", "thads/pipeline.py", "build"),
    ("  waiting for the dbt process", "thads/build.py", "run_dbt"),
    ("publish", "thads/pipeline.py", "publish"),
)


def copy_home(home: Path, dest: Path) -> Path:
    """A copy of THADS_HOME to replay a load on later (archive, raw, registry, warehouse)."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(home, dest, symlinks=True)
    return dest


def profiled_load(landing: Path, home: Path, output: Path, *extra: str) -> Measured:
    """`thads load` under cProfile on `home`; the profile is written to `output`."""
    command = [
        sys.executable,
        "-m",
        "cProfile",
        "-o",
        str(output),
        "-m",
        "thads.cli",
        "load",
        "--landing",
        str(landing),
        "--quiet",
        *extra,
    ]
    return run_measured(command, env={"THADS_HOME": str(home)})


def summarise(profile: Path) -> list[tuple[str, float]]:
    """(label, cumulative seconds) for each of PICKS found in the profile."""
    stats = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    found: dict[str, float] = {}
    for (filename, _line, function), (_cc, _nc, _tt, cumulative, _callers) in stats.items():
        for label, suffix, name in PICKS:
            if function == name and filename.endswith(suffix):
                found[label] = max(found.get(label, 0.0), cumulative)
    return [(label, round(found[label], 2)) for label, _, _ in PICKS if label in found]


def format_summary(summary: list[tuple[str, float]], total: float) -> str:
    inner = ", ".join(f"{label.strip()} {seconds:.2f} s" for label, seconds in summary)
    return f"cProfile of the same load ({total:.1f} s wall under the profiler): {inner}"
