"""`make test-fast` is a real rule: it runs pytest without the slow and integration tests."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_make_test_fast_runs_the_fast_tests() -> None:
    dry = subprocess.run(
        ["make", "-n", "test-fast"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    (command,) = [line for line in dry.splitlines() if "pytest" in line]
    args = shlex.split(command)
    marker = len(args) - 1 - args[::-1].index("-m")  # the last -m (the first is python -m)
    assert args[marker + 1] == "not slow and not integration"
    assert args[-1] == "tests"
