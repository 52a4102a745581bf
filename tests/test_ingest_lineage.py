"""Lineage: every tidy row points back to the exact source cell, opened by another reader."""

from __future__ import annotations

import csv
import json
import random

import openpyxl

from ingest.files import discover, sha256_file
from ingest.numbers import parse_vn_number
from ingest.parse import parse_candidate
from thads.contract import MEASURES, NUMERIC_KEYS, SHEET_NAMES
from thads.generate import CsvStyle, XlsxStyle, build_report, write_csv_pair, write_json, write_xlsx


def _report():
    return build_report(
        "02",
        2019,
        12,
        cases_totals={"with_conditions": 5871, "done": 5513},
        money_totals={"with_conditions": 112_100_000, "done": 93_200_000},
        n_offices=6,
        rng=random.Random(11),
    )


def _column_of(ws, header_rows, label):
    for r in header_rows:
        for cell in ws[r]:
            if cell.value == label:
                return cell.column
    raise AssertionError(label)


def test_xlsx_rows_point_at_their_cells(tmp_path, samples_dir):
    r = _report()
    generated = write_xlsx(
        r, tmp_path / r.filename("xlsx"), XlsxStyle(header="merged", numbers="mixed")
    )
    for path in (samples_dir / "THADS_02_2019_12.xlsx", generated):
        parsed = parse_candidate(discover([path]).candidates[0])
        rows = parsed.rows
        assert set(rows.source_file) == {path.name}
        assert set(rows.sha256) == {sha256_file(path)}
        wb = openpyxl.load_workbook(path)  # an independent reader
        for measure in MEASURES:
            part = rows[rows.measure == measure]
            (sheet,) = set(part.sheet)
            assert sheet == SHEET_NAMES[measure]
            ws = wb[sheet]
            first_data = int(part.source_row.min())
            header_rows = [first_data - 2, first_data - 1]
            office_col = _column_of(ws, header_rows, parsed.labels[(measure, "office")][1])
            for row in part.itertuples():
                assert ws.cell(row=row.source_row, column=office_col).value == row.office
                for key in NUMERIC_KEYS:
                    label_sheet, label = parsed.labels[(measure, key)]
                    assert label_sheet == sheet
                    cell = ws.cell(row=row.source_row, column=_column_of(ws, header_rows, label))
                    assert parse_vn_number(cell.value) == getattr(row, key), (
                        path.name,
                        sheet,
                        cell.coordinate,
                    )


def test_csv_rows_point_at_their_lines(tmp_path):
    r = _report()
    viec, tien = write_csv_pair(r, tmp_path, CsvStyle(delimiter=";", bom=True, numbers="text"))
    parsed = parse_candidate(discover(tmp_path).candidates[0])
    rows = parsed.rows
    for path, measure in ((viec, "cases"), (tien, "money")):
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        header = next(csv.reader([lines[0]], delimiter=";"))
        part = rows[rows.measure == measure]
        assert set(part.sheet) == set(part.source_file) == {path.name}
        assert set(part.sha256) == {sha256_file(path)}
        for row in part.itertuples():
            cells = next(csv.reader([lines[row.source_row - 1]], delimiter=";"))
            assert cells[0] == row.office
            for key in NUMERIC_KEYS:
                label = parsed.labels[(measure, key)][1]
                assert parse_vn_number(cells[header.index(label)]) == getattr(row, key)


def test_json_rows_point_at_their_array_index(tmp_path):
    r = _report()
    path = write_json(r, tmp_path / r.filename("json"))
    doc = json.loads(path.read_text(encoding="utf-8"))
    rows = parse_candidate(discover([path]).candidates[0]).rows
    for row in rows.itertuples():
        item = doc[row.sheet][row.source_row - 1]
        assert item["office"] == row.office
        assert all(float(item[k]) == getattr(row, k) for k in NUMERIC_KEYS)
