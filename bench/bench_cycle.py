"""Benchmark of the whole cycle as the data team runs it: `thads load --json` end to end,
with its baselines measured in the same run.

    .venv/bin/python -m bench.bench_cycle [--quick] [--no-write] [--out DIR] [--skip-growth]

Scenarios (each one `thads load` process; wall, CPU, every step, peak memory of the process
tree: PSS, and RSS summed as the upper bound, bench.measure):
1. full backfill: the generated 2019-2025 zone, all provinces, except its last month and one
   held-back correction, into an empty THADS_HOME;
2. monthly load: the last month (every province) on top of that warehouse;
3. one resubmission: one province's corrected `_r2` landing, until the new ranking is
   published; then the same file through a warm `thads watch` (bench.watch_cycle: the
   clock from its last byte to the published snapshot's ranking holding it);
4. nothing new: the fixed cost of a load that finds nothing;
5. growth: the same backfill and month at `--scale 10` (ten times the offices per report)
   and with a 20-year history (2019-2038, replayed with the clock moved past it by
   faketime, see `future_clock`; without faketime the row says it was not measured): how
   time and memory grow.
Baselines (bench.baselines): the floor (read every backfill file once + one DuckDB ranking
statement) and the naive way (per file read_excel + one GX run + pandas ranking, on a
spread sample, extrapolated).

`--quick` is a smoke run (one province, one year, scale 2, a 2-year history) that proves the
bench still works; it writes nothing. Rows starting with "cycle:" (and goal rows starting
with "goal cycle:") are replaced in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench import baselines, profile_load, zones
from bench.common import GOALS_HEADER, HEADER, RESULTS, replace_rows
from bench.measure import GIB, Measured, format_steps, run_measured, step_seconds, thads_load
from thads.config import Paths
from thads.contract import FIRST_YEAR

if TYPE_CHECKING:
    from bench.watch_cycle import WatchedFix

PREFIX = "cycle:"
GOAL_PREFIX = "goal cycle:"
#: Growth rows have their own prefix, so a run with --skip-growth keeps the last ones.
GROWTH_PREFIX = "growth:"
GROWTH_GOAL_PREFIX = "goal growth:"
DEFAULT_OUT = Path(__file__).parent / "out" / "cycle"


def default_out(quick: bool) -> Path:
    """The work folder: the smoke run keeps its own, so it never evicts the full zones."""
    return DEFAULT_OUT.with_name("cycle-quick") if quick else DEFAULT_OUT


@dataclass(frozen=True)
class Setup:
    """What a run covers: the full bench or the quick smoke run."""

    years: range
    provinces: list[str] | None
    scale: int
    history: range
    naive_sample: int
    #: Load the month on top of the scaled and long warehouses too (not in the smoke run).
    growth_month: bool = True

    @property
    def label(self) -> str:
        where = "all provinces" if self.provinces is None else f"provinces {self.provinces}"
        return f"{self.years.start}-{self.years.stop - 1}, {where}"


#: 20 years of history (2019-2038): the reporting calendar grows with the years present
#: (thads.reporting_calendar.last_year_needed), so dim_period has every deadline.
HISTORY = range(FIRST_YEAR, FIRST_YEAR + 20)
FULL = Setup(range(2019, 2026), None, 10, HISTORY, 30, growth_month=False)
# Cần Thơ keeps code 92 across the 2025 merger, so the quick history crosses it.
QUICK = Setup(range(2024, 2025), ["92"], 2, range(2024, 2026), 2, growth_month=False)


@dataclass
class Cycle:
    """The loads of one zone into one THADS_HOME, in the order they arrive."""

    arrivals: zones.Arrivals
    backfill: Measured
    month: Measured | None = None
    correction: Measured | None = None
    nothing_new: Measured | None = None
    #: cProfile of the month replayed on a copy of the warehouse before it (full cycles).
    month_profile: str = ""
    #: The correction again (or, in a zone without one, the month) through `thads watch`.
    watched: WatchedFix | None = None


def trust_mtime_args() -> list[str]:
    """Generated files carry their arrival time in their mtime. Where `thads load` takes the
    first-seen time instead (contract 6.1) it offers --trust-mtime for such a replay."""
    from thads.commands import load

    parser = argparse.ArgumentParser()
    load.add_arguments(parser)
    return ["--trust-mtime"] if "--trust-mtime" in parser.format_help() else []


def future_clock(years: range) -> list[str] | None:
    """A wrapper that runs `thads load` on 1 December after the zone's last year, or None.

    Contract 6.1: a file arrives when the warehouse first sees it and a period that has not
    closed yet is refused, so a history reaching past today (2019-2038) can only be replayed
    with the clock moved past it. libfaketime (`faketime`, Debian package faketime) moves
    the clock of the load and its dbt process; durations are measured here, unfaked."""
    if shutil.which("faketime") is None:
        return None
    return ["faketime", "-f", f"@{years.stop}-12-01 00:00:00"]


def run_cycle(
    zone: Path,
    work: Path,
    month: bool = True,
    full: bool = False,
    wrapper: Sequence[str] = (),
    years: range | None = None,
) -> Cycle:
    """The backfill, then (if `month`) the month, then (if `full`) the correction and a load
    of nothing; each `thads load` behind `wrapper` (future_clock) if given."""
    shutil.rmtree(work, ignore_errors=True)
    home, landing = work / "home", work / "landing"
    arrivals = zones.split(zone, years)
    extra = trust_mtime_args()
    arrivals.land(arrivals.backfill, landing)
    backfill = thads_load(landing, home, *extra, wrapper=wrapper)
    cycle = Cycle(arrivals, backfill)
    if full:
        profile_load.copy_home(home, work / "home-before-month")
    if month:
        arrivals.land(arrivals.month, landing)
        cycle.month = thads_load(landing, home, *extra, wrapper=wrapper)
    if full:
        # bench.watch_cycle uses bench_feedback, which imports this module: import here.
        from bench import watch_cycle

        if arrivals.correction:
            before_correction = profile_load.copy_home(home, work / "home-before-correction")
            arrivals.land(arrivals.correction, landing)
            cycle.correction = thads_load(landing, home, *extra)
            # The same correction through the warm path: a long-lived `thads watch`.
            cycle.watched = watch_cycle.arrival_through_watch(
                arrivals,
                arrivals.correction,
                arrivals.backfill + arrivals.month,
                before_correction,
                work / "watch",
            )
        else:  # a zone without a resubmission (the smoke run): the month through the watcher
            cycle.watched = watch_cycle.arrival_through_watch(
                arrivals,
                arrivals.month,
                arrivals.backfill,
                work / "home-before-month",
                work / "watch",
                warm=False,
            )
        cycle.nothing_new = thads_load(landing, home, *extra)
        # The month again, under cProfile, on the warehouse as it was before the month.
        replay = work / "landing-month"
        arrivals.land(arrivals.backfill + arrivals.month, replay)
        output = work / "month.prof"
        try:
            replayed = profile_load.profiled_load(
                replay, work / "home-before-month", output, *extra
            )
            summary = profile_load.summarise(output)
            cycle.month_profile = profile_load.format_summary(summary, replayed.wall)
        except RuntimeError as exc:  # the profile explains; it must not cost the timings
            cycle.month_profile = "cProfile replay failed: " + str(exc).splitlines()[-1][:200]
    return cycle


#: What every `thads` process pays before any data: measured in fresh interpreters.
IMPORTS = {
    "python": "pass",
    "pandas": "import pandas",
    "Great Expectations": "from expectations.gx_run import import_gx; import_gx()",
}


def import_costs(repeat: int = 3) -> str:
    """Median wall and CPU of each import in a fresh process (what bytecode changes)."""
    parts = []
    for name, code in IMPORTS.items():
        runs = [run_measured([sys.executable, "-c", code]) for _ in range(repeat)]
        wall = statistics.median(m.wall for m in runs)
        cpu = statistics.median(m.cpu for m in runs)
        parts.append(f"{name} {wall:.2f} s ({cpu:.2f} s CPU)")
    return ", ".join(parts)


def loaded(measured: Measured) -> str:
    commit = measured.result["commit"]
    return (
        f"{measured.result['n_files']} files, {commit['n_loaded']} loaded, "
        f"{commit['n_quarantined']} quarantined"
    )


def cost(measured: Measured) -> str:
    return f"{measured.wall:.1f} s wall ({measured.cpu:.1f} s CPU), {measured.memory()}"


def run(setup: Setup, out: Path, quick: bool) -> tuple[list[str], list[str], Cycle]:
    """The cycle's scenarios and baselines; returns (RESULTS.md rows, goal rows, cycle)."""
    zone = zones.generated(out / "zone", setup.years, provinces=setup.provinces)
    cycle = run_cycle(zone, out / "run", full=True, years=setup.years)
    assert cycle.month is not None
    paths = Paths.from_env(out / "run" / "home")
    floor = baselines.floor(out / "run" / "landing", paths)
    n_backfill = (
        cycle.backfill.result["commit"]["n_loaded"]
        + cycle.backfill.result["commit"]["n_quarantined"]
    )
    naive = baselines.naive(out / "run" / "landing", n_backfill, setup.naive_sample)
    backfill, month = cycle.backfill, cycle.month
    load = os.getloadavg()[0]
    stamp = f"load avg {load:.1f} on {os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M')}"
    rows = [
        f"| {PREFIX} full backfill {setup.label} ({loaded(backfill)}) "
        f"| floor {floor.seconds:.2f} s (calamine read of {floor.n_files} files "
        f"{floor.read_seconds:.2f} s + one DuckDB ranking {1000 * floor.rank_seconds:.0f} ms, "
        f"same ranks on {floor.agreeing_rows}/{floor.ranked_rows} rows); naive "
        f"{naive.extrapolated:,.0f} s ({naive.per_submission:.2f} s per submission on "
        f"{naive.sample} spread workbooks + GX import {naive.gx_import:.1f} s) "
        f"| {cost(backfill)} | {naive.extrapolated / backfill.wall:,.0f}x naive, "
        f"{backfill.wall / floor.seconds:.1f}x floor | {format_steps(step_seconds(backfill))}; "
        f"{stamp} |",
        f"| {PREFIX} monthly load {cycle.arrivals.last_period} on the full warehouse "
        f"({loaded(month)}) | - | {cost(month)} | - | {format_steps(step_seconds(month))}; "
        f"{cycle.month_profile} |",
    ]
    goals = [
        goal("full backfill end to end", "< 15 s", backfill.wall, 15.0),
        goal_ratio("full backfill vs the naive way", naive.extrapolated / backfill.wall, 100),
        goal("monthly load", "< 6 s", month.wall, 6.0),
    ]
    if cycle.correction is not None:
        fix = cycle.correction
        rows.append(
            f"| {PREFIX} one resubmission {cycle.arrivals.correction_key}, landing to new "
            f"ranking published ({loaded(fix)}) | - | {cost(fix)} | - "
            f"| {format_steps(step_seconds(fix))} |"
        )
        goals.append(goal("one resubmission, landing to ranking published", "< 4 s", fix.wall, 4))
    if cycle.watched is not None:
        watched = cycle.watched
        if cycle.correction is not None:
            what = f"one resubmission {cycle.arrivals.correction_key} (warm)"
            baseline = f"`thads load`: {cycle.correction.wall:.1f} s"
            ratio = f"{cycle.correction.wall / watched.ranking_published:.2f}x"
        else:
            what, baseline, ratio = f"the month {cycle.arrivals.last_period}", "-", "-"
        rows.append(
            f"| {PREFIX} {what} through `thads watch`, landing to new ranking "
            f"published | {baseline} | {watched.ranking_published:.1f} s | {ratio} "
            f"| {watched.describe()}; {stamp} |"
        )
        if cycle.correction is not None:
            goals.append(
                goal(
                    "one resubmission through `thads watch`, landing to ranking published",
                    "< 4 s",
                    watched.ranking_published,
                    4,
                )
            )
    if cycle.nothing_new is not None:
        idle = cycle.nothing_new
        rows.append(
            f"| {PREFIX} load with nothing new (fixed cost) | - | {cost(idle)} | - "
            f"| {format_steps(step_seconds(idle))} |"
        )
    rows.append(
        f"| {PREFIX} fixed cost of a fresh process (interpreter, then imports) | - "
        f"| {import_costs(1 if quick else 3)} | - | median of fresh `python -c` runs; "
        f"bytecode compiled by `make venv` |"
    )
    return rows, goals, cycle


def growth_rows(setup: Setup, out: Path, base: Cycle, goals: list[str]) -> list[str]:
    """Scale and history: the same backfill and month, bigger; ratios to the base cycle."""
    rows = []
    scaled_zone = zones.generated(
        out / f"zone-scale{setup.scale}", setup.years, setup.scale, setup.provinces
    )
    scaled = run_cycle(scaled_zone, out / "run-scale", setup.growth_month, years=setup.years)
    runs = [(f"--scale {setup.scale}", scaled)]
    clock = future_clock(setup.history)
    if clock is None:
        rows.append(
            f"| {GROWTH_PREFIX} {len(setup.history)}-year history | - | not measured | - | its "
            f"periods after today can only load with the clock moved past them: install "
            f"faketime (Debian package) |"
        )
    else:
        zone = zones.generated(out / "zone-history", setup.history, 1, setup.provinces)
        name = f"{len(setup.history)}-year history (clock {clock[-1][1:11]})"
        try:
            history = run_cycle(
                zone, out / "run-history", setup.growth_month, wrapper=clock, years=setup.history
            )
            runs.append((name, history))
        except RuntimeError as exc:  # a failed load is a result too: say what failed
            reason = " ".join(str(exc).split())[-400:].replace("|", "/")
            rows.append(f"| {GROWTH_PREFIX} {name} | - | failed | - | {reason} |")
    for name, grown in runs:
        for step, ours, ref in (
            ("backfill", grown.backfill, base.backfill),
            ("monthly load", grown.month, base.month),
        ):
            if ours is None or ref is None:
                continue
            rows.append(
                f"| {GROWTH_PREFIX} {name}: {step} ({loaded(ours)}) "
                f"| {cost(ref)} ({len(setup.years)} years, scale 1: {loaded(ref)}) "
                f"| {cost(ours)} | {ours.wall / ref.wall:.2f}x time, "
                f"{ours.peak_pss / max(ref.peak_pss, 1):.2f}x memory (PSS) "
                f"| {format_steps(step_seconds(ours))}; at the PSS peak: {ours.where_peak()} |"
            )
    ratio = scaled.backfill.wall / base.backfill.wall
    goals.append(
        f"| {GROWTH_GOAL_PREFIX} --scale {setup.scale} backfill time vs scale 1 | <= 3x "
        f"| {ratio:.2f}x "
        f"| {'yes' if ratio <= 3 else 'no'} |"
    )
    grown = [m for m in (scaled.backfill, scaled.month) if m is not None]
    peak = max(m.peak_pss for m in grown) / GIB
    rss = max(m.peak_rss for m in grown) / GIB
    goals.append(
        f"| {GROWTH_GOAL_PREFIX} --scale {setup.scale} peak memory (process tree) | < 1,5 GiB "
        f"| {peak:.2f} GiB PSS ({rss:.2f} GiB RSS summed) | {'yes' if peak < 1.5 else 'no'} |"
    )
    return rows


def goal(name: str, target: str, seconds: float, limit: float) -> str:
    met = "yes" if seconds < limit else "no"
    return f"| {GOAL_PREFIX} {name} | {target} | {seconds:.1f} s | {met} |"


def goal_ratio(name: str, ratio: float, at_least: float) -> str:
    met = "yes" if ratio >= at_least else "no"
    return f"| {GOAL_PREFIX} {name} | >= {at_least:.0f}x | {ratio:,.0f}x | {met} |"


def write_results(rows: list[str], results: Path = RESULTS) -> None:
    """Each prefix's rows replace that prefix's rows; a prefix with no new rows (growth
    under --skip-growth) keeps its last ones."""
    tables = (
        (PREFIX, HEADER),
        (GROWTH_PREFIX, HEADER),
        (GOAL_PREFIX, GOALS_HEADER),
        (GROWTH_GOAL_PREFIX, GOALS_HEADER),
    )
    for prefix, header in tables:
        mine = [row for row in rows if row.startswith(f"| {prefix}")]
        if mine:
            replace_rows(prefix, mine, results, header=header)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run, writes nothing")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    parser.add_argument("--out", type=Path, help="work folder (default bench/out/cycle)")
    parser.add_argument("--skip-growth", action="store_true", help="no scale / history runs")
    args = parser.parse_args(argv)
    setup = QUICK if args.quick else FULL
    out = args.out or default_out(args.quick)
    write = not (args.no_write or args.quick)

    def emit(lines: list[str]) -> None:
        # Written as each part ends: a long growth run never loses the cycle's rows.
        print("\n".join(lines), flush=True)
        if write:
            write_results(lines)
            print(f"updated {RESULTS}", flush=True)

    rows, goals, cycle = run(setup, out, quick=args.quick)
    emit(rows + goals)
    if not args.skip_growth:
        growth_goals: list[str] = []
        growth = growth_rows(setup, out, cycle, growth_goals)
        emit(growth + growth_goals)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
