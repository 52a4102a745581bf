"""`thads watch --landing DIR`: validate and alert each arrival within seconds, build and
publish once a burst settles; runs until Ctrl-C or SIGTERM (see thads/watch.py)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from thads.config import Paths


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from thads.watch import (
        DEFAULT_PAIR_WAIT_SECONDS,
        DEFAULT_SETTLE_SECONDS,
        DEFAULT_STABLE_SECONDS,
    )

    parser.add_argument("--landing", required=True, type=Path, help="landing zone folder")
    parser.add_argument(
        "--settle",
        type=float,
        default=DEFAULT_SETTLE_SECONDS,
        help="seconds without arrivals before the warehouse is built and published "
        f"(default {DEFAULT_SETTLE_SECONDS:g})",
    )
    parser.add_argument(
        "--stable",
        type=float,
        default=DEFAULT_STABLE_SECONDS,
        help="a file is read once unchanged for this many seconds "
        f"(default {DEFAULT_STABLE_SECONDS:g})",
    )
    parser.add_argument(
        "--pair-wait",
        type=float,
        default=DEFAULT_PAIR_WAIT_SECONDS,
        help="seconds a lone CSV half waits for its partner "
        f"(default {DEFAULT_PAIR_WAIT_SECONDS:g})",
    )


def _print_step(name: str, details: dict[str, Any]) -> None:
    # One JSON line per step on stdout: readable, and easy for a supervisor to parse.
    print(json.dumps({"event": name, **details}, ensure_ascii=False, default=str), flush=True)


def run(args: argparse.Namespace) -> int:
    from thads.watch import LandingWatch

    if args.landing.exists() and not args.landing.is_dir():
        print(f"thads watch: landing zone {args.landing} is not a folder", file=sys.stderr)
        return 2
    watch = LandingWatch(
        landing=args.landing.resolve(),
        paths=Paths.from_env(),
        settle_seconds=args.settle,
        stable_seconds=args.stable,
        pair_wait_seconds=args.pair_wait,
        on_step=_print_step,
    )
    watch.install_signal_handlers()
    watch.run()
    return 0
