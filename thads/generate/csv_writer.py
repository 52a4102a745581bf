"""CSV writer: a pair `<key>_viec.csv` (cases) and `<key>_tien.csv` (money), no header block."""

from __future__ import annotations

import csv
from pathlib import Path

from thads.contract import MEASURES
from thads.generate.model import Report
from thads.generate.styles import CsvStyle, Sheet, render_csv_sheet


def write_sheet(sheet: Sheet, path: Path, style: CsvStyle) -> Path:
    encoding = "utf-8-sig" if style.bom else "utf-8"
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=style.delimiter, lineterminator="\n")
        writer.writerows([["" if v is None else v for v in row] for row in sheet.cells])
    return path


def render(report: Report, style: CsvStyle | None = None) -> list[Sheet]:
    style = style or CsvStyle()
    return [render_csv_sheet(report, m, style, report.filename("csv", m)) for m in MEASURES]


def write_csv_pair(
    report: Report, directory: str | Path, style: CsvStyle | None = None
) -> list[Path]:
    """Write the `_viec.csv` and `_tien.csv` files of `report` into `directory`."""
    style = style or CsvStyle()
    directory = Path(directory)
    return [write_sheet(sheet, directory / sheet.name, style) for sheet in render(report, style)]
