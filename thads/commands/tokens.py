"""`thads tokens issue|list|revoke`: the per-province tokens of the check page (`thads serve`).

    thads tokens issue --province 80 [--note "Cục THADS tỉnh Tây Ninh, chị Lan"]
    thads tokens list [--format table|json]
    thads tokens revoke ID

`issue` prints the token once; only its hash is kept (thads/tokens.py).
"""

from __future__ import annotations

import argparse
import json
import sys

from thads.config import Paths


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    issue = sub.add_parser("issue", help="a new token for one province (shown once)")
    issue.add_argument("--province", required=True, help="two-digit province code")
    issue.add_argument("--note", default="", help="who holds it (kept with the record)")
    listing = sub.add_parser("list", help="every token: id, province, note, issued, revoked")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    revoke = sub.add_parser("revoke", help="stop a token working at once")
    revoke.add_argument("id", help="the token's id (thads tokens list)")


def run(args: argparse.Namespace) -> int:
    from thads import tokens

    paths = Paths.from_env()
    try:
        if args.action == "issue":
            record, token = tokens.issue(paths.ensure(), args.province, args.note)
            name = tokens.province_name(record.province_code)
            print(f"token {record.id} for province {record.province_code} ({name}):")
            print(token)
            print("Hand it to the province office now: it is not shown again.")
        elif args.action == "revoke":
            record = tokens.revoke(paths, args.id)
            print(f"token {record.id} ({record.province_code}) revoked at {record.revoked_at}")
        else:
            rows = [r.public() for r in tokens.read_tokens(paths)]
            if args.format == "json":
                print(json.dumps(rows, ensure_ascii=False, indent=1))
            else:
                _print_table(rows)
    except tokens.TokenError as exc:
        print(f"thads tokens: {exc}", file=sys.stderr)
        return 2
    return 0


def _print_table(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(rows)} tokens")
    columns = ("id", "province_code", "province_name", "note", "issued_at", "revoked_at")
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(escape(str(row[c] or "")) for c in columns))
    Console(width=200 if not sys.stdout.isatty() else None).print(table)
