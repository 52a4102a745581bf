"""The build's CPU priority (thads.build.BUILD_NICENESS), one rule for `thads watch`'s build
child, every dbt subprocess and thads_build's task processes: a process is lowered to it,
what it starts afterwards inherits it, and a process already nicer is never raised back.
On real processes (`os.getpriority`)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from thads.build import BUILD_NICENESS, at_build_priority

pytestmark = pytest.mark.skipif(not hasattr(os, "getpriority"), reason="no process priorities")

#: Prints its own niceness and that of a child it starts after reading a line from stdin.
CHILD = (
    "import os, subprocess, sys; sys.stdin.readline(); "
    "print(os.getpriority(os.PRIO_PROCESS, 0)); sys.stdout.flush(); "
    "subprocess.run([sys.executable, '-c', 'import os; print(os.getpriority(os.PRIO_PROCESS, 0))'])"
)


def niceness_after_lowering(start_at: int) -> list[int]:
    with subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=(lambda: os.nice(start_at)) if start_at else None,
    ) as proc:
        at_build_priority(proc.pid)
        out, _ = proc.communicate("go\n", timeout=60)
    return [int(line) for line in out.split()]


def test_a_build_process_and_what_it_starts_run_at_the_build_niceness() -> None:
    base = os.getpriority(os.PRIO_PROCESS, 0)
    expected = max(base, BUILD_NICENESS)
    assert niceness_after_lowering(0) == [expected, expected]


def test_a_process_already_nicer_is_not_raised() -> None:
    nicer = BUILD_NICENESS + 5
    base = os.getpriority(os.PRIO_PROCESS, 0)
    assert niceness_after_lowering(nicer) == [min(base + nicer, 19)] * 2
