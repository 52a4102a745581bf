"""Excel writer: sheets `Việc` and `Tiền`.

Two engines write the same rendered sheets: "ooxml" (default, `ooxml.py`, the XML parts
written directly, ~1 ms a workbook) and "xlsxwriter" (the library; kept as the reference
and benchmark baseline, and for anyone who wants a file written by a known library).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from thads.contract import MEASURES
from thads.generate.model import Report
from thads.generate.styles import Sheet, XlsxStyle, render_xlsx_sheet


def write_sheets(
    sheets: Sequence[Sheet],
    path: Path,
    created: datetime | None = None,
    engine: str = "ooxml",
) -> Path:
    """Write rendered sheets to one workbook; blank cells are left out, merges kept.

    `created` goes into the document properties; fixing it makes the file byte-identical
    for the same content (xlsxwriter would stamp the current time), so a regenerated
    landing zone hashes the same.
    """
    if engine == "ooxml":
        from thads.generate.ooxml import write_workbook

        return write_workbook(sheets, path, created)
    if engine != "xlsxwriter":
        raise ValueError(f"unknown xlsx engine {engine!r} (ooxml or xlsxwriter)")
    import xlsxwriter

    # in_memory: the files are small, and skipping temp files is ~2x faster than
    # constant_memory for a workbook of two sheets of a few dozen rows.
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})
    stamp = created or datetime(2000, 1, 1, tzinfo=UTC)
    workbook.set_properties({"created": stamp.astimezone(UTC).replace(tzinfo=None)})
    bold = workbook.add_format({"bold": True})
    for sheet in sheets:
        ws = workbook.add_worksheet(sheet.name)
        ws.set_column(0, 0, 34)
        merged_at = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in sheet.merges}
        covered = {
            (r, c)
            for r1, c1, r2, c2 in sheet.merges
            for r in range(r1, r2 + 1)
            for c in range(c1, c2 + 1)
        }
        for r, row in enumerate(sheet.cells):
            header = r < sheet.data_start
            for c, value in enumerate(row):
                if (r, c) in merged_at:
                    r2, c2 = merged_at[(r, c)]
                    ws.merge_range(r, c, r2, c2, value, bold)
                elif (r, c) in covered or value is None:
                    continue
                elif isinstance(value, str):
                    ws.write_string(r, c, value, bold if header else None)
                else:
                    ws.write_number(r, c, value)
    workbook.close()
    return path


def render(report: Report, style: XlsxStyle | None = None) -> list[Sheet]:
    style = style or XlsxStyle()
    return [render_xlsx_sheet(report, measure, style) for measure in MEASURES]


def write_xlsx(
    report: Report, path: str | Path, style: XlsxStyle | None = None, engine: str = "ooxml"
) -> Path:
    """Write `report` as a contract workbook at `path` (name it `report.filename("xlsx")`)."""
    return write_sheets(render(report, style), Path(path), report.submitted_at, engine)
