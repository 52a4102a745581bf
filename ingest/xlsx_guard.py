"""Look inside an .xlsx before opening it: is it one, and can it be read within the limits?

The workbook reader allocates every cell of a sheet's range, so a 2 KB file whose only
cells are A1 and XFD1048576 would ask for 17 billion cells; a zip bomb expands a few KB
into gigabytes. Both are caught here from the zip directory and a streamed scan of each
worksheet's XML, before the reader sees the file:
- the content must be an Office Open XML workbook (a zip with `xl/workbook.xml`): `.xls`
  or `.ods` content renamed `.xlsx` is refused, by `thads load` and `thads check` alike;
- the members' declared uncompressed sizes, and the bytes actually inflated, stay under
  `unzipped_bytes`;
- each sheet's declared `<dimension>` and the largest cell reference actually present stay
  within `rows` x `columns`.
"""

from __future__ import annotations

import io
import re
import zipfile

from ingest.limits import LimitExceeded, Limits

_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]{1,7})"')
_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"'
)
_SCAN_CHUNK = 1 << 20
_OVERLAP = 256  # a tag split across two chunks is seen whole in the next


class NotXlsx(ValueError):
    """The bytes are not an Office Open XML workbook."""


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check_xlsx(data: bytes, limits: Limits) -> None:
    """Raise NotXlsx or LimitExceeded; return when the workbook is safe to open."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        kind = _sniff(data)
        raise NotXlsx(f"not an .xlsx workbook ({kind or exc})") from None
    with book:
        names = book.namelist()
        if "xl/workbook.xml" not in names:
            kind = "an OpenDocument spreadsheet (.ods)" if "content.xml" in names else None
            raise NotXlsx(f"not an .xlsx workbook ({kind or 'a zip without xl/workbook.xml'})")
        declared = sum(max(0, i.file_size) for i in book.infolist())
        if declared > limits.unzipped_bytes:
            raise LimitExceeded(
                "the unzipped size of the workbook", declared, limits.unzipped_bytes
            )
        inflated = 0
        for info in book.infolist():
            if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(".xml"):
                continue
            inflated += _scan_sheet(book, info, limits, limits.unzipped_bytes - inflated)


def _scan_sheet(book: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, budget: int) -> int:
    """Stream one worksheet's XML: its declared and actual extent; returns bytes inflated."""
    sheet = info.filename.rsplit("/", 1)[-1]
    max_row = max_col = rows_seen = 0
    total = 0
    tail = b""
    first = True
    with book.open(info) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            total += len(chunk)
            if total > budget:  # the directory lied about the size: a zip bomb
                raise LimitExceeded("the unzipped size of the workbook", f"more than {total}",
                                    limits.unzipped_bytes)  # fmt: skip
            text = tail + chunk
            if first:
                found = _DIMENSION.search(text)
                if found:
                    last_col, last_row = (
                        found.group(3) or found.group(1),
                        found.group(4) or found.group(2),
                    )
                    _check_extent(f"declared size of {sheet}", int(last_row),
                                  column_number(last_col), limits)  # fmt: skip
                first = False
            for col, row in _CELL_REF.findall(text):
                max_row = max(max_row, int(row))
                max_col = max(max_col, column_number(col))
            for row in _ROW_REF.findall(text):
                max_row = max(max_row, int(row))
            rows_seen += chunk.count(b"<row") + chunk.count(b":row ")  # rows without r=
            max_row = max(max_row, rows_seen)
            _check_extent(f"extent of {sheet}", max_row, max_col, limits)
            tail = text[-_OVERLAP:]
    return total


def _check_extent(what: str, rows: int, columns: int, limits: Limits) -> None:
    if rows > limits.rows:
        raise LimitExceeded(f"the {what} (rows)", rows, limits.rows)
    if columns > limits.columns:
        raise LimitExceeded(f"the {what} (columns)", columns, limits.columns)


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "an old Excel .xls (or other OLE) file; save it as .xlsx"
    if data[:5].lower() in (b"<?xml", b"<html") or data[:1] == b"<":
        return "an XML or HTML document"
    return None
