"""The ministry's ranking table (`thads export --ranking --year Y --months M --out DIR`).

One period, every province of its boundary set, cases and money side by side as the
ministry prints them: STT, province, then per measure with conditions, done (completed +
terminated), rate, target, gap and rank "6/63". An xlsx in that layout (Vietnamese title and
headers, Vietnamese number formats, frozen header, A4 landscape) and a CSV of the same rows.
Both say whether the figures are final (contract section 7): the xlsx under its title for the
whole period, both files in a last column per province, in the words of
thads.approval.labels. The figures come from the dbt models `reporting.rpt_ministry_ranking`
and `reporting.rpt_report_periods`; this module only lays them out. Text cells are written
as text (never formulas) and CSV text that could start a formula is neutralised
(thads.publish.export).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thads import contract
from thads.approval.labels import figure_label_vi, period_label_vi
from thads.durable import temp_sibling
from thads.publish.export import ExportError, csv_cell
from thads.publish.report.data import REPORTING_SCHEMA
from thads.publish.snapshot import open_snapshot

MODEL = "rpt_ministry_ranking"
PERIODS_MODEL = "rpt_report_periods"
MEASURE_TITLES = {"cases": "Về việc", "money": "Về tiền (nghìn đồng)"}


@dataclass(frozen=True)
class Column:
    key: str  # column of rpt_ministry_ranking, `{measure}_` prefixed per measure
    header: str  # Vietnamese header as printed
    kind: str  # "count" | "pct" | "pp" | "text" | "scorecard"


MEASURE_COLUMNS: tuple[Column, ...] = (
    Column("with_conditions", "Có điều kiện thi hành", "count"),
    Column("done", "Thi hành xong và đình chỉ", "count"),
    Column("rate_pct", "Tỷ lệ (%)", "pct"),
    Column("target_pct", "Chỉ tiêu (%)", "pct"),
    Column("gap_pp", "So với chỉ tiêu (điểm %)", "pp"),
    Column("rank_label", "Xếp hạng", "text"),
    Column("scorecard", "Đánh giá", "scorecard"),
)
LEAD_COLUMNS: tuple[Column, ...] = (
    Column("stt", "STT", "count"),
    Column("province_name", "Tỉnh, thành phố", "text"),
)
#: After both measures: the province's "Số liệu sơ bộ/chính thức (phê duyệt ngày ...)".
TRAIL_COLUMNS: tuple[Column, ...] = (Column("figure_label", "Tình trạng số liệu", "label"),)
#: The scorecard (contract 6.2) as printed: a word and the traffic light's colour.
SCORECARD_LABELS = {"green": "Đạt", "amber": "Gần đạt", "red": "Chưa đạt"}
SCORECARD_COLOURS = {"green": "#C6EFCE", "amber": "#FFEB9C", "red": "#FFC7CE"}
#: Excel number formats tagged Vietnamese (LCID 0x042A): `.` groups thousands, `,` decimals.
NUMBER_FORMATS = {
    "count": "[$-42A]#,##0",
    "pct": "[$-42A]#,##0.00",
    "pp": "[$-42A]+#,##0.00;-#,##0.00;0.00",
}


def flat_columns() -> list[tuple[str, str, Column]]:
    """(row key, CSV header, column) in printed order: lead columns, cases, money."""
    flat = [(c.key, c.header, c) for c in LEAD_COLUMNS]
    for measure in contract.MEASURES:
        short = "việc" if measure == "cases" else "tiền"
        flat += [(f"{measure}_{c.key}", f"{c.header} - {short}", c) for c in MEASURE_COLUMNS]
    return flat + [(c.key, c.header, c) for c in TRAIL_COLUMNS]


def title(year: int, months: int) -> tuple[str, str]:
    start, end = contract.period_start(year), contract.period_end(year, months)
    return (
        "BẢNG XẾP HẠNG KẾT QUẢ THI HÀNH ÁN DÂN SỰ CỦA CÁC TỈNH, THÀNH PHỐ",
        f"{months} tháng năm {year} (từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y})",
    )


def _select(con: Any, model: str, year: int, months: int, order: str) -> list[dict[str, Any]]:
    cursor = con.execute(
        f"select * from {REPORTING_SCHEMA}.{model} where statistical_year = ? and months = ? "
        f"order by {order}",
        [year, months],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def load_table(snapshot: Path, year: int, months: int) -> tuple[list[dict[str, Any]], str]:
    """The period's rows in print order and its label ("Số liệu sơ bộ" or "Số liệu chính
    thức (phê duyệt ngày ...)")."""
    if not snapshot.is_file():
        raise ExportError(
            f"nothing published yet: {snapshot} does not exist (run `thads load` first)"
        )
    con = open_snapshot(snapshot)
    try:
        rows = _select(con, MODEL, year, months, "stt")
        periods = _select(con, PERIODS_MODEL, year, months, "statistical_year")
    finally:
        con.close()
    if not rows or all(
        r["cases_rank_label"] is None and r["money_rank_label"] is None for r in rows
    ):
        raise ExportError(
            f"no ranking for {months} months of statistical year {year} in {snapshot}: "
            "no accepted report for that period has been loaded"
        )
    for row in rows:
        row["figure_label"] = figure_label_vi(row["figure_status"], row["approved_at"])
    (period,) = periods  # a period with a ranking is one of the report's periods
    label = period_label_vi(period["n_final"], period["n_reported"], period["last_approved_at"])
    return rows, label


def export_ranking(snapshot: Path, out: Path, year: int, months: int) -> list[Path]:
    """Write `bang_xep_hang_<year>_<MM>.xlsx` and `.csv` into `out`; return both paths."""
    rows, label = load_table(snapshot, year, months)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"bang_xep_hang_{year}_{months:02d}"
    return [
        write_xlsx(rows, out / f"{stem}.xlsx", year, months, label),
        write_csv(rows, out / f"{stem}.csv"),
    ]


def write_csv(rows: list[dict[str, Any]], dest: Path) -> Path:
    tmp = temp_sibling(dest, ".csv")
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads UTF-8
            writer = csv.writer(handle, lineterminator="\n")
            columns = flat_columns()
            writer.writerow([header for _, header, _ in columns])
            for row in rows:
                writer.writerow(
                    [csv_cell(_text(row.get(key), column)) for key, _, column in columns]
                )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _text(value: Any, column: Column) -> Any:
    """The value as printed: a scorecard as its Vietnamese word, anything else as is."""
    if column.kind == "scorecard" and value is not None:
        return SCORECARD_LABELS[value]
    return value


def write_xlsx(rows: list[dict[str, Any]], dest: Path, year: int, months: int, label: str) -> Path:
    """The printed table; `label` (the period's "Số liệu sơ bộ/chính thức") under the title."""
    import xlsxwriter

    tmp = temp_sibling(dest, ".xlsx")
    workbook = xlsxwriter.Workbook(
        str(tmp),
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    try:
        sheet = workbook.add_worksheet("Xếp hạng")
        base = {"font_name": "Times New Roman", "font_size": 11, "border": 1, "valign": "vcenter"}
        head = workbook.add_format({**base, "bold": True, "align": "center", "text_wrap": True})
        text = workbook.add_format(base)
        numbers = {
            kind: workbook.add_format({**base, "num_format": f})
            for kind, f in NUMBER_FORMATS.items()
        }
        centred = workbook.add_format({**base, "align": "center"})
        lights = {
            light: workbook.add_format({**base, "align": "center", "bg_color": colour})
            for light, colour in SCORECARD_COLOURS.items()
        }
        big = workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
        sub = workbook.add_format({"italic": True, "align": "center"})
        status = workbook.add_format({"bold": True, "align": "center"})
        columns = flat_columns()
        n_cols = len(columns)
        line1, line2 = title(year, months)
        sheet.merge_range(0, 0, 0, n_cols - 1, line1, big)
        sheet.merge_range(1, 0, 1, n_cols - 1, line2, sub)
        sheet.merge_range(2, 0, 2, n_cols - 1, label, status)
        # Two header rows: the measure over its six columns, then the column names.
        for c, column in enumerate(LEAD_COLUMNS):
            sheet.merge_range(3, c, 4, c, column.header, head)
        for c, column in enumerate(TRAIL_COLUMNS, start=n_cols - len(TRAIL_COLUMNS)):
            sheet.merge_range(3, c, 4, c, column.header, head)
        for m, measure in enumerate(contract.MEASURES):
            first = len(LEAD_COLUMNS) + m * len(MEASURE_COLUMNS)
            sheet.merge_range(
                3, first, 3, first + len(MEASURE_COLUMNS) - 1, MEASURE_TITLES[measure], head
            )
            for i, column in enumerate(MEASURE_COLUMNS):
                sheet.write_string(4, first + i, column.header, head)
        for r, row in enumerate(rows, start=5):
            for c, (key, _, column) in enumerate(columns):
                value = row.get(key)
                if value is None:
                    sheet.write_blank(r, c, None, text)
                elif column.kind == "scorecard":
                    sheet.write_string(r, c, _text(value, column), lights[value])
                elif column.kind in ("text", "label"):
                    sheet.write_string(
                        r, c, str(value), centred if key.endswith("rank_label") else text
                    )
                else:
                    sheet.write_number(r, c, float(value), numbers[column.kind])
        sheet.set_column(0, 0, 5)
        sheet.set_column(1, 1, 26)
        sheet.set_column(2, n_cols - 1, 13)
        sheet.set_column(n_cols - 1, n_cols - 1, 30)
        sheet.set_row(4, 45)
        sheet.freeze_panes(5, 2)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(3, 4)
        sheet.set_header(f"&C{line2}")
        sheet.set_footer("&CTrang &P/&N")
        workbook.close()
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
