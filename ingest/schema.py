"""The tidy report rows (docs/interfaces.md "Tidy report rows"): columns, dtypes, builders.

Parsers do not build DataFrames row by row: they fill `MeasureRows` (plain lists, cheap to
make and to pickle), and `rows_frame` turns any number of them into one DataFrame with the
exact dtypes below. Building one frame per province group instead of one per submission is
what keeps a 5.000-submission backfill fast (see bench/RESULTS.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa

from thads.contract import NUMERIC_KEYS

#: name -> pandas dtype, in the order of docs/interfaces.md. "str" is pandas' string dtype.
REPORT_ROW_COLUMNS: dict[str, str] = {
    "submission_id": "str",
    "province_code": "str",
    "statistical_year": "int64",
    "months": "int64",
    "boundary": "int64",
    "revision": "int64",
    "measure": "str",
    "office": "str",
    "is_total": "bool",
    "office_order": "int64",
    **dict.fromkeys(NUMERIC_KEYS, "float64"),
    "source_file": "str",
    "sha256": "str",
    "sheet": "str",
    "source_row": "int64",
    "arrival_time": "datetime64[us, UTC]",
    "batch_id": "str",
}

_ARROW_TYPES: dict[str, pa.DataType] = {
    "str": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "datetime64[us, UTC]": pa.timestamp("us", tz="UTC"),
}
#: The Parquet schema of `raw/report_rows/**.parquet`, fixed so every batch file agrees.
REPORT_ROW_SCHEMA: pa.Schema = pa.schema(
    [pa.field(name, _ARROW_TYPES[dtype]) for name, dtype in REPORT_ROW_COLUMNS.items()]
)


@dataclass
class MeasureRows:
    """The data rows of one measure of one submission, as read (total row last)."""

    measure: str
    sheet: str  # sheet name as written / CSV file name / "cases"|"money" for JSON
    source_file: str
    sha256: str
    offices: list[str] = field(default_factory=list)
    is_total: list[bool] = field(default_factory=list)
    source_rows: list[int] = field(default_factory=list)
    values: list[list[float]] = field(default_factory=list)  # one list of 14 per row

    def add(self, office: str, is_total: bool, source_row: int, values: list[float]) -> None:
        self.offices.append(office)
        self.is_total.append(is_total)
        self.source_rows.append(source_row)
        self.values.append(values)

    def __len__(self) -> int:
        return len(self.offices)


@dataclass
class SubmissionMeta:
    """The per-submission constants every row repeats."""

    submission_id: str
    province_code: str
    statistical_year: int
    months: int
    boundary: int
    revision: int
    arrival_time: datetime
    batch_id: str = ""


class RowsBuilder:
    """Collects the rows of many submissions column by column, then builds one frame."""

    def __init__(self) -> None:
        self.columns: dict[str, list] = {name: [] for name in REPORT_ROW_COLUMNS}
        self.values: list[list[float]] = []
        self.n = 0

    def add(self, meta: SubmissionMeta, parts: list[MeasureRows]) -> tuple[int, int]:
        """Append one submission; returns its (start, stop) row positions."""
        start = self.n
        cols = self.columns
        for part in parts:
            k = len(part)
            if not k:
                continue
            cols["submission_id"] += [meta.submission_id] * k
            cols["province_code"] += [meta.province_code] * k
            cols["statistical_year"] += [meta.statistical_year] * k
            cols["months"] += [meta.months] * k
            cols["boundary"] += [meta.boundary] * k
            cols["revision"] += [meta.revision] * k
            cols["measure"] += [part.measure] * k
            cols["office"] += part.offices
            cols["is_total"] += part.is_total
            cols["office_order"] += range(k)
            cols["source_file"] += [part.source_file] * k
            cols["sha256"] += [part.sha256] * k
            cols["sheet"] += [part.sheet] * k
            cols["source_row"] += part.source_rows
            cols["arrival_time"] += [meta.arrival_time] * k
            cols["batch_id"] += [meta.batch_id] * k
            self.values += part.values
            self.n += k
        return start, self.n

    def frame(self) -> pd.DataFrame:
        data: dict[str, object] = {}
        matrix = (
            np.array(self.values, dtype="float64")
            if self.values
            else np.empty((0, len(NUMERIC_KEYS)), dtype="float64")
        )
        numeric = {key: matrix[:, i] for i, key in enumerate(NUMERIC_KEYS)}
        for name, dtype in REPORT_ROW_COLUMNS.items():
            if name in numeric:
                data[name] = numeric[name]
            elif dtype == "datetime64[us, UTC]":
                data[name] = pd.DatetimeIndex(self.columns[name], tz="UTC").as_unit("us")
            else:
                data[name] = pd.array(self.columns[name], dtype=dtype)
        return pd.DataFrame(data)


def rows_frame(meta: SubmissionMeta, parts: list[MeasureRows]) -> pd.DataFrame:
    """The tidy rows of one submission."""
    builder = RowsBuilder()
    builder.add(meta, parts)
    return builder.frame()


def empty_rows() -> pd.DataFrame:
    return RowsBuilder().frame()


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns in contract order with contract dtypes (e.g. after a concat of empties)."""
    return frame[list(REPORT_ROW_COLUMNS)].astype(REPORT_ROW_COLUMNS)
