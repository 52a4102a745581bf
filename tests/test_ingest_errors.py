"""Unparseable input: each kind becomes findings (file, sheet, row, column, rule), not a crash."""

from __future__ import annotations

import json
import random
import shutil

import openpyxl
import pytest

from ingest.files import discover
from ingest.parse import parse_candidate, parse_paths
from thads.generate import CsvStyle, XlsxStyle, build_report, write_csv_pair, write_json, write_xlsx


def report(code="80", year=2024, months=11):
    return build_report(
        code,
        year,
        months,
        cases_totals={"with_conditions": 5871, "done": 5513},  # seed 004
        money_totals={"with_conditions": 112_100_000, "done": 93_200_000},
        n_offices=4,
        rng=random.Random(4),
    )


def parse_one(path):
    (candidate,) = discover(path if path.is_dir() else [path]).candidates
    return parse_candidate(candidate)


def errors(parsed, rule=None):
    return [
        f for f in parsed.findings if f.severity == "error" and (rule is None or f.rule == rule)
    ]


def edit_xlsx(path, edit):
    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(path)


def find_cell(ws, text):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell
    raise AssertionError(f"{text!r} not in sheet {ws.title}")


def test_not_an_xlsx(tmp_path):
    path = tmp_path / "THADS_80_2024_11.xlsx"
    path.write_text("Đơn vị,Thụ lý mới\n", encoding="utf-8")  # a CSV saved as .xlsx
    parsed = parse_one(path)
    assert parsed.rows is None
    (f,) = errors(parsed)
    assert (f.rule, f.file) == ("parse.not_xlsx", "THADS_80_2024_11.xlsx")
    assert "parse.not_xlsx" in str(f) and "THADS_80_2024_11.xlsx" in str(f)


def test_missing_sheet(tmp_path):
    r = report()
    path = write_xlsx(r, tmp_path / r.filename("xlsx"))
    edit_xlsx(path, lambda wb: wb.remove(wb["Tiền"]))
    parsed = parse_one(path)
    (f,) = errors(parsed)
    assert (f.rule, f.sheet) == ("parse.missing_sheet", "Tiền")
    assert "'Việc'" in f.message  # names the sheets it did find
    # the sheet that is there is still read (validation can say more about it)
    assert set(parsed.rows.measure) == {"cases"}


def test_missing_column(tmp_path):
    r = report()
    path = write_xlsx(r, tmp_path / r.filename("xlsx"), XlsxStyle(labels="ascii_upper"))

    def drop_hoan(wb):
        ws = wb["Việc"]
        find_cell(ws, "HOAN").value = "Ghi chú"

    edit_xlsx(path, drop_hoan)
    parsed = parse_one(path)
    (f,) = errors(parsed)
    header_row = find_cell(openpyxl.load_workbook(path)["Việc"], "DON VI").row
    assert (f.rule, f.sheet, f.row, f.column) == (
        "parse.missing_column",
        "Việc",
        header_row,
        "Hoãn",
    )


def test_text_in_a_number_cell_names_sheet_row_and_label_as_written(tmp_path):
    r = report()
    path = write_xlsx(r, tmp_path / r.filename("xlsx"), XlsxStyle(labels="ascii_lower"))
    wb = openpyxl.load_workbook(path)
    ws = wb["Tiền"]
    label = find_cell(ws, "thi hanh xong")
    target = ws.cell(row=label.row + 2, column=label.column)
    target.value = "1.5O9"  # the letter O typed for a zero
    wb.save(path)
    parsed = parse_one(path)
    (f,) = errors(parsed)
    assert (f.rule, f.sheet, f.row, f.column) == (
        "parse.not_a_number",
        "Tiền",
        target.row,
        "thi hanh xong",
    )
    assert f.observed == "'1.5O9'"
    text = str(f)
    assert all(part in text for part in ("Tiền", f"row {target.row}", "thi hanh xong", "1.5O9"))


def test_wrong_code_in_the_header_block(tmp_path):
    r = report(code="80")
    path = write_xlsx(r, tmp_path / r.filename("xlsx"))

    def recode(wb):
        for ws in wb:
            find_cell(ws, "Mã tỉnh: 80").value = "Mã tỉnh: 72"

    edit_xlsx(path, recode)
    parsed = parse_one(path)
    found = errors(parsed, "parse.header_code_mismatch")
    assert {f.sheet for f in found} == {"Việc", "Tiền"}
    ws = openpyxl.load_workbook(path)["Việc"]
    f = next(f for f in found if f.sheet == "Việc")
    assert (f.row, f.expected, f.observed) == (find_cell(ws, "Mã tỉnh: 72").row, "80", "72")


def test_wrong_period_in_the_header_block(tmp_path):
    r = report(months=11)
    path = write_xlsx(r, tmp_path / r.filename("xlsx"), XlsxStyle(period_form=2))

    def shift(wb):
        for ws in wb:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and "11 tháng năm 2024" in cell.value:
                        cell.value = cell.value.replace("11 tháng", "10 tháng")

    edit_xlsx(path, shift)
    found = errors(parse_one(path), "parse.header_period_mismatch")
    assert len(found) == 2 and found[0].observed == "10 tháng năm 2024"


def test_money_in_dong_instead_of_thousands_is_refused(tmp_path):
    r = report()
    path = write_xlsx(r, tmp_path / r.filename("xlsx"))
    edit_xlsx(
        path,
        lambda wb: setattr(
            find_cell(wb["Tiền"], "Đơn vị tính: nghìn đồng"), "value", "Đơn vị tính: đồng"
        ),
    )
    (f,) = errors(parse_one(path))
    assert (f.rule, f.sheet) == ("parse.header_unit_mismatch", "Tiền")


@pytest.mark.parametrize(
    "name",
    ["THADS_80_2024_13.xlsx", "report.xlsx", "THADS_80_2024_11.csv", "THADS_8_2024_11.json"],
)
def test_bad_file_name_is_a_refused_submission_not_a_crash(tmp_path, samples_dir, name):
    shutil.copy(samples_dir / "THADS_80_2024_11.json", tmp_path / name)
    (parsed,) = parse_paths([tmp_path / name])
    assert parsed.rows is None
    (f,) = parsed.findings
    assert (f.rule, f.file) == ("parse.bad_filename", name)
    assert name in f.message
    assert parsed.submission_id.startswith(f"{name}@")


def test_invalid_json(tmp_path):
    path = tmp_path / "THADS_80_2024_11.json"
    path.write_text('{"province_code": "80", "cases": [', encoding="utf-8")
    parsed = parse_one(path)
    assert parsed.rows is None
    (f,) = parsed.findings
    assert (f.rule, f.row) == ("parse.invalid_json", 1)


def test_json_content_must_agree_with_the_name(tmp_path):
    r = report(code="80")
    path = write_json(r, tmp_path / "THADS_80_2024_11.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["province_code"], doc["months"] = "72", 10
    doc["money"][1]["completed"] = "12%"
    del doc["cases"][0]["other"]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    rules = {(f.rule, f.sheet, f.row, f.column) for f in errors(parse_one(path))}
    assert rules == {
        ("parse.header_code_mismatch", None, None, "province_code"),
        ("parse.header_period_mismatch", None, None, "months"),
        ("parse.not_a_number", "money", 2, "completed"),
        ("parse.missing_column", "cases", 1, "other"),
    }


def test_json_missing_array_and_total(tmp_path):
    r = report()
    path = write_json(r, tmp_path / r.filename("json"))
    doc = json.loads(path.read_text(encoding="utf-8"))
    del doc["money"]
    doc["cases"].pop()  # the total row
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    rules = {(f.rule, f.sheet) for f in errors(parse_one(path))}
    assert rules == {("parse.missing_sheet", "money"), ("parse.missing_total_row", "cases")}


def test_lone_csv_half(tmp_path):
    r = report(code="92", year=2025, months=12)
    viec, tien = write_csv_pair(r, tmp_path)
    tien.unlink()
    parsed = parse_one(viec)
    (f,) = parsed.findings
    assert f.rule == "parse.missing_pair"
    assert "missing _tien.csv" in f.message and "THADS_92_2025_12_tien.csv" in f.message


def test_csv_text_cell_missing_total_and_bad_encoding(tmp_path):
    r = report(code="92", year=2025, months=12)
    viec, tien = write_csv_pair(r, tmp_path, CsvStyle(delimiter=";", bom=True))
    lines = viec.read_text(encoding="utf-8-sig").splitlines()
    cells = lines[2].split(";")
    cells[9] = "#REF!"
    lines[2] = ";".join(cells)
    viec.write_text("\ufeff" + "\n".join(lines[:-1]) + "\n", encoding="utf-8")  # total dropped
    tien.write_bytes("Đơn vị;Thụ lý mới\n".encode("utf-16"))  # not UTF-8
    parsed = parse_one(tmp_path)
    got = {(f.rule, f.sheet, f.row, f.column) for f in errors(parsed)}
    assert ("parse.not_a_number", viec.name, 3, "Thi hành xong") in got
    assert ("parse.missing_total_row", viec.name, len(lines) - 1, "Đơn vị") in got
    assert ("parse.bad_encoding", tien.name, None, None) in got


def test_duplicate_office_and_blank_office(tmp_path):
    r = report()
    path = write_xlsx(r, tmp_path / r.filename("xlsx"))
    wb = openpyxl.load_workbook(path)
    ws = wb["Việc"]
    first = find_cell(ws, r.offices[0])
    second = find_cell(ws, r.offices[1])
    second.value = r.offices[0]
    third = find_cell(ws, r.offices[2])
    third.value = None
    wb.save(path)
    found = errors(parse_one(path))
    assert {(f.rule, f.row) for f in found} == {
        ("parse.duplicate_office", second.row),
        ("parse.blank_office", third.row),
    }
    dup = next(f for f in found if f.rule == "parse.duplicate_office")
    assert f"rows {first.row} and {second.row}" in dup.message


def test_one_bad_file_does_not_stop_the_others(tmp_path, samples_dir):
    for sample in samples_dir.glob("THADS_*"):
        shutil.copy(sample, tmp_path)
    (tmp_path / "THADS_01_2024_03.xlsx").write_bytes(b"PK\x03\x04 broken zip")
    (tmp_path / "THADS_01_2024_04.json").write_text("[]", encoding="utf-8")
    parsed = {p.submission_key: p for p in parse_paths(sorted(tmp_path.iterdir()))}
    assert parsed["THADS_01_2024_03"].findings[0].rule == "parse.not_xlsx"
    assert parsed["THADS_01_2024_04"].findings[0].rule == "parse.invalid_json"
    for key in ("THADS_02_2019_12", "THADS_80_2024_11", "THADS_92_2025_12"):
        assert parsed[key].findings == [] and len(parsed[key].rows) > 0
