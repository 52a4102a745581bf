"""Benchmark of validation: one Great Expectations run over a whole landing zone, against
parsing the same zone.

    .venv/bin/python -m bench.bench_validate [--landing DIR] [--no-write]

Measured in one process, on the same files (the generated 2019-2025 zone, seed 0, 2 %
defects, ~5.200 submissions, ~137k tidy rows):
1. the one-off `import great_expectations` (a load pays it once per process);
2. the baseline: `ingest.parse.parse_many` on both cores (what the load does before
   validating);
3. ours: `expectations.validate_batch` on everything parsed (empty history: a backfill),
   without and with Data Docs; the goal is < 2x the parse time and well under 30 s;
4. a steady-state load: one period's submissions validated against the accepted history
   of every earlier period;
5. the verdicts against the generator's manifest: defective submissions quarantined, clean
   ones accepted (no false alarms), warnings.

Without --landing the zone is generated into bench/out/validate/landing once and reused.
Rows starting with "validate:" are replaced in bench/RESULTS.md; others are left alone.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.common import cpu_seconds, ensure_landing, replace_rows

PREFIX = "validate:"
DEFAULT_LANDING = Path(__file__).parent / "out" / "validate" / "landing"


def measured(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds incl. finished child processes)."""
    cpu = cpu_seconds()
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start, cpu_seconds() - cpu


def verdicts(landing: Path, parsed: Sequence[Any], result: Any) -> dict[str, int]:
    """Our verdicts against what the generator planted (manifest.json)."""
    manifest_path = landing / "manifest.json"
    if not manifest_path.exists():
        return {}
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    expected = {e["submission_key"]: e["expected_outcome"] for e in manifest["submissions"]}
    counts: Counter[str] = Counter()
    for p in parsed:
        want = expected.get(p.submission_key)
        got = "quarantined" if p.submission_id in result.quarantined else "loaded"
        counts[f"{want}->{got}"] += 1
        counts["warnings"] += sum(
            f.severity == "warning" for f in result.findings.get(p.submission_id, [])
        )
    return dict(counts)


def steady_state(parsed: Sequence[Any], validate_batch: Callable[..., Any]) -> tuple[str, float]:
    """The last period of the zone validated against the accepted totals of all others."""
    import pandas as pd

    from expectations.history import HISTORY_COLUMNS

    ok = [p for p in parsed if p.rows is not None and not p.has_errors]
    last = max((p.statistical_year, p.months) for p in ok)
    batch = [p for p in parsed if (p.statistical_year, p.months) == last]
    history = pd.concat(
        [p.rows[p.rows["is_total"]] for p in ok if (p.statistical_year, p.months) != last],
        ignore_index=True,
    )[list(HISTORY_COLUMNS)]
    result, wall, _ = measured(lambda: validate_batch(batch, history))
    return (
        f"{len(batch)} submissions of {last[0]}-{last[1]:02d} against {len(history)} accepted "
        f"total rows: {wall:.2f} s ({result.timings})"
    ), wall


def run(landing: Path, workers: int) -> list[str]:
    _, t_import, _ = measured(lambda: __import__("great_expectations"))
    from expectations import validate_batch
    from ingest.files import discover
    from ingest.parse import parse_many
    from thads import reference

    reference.valid_codes(reference.LEGACY)  # warm the province reference, as a load has it

    candidates = discover(landing).candidates
    parsed, t_parse, c_parse = measured(lambda: parse_many(candidates, workers=workers))
    result, t_val, c_val = measured(lambda: validate_batch(parsed, None))
    docs = Path(tempfile.mkdtemp(prefix="thads-bench-docs-"))
    try:
        with_docs, t_docs, _ = measured(lambda: validate_batch(parsed, None, data_docs_dir=docs))
    finally:
        shutil.rmtree(docs, ignore_errors=True)
    steady, _ = steady_state(parsed, validate_batch)
    v = verdicts(landing, parsed, result)
    n_rows = result.n_rows
    load = os.getloadavg()[0]
    day = time.strftime("%Y-%m-%d")
    rows = [
        f"| {PREFIX} whole landing zone ({len(parsed)} submissions, {n_rows} rows), one GX "
        f"run | {t_parse:.2f} s wall, {c_parse:.2f} s CPU: ingest.parse_many on {workers} "
        f"processes | {t_val:.2f} s wall, {c_val:.2f} s CPU: validate_batch (1 process) "
        f"| {t_val / t_parse:.2f}x of parse (goal < 2x) | steps {result.timings}; + one-off "
        f"`import great_expectations` {t_import:.1f} s per process = "
        f"{(t_val + t_import) / t_parse:.2f}x; goal < 30 s; load avg {load:.1f}; {day} |",
        f"| {PREFIX} same, with Data Docs (what `load` runs) | {t_parse:.2f} s parse "
        f"| {t_docs:.2f} s | {t_docs / t_parse:.2f}x of parse | steps {with_docs.timings}; "
        f"{day} |",
        f"| {PREFIX} steady-state load: one period against the accepted history | - "
        f"| {steady} | - | GX import excluded; {day} |",
        f"| {PREFIX} verdicts against the generator's manifest | "
        f"{v.get('quarantined->quarantined', 0) + v.get('quarantined->loaded', 0)} defective, "
        f"{v.get('loaded->loaded', 0) + v.get('loaded->quarantined', 0)} clean "
        f"| {v.get('quarantined->quarantined', 0)} defective quarantined, "
        f"{v.get('loaded->quarantined', 0)} clean quarantined, {v.get('warnings', 0)} warnings "
        f"| - | parse + validation together; warnings load (outliers vs earlier years) |",
    ]
    return rows


def update_results(rows: list[str]) -> None:
    """Replace validation's rows in RESULTS.md (others' rows are left as they are)."""
    replace_rows(PREFIX, rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--landing", type=Path, help="landing zone (default: generated)")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args(argv)
    rows = run(ensure_landing(args.landing, DEFAULT_LANDING), args.workers)
    for row in rows:
        print(row)
    if not args.no_write:
        update_results(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
