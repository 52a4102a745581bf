"""`thads export`: the published marts as CSV/Excel, safe against formula injection.

Runs on the session's warehouse built by the real dbt project (tests/real_warehouse.py)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
from python_calamine import CalamineWorkbook

from tests.real_warehouse import FORMULA_TEXTS, HOSTILE_OFFICE, HOSTILE_REASON
from thads.cli import main
from thads.config import Paths
from thads.publish.export import (
    ExportError,
    csv_cell,
    export_marts,
    list_marts,
    neutralise,
    sheet_names,
)
from thads.publish.marts import MART_COLUMNS
from thads.publish.snapshot import open_snapshot


@pytest.fixture(scope="module")
def published(real_warehouse: Paths) -> Paths:
    return real_warehouse


def _marts(paths: Paths) -> list[str]:
    """Every mart of the snapshot (the interface's and any other the build makes)."""
    con = open_snapshot(paths.snapshot)
    try:
        return list_marts(con)
    finally:
        con.close()


def _mart(paths: Paths, sql: str) -> list[tuple]:
    con = open_snapshot(paths.snapshot)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("text", [*FORMULA_TEXTS, "-5", "@x", "=", "\t", "\r"])
def test_text_that_could_start_a_formula_is_made_inert(text: str):
    assert neutralise(text) == "'" + text
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Tỉnh Long An", "Cục THADS =", " =1+1", "'=quoted", ""])
def test_ordinary_text_is_untouched(text: str):
    assert neutralise(text) == text


def test_numbers_stay_numbers():
    assert csv_cell(-3.96) == "-3.96"  # a negative gap is a number, not a formula
    assert csv_cell(1529.0) == "1529"
    assert csv_cell(None) == ""


def test_csv_export_writes_every_mart_with_its_rows(published: Paths, tmp_path: Path):
    written = export_marts(published.snapshot, tmp_path / "out", "csv")
    assert set(MART_COLUMNS) <= set(_marts(published))
    assert {p.name for p in written} == {f"{m}.csv" for m in _marts(published)}
    for path in written:
        (n,) = _mart(published, f"SELECT count(*) FROM marts.{path.stem}")[0]
        rows = _read_csv(path)
        assert len(rows) == n, path.name
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh))  # an empty mart still has its header
        assert set(MART_COLUMNS.get(path.stem, ())) <= set(header)
    assert written[0].read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8


def test_csv_export_neutralises_province_text(published: Paths, tmp_path: Path):
    out = tmp_path / "out"
    export_marts(published.snapshot, out, "csv", ["fct_office_enforcement", "fct_data_quality"])
    offices = {r["office"] for r in _read_csv(out / "fct_office_enforcement.csv")}
    assert "'" + HOSTILE_OFFICE in offices
    assert HOSTILE_OFFICE not in offices
    assert "Cục THADS tỉnh long an" in offices or any(o.startswith("Cục THADS") for o in offices)
    quality = _read_csv(out / "fct_data_quality.csv")
    messages = {r["message"] for r in quality}
    assert "'" + HOSTILE_REASON in messages
    observed = {r["observed"] for r in quality if r["observed"]}
    # Every trigger character the fixture planted, each written as inert text.
    assert {o for o in observed if o[:1] in "=+-@\t\r"} == set()
    assert {"'" + t for t in FORMULA_TEXTS} <= observed


def test_csv_export_keeps_negative_numbers_as_numbers(published: Paths, tmp_path: Path):
    out = tmp_path / "out"
    export_marts(published.snapshot, out, "csv", ["fct_province_ranking"])
    gaps = [r["gap_pp"] for r in _read_csv(out / "fct_province_ranking.csv") if r["gap_pp"]]
    negative = [g for g in gaps if g.startswith("-")]
    assert negative, "the fixture has provinces below target"
    assert all(float(g) < 0 for g in negative)
    assert not any(g.startswith("'") for g in gaps)


def test_xlsx_export_writes_text_as_strings_never_formulas(published: Paths, tmp_path: Path):
    (book,) = export_marts(published.snapshot, tmp_path / "out", "xlsx")
    wb = openpyxl.load_workbook(book)
    assert set(wb.sheetnames) == set(sheet_names(_marts(published)).values())
    assert all(len(name) <= 31 for name in wb.sheetnames)

    ws = wb["fct_office_enforcement"]
    header = [c.value for c in ws[1]]
    office_col = header.index("office") + 1
    hostile = [
        c
        for c in ws.iter_cols(min_col=office_col, max_col=office_col, min_row=2).__next__()
        if c.value == HOSTILE_OFFICE
    ]
    assert hostile, "the hostile office name is exported verbatim"
    assert all(c.data_type == "s" for c in hostile)  # a string cell, not a formula ("f")

    # Values as Excel reads them (calamine decodes the OOXML escape of "\r", openpyxl
    # does not); every planted text comes back verbatim.
    sheet = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("fct_data_quality")
    rows = sheet.to_python()
    observed = {r[rows[0].index("observed")] for r in rows[1:]}
    assert set(FORMULA_TEXTS) <= observed
    # ... and no cell anywhere in the workbook is a formula.
    assert not any(c.data_type == "f" for ws in wb.worksheets for c in _all_cells(ws))

    ws = wb["fct_province_ranking"]
    header = [c.value for c in ws[1]]
    rate = ws.cell(row=2, column=header.index("rate_pct") + 1)
    assert rate.data_type == "n"
    (n,) = _mart(published, "SELECT count(*) FROM marts.fct_province_ranking")[0]
    assert ws.max_row == n + 1


def _all_cells(ws):
    for row in ws.iter_rows():
        yield from row


def test_sheet_names_are_short_and_unique():
    names = sheet_names(["fct_province_ranking_current_boundaries", "x" * 40, "x" * 41])
    assert names["fct_province_ranking_current_boundaries"] == "fct_ranking_current_boundaries"
    assert len(set(names.values())) == 3
    assert all(len(n) <= 31 for n in names.values())


def test_unknown_mart_and_missing_snapshot_are_clear_errors(published: Paths, tmp_path: Path):
    with pytest.raises(ExportError, match=r"no such mart.*nope.*available: dim_period"):
        export_marts(published.snapshot, tmp_path, "csv", ["nope"])
    with pytest.raises(ExportError, match="nothing published yet"):
        export_marts(tmp_path / "missing.duckdb", tmp_path, "csv")


def test_cli_export(published: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    out = tmp_path / "cli"
    code = main(["--home", str(published.home), "export", "--out", str(out), "--format", "xlsx"])
    assert code == 0
    assert capsys.readouterr().out.strip() == str(out / "thads_marts.xlsx")
    code = main(
        ["--home", str(published.home), "export", "--out", str(out), "--mart", "dim_period"]
    )
    assert code == 0
    assert (out / "dim_period.csv").is_file()
    assert not (out / "fct_enforcement.csv").exists()


def test_cli_export_before_anything_is_published(tmp_path: Path, capsys):
    code = main(["--home", str(tmp_path / "empty"), "export", "--out", str(tmp_path / "o")])
    assert code == 1
    assert "nothing published yet" in capsys.readouterr().err


def _export_ranking(home: Path, out: Path, year: int, months: int, capsys) -> tuple[Path, Path]:
    argv = ["--home", str(home), "export", "--ranking", "--year", str(year), "--months"]
    assert main([*argv, str(months), "--out", str(out)]) == 0
    book, table = (Path(line) for line in capsys.readouterr().out.split())
    return book, table


def _labels(book: Path, table: Path) -> tuple[str, dict[str, str], dict[str, str]]:
    """The period's label under the xlsx title, and each province's last column in the
    xlsx and in the CSV, by province name."""
    ws = openpyxl.load_workbook(book)["Xếp hạng"]
    header = [ws.cell(4, c).value for c in range(1, ws.max_column + 1)]
    assert header[-1] == "Tình trạng số liệu"
    in_book = {r[1]: r[-1] for r in ws.iter_rows(min_row=6, values_only=True) if r[1] is not None}
    in_csv = {r["Tỉnh, thành phố"]: r["Tình trạng số liệu"] for r in _read_csv(table)}
    return ws["A3"].value, in_book, in_csv


@pytest.mark.slow
def test_export_ranking_says_preliminary_until_the_period_is_approved(
    published: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """Contract section 7: the ministry's table marks its figures "Số liệu sơ bộ" until the
    period is approved, then "Số liệu chính thức" with the approval day (Vietnam time). The
    decisions go into the raw layer's approval log (what `thads approve` exports before its
    build), the real dbt build and publish make the marts, the export reads them."""
    from ingest.raw import write_parquet_atomic
    from tests.real_warehouse import copy_home
    from thads.approval.export import APPROVAL_LOG_SCHEMA
    from thads.build import build
    from thads.publish import publish

    label, in_book, in_csv = _labels(
        *_export_ranking(published.home, tmp_path / "before", 2024, 12, capsys)
    )
    assert label == "Số liệu sơ bộ"
    assert set(in_book.values()) == set(in_csv.values()) == {"Số liệu sơ bộ"}
    assert len(in_book) == len(in_csv) == 63

    def reported(months: int) -> dict[str, str]:
        """The province code -> standing submission of each accepted report of 2024/months."""
        sql = (
            "select province_code, submission_id from marts.fct_submissions "
            f"where statistical_year = 2024 and months = {months} and is_current order by 1"
        )
        return dict(_mart(published, sql))

    approved_at = datetime(2025, 1, 9, 18, 30, tzinfo=UTC)  # 10/01/2025 in Vietnam
    decisions = [
        {"statistical_year": 2024, "months": months, "province_code": code,
         "action": "approve", "decided_by": "Nguyễn Văn A", "note": None,
         "decided_at": approved_at, "submission_id": submission}
        for months, codes in ((12, reported(12)), (6, dict([min(reported(6).items())])))
        for code, submission in codes.items()
    ]  # fmt: skip
    home = copy_home(published, tmp_path / "approved")
    write_parquet_atomic(
        pa.Table.from_pylist(decisions, schema=APPROVAL_LOG_SCHEMA), home.approval_log_export
    )
    build(home, docs=False)
    publish(home)

    final = "Số liệu chính thức (phê duyệt ngày 10/01/2025)"
    label, in_book, in_csv = _labels(
        *_export_ranking(home.home, tmp_path / "after", 2024, 12, capsys)
    )
    assert label == final
    assert set(in_book.values()) == set(in_csv.values()) == {final}
    # One province of June approved: the period is still preliminary, and says how far along.
    label, in_book, in_csv = _labels(
        *_export_ranking(home.home, tmp_path / "june", 2024, 6, capsys)
    )
    assert label == f"Số liệu sơ bộ (1/{len(reported(6))} tỉnh đã có số liệu chính thức)"
    assert list(in_csv.values()).count(final) == list(in_book.values()).count(final) == 1
