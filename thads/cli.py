"""`thads`: every step of the pipeline from the command line, without Airflow.

Each subcommand lives in `thads/commands/<name>.py` with two functions:
`add_arguments(parser)` and `run(args) -> int` (the exit code). This file only wires them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from thads import __version__

#: name -> one-line help. Order is the order of `thads --help`.
COMMANDS: dict[str, str] = {
    "generate": "make a realistic landing zone of province submissions",
    "load": "ingest new files, validate, build the warehouse, publish",
    "watch": "watch a landing zone: check and alert each arrival, build once a burst settles",
    "check": "dry run: parse and validate files, load nothing, print the findings",
    "rank": "print the province ranking of one period and measure",
    "submissions": "list every file seen, with its status and reasons",
    "approve": "make the figures of a period final (approval, contract section 7)",
    "reopen": "make one province's final figures preliminary again",
    "summary": "term totals of one province (complete years + the last cumulative report)",
    "export": "write the marts to CSV/Excel for people who want spreadsheets",
    "serve": "serve the published HTML report and the provinces' check page",
    "tokens": "issue, list and revoke the provinces' tokens of the check page",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="thads",
        description="THADS Warehouse: civil judgment enforcement reports, checked and ranked. "
        "State lives in THADS_HOME (default ./.thads).",
    )
    parser.add_argument("--version", action="version", version=f"thads {__version__}")
    parser.add_argument("--home", help="state folder (overrides THADS_HOME)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"thads.commands.{name}")
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(cmd)
        cmd.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.home:
        import os

        os.environ["THADS_HOME"] = args.home
    from thads import log

    log.configure()
    return int(args._module.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
