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


def read_csv_grid(text: str) -> tuple[list[list[object]], list[int]]:
    """Records and the 1-based line each starts on."""
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid: list[list[object]] = []
    lines: list[int] = []
    previous_end = 0
    for record in reader:
        grid.append(list(record))
        lines.append(previous_end + 1)
        previous_end = reader.line_num
    return grid, lines


def read_csv_half(
    source: Source, file: str, sha256: str, measure: str, expect: Expect | None
) -> tuple[MeasureRows | None, ReadResult]:
    part = ReadResult(parts=None)
    try:
        text = decode(content(source))
    except UnicodeDecodeError as exc:
        part.findings.append(
            Finding(
                file=file,
                rule="parse.bad_encoding",
                severity="error",
                message=f"not UTF-8 text (byte {exc.start}: {exc.reason}); save the CSV as UTF-8",
                sheet=file,
            )
        )
        return None, part
    except OSError as exc:
        part.findings.append(
            Finding(file=file, rule="parse.unreadable", severity="error", message=str(exc))
        )
        return None, part
    grid, lines = read_csv_grid(text)
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


def read_csv_pair(halves: dict[str, tuple[Source, str, str]], expect: Expect | None) -> ReadResult:
    """`halves[measure] = (path or bytes, file name, sha256)`."""
    result = ReadResult(parts=None)
    for measure, (source, file, sha256) in halves.items():
        _rows, part = read_csv_half(source, file, sha256, measure, expect)
        result.findings += part.findings
        result.labels.update(part.labels)
        for key, value in part.header.items():
            result.header.setdefault(key, value)
        if part.parts:
            result.parts = {**(result.parts or {}), **part.parts}
    return result
