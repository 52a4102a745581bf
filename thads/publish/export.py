"""The marts as spreadsheets for people: CSV files or one Excel workbook.

Province files end up in these tables (office names, file names, reasons, observed
values), and a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or
carriage return before one) as a formula. So every text cell is written as text:
- CSV: such a cell gets a leading `'` (the OWASP advice; Excel shows the text as is);
- xlsx: every text cell is written as a string cell, never as a formula.
Numbers stay numbers (a negative gap is a number, not text, and is not touched).
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import duckdb

from thads.durable import temp_sibling
from thads.publish.marts import SCHEMA
from thads.publish.snapshot import open_snapshot

Format = Literal["csv", "xlsx"]
FORMATS: tuple[str, ...] = ("csv", "xlsx")
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_576
XLSX_SHEET_NAME_MAX = 31
WORKBOOK_NAME = "thads_marts.xlsx"
EXCEL_FIRST_DAY = date(1900, 1, 1)
EXCEL_LAST_DAY = date(9999, 12, 31)


class ExportError(RuntimeError):
    pass


def neutralise(text: str) -> str:
    """Make a text cell inert in spreadsheets: prefix `'` when it could start a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _plain(value: Any) -> Any:
    """DuckDB values -> what a spreadsheet cell can hold (lists/structs become JSON text)."""
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, Decimal):
        return float(value)
    return value


def csv_cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def list_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = ? AND table_catalog = current_database() ORDER BY table_name",
        [SCHEMA],
    ).fetchall()
    return [r[0] for r in rows]


def _select(
    con: duckdb.DuckDBPyConnection, mart: str
) -> tuple[list[str], duckdb.DuckDBPyConnection]:
    cur = con.execute(f'SELECT * FROM {SCHEMA}."{mart}"')
    return [d[0] for d in cur.description], cur


def _batches(cur: duckdb.DuckDBPyConnection, size: int = 10_000) -> Iterable[list[tuple]]:
    while rows := cur.fetchmany(size):
        yield rows


def export_marts(
    snapshot: Path, out: Path, fmt: Format = "csv", marts: Sequence[str] | None = None
) -> list[Path]:
    """Write the marts of the published `snapshot` to `out`; return the files written.

    CSV: one `<mart>.csv` per mart (UTF-8 with BOM so Excel reads Vietnamese, comma
    separated, `.` as decimal mark). xlsx: one workbook `thads_marts.xlsx`, a sheet per mart.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if not snapshot.is_file():
        raise ExportError(
            f"nothing published yet: {snapshot} does not exist (run `thads load` first)"
        )
    out.mkdir(parents=True, exist_ok=True)
    con = open_snapshot(snapshot)
    try:
        available = list_marts(con)
        chosen = list(marts) if marts else available
        unknown = [m for m in chosen if m not in available]
        if unknown:
            raise ExportError(
                f"no such mart(s): {', '.join(unknown)}; available: {', '.join(available)}"
            )
        if fmt == "csv":
            return [_write_csv(con, mart, out / f"{mart}.csv") for mart in chosen]
        return [_write_xlsx(con, chosen, out / WORKBOOK_NAME)]
    finally:
        con.close()


def _write_csv(con: duckdb.DuckDBPyConnection, mart: str, dest: Path) -> Path:
    columns, cur = _select(con, mart)
    tmp = temp_sibling(dest)
    try:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            for batch in _batches(cur):
                writer.writerows([csv_cell(v) for v in row] for row in batch)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def sheet_names(marts: Sequence[str]) -> dict[str, str]:
    """Excel allows 31 characters per sheet name: shorten, keep them unique."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for mart in marts:
        name = mart.replace("fct_province_ranking_", "fct_ranking_")[:XLSX_SHEET_NAME_MAX]
        n = 2
        while name.lower() in used:
            suffix = f"~{n}"
            name = name[: XLSX_SHEET_NAME_MAX - len(suffix)] + suffix
            n += 1
        used.add(name.lower())
        names[mart] = name
    return names


def _write_xlsx(con: duckdb.DuckDBPyConnection, marts: Sequence[str], dest: Path) -> Path:
    import xlsxwriter

    tmp = temp_sibling(dest, ".xlsx")
    workbook = xlsxwriter.Workbook(
        str(tmp),
        {
            "constant_memory": True,  # rows stream to disk: big marts do not fill memory
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "remove_timezone": True,
        },
    )
    try:
        bold = workbook.add_format({"bold": True})
        day_fmt = workbook.add_format({"num_format": "dd/mm/yyyy"})
        time_fmt = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
        for mart, sheet_name in sheet_names(marts).items():
            (n_rows,) = con.execute(f'SELECT count(*) FROM {SCHEMA}."{mart}"').fetchone()
            if n_rows + 1 > XLSX_MAX_ROWS:
                raise ExportError(
                    f"mart {mart} has {n_rows} rows, more than an Excel sheet holds "
                    f"({XLSX_MAX_ROWS - 1}); export it as CSV"
                )
            columns, cur = _select(con, mart)
            sheet = workbook.add_worksheet(sheet_name)
            for c, name in enumerate(columns):
                sheet.write_string(0, c, name, bold)
                sheet.set_column(c, c, max(10, min(40, len(name) + 2)))
            sheet.freeze_panes(1, 0)
            r = 1
            for batch in _batches(cur):
                for row in batch:
                    for c, value in enumerate(row):
                        _write_cell(sheet, r, c, _plain(value), day_fmt, time_fmt)
                    r += 1
        workbook.close()
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _excel_can_date(value: date) -> bool:
    """Excel dates run from 1/1/1900 to 31/12/9999 (the last day not to its very end)."""
    day = value.date() if isinstance(value, datetime) else value
    return EXCEL_FIRST_DAY <= day < EXCEL_LAST_DAY


def _write_cell(sheet: Any, r: int, c: int, value: Any, day_fmt: Any, time_fmt: Any) -> None:
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(r, c, value)  # text stays text: never a formula
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return
        sheet.write_number(r, c, value)
    elif isinstance(value, (datetime, date)) and not _excel_can_date(value):
        sheet.write_string(r, c, value.isoformat())  # an open-ended validity, e.g. 0001-01-01
    elif isinstance(value, datetime):
        sheet.write_datetime(r, c, value, time_fmt)
    elif isinstance(value, date):
        sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), day_fmt)
    else:
        sheet.write_string(r, c, str(value))
