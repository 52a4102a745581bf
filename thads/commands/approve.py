"""`thads approve --year Y --months M [--province CODE] --by NAME [--note TEXT]`.

Makes the figures of a period final (contract section 7): of every province with an
accepted report, or of one. Provinces with no accepted report (missing, or every file
rejected) are listed as a warning; approving what is final already changes nothing. Then
the warehouse is built and published so the ranking says "final" (`--no-publish`: the next
`thads load` does it). Exit code 0: approved (or nothing to do); 1: recorded, but the build or
publish failed (the next `thads load` does it); 2: refused, with the reason.
"""

from __future__ import annotations

import argparse
import json
import sys

from thads.config import Paths

EXIT_OK, EXIT_NOT_PUBLISHED, EXIT_REFUSED = 0, 1, 2


def add_period_arguments(parser: argparse.ArgumentParser, province_required: bool) -> None:
    """The options `approve` and `reopen` share."""
    parser.add_argument("--year", type=int, required=True, help="statistical year")
    parser.add_argument("--months", type=int, required=True, help="cumulative months, 1-12")
    parser.add_argument("--province", required=province_required, help="two-digit province code")
    parser.add_argument("--by", required=True, help="who decides (name, recorded in the log)")
    parser.add_argument(
        "--no-publish",
        action="store_true",
        help="record the decision only; the next thads load builds and publishes",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_period_arguments(parser, province_required=False)
    parser.add_argument("--note", help="a note kept with the decision")


def report(result: dict, publish: bool, as_json: bool) -> int:
    """Print what a decision did; build and publish when it changed something."""
    from thads import pipeline
    from thads.build import DbtError
    from thads.publish import PublishError

    if result["decided"] and publish:
        paths = Paths.from_env()
        try:
            pipeline.build(paths)
            pipeline.publish(paths)
            result["published"] = True
        except (DbtError, PublishError) as exc:
            # The decision stands (it is in the registry); only its publication is owed.
            print(
                f"warning: the decision is recorded but not published ({exc}); the next "
                "thads load builds and publishes it",
                file=sys.stderr,
            )
            result["published"] = False
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return EXIT_NOT_PUBLISHED if result.get("published") is False else EXIT_OK
    period = f"{result['months']}-month report of {result['statistical_year']}"
    for key, what in (
        ("missing", "no report arrived"),
        ("rejected", "every file was rejected"),
    ):
        if result[key]:
            print(
                f"warning: {len(result[key])} province(s) of the {period} have no accepted "
                f"report ({what}): {', '.join(result[key])}",
                file=sys.stderr,
            )
    verb = "approved as final" if result["action"] == "approve" else "reopened"
    if result["decided"]:
        print(f"{period}: {verb} for {len(result['decided'])} province(s) by {result['by']} "
              f"at {result['at']}: {', '.join(result['decided'])}")  # fmt: skip
    if result["already"]:
        print(f"{period}: already final for {len(result['already'])} province(s), unchanged")
    if not result["decided"]:
        print(f"{period}: nothing changed")
    return EXIT_NOT_PUBLISHED if result.get("published") is False else EXIT_OK


def run(args: argparse.Namespace) -> int:
    from thads.approval import ApprovalError, approve

    try:
        result = approve(args.year, args.months, by=args.by, province=args.province, note=args.note)
    except ApprovalError as exc:
        print(f"thads approve: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    return report(result.to_dict(), publish=not args.no_publish, as_json=args.json)
