"""`thads rank` on the session's warehouse built by the real dbt project
(tests/real_warehouse.py): what it prints is what `marts.fct_province_ranking` holds."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from tests.real_warehouse import TIED_INDEXES, ZERO_MONEY, copy_home, install_warehouse
from thads import reference
from thads.commands.rank import COLUMNS, vn_number
from thads.config import Paths
from thads.publish.snapshot import open_snapshot


def rank(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "thads.cli", "--home", str(home), "rank", *args],
        capture_output=True,
        text=True,
    )


def mart(paths: Paths, year: int, months: int, measure: str) -> list[dict]:
    """The published mart's rows of one period and measure, best first."""
    con = open_snapshot(paths.snapshot)
    try:
        cur = con.execute(
            f"SELECT {', '.join(COLUMNS)} FROM marts.fct_province_ranking "
            "WHERE statistical_year = ? AND months = ? AND measure = ? "
            "ORDER BY rank NULLS LAST, province_code",
            [year, months, measure],
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


PERIOD = ("--year", "2024", "--months", "12")


def test_json_rows_are_the_mart_best_first_unranked_last(real_warehouse: Paths):
    proc = rank(real_warehouse.home, *PERIOD, "--measure", "cases", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert list(rows[0]) == list(COLUMNS)
    assert rows == mart(real_warehouse, 2024, 12, "cases")  # full precision, not rounded
    assert len(rows) == 63 and rows[0]["rank_label"] == "1/63"
    ranks = [r["rank"] for r in rows]
    assert ranks == sorted(ranks) and len(set(ranks)) < len(ranks)  # the fixture's tie
    tied = [reference.provinces(63)[i].code for i in TIED_INDEXES]
    assert len({r["rank_label"] for r in rows if r["province_code"] in tied}) == 1


def test_a_report_with_zero_with_conditions_counts_but_is_not_ranked(real_warehouse: Paths):
    code, year, months = ZERO_MONEY
    proc = rank(real_warehouse.home, "--year", str(year), "--months", str(months),
                "--measure", "money", "--format", "json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    zero = next(r for r in rows if r["province_code"] == code)
    assert (zero["rank"], zero["rank_label"], zero["rate_pct"]) == (None, None, None)
    assert rows[-1] == zero  # unranked last
    # contract section 4: n_ranked = the provinces with an accepted report (all 63 here)
    assert {r["n_ranked"] for r in rows} == {63}
    assert max(r["rank"] for r in rows if r["rank"] is not None) == 62


def test_csv_has_the_contract_columns(real_warehouse: Paths):
    proc = rank(real_warehouse.home, *PERIOD, "--measure", "money", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    expected = mart(real_warehouse, 2024, 12, "money")
    assert list(rows[0]) == list(COLUMNS) and len(rows) == len(expected) == 63
    assert [r["rank_label"] for r in rows] == [e["rank_label"] for e in expected]
    assert rows[0]["with_conditions"] == str(expected[0]["with_conditions"])


def test_table_uses_vietnamese_numbers_and_billions_for_money(real_warehouse: Paths):
    cases = rank(real_warehouse.home, *PERIOD, "--measure", "cases")
    assert cases.returncode == 0, cases.stderr
    lines = cases.stdout.splitlines()
    best = mart(real_warehouse, 2024, 12, "cases")[0]
    assert f"{best['n_ranked']} ranked of 63" in lines[0]
    assert "01/10/2023–30/09/2024" in lines[0]
    row = next(x for x in lines if f" {best['province_code']} " in x)
    assert row.split()[0] == "1/63"
    for value, decimals in ((best["completed"], 0), (best["with_conditions"], 0),
                            (best["rate_pct"], 2), (best["target_pct"], 2)):  # fmt: skip
        assert vn_number(value, decimals) in row
    money = rank(real_warehouse.home, *PERIOD, "--measure", "money")
    best = mart(real_warehouse, 2024, 12, "money")[0]
    row = next(x for x in money.stdout.splitlines() if f" {best['province_code']} " in x)
    assert vn_number(best["with_conditions"] / 1e6, 1) in row  # tỷ đồng
    assert vn_number(best["rate_pct"], 2) in row


def test_snapshot_is_preferred_to_the_warehouse(
    real_warehouse: Paths, small_warehouse: Paths, tmp_path: Path
):
    paths = copy_home(real_warehouse, tmp_path / "home", publish_it=True)
    install_warehouse(small_warehouse, paths)  # a newer build, not published yet
    proc = rank(paths.home, "--year", "2019", "--months", "12", "--measure", "cases")
    assert proc.returncode == 0, proc.stderr  # 2019 is only in the published snapshot
    paths.snapshot.unlink()
    proc = rank(paths.home, "--year", "2019", "--months", "12", "--measure", "cases")
    assert proc.returncode == 1 and "no ranking" in proc.stderr


def test_period_without_data_fails_clearly(real_warehouse: Paths):
    proc = rank(real_warehouse.home, "--year", "2024", "--months", "5", "--measure", "cases")
    assert proc.returncode == 1
    assert "no ranking for cases, 5 months of statistical year 2024" in proc.stderr
    assert proc.stdout == ""


def test_no_warehouse_yet(tmp_path):
    proc = rank(tmp_path / "empty", *PERIOD, "--measure", "cases")
    assert proc.returncode == 2
    assert "no warehouse yet" in proc.stderr and "thads load" in proc.stderr


def test_bad_arguments_are_refused_by_the_parser(tmp_path):
    proc = rank(tmp_path, "--year", "2019", "--months", "12", "--measure", "votes")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr
    proc = rank(tmp_path, "--year", "2019", "--months", "13", "--measure", "cases")
    assert proc.returncode == 2


def test_vn_number():
    assert vn_number(5513) == "5.513"
    assert vn_number(93.2, 1) == "93,2"
    assert vn_number(404438921000) == "404.438.921.000"
    assert vn_number(83.899, 2) == "83,90"
    assert vn_number(None) == "—"
