"""Parsing every format and every variation the contract allows, against the true figures.

The files are written by the project's generator API (`thads.generate`) or by hand with
openpyxl; the truth is the generator's `Report`, never the parser's own output.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ingest.files import discover
from ingest.parse import parse_candidate, parse_many, parse_paths
from ingest.schema import REPORT_ROW_COLUMNS
from thads import reference
from thads.contract import IDENTITIES, MEASURES, NUMERIC_KEYS, boundary_for
from thads.generate import (
    CsvStyle,
    XlsxStyle,
    build_report,
    write_csv_pair,
    write_json,
    write_xlsx,
)


def make_report(code="80", year=2024, months=11, seed=1, n_offices=5, **kw):
    return build_report(
        code,
        year,
        months,
        cases_totals={"with_conditions": 7942, "done": 6113},  # seed 002
        money_totals={"with_conditions": 3_343_000_000, "done": 1_133_000_000},
        n_offices=n_offices,
        rng=random.Random(seed),
        **kw,
    )


def assert_matches_report(parsed, report) -> None:
    """Every office row and the total row carry exactly the report's figures."""
    assert not [f for f in parsed.findings if f.severity == "error"], [
        str(f) for f in parsed.findings
    ]
    rows = parsed.rows
    for measure in MEASURES:
        got = rows[rows.measure == measure].reset_index(drop=True)
        want = report.labelled_rows(measure)
        assert list(got.office) == [office for office, _ in want]
        assert list(got.is_total) == [False] * (len(want) - 1) + [True]
        assert list(got.office_order) == list(range(len(want)))
        for i, (_office, row) in enumerate(want):
            assert [got.loc[i, k] for k in NUMERIC_KEYS] == [float(row[k]) for k in NUMERIC_KEYS]


def test_samples_parse_without_findings_and_hold_the_identities(samples_dir):
    parsed = parse_paths(sorted(samples_dir.glob("THADS_*")))
    assert [p.submission_key for p in parsed] == [
        "THADS_02_2019_12",
        "THADS_80_2024_11",
        "THADS_92_2025_12",
    ]
    for p in parsed:
        assert p.findings == []
        rows = p.rows
        assert list(rows.columns) == list(REPORT_ROW_COLUMNS)
        assert {str(t) for t in rows.dtypes} == set(REPORT_ROW_COLUMNS.values()) | {"str"}
        for measure in MEASURES:
            part = rows[rows.measure == measure]
            offices, total = part[~part.is_total], part[part.is_total]
            assert len(total) == 1 and len(offices) >= 2
            # The samples are correct reports: the total row is the sum of the offices...
            for key in NUMERIC_KEYS:
                assert offices[key].sum() == total[key].iloc[0], (p.submission_key, key)
            # ... and every identity of the contract holds on every row.
            for _name, left, right in IDENTITIES:
                computed = sum(sign * part[k] for k, sign in right.items())
                assert (part[left] == computed).all(), (p.submission_key, measure, left)
    xlsx, js, csv = parsed
    assert (xlsx.fmt, xlsx.boundary, xlsx.header["province_code"]) == ("xlsx", 63, "02")
    assert js.submitted_at is not None and js.submitted_at.utcoffset().total_seconds() == 7 * 3600
    assert (csv.fmt, csv.boundary, len(csv.files)) == ("csv", 34, 2)
    # labels as written: the xlsx sample writes them without diacritics
    assert xlsx.labels[("cases", "with_conditions")] == ("Việc", "Co dieu kien")
    assert csv.labels[("money", "entrusted")] == ("THADS_92_2025_12_tien.csv", "Ủy thác")


XLSX_STYLES = [
    XlsxStyle(header=h, labels=lab, numbers=n, blank_zero=b)
    for h, lab, n, b in itertools.product(
        ("one", "trong_do", "merged"),
        ("as_is", "upper", "ascii_lower", "ascii_upper"),
        ("number", "text", "mixed"),
        (False, True),
    )
]


@pytest.mark.parametrize(
    "style", XLSX_STYLES, ids=lambda s: f"{s.header}-{s.labels}-{s.numbers}-{s.blank_zero}"
)
def test_xlsx_variations(tmp_path, style):
    report = make_report(seed=hash((style.header, style.labels, style.numbers)) % 1000)
    path = write_xlsx(report, tmp_path / report.filename("xlsx"), style)
    parsed = parse_candidate(discover(path).candidates[0])
    assert_matches_report(parsed, report)


@pytest.mark.parametrize(
    "style",
    [
        XlsxStyle(preamble=(), title=False, gap=0, period_form=0),
        XlsxStyle(preamble=("BỘ TƯ PHÁP", "TỔNG CỤC THI HÀNH ÁN DÂN SỰ"), gap=3, period_form=2),
        XlsxStyle(preamble=("BỘ TƯ PHÁP", "Biểu số: 01/TK-THA", ""), period_form=1, uy="Uỷ thác"),
    ],
)
def test_header_blocks_of_different_lengths(tmp_path, style):
    report = make_report(code="02", year=2019, months=12)
    path = write_xlsx(report, tmp_path / report.filename("xlsx"), style)
    parsed = parse_candidate(discover(path).candidates[0])
    assert_matches_report(parsed, report)
    assert parsed.header["province_code"] == "02"
    assert "12 tháng năm 2019" in parsed.header["period"]


CSV_STYLES = [
    CsvStyle(delimiter=d, bom=b, labels=lab, numbers=n, blank_zero=z)
    for d, b, lab, n, z in itertools.product(
        (",", ";"), (True, False), ("as_is", "ascii_upper"), ("number", "text"), (False, True)
    )
]


@pytest.mark.parametrize(
    "style",
    CSV_STYLES,
    ids=lambda s: f"{s.delimiter}-{s.bom}-{s.labels}-{s.numbers}-{s.blank_zero}",
)
def test_csv_variations(tmp_path, style):
    report = make_report(code="92", year=2025, months=12)
    write_csv_pair(report, tmp_path, style)
    (candidate,) = discover(tmp_path).candidates
    parsed = parse_candidate(candidate)
    assert_matches_report(parsed, report)
    assert parsed.boundary == boundary_for(2025, 12) == 34
    rows = parsed.rows
    assert set(rows[rows.measure == "cases"].sheet) == {"THADS_92_2025_12_viec.csv"}
    # CSV source rows are line numbers: the header is line 1, the first office line 2
    assert rows[rows.measure == "money"].source_row.tolist()[0] == 2


def test_json(tmp_path):
    report = make_report(code="80", year=2024, months=11)
    path = write_json(report, tmp_path / report.filename("json"))
    parsed = parse_candidate(discover(path).candidates[0])
    assert_matches_report(parsed, report)
    assert parsed.rows.sheet.unique().tolist() == ["cases", "money"]
    assert parsed.rows.source_row.tolist()[:3] == [1, 2, 3]
    assert parsed.submitted_at is not None


def test_json_numbers_as_vietnamese_text_and_null(tmp_path):
    import json

    report = make_report()
    path = write_json(report, tmp_path / report.filename("json"))
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["cases"][0]["carried_over"] = f"{report.cases[0]['carried_over']:,}".replace(",", ".")
    report.cases[0]["other"], doc["cases"][0]["other"] = 0, None
    # keep the total consistent with the edit
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    parsed = parse_candidate(discover(path).candidates[0])
    rows = parsed.rows
    first = rows[(rows.measure == "cases") & (rows.office_order == 0)].iloc[0]
    assert first.carried_over == report.cases[0]["carried_over"]
    assert first.other == 0.0
    assert not parsed.has_errors


def _hand_written(path: Path, sheets: dict[str, list[list[object]]], merges=()) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for m in merges:
            ws.merge_cells(m)
    wb.save(path)
    return path


LABELS_ROW = [
    "Đơn vị (1)",
    "Năm trước\nchuyển sang",
    "THỤ LÝ MỚI",
    "Tổng số thụ lý",
    "Uỷ thác",
    "Thu hồi, hủy quyết định",
    "Tổng số phải thi hành",
    "Chưa có điều kiện",
    "Có điều kiện",
    "Thi hành xong",
    "Đình chỉ",
    "Đang thi hành",
    "Hoãn",
    "Tạm đình chỉ",
    "Khác",
]
OFFICE_A = ["Văn phòng Cục THADS", 10, 5, 15, 1, 0, 14, 4, 10, 6, 1, 2, 1, 0, 0]
OFFICE_B = [
    "Chi cục THADS Huyện A",
    "1.529",
    "",
    "1.529",
    "-",
    None,
    "1.529",
    "29",
    "1.500",
    "1.000",
    0,
    500,
    0,
    0,
    0,
]
TOTAL = ["Tổng cộng", 1539, 5, 1544, 1, 0, 1543, 33, 1510, 1006, 1, 502, 1, 0, 0]


def test_hand_written_sheet_with_numbering_row_notes_and_offset(tmp_path):
    """Labels with numbering/newlines, a '1 2 3' row, '-' and blanks as zero, notes below the
    total, the table not starting in column A."""
    block = [[None, "CỤC THADS TỈNH LONG AN"], [None, "Mã tỉnh: 80"], [None, "11 THÁNG NĂM 2024"]]
    pad = lambda r: [None, *r]  # noqa: E731 - the whole table one column to the right
    body = [
        pad(LABELS_ROW),
        pad(["A", *range(1, 15)]),
        pad(OFFICE_A),
        [None] * 16,
        pad(OFFICE_B),
        pad(TOTAL),
        [None, "Ghi chú: số liệu sơ bộ", None, "Người lập biểu"],
    ]
    sheet = block + body
    path = _hand_written(tmp_path / "THADS_80_2024_11.xlsx", {"VIEC": sheet, "tien": sheet})
    parsed = parse_candidate(discover(path).candidates[0])
    assert parsed.findings == []
    rows = parsed.rows
    cases = rows[rows.measure == "cases"]
    assert cases.office.tolist() == ["Văn phòng Cục THADS", "Chi cục THADS Huyện A", "Tổng cộng"]
    assert cases.source_row.tolist() == [6, 8, 9]  # row 7 is blank, row 5 the numbering
    b = cases.iloc[1]
    assert (b.carried_over, b.new_received, b.entrusted, b.recalled, b.completed) == (
        1529.0,
        0.0,
        0.0,
        0.0,
        1000.0,
    )
    assert parsed.labels[("cases", "entrusted")] == ("VIEC", "Uỷ thác")
    assert parsed.labels[("money", "office")] == ("tien", "Đơn vị (1)")


def test_two_row_header_with_group_cells_above_the_details(tmp_path):
    """Labels up to 'Có điều kiện' merged over two rows, 'Trong đó' merged over the detail
    columns, the detail labels in the lower row (written by hand, with openpyxl)."""
    top = LABELS_ROW[:9] + ["Trong đó"] + [None] * 5
    bottom = [None] * 9 + LABELS_ROW[9:]
    sheet = [["Mã tỉnh: 80"], ["11 tháng năm 2024"], top, bottom, OFFICE_A, TOTAL]
    merges = [f"{c}3:{c}4" for c in "ABCDEFGHI"] + ["J3:O3"]
    path = _hand_written(tmp_path / "THADS_80_2024_11.xlsx", {"Việc": sheet, "Tiền": sheet}, merges)
    parsed = parse_candidate(discover(path).candidates[0])
    assert not parsed.has_errors, [str(f) for f in parsed.findings]
    rows = parsed.rows
    assert rows.source_row.tolist() == [5, 6, 5, 6]
    assert rows.completed.tolist() == [6.0, 1006.0, 6.0, 1006.0]


def test_parse_many_on_two_processes_equals_one(tmp_path):
    rng = random.Random(7)
    codes = [p.code for p in reference.provinces(reference.LEGACY)]
    for i in range(40):
        report = make_report(code=codes[i % len(codes)], months=(i % 12) + 1, seed=i)
        kind = i % 3
        if kind == 0:
            write_xlsx(report, tmp_path / report.filename("xlsx"), XLSX_STYLES[rng.randrange(72)])
        elif kind == 1:
            write_csv_pair(report, tmp_path, CSV_STYLES[rng.randrange(len(CSV_STYLES))])
        else:
            write_json(report, tmp_path / report.filename("json"))
    candidates = discover(tmp_path).candidates
    one = parse_many(candidates, workers=1)
    two = parse_many(candidates, workers=2, chunk_size=8)
    assert [p.submission_id for p in one] == [p.submission_id for p in two]
    for a, b in zip(one, two, strict=True):
        assert a.findings == b.findings == []
        pd.testing.assert_frame_equal(a.rows, b.rows)
