"""`thads export --out DIR [--format csv|xlsx] [--mart NAME ...]`: the published marts as
spreadsheets for people (text cells safe against formula injection)."""

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


def run(args: argparse.Namespace) -> int:
    paths = Paths.from_env()
    try:
        written = export_marts(paths.snapshot, args.out, args.format, args.mart)
    except ExportError as exc:
        print(f"thads export: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0
