"""One module per `thads` subcommand: `add_arguments(parser)` and `run(args) -> int`."""

from __future__ import annotations

import sys


def not_implemented(name: str) -> int:
    """Say plainly that a step does not exist yet, and fail: a stub must never pretend."""
    print(f"thads {name}: not implemented yet", file=sys.stderr)
    return 2
