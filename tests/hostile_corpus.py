"""A hostile corpus (issue 12): malformed and malicious inputs, written by code into ONE
landing zone beside good reports, to be loaded in one batch.

Each `Case` writes its file(s) and says what must become of them: `refused` (quarantined,
with a reason of the named rule), `loaded`, or `duplicate`. Every case has its own
province and period (`Slot`), so no case's outcome depends on another's.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from thads import reference
from thads.generate import build_report, write_csv_pair, write_json, write_xlsx
from thads.generate.model import Report
from thads.safe_text import safe_text


@dataclass(frozen=True)
class Slot:
    code: str
    year: int
    months: int = 11

    def report(self, revision: int = 1, seed: int = 1) -> Report:
        return build_report(
            self.code,
            self.year,
            self.months,
            cases_totals={"with_conditions": 7942, "done": 6113},
            money_totals={"with_conditions": 3_343_000_000, "done": 1_133_000_000},
            n_offices=3,
            rng=random.Random(f"{self.code}{self.year}{seed}"),
            revision=revision,
        )

    def name(self, fmt: str, revision: int = 1) -> str:
        return self.report(revision).filename(fmt)


#: Writes a case's files into the landing zone (given its slot and a scratch folder
#: outside it); returns the names the registry will show (escaped, as `thads.safe_text`).
Maker = Callable[[Path, Slot, Path], list[str]]


@dataclass(frozen=True)
class Case:
    name: str
    expect: str  # "refused" | "loaded" | "duplicate"
    rule: str | None
    make: Maker


CASES: list[Case] = []
#: Under the scratch folder: content only links point to (never to be read by a load).
OUTSIDE = "outside"


def case(name: str, expect: str, rule: str | None = None) -> Callable[[Maker], Maker]:
    def register(make: Maker) -> Maker:
        CASES.append(Case(name, expect, rule, make))
        return make

    return register


def _raw(landing: Path, name: str | bytes, data: bytes | str) -> str:
    path = os.path.join(os.fsencode(landing), os.fsencode(name))
    with open(path, "wb") as handle:
        handle.write(data.encode() if isinstance(data, str) else data)
    return safe_text(os.fsdecode(os.path.basename(path)))


def _json_doc(slot: Slot) -> dict:
    buffer = io.BytesIO()
    scratch = Path(os.environ.get("TMPDIR", "/tmp"))
    path = write_json(slot.report(), scratch / f"corpus-{os.getpid()}-{slot.code}.json")
    buffer.write(path.read_bytes())
    path.unlink()
    return json.loads(buffer.getvalue())


def _json_case(landing: Path, slot: Slot, change: Callable[[dict], object]) -> list[str]:
    doc = _json_doc(slot)
    replaced = change(doc)
    text = replaced if isinstance(replaced, str) else json.dumps(doc, ensure_ascii=False)
    return [_raw(landing, slot.name("json"), text)]


def _csv_case(landing: Path, slot: Slot, change: Callable[[str], str]) -> list[str]:
    viec, tien = write_csv_pair(slot.report(), landing)
    viec.write_text(change(viec.read_text(encoding="utf-8-sig")), encoding="utf-8")
    return [viec.name, tien.name]


def _xlsx_case(landing: Path, slot: Slot, change: Callable[[openpyxl.Workbook], None]) -> list[str]:
    path = write_xlsx(slot.report(), landing / slot.name("xlsx"))
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return [path.name]


def _first_figure(sheet) -> tuple[int, int]:
    """(row, column) of the first whole-number figure under the header of a sheet."""
    for row in sheet.iter_rows(min_row=1):
        for cell in row[1:]:
            if isinstance(cell.value, int | float) and cell.value > 3 and cell.column > 2:
                return cell.row, cell.column
    raise AssertionError("no figure in the sheet")


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in entries.items():
            book.writestr(name, data)
    return out.getvalue()


def _sheet_xml(cells: str, dimension: str | None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
        f'org/spreadsheetml/2006/main">{dim}<sheetData>{cells}</sheetData></worksheet>'
    ).encode()


def _workbook(sheet1: bytes) -> bytes:
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    doc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
    return _zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/content-types"><Default Extension="xml" '
            b'ContentType="application/xml"/></Types>',
            "xl/workbook.xml": f'<?xml version="1.0"?><workbook {ns} {rel}><sheets><sheet '
            f'name="Việc" sheetId="1" r:id="rId1"/></sheets></workbook>'.encode(),
            "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{doc}" Target="worksheets/sheet1.xml"/>'
            "</Relationships>".encode(),
            "xl/worksheets/sheet1.xml": sheet1,
        }
    )


# --- JSON -----------------------------------------------------------------------------------


@case("json nested 100000 deep", "refused", "parse.limit_exceeded")
def _(landing, slot, scratch):
    return [_raw(landing, slot.name("json"), "[" * 100_000 + "]" * 100_000)]


def _first_completed(text: str, literal: str) -> str:
    return re.sub(r'"completed": [0-9.]+', f'"completed": {literal}', text, count=1)


@case("json integer of 400 digits", "refused", "parse.limit_exceeded")
def _(landing, slot, scratch):
    return _json_case(landing, slot, lambda d: _first_completed(json.dumps(d), "9" * 400))


@case("json float 1e999", "refused", "parse.not_a_number")
def _(landing, slot, scratch):
    return _json_case(landing, slot, lambda d: _first_completed(json.dumps(d), "1e999"))


@case("json NaN literal", "refused", "parse.not_a_number")
def _(landing, slot, scratch):
    return _json_case(landing, slot, lambda d: d["cases"][0].__setitem__("completed", float("nan")))


@case("json top level is an array", "refused", "parse.invalid_json")
def _(landing, slot, scratch):
    return [_raw(landing, slot.name("json"), "[1, 2, 3]")]


@case("json not UTF-8", "refused", "parse.invalid_json")
def _(landing, slot, scratch):
    return [_raw(landing, slot.name("json"), b'{"province_code": "\xff\xfe"}')]


@case("json empty file", "refused", "parse.invalid_json")
def _(landing, slot, scratch):
    return [_raw(landing, slot.name("json"), b"")]


@case("json 6000 rows", "refused", "parse.limit_exceeded")
def _(landing, slot, scratch):
    return _json_case(landing, slot, lambda d: d.__setitem__("cases", d["cases"][:1] * 6000))


@case("json case count with decimals", "refused", "parse.not_an_integer")
def _(landing, slot, scratch):
    return _json_case(landing, slot, lambda d: d["cases"][0].__setitem__("postponed", 2.5))


@case("json 'cases' is an object", "refused", "parse.invalid_json")
def _(landing, slot, scratch):
    return _json_case(landing, slot, lambda d: d.__setitem__("cases", {"a": 1}))


@case("json rows that are strings", "refused", "parse.invalid_json")
def _(landing, slot, scratch):
    return _json_case(landing, slot, lambda d: d.__setitem__("money", ["x"] * 3))


@case("json content names another province", "refused")
def _(landing, slot, scratch):
    return _json_case(landing, slot, lambda d: d.__setitem__("province_code", "01"))


@case("json figure of 19 digits", "refused", "parse.limit_exceeded")
def _(landing, slot, scratch):
    return _json_case(landing, slot, lambda d: d["money"][0].__setitem__("other", 10**18))


@case("json with a BOM", "loaded")
def _(landing, slot, scratch):
    return _json_case(landing, slot, lambda d: "\ufeff" + json.dumps(d, ensure_ascii=False))


@case("json wrapped 30 levels deep", "refused", "parse.limit_exceeded")
def _(landing, slot, scratch):
    return _json_case(landing, slot, lambda d: "[" * 30 + json.dumps(d) + "]" * 30)


# --- CSV ------------------------------------------------------------------------------------


@case("csv 10 MB field", "refused", "parse.limit_exceeded")
def _(landing, slot, scratch):
    return _csv_case(landing, slot, lambda t: t + "x" * (10 << 20) + ",1\n")


@case("csv lone half", "refused", "parse.missing_pair")
def _(landing, slot, scratch):
    viec, tien = write_csv_pair(slot.report(), landing)
    tien.unlink()
    return [viec.name]


@case("csv latin-1", "refused", "parse.bad_encoding")
def _(landing, slot, scratch):
    viec, tien = write_csv_pair(slot.report(), landing)
    viec.write_bytes(viec.read_text(encoding="utf-8-sig").encode("cp1258", "replace"))
    return [viec.name, tien.name]


@case("csv 6000 rows", "refused", "parse.limit_exceeded")
def _(landing, slot, scratch):
    return _csv_case(landing, slot, lambda t: t + "x,1,2\n" * 6000)


@case("csv 300 columns", "refused", "parse.limit_exceeded")
def _(landing, slot, scratch):
    return _csv_case(landing, slot, lambda t: t + ",".join(["1"] * 300) + "\n")


@case("csv NUL bytes", "refused")
def _(landing, slot, scratch):
    return _csv_case(landing, slot, lambda t: t.replace(",", ",\0", 5))


@case("csv binary garbage", "refused")
def _(landing, slot, scratch):
    viec, tien = write_csv_pair(slot.report(), landing)
    viec.write_bytes(random.Random(1).randbytes(50_000))
    return [viec.name, tien.name]


@case("csv case count with decimals", "refused", "parse.not_an_integer")
def _(landing, slot, scratch):
    def change(text: str) -> str:
        lines = text.splitlines()
        delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
        for i, line in enumerate(lines):
            cells = line.split(delimiter)
            if len(cells) > 5 and cells[-1].strip().isdigit():
                cells[-1] = cells[-1].strip() + ("5" if delimiter == "," else ",5")
                if delimiter == ",":
                    cells[-1] = f'"{cells[-1][:-1]},5"'
                lines[i] = delimiter.join(cells)
                break
        return "\n".join(lines) + "\n"

    return _csv_case(landing, slot, change)


@case("csv empty half", "refused")
def _(landing, slot, scratch):
    return _csv_case(landing, slot, lambda t: "")


@case("csv unterminated quote", "refused", "parse.limit_exceeded")
def _(landing, slot, scratch):
    return _csv_case(landing, slot, lambda t: t + '"never closed' + "a" * 20_000)


# --- XLSX -----------------------------------------------------------------------------------


@case("xlsx A1 and XFD1048576 (declared)", "refused", "parse.limit_exceeded")
def _(landing, slot, scratch):
    book = openpyxl.Workbook()
    book.active.title = "Việc"
    book.active["A1"] = 1
    book.active["XFD1048576"] = 1
    book.create_sheet("Tiền")
    path = landing / slot.name("xlsx")
    book.save(path)
    return [path.name]


@case("xlsx far cell, no dimension", "refused", "parse.limit_exceeded")
def _(landing, slot, scratch):
    cells = (
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    return [_raw(landing, slot.name("xlsx"), _workbook(_sheet_xml(cells, None)))]


@case("xlsx zip bomb", "refused", "parse.limit_exceeded")
def _(landing, slot, scratch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/workbook.xml", "<workbook/>")
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b" " * (1 << 20)
            for _ in range(210):
                member.write(block)
    return [_raw(landing, slot.name("xlsx"), out.getvalue())]


@case("xls content renamed .xlsx", "refused", "parse.not_xlsx")
def _(landing, slot, scratch):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)
    return [_raw(landing, slot.name("xlsx"), ole)]


@case("ods content renamed .xlsx", "refused", "parse.not_xlsx")
def _(landing, slot, scratch):
    ods = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                "content.xml": b"<office:document-content/>"})  # fmt: skip
    return [_raw(landing, slot.name("xlsx"), ods)]


@case("xlsx that is text", "refused", "parse.not_xlsx")
def _(landing, slot, scratch):
    return [_raw(landing, slot.name("xlsx"), "<html>not a workbook</html>")]


@case("xlsx truncated", "refused", "parse.not_xlsx")
def _(landing, slot, scratch):
    path = write_xlsx(slot.report(), scratch / slot.name("xlsx"))
    return [_raw(landing, slot.name("xlsx"), path.read_bytes()[:1500])]


@case("xlsx empty file", "refused", "parse.not_xlsx")
def _(landing, slot, scratch):
    return [_raw(landing, slot.name("xlsx"), b"")]


@case("xlsx without the Tiền sheet", "refused", "parse.missing_sheet")
def _(landing, slot, scratch):
    return _xlsx_case(landing, slot, lambda b: b.remove(b.worksheets[1]))


@case("xlsx 6000 stray rows after the report", "refused", "parse.limit_exceeded")
def _(landing, slot, scratch):
    def change(book):
        sheet = book.worksheets[0]
        start = sheet.max_row + 1
        for r in range(start, start + 6000):
            sheet.cell(row=r, column=2, value=1)

    return _xlsx_case(landing, slot, change)


@case("xlsx cell of 20000 characters", "refused", "parse.limit_exceeded")
def _(landing, slot, scratch):
    return _xlsx_case(
        landing, slot, lambda b: b.worksheets[0].cell(row=1, column=1, value="x" * 20000)
    )


@case("xlsx case count with decimals", "refused", "parse.not_an_integer")
def _(landing, slot, scratch):
    def change(book):
        sheet = book.worksheets[0]
        row, col = _first_figure(sheet)
        sheet.cell(row=row, column=col, value=sheet.cell(row=row, column=col).value + 0.5)

    return _xlsx_case(landing, slot, change)


@case("xlsx figure of 20 digits", "refused", "parse.limit_exceeded")
def _(landing, slot, scratch):
    def change(book):
        sheet = book.worksheets[1]
        row, col = _first_figure(sheet)
        sheet.cell(row=row, column=col, value=str(10**19))

    return _xlsx_case(landing, slot, change)


@case("xlsx negative figure", "refused")
def _(landing, slot, scratch):
    def change(book):
        sheet = book.worksheets[0]
        row, col = _first_figure(sheet)
        sheet.cell(row=row, column=col, value=-5)

    return _xlsx_case(landing, slot, change)


@case("xlsx for a period not yet closed", "refused", "parse.period_not_closed")
def _(landing, slot, scratch):
    future = Slot("01", 2099, slot.months)  # Hà Nội: a code of the current set
    path = write_xlsx(future.report(), landing / future.name("xlsx"))
    return [path.name]


@case("xlsx of a province code outside the set", "refused")
def _(landing, slot, scratch):
    data = write_xlsx(slot.report(), scratch / slot.name("xlsx")).read_bytes()
    return [_raw(landing, slot.name("xlsx").replace(f"_{slot.code}_", "_99_"), data)]


@case("good xlsx re-saved by openpyxl", "loaded")
def _(landing, slot, scratch):
    return _xlsx_case(landing, slot, lambda b: None)


# --- Entries that are not regular files -----------------------------------------------------


@case("symlink to /etc/passwd", "refused", "parse.not_regular_file")
def _(landing, slot, scratch):
    (landing / slot.name("json")).symlink_to("/etc/passwd")
    return [slot.name("json")]


@case("symlink to a valid report elsewhere", "refused", "parse.not_regular_file")
def _(landing, slot, scratch):
    outside = scratch / OUTSIDE
    outside.mkdir(exist_ok=True)
    target = write_xlsx(slot.report(), outside / slot.name("xlsx"))
    (landing / slot.name("xlsx")).symlink_to(target)
    return [slot.name("xlsx")]


@case("dangling symlink", "refused", "parse.not_regular_file")
def _(landing, slot, scratch):
    (landing / slot.name("json")).symlink_to(scratch / "nowhere.json")
    return [slot.name("json")]


@case("folder named like a report", "refused", "parse.not_regular_file")
def _(landing, slot, scratch):
    (landing / slot.name("xlsx")).mkdir()
    return [slot.name("xlsx")]


@case("named pipe named like a report", "refused", "parse.not_regular_file")
def _(landing, slot, scratch):
    os.mkfifo(landing / slot.name("json"))
    return [slot.name("json")]


# --- Names ------------------------------------------------------------------------------------


def _named(name: str | bytes) -> Maker:
    def make(landing: Path, slot: Slot, scratch: Path) -> list[str]:
        data = write_xlsx(slot.report(), scratch / slot.name("xlsx")).read_bytes()
        return [_raw(landing, name, data)]

    return make


def _names() -> None:
    specs: list[tuple[str, str | bytes | Callable[[Slot], str | bytes]]] = [
        ("hidden copy of a report", lambda s: "." + s.name("xlsx")),
        ("Excel lock file", lambda s: "~$" + s.name("xlsx")),
        ("terminal escape in the name", lambda s: s.name("xlsx").replace("_", "_\x1b[31m", 1)),
        ("newline at the end of the name", lambda s: s.name("xlsx") + "\n"),
        ("Arabic-Indic digits", lambda s: s.name("xlsx").replace(s.code, "٨٠")),
        ("full-width digits", lambda s: s.name("xlsx").replace(str(s.year), "２０２４")),
        ("name of 250 bytes", lambda s: s.name("xlsx").replace(".xlsx", "_" + "x" * 225 + ".xlsx")),
        (
            "bytes that are not UTF-8",
            lambda s: os.fsencode(s.name("xlsx")).replace(b"_", b"_\xff", 1),
        ),
        ("right-to-left override", lambda s: s.name("xlsx").replace(".xlsx", "\u202exslx.json")),
        ("old .xls extension", lambda s: s.name("xlsx").replace(".xlsx", ".xls")),
        (".ods extension", lambda s: s.name("xlsx").replace(".xlsx", ".ods")),
        ("month 13", lambda s: s.name("xlsx").replace(f"_{s.months:02d}", "_13")),
        ("month 00", lambda s: s.name("xlsx").replace(f"_{s.months:02d}", "_00")),
        ("CSV without _viec/_tien", lambda s: s.name("xlsx").replace(".xlsx", ".csv")),
        ("double extension", lambda s: s.name("xlsx") + ".exe"),
        ("zero-width space in the name", lambda s: s.name("xlsx").replace("_", "_\u200b", 1)),
    ]
    for label, spec in specs:

        def make(landing: Path, slot: Slot, scratch: Path, spec=spec) -> list[str]:
            name = spec(slot) if callable(spec) else spec
            return _named(name)(landing, slot, scratch)

        CASES.append(Case(label, "refused", "parse.bad_filename", make))


_names()


# --- Resends and good reports -----------------------------------------------------------------


@case("the same bytes resent as _r2", "duplicate")
def _(landing, slot, scratch):
    first = write_xlsx(slot.report(), landing / slot.name("xlsx"))
    resent = landing / slot.name("xlsx", revision=2)
    resent.write_bytes(first.read_bytes())
    return [resent.name]


@case("good xlsx", "loaded")
def _(landing, slot, scratch):
    return [write_xlsx(slot.report(), landing / slot.name("xlsx")).name]


@case("good json", "loaded")
def _(landing, slot, scratch):
    return [write_json(slot.report(), landing / slot.name("json")).name]


@case("good csv pair", "loaded")
def _(landing, slot, scratch):
    return [p.name for p in write_csv_pair(slot.report(), landing)]


@case("good xlsx, lower-case name", "loaded")
def _(landing, slot, scratch):
    path = write_xlsx(slot.report(), landing / slot.name("xlsx").lower())
    return [path.name]


def slots() -> list[Slot]:
    """One province and period per case: the 63 legacy codes of 2024, then of 2023."""
    codes = [p.code for p in reference.provinces(63)]
    return [Slot(code, year) for year in (2024, 2023) for code in codes]
