"""Run every benchmark in turn (`make bench`); each writes its own rows in bench/RESULTS.md.

    .venv/bin/python -m bench.run [--quick] [bench_name ...]

Benchmarks measure ratios against a baseline in the same run, so they stay meaningful on a
shared or slower machine. Run them one at a time: they use both cores. The parts first
(generate, ingest, validate, dbt), then the whole cycle, then BI on the cycle's snapshot.
`--quick` is a smoke run of the whole-cycle benchmarks on a tiny zone: it proves they still
work end to end and writes nothing (the parts' benchmarks have no small mode worth timing).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
#: The whole-cycle benchmarks, in order: BI queries the snapshot the cycle bench published.
CYCLE = ("bench_cycle", "bench_bi")


def all_benchmarks() -> list[str]:
    parts = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py") if p.stem not in CYCLE)
    return [*parts, *CYCLE]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run of the cycle benches")
    parser.add_argument("names", nargs="*", help="only these (default: all)")
    args = parser.parse_args(argv)
    names = args.names or (list(CYCLE) if args.quick else all_benchmarks())
    failed = []
    for name in names:
        print(f"== {name}", flush=True)
        command = [sys.executable, "-m", f"bench.{name}", *(["--quick"] if args.quick else [])]
        proc = subprocess.run(command, cwd=BENCH_DIR.parent)
        if proc.returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
