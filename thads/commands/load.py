"""`thads load --landing DIR`: ingest every new file, validate, build the warehouse, publish.

Safe to run again: files already seen (same name and content) are skipped, so a second run
of the same landing zone loads nothing and leaves the warehouse as it is.
"""

from __future__ import annotations

import argparse
import errno
import json
import sqlite3
import sys
from pathlib import Path

from thads.config import Paths
from thads.safe_text import safe_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--landing", required=True, type=Path, help="landing zone folder")
    parser.add_argument("--quiet", action="store_true", help="only the one-line summary")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument(
        "--trust-mtime",
        action="store_true",
        help="take each file's modification time as its arrival (never later than when the "
        "warehouse first saw it): only to restore a history the data team vouches for",
    )
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="exit at once (code 3) if another load is running, instead of waiting for it",
    )


def summary_line(result: dict) -> str:
    commit = result["commit"]
    parts = [
        f"batch {result['batch_id']}: {result['n_files']} new file(s)",
        f"{commit['n_loaded']} submission(s) loaded",
        f"{commit['n_quarantined']} quarantined",
        f"{commit['n_duplicates']} duplicate(s)",
        f"{result['n_already_seen']} already seen",
    ]
    if commit["targets"]["loaded"]:
        parts.append(f"{len(commit['targets']['loaded'])} targets file(s)")
    if result["build"] is None:
        parts.append("warehouse unchanged")
    else:
        parts.append("warehouse rebuilt and published")
    total = sum(result["seconds"].values())
    return "; ".join(parts) + f" in {total:.1f} s"


EXIT_BUSY = 3


def state_problem(exc: BaseException, paths: Paths) -> str | None:
    """A plain message for the failures the operator can fix (a full disk, a registry held
    by another process), None for anything else (a bug: the traceback is the message).
    Nothing is half-committed in either case: the registry transaction rolled back, and
    files written before it are orphans the next commit removes."""
    text = str(exc)
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in text:
        where = getattr(exc, "filename", None) or paths.home
        return (
            f"the disk is full (writing {where}); nothing of this batch was committed. "
            f"Free space on the disk of THADS_HOME ({paths.home}) and run thads load again."
        )
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return (
            f"the registry {paths.registry} is locked by another process (waited 60 s); "
            "nothing of this batch was committed. Check for a stuck thads or Airflow task "
            "holding it, then run thads load again."
        )
    return None


def run(args: argparse.Namespace) -> int:
    from thads import pipeline

    if not args.landing.is_dir():
        print(f"thads load: landing zone {args.landing} is not a folder", file=sys.stderr)
        return 2
    from ingest.lock import LoadBusy
    from thads.build import DbtError
    from thads.publish import PublishError

    paths = Paths.from_env()

    def waiting(message: str) -> None:
        print(f"thads load: {message} ...", file=sys.stderr, flush=True)

    try:
        result = pipeline.load(
            args.landing,
            paths,
            quiet=args.quiet,
            trust_mtime=args.trust_mtime,
            wait=not args.no_wait,
            on_wait=waiting,
        )
    except LoadBusy as exc:
        print(f"thads load: {exc}; not started (run again later, or without --no-wait)",
              file=sys.stderr)  # fmt: skip
        return EXIT_BUSY
    except (OSError, sqlite3.OperationalError) as exc:
        message = state_problem(exc, paths)
        if message is None:
            raise
        print(f"thads load: {message}", file=sys.stderr)
        return 1
    except (DbtError, PublishError) as exc:
        # The batch is committed (nothing is lost); readers keep the last good snapshot and
        # the next `thads load` builds again, even with no new files.
        print(f"thads load: {exc}", file=sys.stderr)
        print(
            f"The accepted data is kept in {paths.raw}; the published snapshot "
            f"{paths.snapshot} is unchanged. Run thads load again to retry the build.",
            file=sys.stderr,
        )
        return 1
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
        return 0
    quarantined = result["commit"]["quarantined"]
    if quarantined and not args.quiet:
        print(f"Quarantined ({len(quarantined)}), kept in {paths.quarantine}:")
        for item in quarantined[:20]:
            first = item["reasons"][0] if item["reasons"] else "see thads submissions"
            print(safe_text(f"  {', '.join(item['files'])}: {first}"))
        if len(quarantined) > 20:
            print(f"  ... and {len(quarantined) - 20} more: thads submissions")
    print(summary_line(result))
    if result["publish"] is not None and not args.quiet:
        print(f"Warehouse snapshot: {paths.snapshot}")
        print(f"HTML report:        {paths.report}")
    return 0
