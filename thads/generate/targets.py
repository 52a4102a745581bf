"""Targets files: `targets_<year>.csv`, set by the national body around the national targets."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from pathlib import Path

from thads import reference
from thads.contract import MERGER_YEAR, period_start
from thads.generate.arrival import set_mtime
from thads.generate.json_writer import VIETNAM
from thads.generate.seeds import SEED_TARGETS, national_target


def _round_to(value: float, step: float = 0.05) -> float:
    return round(round(value / step) * step, 2)


def province_target(seed: int, boundary: int, code: str, year: int) -> tuple[float, float]:
    """(cases %, money %) for one province: the national target plus a province offset."""
    if boundary == reference.LEGACY and (code, year) in SEED_TARGETS:
        return SEED_TARGETS[(code, year)]
    rng = random.Random(f"{seed}:target:{boundary}:{code}:{year}")
    cases, money = national_target(year)
    return (
        _round_to(min(max(cases + rng.gauss(0, 1.2), 70.0), 93.0)),
        _round_to(min(max(money + rng.gauss(0, 4.5), 25.0), 80.0)),
    )


def boundaries_of_year(year: int) -> tuple[int, ...]:
    if year < MERGER_YEAR:
        return (reference.LEGACY,)
    if year == MERGER_YEAR:
        return (reference.LEGACY, reference.CURRENT)
    return (reference.CURRENT,)


def write_targets(
    directory: Path, year: int, seed: int, selected: Iterable[str] | None = None
) -> Path:
    """Write `targets_<year>.csv`; the year of the merger gets a `boundary` column. Every
    province of the year's set(s) gets a target, whichever provinces `selected` reports:
    the national body sets them all, and a targets file that leaves one out is refused
    (`targets.missing_province`)."""
    del selected  # kept for callers: a landing zone of a few provinces has the full file
    sets = boundaries_of_year(year)
    header = ["province_code", "case_target_pct", "money_target_pct"]
    if len(sets) > 1:
        header.append("boundary")
    path = directory / f"targets_{year}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for boundary in sets:
            for province in reference.provinces(boundary):
                cases, money = province_target(seed, boundary, province.code, year)
                row: list[object] = [province.code, f"{cases:.2f}", f"{money:.2f}"]
                if len(sets) > 1:
                    row.append(boundary)
                writer.writerow(row)
    # Targets are set early in the statistical year; a fixed time keeps runs identical.
    issued = datetime.combine(period_start(year) + timedelta(days=20), time(9, 0), VIETNAM)
    set_mtime([path], issued)
    return path
