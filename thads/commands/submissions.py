"""`thads submissions`: every file seen, with its status and reasons."""

from __future__ import annotations

import argparse
import json
import sys

from ingest.registry import STATUSES
from thads.config import Paths

COLUMNS = ("file", "sha256", "province_code", "statistical_year", "months", "status", "reasons")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument(
        "--status",
        choices=STATUSES,
        help="only files with this status",
    )
    parser.add_argument("--province", help="only this province code")


def run(args: argparse.Namespace) -> int:
    from ingest.registry import Registry

    paths = Paths.from_env()
    with Registry.open(paths, readonly=True) as registry:
        rows = registry.listing()
    if args.status:
        rows = [r for r in rows if r["status"] == args.status]
    if args.province:
        rows = [r for r in rows if r["province_code"] == args.province.zfill(2)]
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    print_table(rows)
    return 0


def print_table(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from thads.safe_text import safe_text  # names come from outside: never raw to a terminal

    table = Table(title=f"{len(rows)} files seen", show_lines=False)
    for name in COLUMNS:
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(
            escape(safe_text(r["file"])),
            r["sha256"][:12],
            r["province_code"] or "",
            "" if r["statistical_year"] is None else str(r["statistical_year"]),
            "" if r["months"] is None else str(r["months"]),
            r["status"],
            escape("\n".join(safe_text(x) for x in r["reasons"])),
        )
    Console(width=200 if not sys.stdout.isatty() else None).print(table)
