"""A small warehouse built by the REAL dbt project, for the publish, report, export and
`thads rank` tests.

The raw layer (docs/interfaces.md) is written with tests/raw_layer_builder.py: correct
province reports for every province of each period's boundary set, the registry export, the
validation results and the targets. Then `thads.build.build` runs the real dbt project on it
and `thads.publish.publish` publishes it. Nothing downstream of the raw layer is made by
hand, so the tests see the marts users see. conftest.py builds it once per session
(`real_warehouse`); a test that changes state takes its own copy (`copy_home`).

Deliberate oddities, so tests can see them handled:
- two provinces tie on cases in every period (same completed/terminated/with_conditions);
- one province has zero money with conditions in one period (no rate, no rank, but counted
  in n_ranked: it has an accepted report);
- one province of the latest period did not report (n_ranked < n_expected);
- office names and quarantine reasons carrying HTML and spreadsheet formulas;
- a file whose name could not be parsed (no province, no period).
"""

from __future__ import annotations

import random
import shutil
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from tests import raw_layer_builder as rl
from thads import contract, reference
from thads.build import build
from thads.config import Paths
from thads.publish import publish

#: Two periods per year, and around the 2025 merger.
DEFAULT_PERIODS: tuple[tuple[int, int], ...] = (
    *((y, m) for y in range(2019, 2025) for m in (6, 12)),
    (2025, 3),
    (2025, 8),
    (2025, 9),
    (2025, 12),
)
#: A second, smaller build (conftest `small_warehouse`), around the merger.
SMALL_PERIODS: tuple[tuple[int, int], ...] = ((2024, 12), (2025, 8), (2025, 9))
HOSTILE_OFFICE = '=HYPERLINK("http://evil.example","<script>alert(1)</script> bấm & xem")'
HOSTILE_REASON = "=cmd|' /C calc'!A0 <img src=x onerror=alert(1)>"
#: Text that a spreadsheet would run as a formula, one per trigger character; these land in
#: fct_data_quality.observed of the latest period's refused file.
FORMULA_TEXTS = ("=1+1", "+1+1", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1")
SKIPPED_PROVINCE = "12"  # does not report in the latest period (a code of both sets)
ZERO_MONEY = ("14", 2024, 6)  # no money with conditions: rate null
TIED_INDEXES = (3, 4)  # the 4th and 5th province of each set tie on cases
HOSTILE_PROVINCE = "80"  # legacy Long An carries the hostile office name
UNPARSEABLE_FILE = "bao cao thang 9.xlsx"


def arrival(year: int, months: int) -> datetime:
    """Three days after the period closes (on time)."""
    end = contract.period_end(year, months)
    return datetime.combine(end, time(8), UTC) + timedelta(days=3)


def period_reports(year: int, months: int, rng: random.Random, latest: bool) -> list[rl.Report]:
    boundary = contract.boundary_for(year, months)
    codes = [p.code for p in reference.provinces(boundary)]
    if latest:
        codes.remove(SKIPPED_PROVINCE)
    reports = rl.field_of(codes, year, months, rng, arrival(year, months))
    tied = reports[TIED_INDEXES[0]].cases
    out = []
    for index, report in enumerate(reports):
        report = replace(report, n_offices=2)
        if index in TIED_INDEXES:
            report = replace(report, cases=tied)
        if (report.province_code, year, months) == ZERO_MONEY:
            report = replace(report, money=(0.0, 0.0, 0.0))
        if report.province_code == HOSTILE_PROVINCE and boundary == reference.LEGACY:
            report = replace(report, office_names=("Cục THADS tỉnh Long An", HOSTILE_OFFICE))
        out.append(report)
    return out


def refused(year: int, months: int, latest: bool) -> tuple[rl.Report, list[str]]:
    """The period's refused file (a revision 2 that failed validation) and its reasons."""
    provinces = reference.provinces(contract.boundary_for(year, months))
    bad = provinces[(year * 7 + months) % len(provinces)]
    report = rl.Report(
        bad.code, year, months, (1.0, 0.0, 2.0), (1.0, 0.0, 2.0), revision=2,
        arrival_time=arrival(year, months) + timedelta(days=1),
    )  # fmt: skip
    reason = (
        f"{report.file_name}, sheet 'Việc', row 12, column 'Có điều kiện': [error] identities: "
        "Có điều kiện ≠ Thi hành xong + Đình chỉ + ..."
    )
    return report, [reason, HOSTILE_REASON] if latest else [reason]


def quality_row(report: rl.Report, **values: object) -> dict:
    return {
        "submission_id": report.submission_id,
        "source_file": report.file_name,
        "province_code": report.province_code,
        "statistical_year": report.statistical_year,
        "months": report.months,
        "checked_at": report.arrival_time,
        **values,
    }


def write_raw_layer(paths: Paths, periods: tuple[tuple[int, int], ...], seed: int = 7) -> None:
    """The raw layer of `periods`, one batch per period, as ingest commits it."""
    rng = random.Random(seed)
    registry = rl.Registry()
    latest = max(periods)
    targets = []
    for year in sorted({y for y, _ in periods}):
        for boundary in sorted({contract.boundary_for(y, m) for y, m in periods if y == year}):
            for p in reference.provinces(boundary):
                targets.append(
                    {
                        "statistical_year": year, "province_code": p.code, "boundary": boundary,
                        "case_target_pct": round(rng.uniform(78, 86), 2),
                        "money_target_pct": round(rng.uniform(36, 52), 2),
                        "source_file": f"targets_{year}.csv", "arrival_time": arrival(year, 1),
                    }
                )  # fmt: skip
    for year, months in periods:
        batch = f"b{year}{months:02d}"
        reports = period_reports(year, months, rng, (year, months) == latest)
        rl.write_batch(paths, batch, reports)
        for report in reports:
            registry.add(report, "loaded", batch)
        bad, reasons = refused(year, months, (year, months) == latest)
        registry.add(bad, "quarantined", batch, reasons)
        planted = FORMULA_TEXTS if (year, months) == latest else FORMULA_TEXTS[:1]
        dq = [
            quality_row(
                bad, measure="cases", rule="identities", severity="error", outcome="fail",
                message=reasons[-1], observed=observed, expected="2", sheet="Việc",
                source_row=row, column_label="Có điều kiện",
            )
            for row, observed in enumerate(planted, start=12)
        ]  # fmt: skip
        warned = reports[(year + months) % len(reports)]
        dq.append(
            quality_row(
                warned, measure="cases", rule="cumulative_not_decreasing", severity="warning",
                outcome="fail", message=f"Tổng số thụ lý giảm so với báo cáo trước "
                f"({warned.file_name})", sheet="Việc", source_row=9,
                column_label="Tổng số thụ lý",
            )
        )  # fmt: skip
        dq += [
            quality_row(r, rule="identities", severity="error", outcome="pass", message="")
            for r in reports
        ]
        rl.write_data_quality(paths, batch, dq)
    registry.rows.append(
        {
            "file": UNPARSEABLE_FILE, "sha256": "0" * 64, "submission_id": None,
            "submission_key": None, "province_code": None, "statistical_year": None,
            "months": None, "revision": None, "fmt": "xlsx",
            "arrival_time": arrival(*latest), "first_seen": arrival(*latest),
            "status": "quarantined", "batch_id": f"b{latest[0]}{latest[1]:02d}",
            "reasons": '["Tên tệp không đúng quy định: THADS_<mã tỉnh>_<năm>_<tháng>"]',
        }
    )  # fmt: skip
    registry.write(paths)
    rl.write_targets(paths, targets)


def build_real_warehouse(
    home: Path, periods: tuple[tuple[int, int], ...] = DEFAULT_PERIODS, publish_it: bool = True
) -> Paths:
    """Write the raw layer of `periods` under `home`, build it with dbt, publish it."""
    paths = Paths(home)
    write_raw_layer(paths, periods)
    build(paths, docs=False)
    if publish_it:
        publish(paths)
    return paths


def copy_home(source: Paths, home: Path, publish_it: bool = False) -> Paths:
    """A home of its own holding a copy of `source`'s built warehouse and raw layer."""
    paths = Paths(home)
    install_warehouse(source, paths)
    shutil.copytree(source.raw, paths.raw)
    if publish_it:
        publish(paths)
    return paths


def install_warehouse(source: Paths, dest: Paths) -> None:
    """Put a copy of `source`'s warehouse where `dest`'s build would write it (a rebuild)."""
    dest.warehouse.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.warehouse.with_name(dest.warehouse.name + ".copy")
    shutil.copyfile(source.warehouse, tmp)
    tmp.replace(dest.warehouse)


def ranking_rows(database: Path) -> int:
    """How many rows fct_province_ranking has in `database`: tells two builds apart."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{database}' AS db (READ_ONLY)")
        return con.execute("SELECT count(*) FROM db.marts.fct_province_ranking").fetchone()[0]
    finally:
        con.close()
