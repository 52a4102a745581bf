"""`thads generate`: a realistic landing zone of province submissions (thads.generate)."""

from __future__ import annotations

import argparse
import sys


def parse_years(text: str) -> list[int]:
    """ "2019-2025", "2024" or "2019,2021-2022" -> sorted years."""
    years: set[int] = set()
    try:
        for part in text.split(","):
            if "-" in part:
                first, last = (int(x) for x in part.split("-", 1))
                if last < first:
                    raise ValueError
                years.update(range(first, last + 1))
            else:
                years.add(int(part))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--years {text!r}: expected a year or a range like 2019-2025"
        ) from None
    return sorted(years)


def parse_codes(text: str) -> list[str]:
    codes = [c.strip() for c in text.replace(" ", ",").split(",") if c.strip()]
    bad = [c for c in codes if not (c.isdigit() and len(c) <= 2)]
    if bad or not codes:
        raise argparse.ArgumentTypeError(
            f"--provinces {text!r}: expected two-digit codes like 80,93"
        )
    return [c.zfill(2) for c in codes]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="landing zone folder to write into")
    parser.add_argument(
        "--years",
        type=parse_years,
        default=parse_years("2019-2025"),
        help="statistical years, e.g. 2019-2025 (default) or 2024",
    )
    parser.add_argument("--seed", type=int, default=0, help="same seed, same files (default 0)")
    parser.add_argument(
        "--provinces",
        type=parse_codes,
        default=None,
        help="only these province codes, e.g. 80,93 (legacy codes until the 8-month report "
        "of 2025, current codes after); default all",
    )
    parser.add_argument(
        "--scale", type=int, default=1, help="multiply the offices of each report (benchmarks)"
    )
    parser.add_argument(
        "--defects",
        type=float,
        default=0.0,
        help="share of submissions with a real mistake, listed in manifest.json (default 0)",
    )
    parser.add_argument(
        "--lateness",
        type=float,
        default=0.0,
        help="share of reports that arrive after their deadline (file times); a quarter of "
        "those never arrive, listed under `withheld` in manifest.json (default 0)",
    )
    parser.add_argument(
        "--processes", type=int, default=None, help="worker processes (default: all cores)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from thads.generate.landing import generate_landing_zone

    try:
        summary = generate_landing_zone(
            args.out,
            years=args.years,
            seed=args.seed,
            provinces=args.provinces,
            scale=args.scale,
            defects=args.defects,
            lateness=args.lateness,
            processes=args.processes,
            quiet=args.quiet,
        )
    except ValueError as exc:
        print(f"thads generate: {exc}", file=sys.stderr)
        return 2
    print(summary.line())
    return 0
