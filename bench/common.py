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


def replace_rows(prefix: str, rows: Sequence[str], results: Path = RESULTS) -> None:
    """Put `rows` (table lines) in place of the rows starting with `| {prefix}`."""
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmarks\n\n"
    if HEADER not in text:
        text = text.rstrip("\n") + "\n\n" + HEADER
    lines = text.splitlines()
    kept = [line for line in lines if not line.startswith(f"| {prefix}")]
    # Mine go where they were (or after the last row), so the table keeps its order.
    first = next((i for i, line in enumerate(lines) if line.startswith(f"| {prefix}")), None)
    at = (
        sum(1 for line in lines[:first] if not line.startswith(f"| {prefix}"))
        if first is not None
        else max(i for i, line in enumerate(kept) if line.startswith("|")) + 1
    )
    kept[at:at] = list(rows)
    results.write_text("\n".join(kept) + "\n", encoding="utf-8")
