"""A minimal, fast .xlsx writer for rendered sheets: the OOXML parts written as strings.

Why not only xlsxwriter: a landing zone is ~3.600 small workbooks, and xlsxwriter's
general machinery (cell objects, formats, spans) costs ~5-10 ms per workbook; writing the
few XML parts directly takes ~1 ms. The package is a conventional one (shared strings,
a styles part with a bold font, merged cells, core properties), the same parts xlsxwriter
and Excel write, so any reader (openpyxl, calamine, Excel, LibreOffice) opens it.
Deterministic: fixed zip timestamps and the given creation time.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from thads.generate.styles import Sheet

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _col(c: int) -> str:
    name = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        name = chr(65 + rem) + name
    return name


_COLS = [_col(c) for c in range(64)]


def _sheet_xml(sheet: Sheet, strings: dict[str, int]) -> str:
    parts = [
        f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">',
        '<cols><col min="1" max="1" width="34.7" customWidth="1"/></cols><sheetData>',
    ]
    covered = {
        (r, c)
        for r1, c1, r2, c2 in sheet.merges
        for r in range(r1, r2 + 1)
        for c in range(c1, c2 + 1)
        if (r, c) != (r1, c1)
    }
    for r, row in enumerate(sheet.cells):
        bold = ' s="1"' if r < sheet.data_start else ""
        cells = []
        for c, value in enumerate(row):
            if value is None or value == "" or (covered and (r, c) in covered):
                continue
            ref = f"{_COLS[c]}{r + 1}"
            if isinstance(value, str):
                index = strings.setdefault(value, len(strings))
                cells.append(f'<c r="{ref}"{bold} t="s"><v>{index}</v></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        if cells:
            parts.append(f'<row r="{r + 1}">{"".join(cells)}</row>')
    parts.append("</sheetData>")
    if sheet.merges:
        refs = "".join(
            f'<mergeCell ref="{_COLS[c1]}{r1 + 1}:{_COLS[c2]}{r2 + 1}"/>'
            for r1, c1, r2, c2 in sheet.merges
        )
        parts.append(f'<mergeCells count="{len(sheet.merges)}">{refs}</mergeCells>')
    parts.append("</worksheet>")
    return "".join(parts)


def _strings_xml(strings: dict[str, int]) -> str:
    items = []
    for text in strings:  # insertion order = index order
        space = ' xml:space="preserve"' if text != text.strip() else ""
        items.append(f"<si><t{space}>{escape(text)}</t></si>")
    n = len(strings)
    return f'{_HEAD}<sst xmlns="{_MAIN}" count="{n}" uniqueCount="{n}">{"".join(items)}</sst>'


def write_workbook(sheets: Sequence[Sheet], path: Path, created: datetime | None = None) -> Path:
    """Write `sheets` (in order) as one .xlsx at `path`."""
    strings: dict[str, int] = {}
    sheet_xml = [_sheet_xml(s, strings) for s in sheets]
    n = len(sheets)
    stamp = (created or datetime(2000, 1, 1, tzinfo=UTC)).astimezone(UTC)
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    files = {
        "[Content_Types].xml": (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f"{overrides}"
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            "</Relationships>"
        ),
        "docProps/core.xml": (
            f"{_HEAD}<cp:coreProperties "
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
            "</cp:coreProperties>"
        ),
        "xl/workbook.xml": (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(
                f'<sheet name="{escape(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                for i, s in enumerate(sheets, start=1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, n + 1)
            )
            + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/styles.xml": _STYLES,
        "xl/sharedStrings.xml": _strings_xml(strings),
    }
    for i, xml in enumerate(sheet_xml, start=1):
        files[f"xl/worksheets/sheet{i}.xml"] = xml
    buffer = io.BytesIO()  # one write to disk instead of a seek per part
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"), compresslevel=6)
    path.write_bytes(buffer.getvalue())
    return path
