"""The whole landing zone: every province, every cumulative month, every format.

`generate_landing_zone(out, years, seed, ...)`:

1. plans every province-year at province level (`plan.make_plans`, parent process);
2. per current province (34 units of work, spread over processes) simulates the offices
   of its former provinces from 2019 (`simulate`), emits the reports of the selected
   years — 63 legacy provinces through the 8-month report of 2025, then the merged province
   (whose 9-12-month reports of 2025 are the sums of its former offices) — in a format and
   style the province habitually uses, with a defect now and then (`defects`);
3. writes `targets_<year>.csv` and `manifest.json`.

`lateness` (`thads generate --lateness P`) moves a share P of the reports past their
deadline (file times, contract 6.1), a quarter of those never to arrive; the others arrive
by their deadline.

`manifest.json`: {"seed", "years", "provinces", "scale", "defects", "lateness", "counts",
"targets": [file names], "submissions": [one entry per submission], "withheld": [reports
never sent: submission_key, province_code, statistical_year, months, boundary]}; an entry has
`submission_key, files, format, province_code, statistical_year, months, boundary,
revision, arrival_time (UTC ISO), n_offices, expected_outcome ("loaded"|"quarantined"),
defect (null or {kind, sheet, row, column, detail, expected_outcome}), resubmission_of
(null or the key it corrects), seed (null or "seed 002"), layout (style used), totals
({"cases": {key: value}, "money": {...}}: the true figures of the period)`.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from thads import reference
from thads.contract import MEASURES, MERGER_FIRST_MONTHS, MERGER_YEAR, submission_filename
from thads.generate import csv_writer, json_writer, xlsx_writer
from thads.generate.arrival import (
    arrival_time,
    arrival_with_lateness,
    resubmission_time,
    set_mtime,
)
from thads.generate.defects import Rendered, pick_kind, plant
from thads.generate.model import Report, allocate, jitter, office_weights
from thads.generate.offices import members, merger_map, office_names, province_title
from thads.generate.plan import FIRST_YEAR, YearPlan, make_plans, steer_anchor
from thads.generate.seeds import PINS
from thads.generate.simulate import (
    ZERO,
    Anchor,
    Shares,
    Tuple14,
    add,
    curve,
    share_anchors,
    to_dict,
    trajectory,
)
from thads.generate.styles import (
    CsvStyle,
    XlsxStyle,
    random_csv_style,
    random_total_label,
    random_xlsx_style,
    render_csv_sheet,
    render_xlsx_sheet,
)
from thads.generate.targets import write_targets

FORMATS = ("xlsx", "csv", "json")
FORMAT_WEIGHTS = (72, 16, 12)
#: Share of defective submissions followed by a corrected `_r2`.
RESUBMIT_SHARE = 0.6
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Options:
    out: Path
    years: tuple[int, ...]
    seed: int = 0
    provinces: frozenset[str] | None = None  # None: all
    scale: int = 1
    defects: float = 0.0
    lateness: float = 0.0

    def wants(self, code: str) -> bool:
        return self.provinces is None or code in self.provinces


@dataclass
class Summary:
    out: Path
    submissions: int = 0
    xlsx: int = 0
    csv: int = 0
    json: int = 0
    defective: int = 0
    resubmissions: int = 0
    files: int = 0
    seconds: float = 0.0
    entries: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def line(self) -> str:
        return (
            f"generated {self.submissions} submissions ({self.xlsx} xlsx, {self.csv} csv pairs, "
            f"{self.json} json), {self.defective} with defects, in {self.seconds:.1f} s "
            f"-> {self.out}"
        )


# --- Emitting one submission ---------------------------------------------------------------


def _habits(opts: Options, code: str, boundary: int) -> tuple[str, CsvStyle, str]:
    """What a province always does: its usual format, CSV dialect, total-row label."""
    rng = random.Random(f"{opts.seed}:habit:{boundary}:{code}")
    return (
        rng.choices(FORMATS, weights=FORMAT_WEIGHTS)[0],
        random_csv_style(rng),
        random_total_label(rng),
    )


def _xlsx_template(opts: Options, code: str, boundary: int, year: int) -> XlsxStyle:
    """Offices keep one workbook template per year, and change it between years."""
    return random_xlsx_style(random.Random(f"{opts.seed}:style:{boundary}:{code}:{year}"))


def _render(report: Report, fmt: str, xstyle: XlsxStyle, cstyle: CsvStyle) -> Rendered:
    r = Rendered(fmt, report.province_code, report.boundary)
    if fmt == "xlsx":
        r.sheets = [render_xlsx_sheet(report, m, xstyle) for m in MEASURES]
    elif fmt == "csv":
        r.csv_style = cstyle
        r.sheets = [
            render_csv_sheet(report, m, cstyle, report.filename("csv", m)) for m in MEASURES
        ]
    else:
        r.payload = json_writer.to_payload(report)
    return r


def _write(r: Rendered, out: Path, code: str, report: Report) -> list[Path]:
    def name(measure: str | None = None) -> str:
        return submission_filename(
            code, report.statistical_year, report.months, r.fmt, report.revision, measure
        )

    if r.fmt == "xlsx":
        return [xlsx_writer.write_sheets(r.sheets, out / name(), report.submitted_at)]
    if r.fmt == "json":
        return [json_writer.write_payload(r.payload or {}, out / name())]
    style = r.csv_style or CsvStyle()
    by_measure = {m: s for m, s in zip(MEASURES, r.sheets, strict=True)}
    return [csv_writer.write_sheet(by_measure[m], out / name(m), style) for m in MEASURES]


def _layout(fmt: str, xstyle: XlsxStyle, cstyle: CsvStyle) -> dict[str, Any]:
    if fmt == "xlsx":
        d = asdict(xstyle)
        d["preamble"] = len(xstyle.preamble)
        return d
    if fmt == "csv":
        return asdict(cstyle)
    return {}


def emit(
    opts: Options,
    code: str,
    boundary: int,
    year: int,
    months: int,
    offices: Sequence[str],
    rows: dict[str, Sequence[Tuple14]],
    seed_source: str | None = None,
) -> list[dict[str, Any]]:
    """Write one period's submission (and maybe a corrected `_r2`); return manifest entries."""
    rng = random.Random(f"{opts.seed}:sub:{boundary}:{code}:{year}:{months}")
    usual, cstyle, total_label = _habits(opts, code, boundary)
    fmt = usual if rng.random() < 0.85 else rng.choices(FORMATS, weights=FORMAT_WEIGHTS)[0]
    xstyle = _xlsx_template(opts, code, boundary, year)
    if rng.random() < 0.15:  # somebody used another template this month
        xstyle = random_xlsx_style(rng)
    report = Report(
        province_code=code,
        statistical_year=year,
        months=months,
        offices=list(offices),
        cases=[to_dict(r) for r in rows["cases"]],
        money=[to_dict(r) for r in rows["money"]],
        province_name=province_title(code, boundary),
        total_label="Tổng cộng" if fmt == "json" else total_label,
        submitted_at=arrival_time(year, months, rng),
        boundary=boundary,
    )
    if opts.lateness:
        # its own random stream: the same seed gives the same reports with or without lateness
        late_rng = random.Random(f"{opts.seed}:late:{boundary}:{code}:{year}:{months}")
        report.submitted_at = arrival_with_lateness(year, months, late_rng, opts.lateness)
        if report.submitted_at is None:
            key = submission_filename(code, year, months, "x")[: -len(".x")]
            return [_withheld(key, code, boundary, year, months)]
    totals = {m: report.total(m) for m in MEASURES}
    defective = rng.random() < opts.defects
    rendered = _render(report, fmt, xstyle, cstyle)
    defect = plant(rendered, pick_kind(fmt, rng), rng) if defective else None
    file_code = code
    if defect and defect["kind"] == "unknown_province_code":
        file_code = defect["code"]
    paths = _write(rendered, opts.out, file_code, report)
    set_mtime(paths, report.submitted_at)  # type: ignore[arg-type]
    base = {
        "format": fmt,
        "statistical_year": year,
        "months": months,
        "boundary": boundary,
        "n_offices": len(offices),
        "seed": seed_source,
        "layout": _layout(fmt, xstyle, cstyle),
        "totals": totals,
    }
    first_key = submission_filename(file_code, year, months, "x")[: -len(".x")]
    entries = [
        {
            "submission_key": first_key,
            "files": [p.name for p in paths],
            "province_code": file_code,
            "revision": 1,
            "arrival_time": _utc(report.submitted_at),
            "expected_outcome": "quarantined" if defect else "loaded",
            "defect": defect and {**defect, "file": _defect_file(defect, paths)},
            "resubmission_of": None,
            **base,
        }
    ]
    if defect and rng.random() < RESUBMIT_SHARE:
        report.revision = 2
        report.submitted_at = resubmission_time(report.submitted_at, rng)  # type: ignore[arg-type]
        paths = _write(_render(report, fmt, xstyle, cstyle), opts.out, code, report)
        set_mtime(paths, report.submitted_at)
        entries.append(
            {
                "submission_key": report.submission_key,
                "files": [p.name for p in paths],
                "province_code": code,
                "revision": 2,
                "arrival_time": _utc(report.submitted_at),
                "expected_outcome": "loaded",
                "defect": None,
                "resubmission_of": first_key,
                **base,
            }
        )
    return entries


def _withheld(key: str, code: str, boundary: int, year: int, months: int) -> dict[str, Any]:
    """A report `--lateness` kept from ever arriving: listed in the manifest, no file."""
    return {
        "submission_key": key,
        "withheld": True,
        "province_code": code,
        "statistical_year": year,
        "months": months,
        "boundary": boundary,
    }


def _defect_file(defect: dict[str, Any], paths: Sequence[Path]) -> str:
    """The file holding the defect: for a CSV pair, the one its sheet names."""
    names = [p.name for p in paths]
    return defect["sheet"] if defect.get("sheet") in names else names[0]


def _utc(when: datetime | None) -> str:
    return (when or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


# --- Simulating the offices of one current province ----------------------------------------


def _office_pins(code: str, offices: Sequence[str]) -> dict[int, dict[int, Any]]:
    """year -> {office index: pin} for seed figures of single offices (seed 001)."""
    out: dict[int, dict[int, Any]] = {}
    for pin in PINS:
        if pin.office is None or pin.province_code != code or pin.office not in offices:
            continue
        out.setdefault(pin.statistical_year, {})[offices.index(pin.office)] = pin
    return out


def simulate_year(
    seed: int,
    plan: YearPlan,
    carried: dict[str, list[int]],
    weights: Sequence[float],
    pinned: dict[str, dict[int, list[Anchor]]],
) -> dict[str, list[list[Tuple14]]]:
    """Twelve cumulative rows per office and measure for one province-year."""
    rng = random.Random(f"{seed}:offices:{plan.boundary}:{plan.code}:{plan.year}")
    out: dict[str, list[list[Tuple14]]] = {}
    for measure in MEASURES:
        anchors = share_anchors(
            carried[measure], plan.anchors[measure], weights, rng, pinned.get(measure)
        )
        out[measure] = [
            trajectory(c, a, Shares.draw(measure, rng), curve(rng), curve(rng, rising=0.6))
            for c, a in zip(carried[measure], anchors, strict=True)
        ]
    return out


def _carry(traj: dict[str, list[list[Tuple14]]]) -> dict[str, list[int]]:
    """Next year's carried_over per office: must_enforce − completed − terminated at month 12."""
    return {m: [rows[11][5] - rows[11][8] - rows[11][9] for rows in traj[m]] for m in MEASURES}


def _month_rows(traj: dict[str, list[list[Tuple14]]], months: int) -> dict[str, list[Tuple14]]:
    return {m: [rows[months - 1] for rows in traj[m]] for m in MEASURES}


def _legacy_province(
    opts: Options, code: str, plans: dict[tuple[int, str, int], YearPlan], last: int
) -> tuple[list[dict[str, Any]], list[str], dict[str, list[list[Tuple14]]] | None]:
    """Simulate one legacy province 2019..min(last, 2025); emit its selected reports."""
    boundary = reference.LEGACY
    offices = office_names(code, boundary, scale=opts.scale)
    wrng = random.Random(f"{opts.seed}:weights:{boundary}:{code}")
    weights = office_weights(len(offices), wrng)
    office_pins = _office_pins(code, offices)
    entries: list[dict[str, Any]] = []
    carried: dict[str, list[int]] = {}
    traj = None
    for year in range(FIRST_YEAR, min(last, MERGER_YEAR) + 1):
        plan = plans[(boundary, code, year)]
        if not carried:
            carried = {m: allocate(plan.carried[m], jitter(weights, wrng, 0.2)) for m in MEASURES}
        pinned = _pinned_offices(office_pins, year, carried, plan, wrng)
        traj = simulate_year(opts.seed, plan, carried, weights, pinned)
        if year in opts.years and opts.wants(code):
            last_month = MERGER_FIRST_MONTHS - 1 if year == MERGER_YEAR else 12
            for months in range(1, last_month + 1):
                source = None
                if plan.pin is not None and plan.pin.months == months:
                    source = plan.pin.source
                for pin in office_pins.get(year, {}).values():
                    source = source or (pin.source if pin.months == months else None)
                entries += emit(
                    opts, code, boundary, year, months, offices, _month_rows(traj, months), source
                )
        carried = _carry(traj)
    return entries, offices, traj


def _pinned_offices(
    office_pins: dict[int, dict[int, Any]],
    year: int,
    carried: dict[str, list[int]],
    plan: YearPlan,
    rng: random.Random,
) -> dict[str, dict[int, list[Anchor]]]:
    """Anchors of offices with a seed figure this year, or steered towards one next year."""
    pinned: dict[str, dict[int, list[Anchor]]] = {m: {} for m in MEASURES}
    if len(plan.anchors["cases"]) != 1:  # a province pin already fixes this year
        return pinned
    for idx, pin in office_pins.get(year, {}).items():
        for m in MEASURES:
            must, with_cond, done = pin.figures(m)
            if carried[m][idx] > must:
                raise ValueError(f"{pin.source}: office {pin.office} carries more than its seed")
            pinned[m][idx] = [(12, must, with_cond, done)]
    for idx, pin in office_pins.get(year + 1, {}).items():
        for m in MEASURES:
            must, with_cond, done = pin.figures(m)
            target = must - round(done * rng.uniform(0.85, 1.0))
            pinned[m][idx] = [
                steer_anchor(carried[m][idx], target, with_cond / must, done / with_cond, done)
            ]
    return pinned


def run_unit(opts: Options, current: str, plans: dict[tuple[int, str, int], YearPlan]) -> list:
    """All reports of one current province's territory: its former provinces, then itself."""
    last = max(opts.years)
    entries: list[dict[str, Any]] = []
    legacy: dict[str, tuple[list[str], dict[str, list[list[Tuple14]]] | None]] = {}
    for old in members()[current]:
        got, offices, traj = _legacy_province(opts, old, plans, last)
        entries += got
        legacy[old] = (offices, traj)
    if last < MERGER_YEAR:
        return entries
    boundary = reference.CURRENT
    offices = office_names(current, boundary, scale=opts.scale)
    mapping = merger_map(current, scale=opts.scale)
    merged: dict[str, list[list[Tuple14]]] = {m: [[ZERO] * 12 for _ in offices] for m in MEASURES}
    for old, (_, traj) in legacy.items():
        assert traj is not None
        for m in MEASURES:
            for i, rows in enumerate(traj[m]):
                target = merged[m][mapping[(old, i)]]
                for k in range(12):
                    target[k] = add(target[k], rows[k])
    if MERGER_YEAR in opts.years and opts.wants(current):
        for months in range(MERGER_FIRST_MONTHS, 13):
            entries += emit(
                opts, current, boundary, MERGER_YEAR, months, offices, _month_rows(merged, months)
            )
    carried = _carry(merged)
    wrng = random.Random(f"{opts.seed}:weights:{boundary}:{current}")
    weights = jitter([max(c, 1) for c in carried["cases"]], wrng, 0.15)
    for year in range(MERGER_YEAR + 1, last + 1):
        traj = simulate_year(opts.seed, plans[(boundary, current, year)], carried, weights, {})
        if year in opts.years and opts.wants(current):
            for months in range(1, 13):
                entries += emit(
                    opts, current, boundary, year, months, offices, _month_rows(traj, months)
                )
        carried = _carry(traj)
    return entries


# --- Orchestration -------------------------------------------------------------------------

_STATE: dict[str, Any] = {}


def _work(current: str) -> list[dict[str, Any]]:
    return run_unit(_STATE["opts"], current, _STATE["plans"])


def units_for(opts: Options) -> list[str]:
    """Current provinces whose territory holds something selected, biggest first."""
    units = [
        code
        for code, olds in members().items()
        if opts.wants(code) or any(opts.wants(o) for o in olds)
    ]
    size = {
        code: sum(len(office_names(o, reference.LEGACY)) for o in members()[code]) for code in units
    }
    return sorted(units, key=lambda c: (-size[c], c))


def clear_previous(out: Path) -> int:
    """Remove files an earlier run generated in `out` (contract names only), so the landing
    zone holds exactly one run."""
    removed = 0
    for path in out.iterdir():
        name = path.name
        if path.is_file() and (
            name.startswith("THADS_") or name.startswith("targets_") or name == MANIFEST
        ):
            path.unlink()
            removed += 1
    return removed


def generate_landing_zone(
    out: str | Path,
    years: Iterable[int] = range(2019, 2026),
    seed: int = 0,
    provinces: Iterable[str] | None = None,
    scale: int = 1,
    defects: float = 0.0,
    processes: int | None = None,
    quiet: bool = True,
    lateness: float = 0.0,
) -> Summary:
    """Write a landing zone into `out` (see the module docstring); deterministic per seed."""
    from thads.progress import track

    started = time.perf_counter()
    year_list = tuple(sorted(set(years)))
    if not year_list or year_list[0] < FIRST_YEAR:
        raise ValueError(f"years must start at {FIRST_YEAR} or later, got {year_list}")
    if not 0.0 <= defects <= 1.0:
        raise ValueError(f"--defects is a share between 0 and 1, got {defects}")
    if not 0.0 <= lateness <= 1.0:
        raise ValueError(f"--lateness is a share between 0 and 1, got {lateness}")
    if scale < 1:
        raise ValueError(f"--scale must be at least 1, got {scale}")
    selected = frozenset(provinces) if provinces is not None else None
    if selected is not None:
        known = reference.valid_codes(reference.LEGACY) | reference.valid_codes(reference.CURRENT)
        unknown = sorted(selected - known)
        if unknown:
            raise ValueError(f"unknown province codes {unknown}")
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    clear_previous(out_dir)
    opts = Options(out_dir, year_list, seed, selected, scale, defects, lateness)
    plans = make_plans(seed, year_list[-1])
    units = units_for(opts)
    processes = processes or os.cpu_count() or 1
    _STATE.update(opts=opts, plans=plans)
    results: list[list[dict[str, Any]]] = []
    try:
        if processes <= 1 or len(units) <= 1:
            for unit in track(units, "generating", total=len(units), quiet=quiet):
                results.append(_work(unit))
        else:
            ctx = multiprocessing.get_context("fork")  # workers inherit the plans
            with ctx.Pool(min(processes, len(units))) as pool:
                for got in track(
                    pool.imap_unordered(_work, units), "generating", len(units), quiet
                ):
                    results.append(got)
    finally:
        _STATE.clear()
    everything = sorted(
        (e for got in results for e in got),
        key=lambda e: (e["statistical_year"], e["months"], e["boundary"], e["submission_key"]),
    )
    entries = [e for e in everything if not e.get("withheld")]
    withheld = [e for e in everything if e.get("withheld")]
    targets = [write_targets(out_dir, y, seed, selected).name for y in year_list]
    summary = Summary(out=out_dir, entries=entries)
    for e in entries:
        summary.submissions += 1
        setattr(summary, e["format"], getattr(summary, e["format"]) + 1)
        summary.defective += e["defect"] is not None
        summary.resubmissions += e["resubmission_of"] is not None
        summary.files += len(e["files"])
    summary.seconds = time.perf_counter() - started
    manifest = {
        "generator": "thads generate",
        "seed": seed,
        "years": list(year_list),
        "provinces": sorted(selected) if selected is not None else None,
        "scale": scale,
        "defects": defects,
        "lateness": lateness,
        "counts": {
            "submissions": summary.submissions,
            "xlsx": summary.xlsx,
            "csv_pairs": summary.csv,
            "json": summary.json,
            "defective": summary.defective,
            "resubmissions": summary.resubmissions,
            "files": summary.files,
        },
        "targets": targets,
        "submissions": entries,
        "withheld": withheld,
    }
    (out_dir / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    summary.seconds = time.perf_counter() - started
    return summary
