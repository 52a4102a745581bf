"""Benchmark the warehouse build: `dbt build` on the full 2019-2025 raw layer, then an
incremental load of one new month for all provinces.

The raw layer is synthesised directly at full size (docs/interfaces.md is the interface):
every province, every cumulative period 2019 -> 2025/11 (63 provinces through the 8-month
report of 2025, 34 from the 9-month one), one office row per district / regional office plus
the total row, a few resubmissions, the registry export, validation results and targets.
Then three monthly loads arrive (2025/12, 2026/1, 2026/2, 34 provinces each) and the build
runs incrementally after each (median reported), against a full rebuild of the same data.

    .venv/bin/python -m bench.bench_dbt [--out DIR] [--keep] [--no-results]

Budgets (issue 7): full build < 60 s, incremental month < 15 s. Writes its rows of
bench/RESULTS.md (only rows whose benchmark starts with "dbt ").
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.common import RESULTS, replace_rows
from tests import raw_layer_builder as rl
from thads import contract, reference
from thads.build import build, run_dbt
from thads.config import Paths

FULL_BUDGET_S = 60.0
INCREMENTAL_BUDGET_S = 15.0
#: The monthly loads timed after the history 2019/1 .. 2025/11.
MONTHLY_LOADS = ((2025, 12), (2026, 1), (2026, 2))


def _periods() -> list[tuple[int, int]]:
    """2019/1 .. 2025/12."""
    return [(y, m) for y in range(contract.FIRST_YEAR, 2026) for m in range(1, 13)]


def _n_offices(code: str, boundary: int) -> int:
    """Legacy: the provincial office + one per district; current: ~10 regional offices."""
    if boundary == 63:
        return len(reference.legacy_districts(code)) + 1
    return 11


def _month_reports(year: int, months: int, rng: random.Random) -> list[rl.Report]:
    boundary = contract.boundary_for(year, months)
    codes = [p.code for p in reference.provinces(boundary)]
    arrival = datetime.combine(contract.period_end(year, months), datetime.min.time(), UTC)
    arrival += timedelta(days=4)
    scale = 0.5 + 0.5 * months / 12 + (0.6 if boundary == 34 else 0.0)
    reports = rl.field_of(codes, year, months, rng, arrival, scale=scale)
    out = []
    for report in reports:
        report = replace(report, n_offices=_n_offices(report.province_code, boundary))
        out.append(report)
        if rng.random() < 0.02:  # a correction a few days later
            out.append(replace(report, revision=2, arrival_time=arrival + timedelta(days=3)))
    return out


def synthesise(paths: Paths, periods: list[tuple[int, int]], seed: int = 19) -> dict[str, int]:
    """One batch per monthly load, registry export and findings for everything written."""
    rng = random.Random(seed)
    registry = rl.Registry()
    n_reports = 0
    for year, months in periods:
        batch_id = f"b{year}{months:02d}"
        reports = _month_reports(year, months, rng)
        rl.write_batch(paths, batch_id, reports)
        latest = {r.province_code: r for r in reports}  # revision 2 comes after revision 1
        for r in reports:
            registry.add(r, "loaded" if latest[r.province_code] is r else "superseded", batch_id)
        rl.write_data_quality(
            paths,
            batch_id,
            [
                {
                    "submission_id": r.submission_id,
                    "source_file": r.file_name,
                    "province_code": r.province_code,
                    "statistical_year": year,
                    "months": months,
                    "measure": measure,
                    "rule": rule,
                    "severity": "error",
                    "outcome": "pass",
                    "message": "ok",
                    "checked_at": r.arrival_time,
                }
                for r in reports
                for measure in contract.MEASURES
                for rule in ("identities", "total_is_sum", "non_negative", "cumulative")
            ],
        )
        n_reports += len(reports)
    registry.write(paths)
    targets = [
        {
            "statistical_year": y,
            "province_code": p.code,
            "boundary": p.boundary,
            "case_target_pct": 80.0,
            "money_target_pct": 40.0,
            "source_file": f"targets_{y}.csv",
            "arrival_time": datetime(y - 1, 10, 15, tzinfo=UTC),
        }
        for y in range(contract.FIRST_YEAR, 2026)
        for b in ((63, 34) if y == 2025 else (63,))
        for p in reference.provinces(b)
    ]
    rl.write_targets(paths, targets)
    return {"reports": n_reports}


def _load() -> str:
    """The machine is shared: say how busy it was."""
    return f"2 cores, load avg {os.getloadavg()[0]:.1f}"


def _timed(fn, *args, **kwargs) -> tuple[float, dict]:
    """Wall seconds of fn, and its result. The CPU seconds dbt used (user + sys of the
    subprocess) go to _CPU: on a shared machine they say more than the wall clock."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = fn(*args, **kwargs)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    _CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, result


_CPU: list[float] = []


def run(out: Path) -> list[tuple[str, str, str, str, str]]:
    paths = Paths.from_env(out / "home")
    if paths.home.exists():
        shutil.rmtree(paths.home)

    started = time.monotonic()
    counts = synthesise(paths, _periods()[:-1])  # 2019/1 .. 2025/11
    synth_s = time.monotonic() - started
    n_files = sum(1 for _ in paths.report_rows.glob("*/*.parquet"))
    print(f"synthesised {counts['reports']} reports in {n_files} files ({synth_s:.1f} s)")

    # Parse once so every timed run below pays the same (partial parsing) start-up cost.
    run_dbt(["parse"], paths)
    full_s, full = _timed(build, paths, full_refresh=True, docs=False)
    full_cpu = _CPU[-1]
    print(f"full build: {full_s:.1f} s wall, {full_cpu:.1f} s CPU {full['counts']}")

    # Three monthly loads (the machine is shared: take the median), then a full rebuild of
    # the same data as the baseline.
    incremental = []
    for period in MONTHLY_LOADS:
        more = synthesise_month(paths, period)
        wall, summary = _timed(build, paths, docs=False)
        incremental.append((wall, _CPU[-1]))
        print(f"incremental build +{more} reports of {period}: {wall:.1f} s, {_CPU[-1]:.1f} s CPU "
              f"({summary['selection']})")  # fmt: skip
    incr_s = statistics.median(w for w, _ in incremental)
    incr_cpu = statistics.median(c for _, c in incremental)
    rebuild_s, _ = _timed(build, paths, full_refresh=True, docs=False)
    rebuild_cpu = _CPU[-1]
    print(f"full rebuild with the new months: {rebuild_s:.1f} s, {rebuild_cpu:.1f} s CPU")
    docs_s, _ = _timed(run_dbt, ["docs", "generate", "--static", "--no-compile"], paths)
    docs_cpu = _CPU[-1]
    print(f"docs generate: {docs_s:.1f} s, {docs_cpu:.1f} s CPU")

    return [
        (
            "dbt build, full 2019-2025/11 raw layer",
            f"{FULL_BUDGET_S:.0f} s (budget)",
            f"{full_s:.1f} s wall ({full_cpu:.1f} s CPU)",
            f"{full_s / FULL_BUDGET_S:.2f}",
            f"{counts['reports']} submissions in {n_files} batch files, --full-refresh, "
            f"{sum(full['counts'].get('test', {}).values())} data tests; {_load()}; {date.today()}",
        ),
        (
            "dbt build, incremental +1 month (34 provinces)",
            f"{rebuild_s:.1f} s wall ({rebuild_cpu:.1f} s CPU): full rebuild of the same data",
            f"{incr_s:.1f} s wall ({incr_cpu:.1f} s CPU)",
            f"{incr_s / rebuild_s:.2f} wall, {incr_cpu / rebuild_cpu:.2f} CPU",
            f"budget {INCREMENTAL_BUDGET_S:.0f} s; median of 3 loads (2025/12, 2026/1, 2026/2): "
            "reads only the new batch files, rebuilds only what raw data feeds, rewrites only "
            f"changed periods of fct_office_enforcement; {_load()}; {date.today()}",
        ),
        (
            "dbt docs generate (static)",
            "-",
            f"{docs_s:.1f} s wall ({docs_cpu:.1f} s CPU)",
            "-",
            f"after each load's build (thads.build.build(docs=True)); {date.today()}",
        ),
    ]


def synthesise_month(paths: Paths, period: tuple[int, int]) -> int:
    """The next monthly load: one batch, registry export rewritten with the new files."""
    import pandas as pd

    year, months = period
    rng = random.Random(year * 100 + months)
    batch_id = f"b{year}{months:02d}"
    reports = _month_reports(year, months, rng)
    rl.write_batch(paths, batch_id, reports)
    registry = rl.Registry()
    latest = {r.province_code: r for r in reports}  # revision 2 comes after revision 1
    for r in reports:
        registry.add(r, "loaded" if latest[r.province_code] is r else "superseded", batch_id)
    old = pd.read_parquet(paths.submissions_export)
    new = pd.DataFrame(registry.rows)
    pd.concat([old, new], ignore_index=True).to_parquet(paths.submissions_export, index=False)
    return len(reports)


def update_results(rows: list[tuple[str, str, str, str, str]], path: Path = RESULTS) -> None:
    """Replace this bench's rows (benchmark starting with "dbt "), keep everyone else's."""
    replace_rows("dbt ", ["| " + " | ".join(row) + " |" for row in rows], path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--no-results", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_dbt_"))
    try:
        rows = run(out)
    finally:
        if not args.keep and not args.out:
            shutil.rmtree(out, ignore_errors=True)
    for row in rows:
        print(" | ".join(row))
    if not args.no_results:
        update_results(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
