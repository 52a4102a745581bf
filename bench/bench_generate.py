"""Benchmark of `thads generate`: each measured against a baseline in the same run.

    .venv/bin/python -m bench.bench_generate [--quick] [--no-write]

1. the full landing zone (2019-2025, all provinces, ~5.200 submissions): 1 process
   (baseline) vs all cores (ours); the target is under 60 s;
2. the xlsx writer on the same rendered reports: openpyxl and xlsxwriter (baselines) vs
   our direct OOXML writer (`thads.generate.ooxml`).

Rows are added to (or replace the generator's rows in) bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.common import RESULTS, cpu_seconds, replace_rows
from thads.contract import MEASURES
from thads.generate.landing import generate_landing_zone
from thads.generate.model import build_report
from thads.generate.styles import Sheet, random_xlsx_style, render_xlsx_sheet
from thads.generate.xlsx_writer import write_sheets

PREFIX = "generate:"


def openpyxl_write(sheets: Sequence[Sheet], path: Path) -> None:
    """The baseline writer: the same grid and merges through openpyxl."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for r, row in enumerate(sheet.cells, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    wb.save(path)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_writers(n: int, tmp: Path) -> tuple[float, float, float]:
    rng = random.Random(1)
    rendered = []
    for i in range(n):
        code = rng.choice(("01", "79", "93", "02", "40"))
        report = build_report(
            code, 2024, 1 + i % 12, {"must_enforce": 20_000}, {"must_enforce": 9e9}
        )
        style = random_xlsx_style(rng)
        rendered.append([render_xlsx_sheet(report, m, style) for m in MEASURES])
    base = timed(lambda: [openpyxl_write(s, tmp / f"o{i}.xlsx") for i, s in enumerate(rendered)])
    lib = timed(
        lambda: [
            write_sheets(s, tmp / f"x{i}.xlsx", engine="xlsxwriter") for i, s in enumerate(rendered)
        ]
    )
    ours = timed(lambda: [write_sheets(s, tmp / f"w{i}.xlsx") for i, s in enumerate(rendered)])
    return base, lib, ours


def bench_full(tmp: Path, years: range) -> tuple[float, float, int, float, float]:
    cpu0 = cpu_seconds()
    one = timed(lambda: generate_landing_zone(tmp / "p1", years=years, seed=7, processes=1))
    cpu1 = cpu_seconds()
    shutil.rmtree(tmp / "p1")
    summary = generate_landing_zone(tmp / "pn", years=years, seed=7, defects=0.02)
    cpu2 = cpu_seconds()
    return one, summary.seconds, summary.submissions, cpu1 - cpu0, cpu2 - cpu1


def update_results(rows: list[str], results: Path = RESULTS) -> None:
    """Replace the generator's rows in RESULTS.md (others' rows are left as they are)."""
    replace_rows(PREFIX, rows, results)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one year, fewer workbooks")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    years = range(2024, 2025) if args.quick else range(2019, 2026)
    with tempfile.TemporaryDirectory() as tmp:
        n = 60 if args.quick else 300
        base_w, lib_w, ours_w = bench_writers(n, Path(tmp))
        one, many, subs, cpu_one, cpu_many = bench_full(Path(tmp), years)
    load = os.getloadavg()[0]
    label = f"{years.start}-{years.stop - 1}"
    rows = [
        f"| {PREFIX} full landing zone {label}, all provinces ({subs} submissions) "
        f"| {one:.1f} s (1 process) | {many:.1f} s ({cores} processes) | {one / many:.2f}x "
        f"| target < 60 s; CPU {cpu_one:.1f} s / {cpu_many:.1f} s; machine shared with other "
        f"sessions (load {load:.1f} on {cores} cores), so wall time depends on them; "
        f"{time.strftime('%Y-%m-%d')} |",
        f"| {PREFIX} xlsx writer, {n} two-sheet reports | {base_w:.2f} s (openpyxl) "
        f"| {ours_w:.2f} s (direct OOXML) | {base_w / ours_w:.2f}x "
        f"| same rendered grids and merges; {1000 * ours_w / n:.1f} ms per workbook |",
        f"| {PREFIX} xlsx writer vs xlsxwriter, {n} two-sheet reports "
        f"| {lib_w:.2f} s (xlsxwriter, in-memory) | {ours_w:.2f} s (direct OOXML) "
        f"| {lib_w / ours_w:.2f}x | identical cells and merges (test_generate.py) |",
    ]
    print("\n".join(rows))
    if not args.no_write:
        update_results(rows)
        print(f"updated {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
