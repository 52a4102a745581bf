"""Benchmark of ingest: parsing speed per format against plain pandas, and the whole zone.

    .venv/bin/python -m bench.bench_ingest [--landing DIR] [--quick] [--no-write]

Measured in one run, on the same files:
1. xlsx: `pandas.read_excel(path, sheet_name=None)` per workbook (the baseline: what one
   would write first) vs ours (`ingest.parse`, python-calamine, one core), and the raw
   calamine read alone (the floor: everything above it is our parsing);
2. csv pairs and json: pandas `read_csv` / `json.load` + `DataFrame` per file vs ours;
3. the whole landing zone through the ingest steps, no validation (plan -> archive + parse on
   both cores -> staging -> commit -> targets) into an empty THADS_HOME, per step; the
   goal is under 15 s for the 2019-2025 zone (~5.200 submissions, ~6.500 files).

Without --landing the zone is generated (seed 0, 2019-2025, 2 % defects) into
bench/out/landing once and reused. Rows are added to (or replace ingest's rows in)
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from bench.common import cpu_seconds, ensure_landing, replace_rows
from ingest.batch import load_staged, plan_batch, stage_batch
from ingest.commit import commit_batch
from ingest.files import Candidate, discover
from ingest.parse import parse_chunk
from ingest.targets import ingest_targets
from thads.config import Paths

PREFIX = "ingest:"
DEFAULT_LANDING = Path(__file__).parent / "out" / "landing"


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def pandas_xlsx(candidates: Sequence[Candidate]) -> None:
    for c in candidates:
        pd.read_excel(c.files[0].path, sheet_name=None, header=None, engine="openpyxl")


def calamine_only(candidates: Sequence[Candidate]) -> None:
    from python_calamine import CalamineWorkbook

    for c in candidates:
        wb = CalamineWorkbook.from_path(str(c.files[0].path))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python(skip_empty_area=False)


def pandas_csv(candidates: Sequence[Candidate]) -> None:
    for c in candidates:
        for f in c.files:
            pd.read_csv(f.path, sep=None, engine="python", encoding="utf-8-sig")


def pandas_json(candidates: Sequence[Candidate]) -> None:
    for c in candidates:
        doc = json.loads(c.files[0].path.read_bytes())
        for measure in ("cases", "money"):
            pd.DataFrame(doc.get(measure, []))


def measured(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one call."""
    cpu = cpu_seconds()
    wall = timed(fn)
    return wall, cpu_seconds() - cpu


def rate(n: int, t: tuple[float, float]) -> str:
    wall, cpu = t
    return f"{n / cpu:,.0f} files/s CPU ({cpu:.2f} s CPU, {wall:.2f} s wall)"


def bench_formats(candidates: list[Candidate], quick: bool) -> list[str]:
    """Rates on CPU time: on a machine shared with others, wall time mostly measures them."""
    rows = []
    by_fmt: dict[str, list[Candidate]] = {}
    for c in candidates:
        if c.problem is None:
            by_fmt.setdefault(c.fmt, []).append(c)
    # The pandas baseline is slow (openpyxl): a sample gives its rate well enough.
    sample = 60 if quick else 300
    xlsx = by_fmt.get("xlsx", [])
    if xlsx:
        base_set = xlsx[:sample]
        base = measured(lambda: pandas_xlsx(base_set))
        floor = measured(lambda: calamine_only(xlsx))
        ours = measured(lambda: parse_chunk(xlsx))
        ratio = (len(xlsx) / ours[1]) / (len(base_set) / base[1])
        rows.append(
            f"| {PREFIX} parse xlsx, 1 core ({len(xlsx)} workbooks) "
            f"| {rate(len(base_set), base)}: pandas.read_excel (openpyxl), {len(base_set)} files "
            f"| {rate(len(xlsx), ours)} | {ratio:.1f}x "
            f"| calamine read alone {rate(len(xlsx), floor)}: our parsing adds "
            f"{(ours[1] - floor[1]) / len(xlsx) * 1000:.2f} ms CPU/workbook (header search, "
            f"numbers, findings, tidy frame) |"
        )
    csv = by_fmt.get("csv", [])
    if csv:
        n_files = 2 * len(csv)
        base = measured(lambda: pandas_csv(csv))
        ours = measured(lambda: parse_chunk(csv))
        rows.append(
            f"| {PREFIX} parse csv pairs, 1 core ({n_files} files) "
            f"| {rate(n_files, base)}: pandas.read_csv (sniffed sep) | {rate(n_files, ours)} "
            f"| {base[1] / ours[1]:.1f}x | ours includes header search, numbers, findings, "
            "tidy frame |"
        )
    js = by_fmt.get("json", [])
    if js:
        base = measured(lambda: pandas_json(js))
        ours = measured(lambda: parse_chunk(js))
        rows.append(
            f"| {PREFIX} parse json, 1 core ({len(js)} files) "
            f"| {rate(len(js), base)}: json.load + DataFrame | {rate(len(js), ours)} "
            f"| {base[1] / ours[1]:.1f}x | ours includes schema checks and the tidy frame |"
        )
    return rows


def bench_zone(landing: Path, workers: int) -> tuple[str, dict[str, float], dict]:
    home = Path(tempfile.mkdtemp(prefix="thads-bench-"))
    paths = Paths(home).ensure()
    steps: dict[str, float] = {}
    try:
        cpu_start = cpu_seconds()
        start = time.perf_counter()
        t = time.perf_counter()
        plan = plan_batch(landing, paths)
        steps["plan (list, sha256, registry)"] = time.perf_counter() - t
        t = time.perf_counter()
        stage_batch(paths, plan["batch_id"], plan["groups"], workers=workers)
        steps[f"stage (archive + parse, {workers} proc.)"] = time.perf_counter() - t
        t = time.perf_counter()
        parsed = load_staged(paths, plan["batch_id"])
        steps["load staged"] = time.perf_counter() - t
        t = time.perf_counter()
        summary = commit_batch(paths, plan["batch_id"], parsed)
        steps["commit (parquet, quarantine, registry, export)"] = time.perf_counter() - t
        t = time.perf_counter()
        ingest_targets([Path(p) for p in plan["targets"]], paths)
        steps["targets"] = time.perf_counter() - t
        total = time.perf_counter() - start
        cpu = cpu_seconds() - cpu_start
        info = {
            "files": plan["n_files"],
            "submissions": summary.n_submissions + summary.n_duplicates,
            "accepted": summary.n_accepted,
            "quarantined": summary.n_quarantined,
            "rows": summary.n_rows,
        }
    finally:
        shutil.rmtree(home, ignore_errors=True)
    parts = "; ".join(f"{k} {v:.2f} s" for k, v in steps.items())
    manifest = landing / "manifest.json"
    if manifest.exists():
        m = json.loads(manifest.read_text(encoding="utf-8"))
        parts = f"zone: thads generate seed {m['seed']}, defects {m['defects']}; " + parts
    row = (
        f"| {PREFIX} whole landing zone ({info['files']} files, {info['submissions']} "
        f"submissions, {info['rows']} rows) | goal < 15 s wall on 2 cores | {total:.2f} s wall, "
        f"{cpu:.2f} s CPU | {15 / total:.2f}x of goal | {parts}; "
        f"{info['quarantined']} quarantined by parsing |"
    )
    return row, steps, info


def update_results(rows: list[str]) -> None:
    """Replace ingest's rows in RESULTS.md (others' rows are left as they are)."""
    replace_rows(PREFIX, rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--landing", type=Path, help="landing zone (default: generated)")
    parser.add_argument("--quick", action="store_true", help="a smaller baseline sample")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    parser.add_argument(
        "--zone-only", action="store_true", help="only the whole-zone run (keeps other rows)"
    )
    args = parser.parse_args(argv)
    landing = ensure_landing(args.landing, DEFAULT_LANDING)
    candidates = discover(landing).candidates
    rows = [] if args.zone_only else bench_formats(candidates, args.quick)
    zone_row, _steps, _info = bench_zone(landing, args.workers)
    load = os.getloadavg()[0]
    rows.append(zone_row)
    rows = [f"{row[:-2]}; load avg {load:.1f}; {time.strftime('%Y-%m-%d')} |" for row in rows]
    for row in rows:
        print(row)
    if not args.no_write:
        update_results(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
