"""CSV pairs (`_viec.csv` cases, `_tien.csv` money): UTF-8 with or without BOM, `,` or `;`.

Each half is read into a grid of strings and handed to the same grid reader as Excel, so
labels, numbers and the total row follow exactly the same rules. Source rows are the
1-based line numbers of the file (a quoted field spanning lines counts from its first line).
"""

from __future__ import annotations

import csv
import io

from ingest.grid import Expect, read_grid
from ingest.headers import MIN_LABELS, match_label
from ingest.limits import LimitExceeded, Limits, check_grid
from ingest.readers import ReadResult, Source, content
from ingest.schema import MeasureRows
from thads.contract import Finding

DELIMITERS = (",", ";")


def decode(data: bytes) -> str:
    """UTF-8, with the BOM Excel writes removed; raises UnicodeDecodeError otherwise."""
    return data.decode("utf-8-sig")


def sniff_delimiter(text: str) -> str:
    """`;` or `,`: the one that splits the header line into more known labels.

    Counting characters is not enough: the label "Thu hồi, hủy quyết định" carries a comma
    in a `;` file, and Vietnamese decimals ("93,2") put commas in `;` data rows.
    """
    lines = text[:8192].splitlines()[:20]
    for line in lines:  # the header line: the first where a delimiter yields labels
        scores = {
            d: sum(1 for f in next(csv.reader([line], delimiter=d), []) if match_label(f))
            for d in DELIMITERS
        }
        best = max(DELIMITERS, key=lambda d: scores[d])
        if scores[best] >= MIN_LABELS:
            return best
    return ","


def read_csv_grid(
    text: str, limits: Limits | None = None, sheet: str = ""
) -> tuple[list[list[object]], list[int]]:
    """Records and the 1-based line each starts on; stops with LimitExceeded at a field,
    row or column past the limits (a 10 MB field is not read into memory as one cell)."""
    limits = limits or Limits.from_env()
    grid: list[list[object]] = []
    lines: list[int] = []
    previous_end = 0
    previous_limit = csv.field_size_limit(limits.cell_chars)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
        for record in reader:
            grid.append(list(record))
            lines.append(previous_end + 1)
            previous_end = reader.line_num
            if len(grid) > limits.rows:
                raise LimitExceeded("the number of rows", "more", limits.rows, sheet=sheet)
    except csv.Error as exc:
        if "field larger than field limit" not in str(exc):
            raise
        raise LimitExceeded("the length of a field (characters)", "more", limits.cell_chars,
                            sheet=sheet, row=previous_end + 1) from None  # fmt: skip
    finally:
        csv.field_size_limit(previous_limit)
    check_grid(grid, limits, sheet)
    return grid, lines


def read_csv_half(
    source: Source,
    file: str,
    sha256: str,
    measure: str,
    expect: Expect | None,
    limits: Limits | None = None,
) -> tuple[MeasureRows | None, ReadResult]:
    part = ReadResult(parts=None)
    try:
        text = decode(content(source))
    except UnicodeDecodeError as exc:
        part.findings.append(
            Finding.of(
                "parse.bad_encoding",
                file,
                f"not UTF-8 text (byte {exc.start}: {exc.reason}); save the CSV as UTF-8",
                sheet=file,
            )
        )
        return None, part
    except OSError as exc:
        part.findings.append(Finding.of("parse.unreadable", file, str(exc)))
        return None, part
    try:
        grid, lines = read_csv_grid(text, limits, sheet=file)
    except LimitExceeded as exc:
        part.findings.append(exc.finding(file))
        return None, part
    except csv.Error as exc:  # e.g. a NUL byte, an unterminated quote at the end
        part.findings.append(
            Finding.of("parse.reader_failed", file, f"not a readable CSV file ({exc})", sheet=file)
        )
        return None, part
    result = read_grid(
        grid,
        measure=measure,
        sheet=file,
        file=file,
        sha256=sha256,
        expect=expect,
        row_numbers=lines,
        header_block_expected=False,
    )
    part.add_grid(measure, file, result)
    return result.rows, part


def read_csv_pair(
    halves: dict[str, tuple[Source, str, str]],
    expect: Expect | None,
    limits: Limits | None = None,
) -> ReadResult:
    """`halves[measure] = (path or bytes, file name, sha256)`."""
    result = ReadResult(parts=None)
    for measure, (source, file, sha256) in halves.items():
        _rows, part = read_csv_half(source, file, sha256, measure, expect, limits)
        result.findings += part.findings
        result.labels.update(part.labels)
        for key, value in part.header.items():
            result.header.setdefault(key, value)
        if part.parts:
            result.parts = {**(result.parts or {}), **part.parts}
    return result
