"""An independent reader of generated submissions, for the generator's tests.

Deliberately NOT the ingest code: openpyxl / csv / json directly, and a few lines of
header and number handling written from the contract, so that a bug shared by the
generator and the ingest cannot hide.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from thads.contract import FOLDED_LABELS, NUMERIC_KEYS, fold_label, is_total_label

SHEETS = {"cases": "Việc", "money": "Tiền"}


class NotANumber(ValueError):
    pass


def number(cell: object) -> int:
    """A cell as the contract allows: number, Vietnamese text "1.529", or blank (zero)."""
    if cell is None or cell == "":
        return 0
    if isinstance(cell, bool):
        raise NotANumber(repr(cell))
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    text = str(cell).strip()
    if not re.fullmatch(r"-?\d{1,3}(\.\d{3})*|-?\d+", text):
        raise NotANumber(text)
    return int(text.replace(".", ""))


@dataclass
class Table:
    """One measure of one submission: office rows then the total row, by contract key."""

    offices: list[str]
    rows: list[dict[str, int]]  # incl. the total row (last)
    raw: list[list[object]] = field(default_factory=list)  # raw cells of those rows
    first_row: int = 0  # 1-based row (Excel row / CSV line / JSON index) of rows[0]
    labels: dict[str, str] = field(default_factory=dict)  # key -> label as written
    header_code: str | None = None

    @property
    def total(self) -> dict[str, int]:
        return self.rows[-1]

    @property
    def office_rows(self) -> list[dict[str, int]]:
        return self.rows[:-1]


def _keys_of(labels: list[object]) -> dict[int, str]:
    out = {}
    for col, label in enumerate(labels):
        if label is not None and fold_label(str(label)) in FOLDED_LABELS:
            out[col] = FOLDED_LABELS[fold_label(str(label))]
    return out


def _table(grid: list[list[object]], header_at: int, two_rows: bool, first: int) -> Table:
    top = grid[header_at]
    if two_rows:  # labels spread over two rows: the lower row wins where it has text
        below = grid[header_at + 1]
        labels = [b if b not in (None, "") else t for t, b in zip(top, below, strict=False)]
        start = header_at + 2
    else:
        labels = list(top)
        start = header_at + 1
    keys = _keys_of(labels)
    missing = set(("office", *NUMERIC_KEYS)) - set(keys.values())
    if missing:
        raise ValueError(f"columns missing: {sorted(missing)}")
    col = {key: c for c, key in keys.items()}
    offices, rows, raw = [], [], []
    for cells in grid[start:]:
        if all(v in (None, "") for v in cells):
            continue
        name = str(cells[col["office"]])
        offices.append(name)
        raw.append(list(cells))
        rows.append({k: number(cells[col[k]]) for k in NUMERIC_KEYS})
        if is_total_label(name):
            break
    if not offices or not is_total_label(offices[-1]):
        raise ValueError("no total row")
    return Table(
        offices[:-1], rows, raw, start + first, {k: str(labels[c]) for c, k in keys.items()}
    )


def read_xlsx_sheet(ws) -> Table:
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    header_at = next(
        i for i, r in enumerate(grid) if r and r[0] is not None and fold_label(r[0]) == "don vi"
    )
    below = grid[header_at + 1] if header_at + 1 < len(grid) else []
    two_rows = bool(below) and below[0] is None and any(v is not None for v in below)
    table = _table(grid, header_at, two_rows, 1)
    for r in grid[:header_at]:
        if r[0] and str(r[0]).startswith("Mã tỉnh:"):
            table.header_code = str(r[0]).split(":", 1)[1].strip()
    return table


def read_xlsx(path: Path) -> dict[str, Table]:
    wb = openpyxl.load_workbook(path, read_only=False)  # merged ranges need the full model
    return {m: read_xlsx_sheet(wb[name]) for m, name in SHEETS.items() if name in wb.sheetnames}


def read_csv(path: Path) -> Table:
    text = path.read_bytes().decode("utf-8-sig")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    grid: list[list[object]] = [list(r) for r in csv.reader(text.splitlines(), delimiter=delimiter)]
    return _table(grid, 0, False, 1)


def read_json(path: Path) -> tuple[dict, dict[str, Table]]:
    payload = json.loads(path.read_text(encoding="utf-8"))
    tables = {}
    for measure in ("cases", "money"):
        if measure not in payload:
            continue
        rows = payload[measure]
        tables[measure] = Table(
            [r["office"] for r in rows[:-1]],
            [{k: number(r[k]) for k in NUMERIC_KEYS} for r in rows],
            [[r["office"], *[r[k] for k in NUMERIC_KEYS]] for r in rows],
            1,
            {k: k for k in NUMERIC_KEYS},
            payload.get("province_code"),
        )
    return payload, tables


def read_submission(directory: Path, files: list[str]) -> dict[str, Table]:
    """Both measures of a submission, whatever its format."""
    first = directory / files[0]
    if first.suffix == ".xlsx":
        return read_xlsx(first)
    if first.suffix == ".json":
        return read_json(first)[1]
    out = {}
    for name in files:
        out["cases" if name.endswith("_viec.csv") else "money"] = read_csv(directory / name)
    return out


def identity_errors(row: dict[str, int]) -> list[str]:
    """The contract identities, written out again here on purpose."""
    errors = [k for k in NUMERIC_KEYS if row[k] < 0]
    if row["total_received"] != row["carried_over"] + row["new_received"]:
        errors.append("total_received")
    if row["must_enforce"] != row["total_received"] - row["entrusted"] - row["recalled"]:
        errors.append("must_enforce")
    if row["must_enforce"] != row["with_conditions"] + row["without_conditions"]:
        errors.append("with+without")
    parts = ("completed", "terminated", "in_progress", "postponed", "suspended", "other")
    if row["with_conditions"] != sum(row[k] for k in parts):
        errors.append("with_conditions")
    return errors


def sum_rows(rows: list[dict[str, int]]) -> dict[str, int]:
    return {k: sum(r[k] for r in rows) for k in NUMERIC_KEYS}
