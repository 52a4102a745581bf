"""Write the raw layer (docs/interfaces.md) directly, for warehouse tests and the dbt bench.

The raw layer is the documented interface between ingest and the warehouse:
`raw/report_rows/statistical_year=YYYY/<batch_id>.parquet` (tidy rows, schema
`ingest.schema.REPORT_ROW_SCHEMA`), `raw/submissions.parquet`, `raw/data_quality/*.parquet`
and `raw/targets.parquet`. This module makes CORRECT province reports with chosen totals:
office rows that follow every identity of the contract and a total row that is their sum,
so a test can say "this province completed 5.513 of 5.871 cases" and get a real report.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ingest.schema import REPORT_ROW_COLUMNS, REPORT_ROW_SCHEMA
from thads import contract
from thads.config import Paths

#: (completed, terminated, with_conditions) of one measure of one report.
Done = tuple[float, float, float]


@dataclass(frozen=True)
class Report:
    """One accepted submission: a province's report for one period, both measures."""

    province_code: str
    statistical_year: int
    months: int
    cases: Done
    money: Done  # thousands of đồng
    revision: int = 1
    arrival_time: datetime = datetime(2020, 1, 1, tzinfo=UTC)
    n_offices: int = 3
    fmt: str = "xlsx"
    #: Office names as the province wrote them (default: "Văn phòng Cục THADS", "Văn phòng 1",
    #: ...); when given, one office per name.
    office_names: tuple[str, ...] = ()

    @property
    def boundary(self) -> int:
        return contract.boundary_for(self.statistical_year, self.months)

    @property
    def file_name(self) -> str:
        return contract.submission_filename(
            self.province_code, self.statistical_year, self.months, self.fmt, self.revision
        )

    @property
    def sha256(self) -> str:
        text = f"{self.file_name}|{self.cases}|{self.money}|{self.arrival_time.isoformat()}"
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def submission_key(self) -> str:
        return contract.parse_filename(self.file_name).submission_key

    @property
    def submission_id(self) -> str:
        return f"{self.submission_key}@{self.sha256[:12]}"


def _split(value: float, weights: Sequence[float]) -> list[float]:
    """Split a whole number into len(weights) whole parts that sum to it exactly."""
    parts = [float(int(value * w)) for w in weights[:-1]]
    return [*parts, float(value - sum(parts))]


def office_figures(done: Done, n_offices: int) -> list[dict[str, float]]:
    """Office rows whose sum has exactly these (completed, terminated, with_conditions) and
    that satisfy every identity of contract.IDENTITIES on each row."""
    completed, terminated, with_conditions = done
    rest = with_conditions - completed - terminated
    if rest < 0:
        raise ValueError(f"completed + terminated > with_conditions in {done}")
    postponed, suspended, other = rest // 10, rest // 20, rest // 50
    leaves = {
        "completed": completed,
        "terminated": terminated,
        "in_progress": rest - postponed - suspended - other,
        "postponed": postponed,
        "suspended": suspended,
        "other": other,
        "without_conditions": float(int(with_conditions * 0.4)),
    }
    weights = [(i + 1) / sum(range(1, n_offices + 1)) for i in range(n_offices)]
    split = {key: _split(value, weights) for key, value in leaves.items()}
    rows = []
    for i in range(n_offices):
        row = {key: split[key][i] for key in leaves}
        row["with_conditions"] = sum(
            row[k]
            for k in ("completed", "terminated", "in_progress", "postponed", "suspended", "other")
        )
        row["must_enforce"] = row["with_conditions"] + row["without_conditions"]
        row["entrusted"] = float(int(row["must_enforce"] * 0.01))
        row["recalled"] = float(int(row["must_enforce"] * 0.005))
        row["total_received"] = row["must_enforce"] + row["entrusted"] + row["recalled"]
        row["carried_over"] = float(int(row["total_received"] * 0.55))
        row["new_received"] = row["total_received"] - row["carried_over"]
        rows.append(row)
    return rows


def report_rows(report: Report, batch_id: str) -> pd.DataFrame:
    """The tidy rows of one report: office rows then the total row ("Tổng cộng"), per measure."""
    records = []
    for measure in contract.MEASURES:
        n_offices = len(report.office_names) or report.n_offices
        offices = office_figures(getattr(report, measure), n_offices)
        total = {key: sum(o[key] for o in offices) for key in contract.NUMERIC_KEYS}
        names = list(report.office_names) or [
            f"Văn phòng {i}" if i else "Văn phòng Cục THADS" for i in range(n_offices)
        ]
        for order, (office, values, is_total) in enumerate(
            [
                *((n, o, False) for n, o in zip(names, offices, strict=True)),
                ("Tổng cộng", total, True),
            ]
        ):
            records.append(
                {
                    "submission_id": report.submission_id,
                    "province_code": report.province_code,
                    "statistical_year": report.statistical_year,
                    "months": report.months,
                    "boundary": report.boundary,
                    "revision": report.revision,
                    "measure": measure,
                    "office": office,
                    "is_total": is_total,
                    "office_order": order,
                    **{key: float(values[key]) for key in contract.NUMERIC_KEYS},
                    "source_file": report.file_name,
                    "sha256": report.sha256,
                    "sheet": contract.SHEET_NAMES[measure],
                    "source_row": 8 + order,
                    "arrival_time": report.arrival_time,
                    "batch_id": batch_id,
                }
            )
    return pd.DataFrame.from_records(records, columns=list(REPORT_ROW_COLUMNS))


def write_batch(paths: Paths, batch_id: str, reports: Iterable[Report]) -> list[Path]:
    """Commit one batch of accepted reports: one Parquet file per statistical year."""
    frames = [report_rows(r, batch_id) for r in reports]
    if not frames:
        return []
    rows = pd.concat(frames, ignore_index=True)
    written = []
    for year, part in rows.groupby("statistical_year"):
        folder = paths.report_rows / f"statistical_year={year}"
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(part, schema=REPORT_ROW_SCHEMA, preserve_index=False)
        path = folder / f"{batch_id}.parquet"
        pq.write_table(table, path)
        written.append(path)
    return written


@dataclass
class Registry:
    """The registry export (raw/submissions.parquet), one row per file seen."""

    rows: list[dict] = field(default_factory=list)

    def add(self, report: Report, status: str, batch_id: str, reasons: Sequence[str] = ()) -> None:
        self.rows.append(
            {
                "file": report.file_name,
                "sha256": report.sha256,
                "submission_id": report.submission_id,
                "submission_key": report.submission_key,
                "province_code": report.province_code,
                "statistical_year": report.statistical_year,
                "months": report.months,
                "revision": report.revision,
                "fmt": report.fmt,
                "arrival_time": report.arrival_time,
                "first_seen": report.arrival_time,
                "status": status,
                "reasons": json.dumps(list(reasons), ensure_ascii=False),
                "batch_id": batch_id,
            }
        )

    def write(self, paths: Paths) -> Path:
        paths.raw.mkdir(parents=True, exist_ok=True)
        frame = pd.DataFrame(self.rows)
        frame.to_parquet(paths.submissions_export, index=False)
        return paths.submissions_export


def write_targets(paths: Paths, rows: Sequence[dict]) -> Path:
    """raw/targets.parquet: statistical_year, province_code, [boundary,] case/money_target_pct,
    source_file, arrival_time."""
    paths.raw.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(list(rows))
    frame.to_parquet(paths.targets, index=False)
    return paths.targets


def write_data_quality(paths: Paths, batch_id: str, rows: Sequence[dict]) -> Path:
    """raw/data_quality/<batch_id>.parquet (docs/interfaces.md "Validation results")."""
    paths.data_quality.mkdir(parents=True, exist_ok=True)
    columns = [
        "submission_id", "source_file", "province_code", "statistical_year", "months",
        "measure", "rule", "severity", "outcome", "message", "observed", "expected", "sheet",
        "source_row", "column_label", "batch_id", "checked_at",
    ]  # fmt: skip
    frame = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)
    frame["source_row"] = frame["source_row"].astype("Int64")
    frame["batch_id"] = batch_id
    path = paths.data_quality / f"{batch_id}.parquet"
    frame.to_parquet(path, index=False)
    return path


# --- Constructed fields --------------------------------------------------------------------


def field_of(
    codes: Sequence[str],
    year: int,
    months: int,
    rng: random.Random,
    arrival_time: datetime,
    scale: float = 1.0,
) -> list[Report]:
    """A plausible report for every code: cases rates 70-97%, money rates 30-80%."""
    reports = []
    for code in codes:
        cases_with = float(rng.randint(1500, 30000)) * scale
        money_with = float(rng.randint(80_000_000, 4_000_000_000)) * scale
        cases_done = float(int(cases_with * rng.uniform(0.70, 0.97)))
        money_done = float(int(money_with * rng.uniform(0.30, 0.80)))
        reports.append(
            Report(
                code,
                year,
                months,
                cases=(
                    cases_done - int(cases_done * 0.03),
                    float(int(cases_done * 0.03)),
                    cases_with,
                ),
                money=(
                    money_done - int(money_done * 0.02),
                    float(int(money_done * 0.02)),
                    money_with,
                ),
                arrival_time=arrival_time,
            )
        )
    return reports
