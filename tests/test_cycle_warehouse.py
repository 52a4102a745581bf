"""The comparison with last year (contract 6.3), term totals (6.4, `thads summary`) and the
ministry's ranking table (`thads export --ranking`) on a warehouse built for real by dbt from
a small raw layer and published: legacy Long An (80) and Tây Ninh (72) before the 2025
merger, the merged Tây Ninh (80) after it, and a field of all 63 provinces in 11 months of
2024 with targets."""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tests import raw_layer_builder as rl
from thads import reference
from thads.build import build
from thads.cli import main
from thads.config import Paths
from thads.publish.publisher import publish
from thads.publish.ranking_table import (
    NUMBER_FORMATS,
    SCORECARD_COLOURS,
    SCORECARD_LABELS,
    write_csv,
    write_xlsx,
)

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

TARGETS = [
    {"statistical_year": 2024, "province_code": p.code, "case_target_pct": 83.0,
     "money_target_pct": 45.0}
    for p in reference.provinces(63)
]  # fmt: skip


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    paths = Paths.from_env(tmp_path_factory.mktemp("cycle") / "home")
    reports = [
        rl.Report(code, year, months, cases, money, arrival_time=ARRIVED)
        for (code, year, months), (cases, money) in REPORTS.items()
    ]
    field = rl.field_of(
        [p.code for p in reference.provinces(63)], 2024, 11, random.Random(15), ARRIVED
    )
    rl.write_batch(paths, "b1", [*reports, *field])
    registry = rl.Registry()  # the registry export names the version that stands
    for report in [*reports, *field]:
        registry.add(report, "loaded", "b1")
    registry.write(paths)
    rl.write_targets(paths, TARGETS)
    build(paths, docs=False)
    publish(paths)
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
    # A term from month 4 of 2023 needs 2023's 3-month report (what was done before it).
    assert main(["summary", "--province", "80", "--from", "2023-04", "--to", "2025-09"]) == 1
    assert "no 3-month report of 2023" in capsys.readouterr().err
    assert main(["summary", "--province", "80", "--from", "2025-10", "--to", "2025-09"]) == 2
    assert "not before --from" in capsys.readouterr().err


def test_summary_from_mid_year_leaves_out_what_was_done_before_the_term(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--from 2024-10` (July 2024, month 10 of statistical year 2024) to 2025-09: 2024's
    12-month report less what its 9-month report had finished, plus 2025's 9-month report,
    on current boundaries (Long An and Tây Ninh summed before the merger)."""
    monkeypatch.setenv("THADS_HOME", str(home))
    args = ["summary", "--province", "80", "--from", "2024-10", "--to", "2025-09"]
    assert main([*args, "--format", "json"]) == 0
    rows = {r["measure"]: r for r in json.loads(capsys.readouterr().out)}
    for index, measure in enumerate(("cases", "money")):
        completed, terminated, with_conditions = _sum(
            [("80", 2024, 12), ("72", 2024, 12), ("80", 2025, 9)], index
        )
        completed_before, terminated_before, _ = _sum([("80", 2024, 9), ("72", 2024, 9)], index)
        done_before = completed_before + terminated_before
        row = rows[measure]
        assert row["completed"] == completed - completed_before
        assert row["terminated"] == terminated - terminated_before
        assert row["done"] == completed + terminated - done_before
        assert row["with_conditions"] == with_conditions - done_before
        assert row["rate_pct"] == pytest.approx(
            100 * (completed + terminated - done_before) / (with_conditions - done_before)
        )
        assert row["reports_included"] == "2024-12,2025-09"
        assert row["report_before_term"] == "2024-09"
        assert row["term_start"] == "2024-07-01"
    assert rows["cases"]["done"] == 2387 and rows["cases"]["with_conditions"] == 3290

    assert main(args) == 0
    table = capsys.readouterr().out
    assert "Tỉnh Tây Ninh (80), giai đoạn từ tháng 07/2024 đến hết tháng 06/2025" in table
    assert "trừ phần đã thi hành xong trước kỳ theo báo cáo 2024-09" in table
    assert "Tỷ lệ: 72,55%" in table  # 2387 / 3290


def test_export_ranking_writes_the_ministry_table(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("THADS_HOME", str(home))
    out = tmp_path / "out"
    assert main(["export", "--ranking", "--year", "2024", "--months", "11", "--out", str(out)]) == 0
    book, table = (Path(line) for line in capsys.readouterr().out.split())
    assert book.name == "bang_xep_hang_2024_11.xlsx" and table.suffix == ".csv"
    mart = {
        r["province_code"]: r
        for r in _query(
            home,
            "select * from marts.fct_province_ranking where statistical_year = 2024 "
            "and months = 11",
            [],
        )
        if r["measure"] == "cases"
    }
    names = {r["province_name"]: r for r in mart.values()}

    ws = openpyxl.load_workbook(book)["Xếp hạng"]
    assert ws["A1"].value.startswith("BẢNG XẾP HẠNG KẾT QUẢ THI HÀNH ÁN DÂN SỰ")
    assert ws["A2"].value == "11 tháng năm 2024 (từ ngày 01/10/2023 đến ngày 31/08/2024)"
    assert [ws.cell(4, c).value for c in (1, 2, 3, 10)] == [
        "STT", "Tỉnh, thành phố", "Về việc", "Về tiền (nghìn đồng)"
    ]  # fmt: skip
    assert [ws.cell(5, c).value for c in range(3, 10)] == [
        "Có điều kiện thi hành", "Thi hành xong và đình chỉ", "Tỷ lệ (%)", "Chỉ tiêu (%)",
        "So với chỉ tiêu (điểm %)", "Xếp hạng", "Đánh giá",
    ]  # fmt: skip
    assert ws.freeze_panes == "C6"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    body = list(ws.iter_rows(min_row=6, values_only=True))
    assert len(body) == 63
    first = body[0]
    assert first[0] == 1 and first[7] == f"1/{mart[next(iter(mart))]['n_ranked']}"
    for row in body:
        expected = names[row[1]]
        assert row[2] == expected["with_conditions"]
        assert row[3] == expected["completed"] + expected["terminated"]
        assert row[4] == pytest.approx(expected["rate_pct"])
        assert row[5] == 83.0 and row[6] == pytest.approx(expected["gap_pp"])
        assert row[7] == expected["rank_label"]
        assert row[8] == SCORECARD_LABELS[expected["scorecard"]]
    lights = {
        ws.cell(r, 9).value: ws.cell(r, 9).fill.fgColor.rgb[-6:] for r in range(6, 6 + len(body))
    }
    assert lights == {
        SCORECARD_LABELS[k]: c[1:]
        for k, c in SCORECARD_COLOURS.items()
        if SCORECARD_LABELS[k] in lights
    }
    assert len(lights) >= 2, lights  # the field has provinces above and below target
    ranks = [int(row[7].split("/")[0]) for row in body]
    assert ranks == sorted(ranks)  # printed in rank order
    assert ws.cell(6, 3).number_format == NUMBER_FORMATS["count"]
    assert ws.cell(6, 5).number_format == NUMBER_FORMATS["pct"]
    assert ws.cell(6, 5).data_type == "n"

    with table.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["STT", "Tỉnh, thành phố", "Có điều kiện thi hành - việc"]
    assert [r[1] for r in rows[1:]] == [r[1] for r in body]


def test_export_ranking_cannot_carry_a_formula(tmp_path: Path) -> None:
    hostile = '=HYPERLINK("http://x","click")'
    row = {"stt": 1, "province_name": hostile, "cases_rank_label": "-1+1"}
    for measure in ("cases", "money"):
        for key in ("with_conditions", "done", "rate_pct", "target_pct", "gap_pp"):
            row[f"{measure}_{key}"] = -2.5
    row["money_rank_label"] = "@SUM(A1)"
    row["cases_scorecard"], row["money_scorecard"] = "red", None
    book = write_xlsx([row], tmp_path / "t.xlsx", 2024, 11, "Số liệu sơ bộ")
    ws = openpyxl.load_workbook(book).active
    cells = [c for r in ws.iter_rows() for c in r if c.value is not None]
    assert not any(c.data_type == "f" for c in cells)
    assert ws.cell(6, 2).value == hostile and ws.cell(6, 2).data_type == "s"
    assert ws.cell(6, 7).value == -2.5  # a negative gap stays a number
    with write_csv([row], tmp_path / "t.csv").open(encoding="utf-8-sig") as handle:
        (_, line) = list(csv.reader(handle))
    assert line[1] == "'" + hostile and "'@SUM(A1)" in line and "-2.5" in line


def test_export_ranking_of_a_period_not_loaded(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("THADS_HOME", str(home))
    args = ["export", "--ranking", "--year", "2020", "--months", "3", "--out", str(tmp_path)]
    assert main(args) == 1
    assert "no ranking for 3 months of statistical year 2020" in capsys.readouterr().err
    assert main(["export", "--ranking", "--year", "2020", "--out", str(tmp_path)]) == 2
