"""Run `thads` in a process that dies (os._exit: no cleanup, no rollback by Python) at a
chosen point of an approval, for the crash-safety tests of issue 16.

    python tests/approval_crash.py in_transaction approve --year 2024 --months 12 --by A
    python tests/approval_crash.py before_publish approve --year 2024 --months 12 --by A

in_transaction: right after the decisions are written, before COMMIT.
before_publish: after the decision is committed, when the command starts the build.
"""

from __future__ import annotations

import os
import sys
from typing import Any

CRASH_EXIT = 9


def _die(*_args: Any, **_kwargs: Any) -> None:
    os._exit(CRASH_EXIT)


def main(point: str, argv: list[str]) -> int:
    if point == "in_transaction":
        from thads.approval import state

        append = state.append

        def append_then_die(*args: Any, **kwargs: Any) -> None:
            append(*args, **kwargs)
            _die()

        state.append = append_then_die  # type: ignore[assignment]
    elif point == "before_publish":
        from thads import pipeline

        pipeline.build = _die  # type: ignore[assignment]
    else:
        raise SystemExit(f"unknown crash point {point!r}")
    from thads.cli import main as thads

    return thads(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
