"""The ministry's ranking table (`thads export --ranking --year Y --months M --out DIR`).

One period, every province of its boundary set, cases and money side by side as the
ministry prints them: STT, province, then per measure with conditions, done (completed +
terminated), rate, target, gap and rank "6/63". An xlsx in that layout (Vietnamese title and
headers, Vietnamese number formats, frozen header, A4 landscape) and a CSV of the same rows.
The figures come from the dbt model `reporting.rpt_ministry_ranking`; this module only lays
them out. Text cells are written as text (never formulas) and CSV text that could start a
formula is neutralised (thads.publish.export).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thads import contract
from thads.durable import temp_sibling
from thads.publish.export import ExportError, csv_cell
from thads.publish.report.data import REPORTING_SCHEMA
from thads.publish.snapshot import open_snapshot

MODEL = "rpt_ministry_ranking"
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
    return flat


def title(year: int, months: int) -> tuple[str, str]:
    start, end = contract.period_start(year), contract.period_end(year, months)
    return (
        "BẢNG XẾP HẠNG KẾT QUẢ THI HÀNH ÁN DÂN SỰ CỦA CÁC TỈNH, THÀNH PHỐ",
        f"{months} tháng năm {year} (từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y})",
    )


def load_rows(snapshot: Path, year: int, months: int) -> list[dict[str, Any]]:
    if not snapshot.is_file():
        raise ExportError(
            f"nothing published yet: {snapshot} does not exist (run `thads load` first)"
        )
    con = open_snapshot(snapshot)
    try:
        cursor = con.execute(
            f"select * from {REPORTING_SCHEMA}.{MODEL} where statistical_year = ? and months = ? "
            "order by stt",
            [year, months],
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    finally:
        con.close()
    if not rows or all(
        r["cases_rank_label"] is None and r["money_rank_label"] is None for r in rows
    ):
        raise ExportError(
            f"no ranking for {months} months of statistical year {year} in {snapshot}: "
            "no accepted report for that period has been loaded"
        )
    return rows


def export_ranking(snapshot: Path, out: Path, year: int, months: int) -> list[Path]:
    """Write `bang_xep_hang_<year>_<MM>.xlsx` and `.csv` into `out`; return both paths."""
    rows = load_rows(snapshot, year, months)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"bang_xep_hang_{year}_{months:02d}"
    return [
        write_xlsx(rows, out / f"{stem}.xlsx", year, months),
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
                writer.writerow([csv_cell(_text(row[key], column)) for key, _, column in columns])
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _text(value: Any, column: Column) -> Any:
    """The value as printed: a scorecard as its Vietnamese word, anything else as is."""
    if column.kind == "scorecard" and value is not None:
        return SCORECARD_LABELS[value]
    return value


def write_xlsx(rows: list[dict[str, Any]], dest: Path, year: int, months: int) -> Path:
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
        n_cols = len(LEAD_COLUMNS) + len(contract.MEASURES) * len(MEASURE_COLUMNS)
        line1, line2 = title(year, months)
        sheet.merge_range(0, 0, 0, n_cols - 1, line1, big)
        sheet.merge_range(1, 0, 1, n_cols - 1, line2, sub)
        # Two header rows: the measure over its six columns, then the column names.
        for c, column in enumerate(LEAD_COLUMNS):
            sheet.merge_range(3, c, 4, c, column.header, head)
        for m, measure in enumerate(contract.MEASURES):
            first = len(LEAD_COLUMNS) + m * len(MEASURE_COLUMNS)
            sheet.merge_range(
                3, first, 3, first + len(MEASURE_COLUMNS) - 1, MEASURE_TITLES[measure], head
            )
            for i, column in enumerate(MEASURE_COLUMNS):
                sheet.write_string(4, first + i, column.header, head)
        for r, row in enumerate(rows, start=5):
            for c, (key, _, column) in enumerate(flat_columns()):
                value = row[key]
                if value is None:
                    sheet.write_blank(r, c, None, text)
                elif column.kind == "scorecard":
                    sheet.write_string(r, c, _text(value, column), lights[value])
                elif column.kind == "text":
                    sheet.write_string(
                        r, c, str(value), centred if key.endswith("rank_label") else text
                    )
                else:
                    sheet.write_number(r, c, float(value), numbers[column.kind])
        sheet.set_column(0, 0, 5)
        sheet.set_column(1, 1, 26)
        sheet.set_column(2, n_cols - 1, 13)
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
