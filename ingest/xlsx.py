"""Excel workbooks (.xlsx) with python-calamine: values only, which is all we need.

Merged header cells need no special handling: calamine leaves the value in the top-left
cell and the rest empty, and `ingest.headers` takes each column's label from whichever of
the two header rows names one. Rows are read from A1 (`skip_empty_area=False`) so that
grid index + 1 is the row number Excel shows.
"""

from __future__ import annotations

import io

from python_calamine import CalamineWorkbook

from ingest.grid import Expect, read_grid
from ingest.limits import LimitExceeded, Limits, check_grid
from ingest.readers import ReadResult, Source, content
from ingest.xlsx_guard import NotXlsx, check_xlsx
from thads.contract import MEASURES, SHEET_NAMES, Finding, fold_label


def read_xlsx(
    source: Source, file: str, sha256: str, expect: Expect | None, limits: Limits | None = None
) -> ReadResult:
    """Read a workbook's two sheets. The bytes are checked first (`ingest.xlsx_guard`): an
    .xls/.ods renamed .xlsx, a zip bomb or a sheet whose range is huge never reaches the
    reader. Raises LimitExceeded past a limit."""
    limits = limits or Limits.from_env()
    result = ReadResult(parts=None)
    data = content(source)
    try:
        check_xlsx(data, limits)
    except NotXlsx as exc:
        result.findings.append(Finding.of("parse.not_xlsx", file, str(exc)))
        return result
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_names = list(workbook.sheet_names)
    except Exception as exc:  # calamine raises several types for a non-workbook
        result.findings.append(
            Finding.of(
                "parse.not_xlsx",
                file,
                f"not a readable Excel .xlsx workbook ({type(exc).__name__}: {exc})",
            )
        )
        return result
    by_folded = {fold_label(name): name for name in sheet_names}
    for measure in MEASURES:
        wanted = SHEET_NAMES[measure]
        sheet = by_folded.get(fold_label(wanted))
        if sheet is None:
            result.findings.append(
                Finding.of(
                    "parse.missing_sheet",
                    file,
                    f"no sheet named '{wanted}' (with or without diacritics); "
                    f"sheets found: {', '.join(repr(n) for n in sheet_names) or 'none'}",
                    sheet=wanted,
                    expected=wanted,
                    observed=", ".join(sheet_names),
                )
            )
            continue
        try:
            grid = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            check_grid(grid, limits, sheet)
        except LimitExceeded:
            raise
        except Exception as exc:
            result.findings.append(
                Finding.of(
                    "parse.unreadable_sheet",
                    file,
                    f"sheet cannot be read ({type(exc).__name__}: {exc})",
                    sheet=sheet,
                )
            )
            continue
        result.add_grid(
            measure,
            sheet,
            read_grid(grid, measure=measure, sheet=sheet, file=file, sha256=sha256, expect=expect),
        )
    return result
