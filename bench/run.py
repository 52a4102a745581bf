"""Run every benchmark in turn (`make bench`); each writes its own rows in bench/RESULTS.md.

Benchmarks measure ratios against a baseline in the same run, so they stay meaningful on a
shared or slower machine. Run them one at a time: they use both cores.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    failed = []
    for name in names:
        print(f"== {name}", flush=True)
        proc = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=BENCH_DIR.parent)
        if proc.returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
