"""How a province writes its report: the variations the contract allows, as data.

A style is picked per submission from a seeded `random.Random`, so a landing zone is the
same for the same seed. Rendering a report with a style gives a `Sheet` (a grid of cell
values plus merged ranges); writers turn sheets into files and defects edit the grid first.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from thads.contract import LABELS, NUMERIC_KEYS, UNITS, period_end, period_start, strip_diacritics
from thads.generate.model import Report, Row
from thads.generate.offices import issuer
from thads.i18n import vn_number

LABEL_CASES = ("as_is", "upper", "lower", "ascii", "ascii_upper", "ascii_lower")
HEADER_KINDS = ("one", "trong_do", "merged")
NUMBER_KINDS = ("number", "text", "mixed")
TOTAL_LABELS = ("Tổng cộng", "Tổng số", "Toàn tỉnh", "TỔNG CỘNG", "Tong cong")
#: Columns under "Trong đó" in the two-row headers (the break-down of with_conditions).
DETAIL_KEYS = ("completed", "terminated", "in_progress", "postponed", "suspended", "other")
TITLES = {
    "cases": "KẾT QUẢ THI HÀNH ÁN DÂN SỰ TÍNH BẰNG VIỆC",
    "money": "KẾT QUẢ THI HÀNH ÁN DÂN SỰ TÍNH BẰNG TIỀN",
}


def render_label(label: str, case: str) -> str:
    if case.startswith("ascii"):
        label = strip_diacritics(label)
    if case.endswith("upper"):
        return label.upper()
    if case.endswith("lower"):
        return label.lower()
    return label


def _dmy(day: date) -> str:
    return f"{day.day:02d}/{day.month}/{day.year}"


def period_text(year: int, months: int, form: int) -> str:
    start, end = period_start(year), period_end(year, months)
    if form == 1:
        return f"{months} tháng năm {year} (từ {_dmy(start)})"
    if form == 2:
        return f"Kỳ báo cáo: {months} tháng năm {year} (từ ngày {_dmy(start)} đến ngày {_dmy(end)})"
    return f"{months} tháng năm {year}, từ {_dmy(start)} đến {_dmy(end)}"


@dataclass(frozen=True)
class XlsxStyle:
    """One province's way of laying out the two sheets."""

    preamble: tuple[str, ...] = ()  # lines above the office name ("BỘ TƯ PHÁP", ...)
    issuer_upper: bool = True
    title: bool = True
    period_form: int = 0
    gap: int = 1  # blank rows between the header block and the table
    header: str = "one"  # one | trong_do (sample) | merged (labels spread over two rows)
    labels: str = "as_is"
    uy: str = "Ủy thác"  # or the older spelling "Uỷ thác"
    numbers: str = "number"  # number | text (Vietnamese "1.529") | mixed (total row as text)
    blank_zero: bool = False


@dataclass(frozen=True)
class CsvStyle:
    delimiter: str = ","
    bom: bool = True
    labels: str = "as_is"
    uy: str = "Ủy thác"
    numbers: str = "number"  # number | text
    blank_zero: bool = False


@dataclass
class Sheet:
    """A rendered table: `cells[r][c]` (0-based; None is a blank cell) and merged ranges."""

    name: str
    cells: list[list[object]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    data_start: int = 0  # row index of the first office row
    n_offices: int = 0
    columns: dict[str, int] = field(default_factory=dict)  # key -> column index
    labels: dict[str, str] = field(default_factory=dict)  # key -> label as written

    @property
    def total_row(self) -> int:
        return self.data_start + self.n_offices


def column_labels(labels: str, uy: str) -> dict[str, str]:
    base = dict(LABELS, entrusted=uy)
    return {key: render_label(text, labels) for key, text in base.items()}


def _cell(value: int, as_text: bool, blank_zero: bool) -> object:
    if value == 0 and blank_zero:
        return None
    return vn_number(value) if as_text else value


def body_rows(report: Report, measure: str, numbers: str, blank_zero: bool) -> list[list[object]]:
    """Office rows then the total row, cells in contract column order."""
    out: list[list[object]] = []
    rows: list[tuple[str, Row]] = report.labelled_rows(measure)
    for i, (office, row) in enumerate(rows):
        is_total = i == len(rows) - 1
        as_text = numbers == "text" or (numbers == "mixed" and is_total)
        out.append([office] + [_cell(row[k], as_text, blank_zero) for k in NUMERIC_KEYS])
    return out


def render_xlsx_sheet(report: Report, measure: str, style: XlsxStyle) -> Sheet:
    from thads.contract import SHEET_NAMES

    who = issuer(report.province_code, report.boundary)
    block: list[str] = list(style.preamble)
    block.append(who.upper() if style.issuer_upper else who)
    block.append(f"Mã tỉnh: {report.province_code}")
    if style.title:
        block.append(TITLES[measure])
    block.append(period_text(report.statistical_year, report.months, style.period_form))
    block.append(f"Đơn vị tính: {UNITS[measure]}")
    width = 1 + len(NUMERIC_KEYS)
    cells: list[list[object]] = [[line] + [None] * (width - 1) for line in block]
    cells += [[None] * width for _ in range(style.gap)]
    labels = column_labels(style.labels, style.uy)
    keys = ("office", *NUMERIC_KEYS)
    columns = {key: i for i, key in enumerate(keys)}
    label_row = [labels[k] for k in keys]
    merges: list[tuple[int, int, int, int]] = []
    first_detail = columns[DETAIL_KEYS[0]]
    trong_do = render_label("Trong đó", style.labels)
    if style.header == "trong_do":
        top = len(cells)
        cells.append([None] * width)
        cells[top][columns["with_conditions"]] = trong_do
        merges.append((top, columns["with_conditions"], top, width - 1))
        cells.append(label_row)
    elif style.header == "merged":
        top = len(cells)
        upper = [labels[k] if columns[k] < first_detail else None for k in keys]
        upper[first_detail] = trong_do
        lower = [labels[k] if columns[k] >= first_detail else None for k in keys]
        cells += [upper, lower]
        merges += [(top, c, top + 1, c) for c in range(first_detail)]
        merges.append((top, first_detail, top, width - 1))
    else:
        cells.append(label_row)
    data_start = len(cells)
    cells += body_rows(report, measure, style.numbers, style.blank_zero)
    return Sheet(
        name=SHEET_NAMES[measure],
        cells=cells,
        merges=merges,
        data_start=data_start,
        n_offices=len(report.offices),
        columns=columns,
        labels=labels,
    )


def render_csv_sheet(report: Report, measure: str, style: CsvStyle, name: str) -> Sheet:
    labels = column_labels(style.labels, style.uy)
    keys = ("office", *NUMERIC_KEYS)
    cells: list[list[object]] = [[labels[k] for k in keys]]
    cells += body_rows(report, measure, style.numbers, style.blank_zero)
    return Sheet(
        name=name,
        cells=cells,
        data_start=1,
        n_offices=len(report.offices),
        columns={k: i for i, k in enumerate(keys)},
        labels=labels,
    )


# --- Picking a style like a real inbox -----------------------------------------------------

PREAMBLES: tuple[tuple[str, ...], ...] = (
    (),
    ("BỘ TƯ PHÁP",),
    ("BỘ TƯ PHÁP", "TỔNG CỤC THI HÀNH ÁN DÂN SỰ"),
    ("Biểu số: 01/TK-THA",),
    ("BỘ TƯ PHÁP", "Biểu số: 01/TK-THA", ""),
)


def random_xlsx_style(rng: random.Random) -> XlsxStyle:
    return XlsxStyle(
        preamble=rng.choice(PREAMBLES),
        issuer_upper=rng.random() < 0.7,
        title=rng.random() < 0.8,
        period_form=rng.choice((0, 0, 1, 2)),
        gap=rng.choice((0, 1, 1, 2, 3)),
        header=rng.choices(HEADER_KINDS, weights=(5, 3, 2))[0],
        labels=rng.choices(LABEL_CASES, weights=(6, 2, 1, 3, 1, 1))[0],
        uy=rng.choice(("Ủy thác", "Uỷ thác")),
        numbers=rng.choices(NUMBER_KINDS, weights=(6, 2, 2))[0],
        blank_zero=rng.random() < 0.4,
    )


def random_csv_style(rng: random.Random) -> CsvStyle:
    return CsvStyle(
        delimiter=rng.choice((",", ";")),
        bom=rng.random() < 0.5,
        labels=rng.choices(LABEL_CASES, weights=(6, 1, 1, 2, 1, 1))[0],
        uy=rng.choice(("Ủy thác", "Uỷ thác")),
        numbers=rng.choices(("number", "text"), weights=(3, 1))[0],
        blank_zero=rng.random() < 0.3,
    )


def random_total_label(rng: random.Random) -> str:
    return rng.choices(TOTAL_LABELS, weights=(10, 3, 3, 1, 1))[0]
