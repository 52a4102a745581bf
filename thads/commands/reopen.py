"""`thads reopen --year Y --months M --province CODE --by NAME --reason TEXT`.

Undoes an approval for one province (contract section 7): its figures are preliminary
again and the next `thads load` judges the files held meanwhile, in arrival order. The
warehouse is built and published so the ranking says "preliminary" (`--no-publish`: the
next load does it). Exit code 0: reopened; 1: recorded but not published (build or publish
failed); 2: refused (e.g. the period is not final).
"""

from __future__ import annotations

import argparse
import sys

from thads.commands.approve import EXIT_REFUSED, add_period_arguments, report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_period_arguments(parser, province_required=True)
    parser.add_argument("--reason", required=True, help="why (recorded in the log as the note)")


def run(args: argparse.Namespace) -> int:
    from thads.approval import ApprovalError, reopen

    try:
        result = reopen(
            args.year, args.months, province=args.province, by=args.by, reason=args.reason
        )
    except ApprovalError as exc:
        print(f"thads reopen: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    return report(result.to_dict(), publish=not args.no_publish, as_json=args.json)
