"""`thads rank` on a DuckDB file holding `marts.fct_province_ranking` (the interface table).

These tests write the mart directly so they run in a second; the ranking itself is computed
by dbt and checked against a real build in tests/test_dbt_warehouse.py.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from thads.commands.rank import COLUMNS, vn_number
from thads.config import Paths

ROWS = [
    # statistical_year, months, measure, code, name, boundary, completed, terminated, with,
    # rate, rank, n_ranked, label, n_expected, target, gap
    (2019, 12, "cases", "38", "Tỉnh Thanh Hóa", 63, 5480.0, 33.0, 5871.0, 5513 / 5871 * 100,
     2, 2, "2/2", 63, 74.0, 5513 / 5871 * 100 - 74.0),
    (2019, 12, "cases", "01", "Thành phố Hà Nội", 63, 990.0, 0.0, 1000.0, 99.0, 1, 2, "1/2", 63,
     None, None),
    (2019, 12, "cases", "02", "Tỉnh Hà Giang", 63, 0.0, 0.0, 0.0, None, None, 2, None, 63, None,
     None),
    (2019, 12, "money", "38", "Tỉnh Thanh Hóa", 63, 93_000_000.0, 200_000.0, 112_100_000.0,
     93.2 / 112.1 * 100, 1, 1, "1/1", 63, 34.5, 93.2 / 112.1 * 100 - 34.5),
]  # fmt: skip


def write_mart(path: Path, rows: list[tuple]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_province_ranking (statistical_year integer, months integer, "
            "measure varchar, province_code varchar, province_name varchar, boundary integer, "
            "completed double, terminated double, with_conditions double, rate_pct double, "
            "rank integer, n_ranked integer, rank_label varchar, n_expected integer, "
            "target_pct double, gap_pp double)"
        )
        con.executemany(
            f"insert into marts.fct_province_ranking values ({', '.join('?' * len(COLUMNS))})",
            rows,
        )


def rank(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "thads.cli", "--home", str(home), "rank", *args],
        capture_output=True,
        text=True,
    )


PERIOD = ("--year", "2019", "--months", "12")


def test_json_rows_best_first_unranked_last(tmp_path):
    paths = Paths.from_env(tmp_path)
    write_mart(paths.warehouse, ROWS)
    proc = rank(tmp_path, *PERIOD, "--measure", "cases", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["province_code"] for r in rows] == ["01", "38", "02"]
    assert list(rows[0]) == list(COLUMNS)
    assert rows[1]["rate_pct"] == pytest.approx(93.9022313064214)  # full precision, not rounded
    assert rows[2]["rank"] is None and rows[2]["rank_label"] is None


def test_csv_has_the_contract_columns(tmp_path):
    paths = Paths.from_env(tmp_path)
    write_mart(paths.warehouse, ROWS)
    proc = rank(tmp_path, *PERIOD, "--measure", "money", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert len(rows) == 1
    assert rows[0]["rank_label"] == "1/1" and rows[0]["with_conditions"] == "112100000.0"


def test_table_uses_vietnamese_numbers_and_billions_for_money(tmp_path):
    paths = Paths.from_env(tmp_path)
    write_mart(paths.warehouse, ROWS)
    cases = rank(tmp_path, *PERIOD, "--measure", "cases")
    assert cases.returncode == 0, cases.stderr
    lines = cases.stdout.splitlines()
    assert "2 ranked of 63" in lines[0] and "01/10/2018–30/09/2019" in lines[0]
    thanh_hoa = next(x for x in lines if "Thanh Hóa" in x)
    assert thanh_hoa.split()[0] == "2/2"
    for text in ("5.480", "5.871", "93,90", "74,00", "+19,90"):
        assert text in thanh_hoa
    money = rank(tmp_path, *PERIOD, "--measure", "money")
    row = next(x for x in money.stdout.splitlines() if "Thanh Hóa" in x)
    assert "112,1" in row and "93,0" in row and "83,14" in row


def test_snapshot_is_preferred_to_the_warehouse(tmp_path):
    paths = Paths.from_env(tmp_path)
    write_mart(paths.warehouse, ROWS)
    snapshot_rows = [(*r[:10], 1, 1, "1/1", *r[13:]) for r in ROWS if r[3] == "38"]
    write_mart(paths.snapshot, snapshot_rows)
    proc = rank(tmp_path, *PERIOD, "--measure", "cases", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert [r["rank_label"] for r in json.loads(proc.stdout)] == ["1/1"]


def test_period_without_data_fails_clearly(tmp_path):
    paths = Paths.from_env(tmp_path)
    write_mart(paths.warehouse, ROWS)
    proc = rank(tmp_path, "--year", "2024", "--months", "5", "--measure", "cases")
    assert proc.returncode == 1
    assert "no ranking for cases, 5 months of statistical year 2024" in proc.stderr
    assert proc.stdout == ""


def test_no_warehouse_yet(tmp_path):
    proc = rank(tmp_path / "empty", *PERIOD, "--measure", "cases")
    assert proc.returncode == 2
    assert "no warehouse yet" in proc.stderr and "thads load" in proc.stderr


def test_bad_arguments_are_refused_by_the_parser(tmp_path):
    proc = rank(tmp_path, *PERIOD, "--measure", "votes")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr
    proc = rank(tmp_path, "--year", "2019", "--months", "13", "--measure", "cases")
    assert proc.returncode == 2


def test_vn_number():
    assert vn_number(5513) == "5.513"
    assert vn_number(93.2, 1) == "93,2"
    assert vn_number(404438921000) == "404.438.921.000"
    assert vn_number(83.899, 2) == "83,90"
    assert vn_number(None) == "—"
