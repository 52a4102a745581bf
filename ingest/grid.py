"""One measure's table from a grid of cells (an Excel sheet or a CSV file).

Shared by the xlsx and CSV readers: find the header by its labels, check the header block
against the file name, then read office rows until the total row. Every problem becomes a
`Finding` naming the sheet, the 1-based row as Excel shows it, the column label as the
province wrote it and the rule; nothing here raises on bad input.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

from ingest.headers import (
    UNITS_OK,
    HeaderBlock,
    HeaderLayout,
    cell_text,
    find_header,
    is_total,
    read_header_block,
)
from ingest.numbers import NotANumber, parse_vn_number
from ingest.schema import MeasureRows
from thads.contract import LABELS, NUMERIC_KEYS, Finding

NAN = math.nan
_NUMBERING_TOKEN = re.compile(r"^\(?(\d{1,2})\)?$")


@dataclass
class Expect:
    """What the file name says, to compare with the header block."""

    province_code: str
    statistical_year: int
    months: int


@dataclass
class GridResult:
    rows: MeasureRows | None
    findings: list[Finding] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # key -> label as written
    header: dict[str, str] = field(default_factory=dict)


@dataclass
class Reporter:
    """Makes findings that all name the same file and sheet."""

    file: str
    sheet: str
    findings: list[Finding]

    def error(self, rule: str, message: str, **where: object) -> None:
        self._add("error", rule, message, where)

    def warning(self, rule: str, message: str, **where: object) -> None:
        self._add("warning", rule, message, where)

    def _add(self, severity: str, rule: str, message: str, where: dict[str, object]) -> None:
        self.findings.append(
            Finding(
                file=self.file,
                rule=rule,
                severity=severity,
                message=message,  # type: ignore[arg-type]
                sheet=self.sheet,
                **where,
            )  # type: ignore[arg-type]
        )


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _numbering_value(cell: object) -> int | None:
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if isinstance(cell, int) and not isinstance(cell, bool):
        return cell
    if isinstance(cell, str) and (m := _NUMBERING_TOKEN.match(cell.strip())):
        return int(m.group(1))
    return None


def is_numbering_row(row: list[object], layout: HeaderLayout) -> bool:
    """The "1 2 3 ..." (or "(1) (2) ...") row some forms put under the labels."""
    cols = [layout.columns[k] for k in NUMERIC_KEYS if k in layout.columns]
    first = _numbering_value(_at(row, cols[0])) if cols else None
    if first is None or first > 3:
        return False  # the usual case, an office row: decided on its first figure
    numbers = [_numbering_value(row[c]) if c < len(row) else None for c in cols]
    present = [n for n in numbers if n is not None]
    if len(present) < 5 or len(present) != sum(1 for c in cols if not _blank(_at(row, c))):
        return False
    return all(b == a + 1 for a, b in itertools.pairwise(present))


#: Marks a cell that is not a number (a float NaN can't be found with `in`: NaN != NaN).
NAN_MARK = None


def _row_values(row: list[object], num_cols: list[tuple[str, int | None]]) -> list:
    """The 14 figures of a row: float per cell, NAN_MARK where the cell is not a number,
    NaN where the column is missing. The hot loop of parsing: fast paths inline, the rest
    to `parse_vn_number`."""
    values: list = []
    append = values.append
    for _key, col in num_cols:
        if col is None:
            append(NAN)
            continue
        cell = row[col]
        cls = cell.__class__
        if cls is float:
            append(cell if cell - cell == 0.0 else NAN_MARK)  # NaN and inf are no numbers
        elif cls is str:
            if not cell:
                append(0.0)  # calamine's empty cell
            elif cell.isdigit() and cell.isascii():
                append(float(cell))  # CSV "2311"
            else:
                try:
                    append(parse_vn_number(cell))
                except NotANumber:
                    append(NAN_MARK)
        elif cell is None:
            append(0.0)
        else:
            try:
                append(parse_vn_number(cell))
            except NotANumber:
                append(NAN_MARK)
    return values


def _report_bad_cells(
    row: list[object],
    num_cols: list[tuple[str, int | None]],
    values: list,
    layout: HeaderLayout,
    row_number: int,
    report: Reporter,
) -> None:
    """Replace the marks by NaN and say, per cell, what was found and why it is refused."""
    for j, (key, col) in enumerate(num_cols):
        if values[j] is not NAN_MARK or col is None:
            continue
        values[j] = NAN
        try:
            parse_vn_number(row[col])
            reason, text = "not a finite number", str(row[col])
        except NotANumber as exc:
            reason, text = exc.reason, exc.text
        report.error(
            "parse.not_a_number",
            reason,
            row=row_number,
            column=layout.labels[key],
            observed=repr(text),
            expected="a number",
        )


def _at(row: list[object], col: int) -> object:
    return row[col] if col < len(row) else None


def read_grid(
    grid: list[list[object]],
    *,
    measure: str,
    sheet: str,
    file: str,
    sha256: str,
    expect: Expect | None,
    row_numbers: list[int] | None = None,
    header_block_expected: bool = True,
) -> GridResult:
    """Read one measure. `row_numbers[i]` is the 1-based source row of grid[i] (default i+1)."""
    result = GridResult(rows=None)
    rowno = row_numbers or list(range(1, len(grid) + 1))

    report = Reporter(file, sheet, result.findings)
    layout = find_header(grid)
    if layout is None:
        report.error(
            "parse.missing_header",
            "no header row with the contract's column labels (e.g. 'Đơn vị', "
            "'Năm trước chuyển sang', 'Thi hành xong') was found",
        )
        return result
    header_row = rowno[layout.last_row]
    result.labels = dict(layout.labels)

    block = read_header_block(grid, layout.first_row)
    _check_header_block(block, measure, expect, header_block_expected, report, result)

    for key in layout.missing:
        report.error(
            "parse.missing_column",
            f"no column labelled '{LABELS[key]}' in the header",
            row=header_row,
            column=LABELS[key],
            expected=LABELS[key],
            observed="no such column",
        )
    for key, _col, label in layout.duplicates:
        report.error(
            "parse.duplicate_column",
            f"two columns are labelled '{LABELS[key]}' ('{layout.labels[key]}' and '{label}')",
            row=header_row,
            column=label,
        )
    if "office" not in layout.columns:
        return result  # without the office column no row can be told apart

    office_col = layout.columns["office"]
    num_cols = [(key, layout.columns.get(key)) for key in NUMERIC_KEYS]
    rows = MeasureRows(measure=measure, sheet=sheet, source_file=file, sha256=sha256)
    seen_offices: dict[str, int] = {}
    start = layout.last_row + 1
    if start < len(grid) and is_numbering_row(grid[start], layout):
        start += 1
    total_at: int | None = None
    width = max(layout.columns.values()) + 1
    for i in range(start, len(grid)):
        row = grid[i]
        if len(row) < width:  # short CSV records: missing trailing cells are blank
            row = [*row, *([None] * (width - len(row)))]
        office = cell_text(row[office_col])
        if not office and all(_blank(row[c]) for _k, c in num_cols if c is not None):
            continue  # a blank row, or a stray note in a column of its own
        values = _row_values(row, num_cols)
        if NAN_MARK in values:
            _report_bad_cells(row, num_cols, values, layout, rowno[i], report)
        total = bool(office) and is_total(office)
        if not office:
            report.error(
                "parse.blank_office",
                "a row with figures has no office name",
                row=rowno[i],
                column=layout.labels["office"],
            )
        elif not total:
            if office in seen_offices:
                report.error(
                    "parse.duplicate_office",
                    f"office {office!r} appears twice (rows {seen_offices[office]} and {rowno[i]})",
                    row=rowno[i],
                    column=layout.labels["office"],
                    observed=office,
                )
            else:
                seen_offices[office] = rowno[i]
        rows.add(office, total, rowno[i], values)
        if total:
            total_at = i
            break
    if total_at is None:
        report.error(
            "parse.missing_total_row",
            "no total row ('Tổng cộng', 'Tổng số' or 'Toàn tỉnh') after the office rows",
            row=rowno[-1] if rowno else None,
            column=layout.labels["office"],
            expected="Tổng cộng",
            observed="end of sheet",
        )
    else:
        _check_after_total(grid, total_at + 1, layout, rowno, report)
    result.rows = rows
    return result


def _check_header_block(
    block: HeaderBlock,
    measure: str,
    expect: Expect | None,
    header_block_expected: bool,
    report: Reporter,
    result: GridResult,
) -> None:
    if block.office:
        result.header["office"] = block.office
    if block.province_code:
        result.header["province_code"] = block.province_code[1]
    if block.period:
        result.header["period"] = block.period[3]
    if block.unit:
        result.header["unit"] = block.unit[2]
    if expect is None:
        return
    if block.province_code:
        row, code = block.province_code
        if code != expect.province_code:
            report.error(
                "parse.header_code_mismatch",
                f"the header block says 'Mã tỉnh: {code}' but the file name says "
                f"{expect.province_code}",
                row=row,
                column="Mã tỉnh",
                expected=expect.province_code,
                observed=code,
            )
    elif header_block_expected:
        report.warning(
            "parse.header_missing_code",
            "the header block has no 'Mã tỉnh: NN' line to check the file name against",
        )
    if block.period:
        row, months, year, text = block.period
        if (months, year) != (expect.months, expect.statistical_year):
            report.error(
                "parse.header_period_mismatch",
                f"the header block says {text!r} but the file name says "
                f"{expect.months} tháng năm {expect.statistical_year}",
                row=row,
                expected=f"{expect.months} tháng năm {expect.statistical_year}",
                observed=f"{months} tháng năm {year}",
            )
    if block.unit:
        row, unit, text = block.unit
        if unit not in UNITS_OK[measure]:
            report.error(
                "parse.header_unit_mismatch",
                f"the {measure} table must be in "
                f"{'việc' if measure == 'cases' else 'nghìn đồng'}, the header block says "
                f"{text!r}",
                row=row,
                expected="việc" if measure == "cases" else "nghìn đồng",
                observed=text,
            )


def _check_after_total(
    grid: list[list[object]],
    start: int,
    layout: HeaderLayout,
    rowno: list[int],
    report: Reporter,
) -> None:
    """Notes and signatures below the total are fine; figures below it are worth a word."""
    office_col = layout.columns["office"]
    cols = [layout.columns[k] for k in NUMERIC_KEYS if k in layout.columns]
    for i in range(start, len(grid)):
        row = grid[i]
        office = cell_text(_at(row, office_col))
        if not office:
            continue
        n_numbers = 0
        for c in cols:
            cell = _at(row, c)
            if _blank(cell):
                continue
            try:
                parse_vn_number(cell)
                n_numbers += 1
            except NotANumber:
                pass
        if n_numbers >= 3:
            report.warning(
                "parse.rows_after_total",
                f"row {office!r} with figures comes after the total row and is not read",
                row=rowno[i],
                column=layout.labels["office"],
                observed=office,
            )
