"""The comparison with last year (contract 6.3) and term totals (6.4, `thads summary`) on a
warehouse built for real by dbt from a small raw layer: legacy Long An (80) and Tây Ninh (72)
before the 2025 merger, the merged Tây Ninh (80) after it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from tests import raw_layer_builder as rl
from thads.build import build
from thads.cli import main
from thads.config import Paths

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

ARRIVED = datetime(2025, 10, 3, 8, 0, tzinfo=UTC)
#: (code, year, months) -> (cases (completed, terminated, with_conditions), money (...))
REPORTS = {
    ("80", 2022, 12): ((1000.0, 20.0, 1300.0), (50_000.0, 0.0, 90_000.0)),
    ("80", 2023, 12): ((1100.0, 30.0, 1400.0), (60_000.0, 1_000.0, 95_000.0)),
    ("72", 2023, 12): ((900.0, 10.0, 1200.0), (40_000.0, 0.0, 70_000.0)),
    ("80", 2024, 9): ((800.0, 10.0, 1000.0), (30_000.0, 0.0, 80_000.0)),
    ("72", 2024, 9): ((700.0, 0.0, 900.0), (20_000.0, 500.0, 60_000.0)),
    ("80", 2024, 12): ((1150.0, 25.0, 1450.0), (65_000.0, 0.0, 99_000.0)),
    ("72", 2024, 12): ((950.0, 5.0, 1250.0), (45_000.0, 0.0, 72_000.0)),
    ("80", 2025, 9): ((1700.0, 67.0, 2100.0), (70_000.0, 0.0, 150_000.0)),  # merged Tây Ninh
}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    paths = Paths.from_env(tmp_path_factory.mktemp("cycle") / "home")
    reports = [
        rl.Report(code, year, months, cases, money, arrival_time=ARRIVED)
        for (code, year, months), (cases, money) in REPORTS.items()
    ]
    rl.write_batch(paths, "b1", reports)
    build(paths, docs=False)
    return paths.home


def _query(home: Path, sql: str, params: list) -> list[dict]:
    with duckdb.connect(str(Paths(home).warehouse), read_only=True) as con:
        cursor = con.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _sum(parts: list[tuple[str, int, int]], measure: int) -> tuple[float, float, float]:
    figures = [REPORTS[p][measure] for p in parts]
    return tuple(sum(f[i] for f in figures) for i in range(3))  # type: ignore[return-value]


def test_last_year_across_the_merger_is_the_sum_of_the_old_provinces(home: Path) -> None:
    (row,) = _query(
        home,
        "select * from marts.fct_province_comparison "
        "where statistical_year = 2025 and months = 9 and measure = 'cases' "
        "and province_code = '80'",
        [],
    )
    completed, terminated, with_conditions = _sum([("80", 2024, 9), ("72", 2024, 9)], 0)
    assert row["done_prev"] == completed + terminated == 1510
    assert row["with_conditions_prev"] == with_conditions == 1900
    assert row["done"] == 1767
    assert row["done_change"] == 1767 - 1510
    assert row["done_change_pct"] == pytest.approx(100 * 257 / 1510)
    assert row["rate_change_pp"] == pytest.approx(1767 / 21 - 1510 / 19)
    assert row["province_name"] == "Tỉnh Tây Ninh"
    # 2024's own 9-month row compares with 2023's, which has no 9-month report: no _prev.
    (earlier,) = _query(
        home,
        "select done_prev, done_change from marts.fct_province_comparison "
        "where statistical_year = 2024 and months = 9 and measure = 'cases' "
        "and province_code = '80'",
        [],
    )
    assert earlier == {"done_prev": None, "done_change": None}


def test_summary_adds_complete_years_and_the_last_cumulative_report(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("THADS_HOME", str(home))
    args = ["summary", "--province", "80", "--from", "2023", "--to", "2025-09"]
    assert main([*args, "--format", "json"]) == 0
    rows = {r["measure"]: r for r in json.loads(capsys.readouterr().out)}
    parts = [("80", 2023, 12), ("72", 2023, 12), ("80", 2024, 12), ("72", 2024, 12)]
    parts.append(("80", 2025, 9))
    for index, measure in enumerate(("cases", "money")):
        completed, terminated, with_conditions = _sum(parts, index)
        assert rows[measure]["done"] == completed + terminated
        assert rows[measure]["with_conditions"] == with_conditions
        assert rows[measure]["rate_pct"] == pytest.approx(
            100 * (completed + terminated) / with_conditions
        )
        assert rows[measure]["reports_included"] == "2023-12,2024-12,2025-09"

    assert main(args) == 0
    table = capsys.readouterr().out
    assert "Tỉnh Tây Ninh (80), giai đoạn 2023 đến hết tháng 06/2025" in table
    assert "Tỷ lệ: 80,23%" in table  # (1100+30+900+10+1150+25+950+5+1700+67) / 7400


def test_summary_refuses_an_incomplete_term(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("THADS_HOME", str(home))
    # 2022: only Long An reported, Tây Ninh (72) did not: no complete current figure.
    code = main(["summary", "--province", "80", "--from", "2022", "--to", "2025-09"])
    err = capsys.readouterr().err
    assert code == 1
    assert "needs 4 reports" in err and "2023-12,2024-12,2025-09" in err
    assert main(["summary", "--province", "80", "--from", "2023-04", "--to", "2025-09"]) == 2
    assert "statistical year" in capsys.readouterr().err
