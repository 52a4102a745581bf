"""`thads export --out DIR [--format csv|xlsx] [--mart NAME ...]`: the published marts as
spreadsheets for people (text cells safe against formula injection).

`thads export --ranking --year Y --months M --out DIR`: the ministry's ranking table of one
period (xlsx in the printed layout, and a CSV of the same; thads.publish.ranking_table)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from thads.config import Paths
from thads.publish.export import FORMATS, ExportError, export_marts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="folder to write the files to")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="csv",
        help="csv: one file per mart (UTF-8); xlsx: one workbook, a sheet per mart",
    )
    parser.add_argument(
        "--mart",
        action="append",
        metavar="NAME",
        help="export only this mart (repeatable), e.g. fct_province_ranking",
    )

    parser.add_argument(
        "--ranking",
        action="store_true",
        help="the ministry's ranking table of one period (needs --year and --months)",
    )
    parser.add_argument("--year", type=int, help="statistical year (with --ranking)")
    parser.add_argument(
        "--months", type=int, choices=range(1, 13), metavar="M", help="1..12 (with --ranking)"
    )


def run(args: argparse.Namespace) -> int:
    paths = Paths.from_env()
    if args.ranking and (args.year is None or args.months is None):
        print("thads export: --ranking needs --year and --months", file=sys.stderr)
        return 2
    if not args.ranking and (args.year is not None or args.months is not None):
        print("thads export: --year and --months go with --ranking", file=sys.stderr)
        return 2
    try:
        if args.ranking:
            from thads.publish.ranking_table import export_ranking

            written = export_ranking(paths.snapshot, args.out, args.year, args.months)
        else:
            written = export_marts(paths.snapshot, args.out, args.format, args.mart)
    except ExportError as exc:
        print(f"thads export: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0
