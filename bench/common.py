"""What every benchmark shares: CPU time, the generated landing zone, and RESULTS.md rows.

Each benchmark owns the rows whose first cell starts with its prefix ("ingest:", "dbt ",
...) and replaces only those; everyone else's rows stay where they are.
"""

from __future__ import annotations

import resource
from collections.abc import Sequence
from pathlib import Path

RESULTS = Path(__file__).parent / "RESULTS.md"
HEADER = "| benchmark | baseline | ours | ratio | notes |\n|---|---|---|---|---|\n"
#: The goals of issue 17, each with the value the last full `make bench` measured.
GOALS_HEADER = (
    "## Goals of the whole cycle (issue 17)\n\n"
    "| goal | target | measured | met |\n|---|---|---|---|\n"
)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (pool workers, dbt)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def ensure_landing(landing: Path | None, default: Path) -> Path:
    """`landing` if given, else the full 2019-2025 zone generated once into `default`."""
    if landing is not None:
        return landing
    if not (default / "manifest.json").exists():
        from thads.generate.landing import generate_landing_zone

        print(f"generating the 2019-2025 landing zone into {default} ...")
        generate_landing_zone(default, years=range(2019, 2026), seed=0, defects=0.02)
    return default


def replace_rows(
    prefix: str, rows: Sequence[str], results: Path = RESULTS, header: str = HEADER
) -> None:
    """Put `rows` (table lines) in place of the rows starting with `| {prefix}`; rows seen
    for the first time go at the end of the table that `header` opens (added if missing)."""
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmarks\n\n"
    if header not in text:
        text = text.rstrip("\n") + "\n\n" + header
    lines = text.splitlines()
    kept = [line for line in lines if not line.startswith(f"| {prefix}")]
    # Mine go where they were (or after the last row of their table), so tables keep order.
    first = next((i for i, line in enumerate(lines) if line.startswith(f"| {prefix}")), None)
    if first is not None:
        at = sum(1 for line in lines[:first] if not line.startswith(f"| {prefix}"))
    else:
        header_lines = header.rstrip("\n").splitlines()
        start = next(i for i in range(len(kept)) if kept[i : i + len(header_lines)] == header_lines)
        at = start + len(header_lines)
        while at < len(kept) and kept[at].startswith("|"):
            at += 1
    kept[at:at] = list(rows)
    results.write_text("\n".join(kept) + "\n", encoding="utf-8")
