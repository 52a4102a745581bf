"""Landing zones for the cycle scenarios, cut from one generated zone by its manifest.

A generated zone (thads.generate, manifest.json) is split into what arrives when:
- the backfill: every submission except the last period and one held-back correction;
- the month: every submission of the last period (one new month for every province);
- the correction: the latest `_r2` resubmission outside the last period (one province
  corrects one period it sent before).
Files are copied with their mtimes (the generator's arrival times) into one landing folder
in that order, as a province office's uploads would arrive.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thads.generate.landing import MANIFEST, generate_landing_zone


@dataclass(frozen=True)
class Arrivals:
    """File names of a generated zone, grouped by when they land."""

    source: Path
    backfill: tuple[str, ...]
    month: tuple[str, ...]
    correction: tuple[str, ...]
    last_period: tuple[int, int]
    correction_key: str
    n_submissions: int

    def land(self, names: tuple[str, ...], landing: Path) -> int:
        """Copy `names` (with mtimes) into `landing`; returns how many files."""
        landing.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy2(self.source / name, landing / name)
        return len(names)


def manifest(zone: Path) -> dict[str, Any]:
    return json.loads((zone / MANIFEST).read_text(encoding="utf-8"))


def split(zone: Path, years: range | None = None) -> Arrivals:
    """Cut a generated zone (only its `years`, if given) into backfill, last month and one
    correction (module doc)."""
    data = manifest(zone)
    entries = [e for e in data["submissions"] if years is None or e["statistical_year"] in years]
    last = max((e["statistical_year"], e["months"]) for e in entries)
    corrections = [
        e for e in entries if e["resubmission_of"] and (e["statistical_year"], e["months"]) != last
    ]
    correction = max(corrections, key=lambda e: e["arrival_time"]) if corrections else None
    targets = [t for t in data["targets"] if years is None or int(t[8:12]) in years]
    month, backfill = [], targets
    for e in entries:
        if e is correction:
            continue
        bucket = month if (e["statistical_year"], e["months"]) == last else backfill
        bucket.extend(e["files"])
    return Arrivals(
        source=zone,
        backfill=tuple(backfill),
        month=tuple(month),
        correction=tuple(correction["files"]) if correction else (),
        last_period=last,
        correction_key=correction["submission_key"] if correction else "",
        n_submissions=len(entries),
    )


def generated(zone: Path, years: range, scale: int = 1, provinces: list[str] | None = None) -> Path:
    """A zone generated once (seed 0, 2 % defects) and reused while its manifest matches
    (a zone of more years serves too: `split(zone, years)` takes the years it needs)."""
    wanted = {"scale": scale, "provinces": provinces}
    if (zone / MANIFEST).exists():
        have = manifest(zone)
        if {k: have.get(k) for k in wanted} == wanted and set(years) <= set(have["years"]):
            return zone
    print(f"generating {years.start}-{years.stop - 1} scale {scale} into {zone} ...", flush=True)
    generate_landing_zone(zone, years=years, seed=0, defects=0.02, scale=scale, provinces=provinces)
    return zone
