"""The generator's building blocks: totals, splitting, offices, writers read back."""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pytest

from tests.generate_readback import identity_errors, read_csv, read_json, read_xlsx, sum_rows
from thads import reference
from thads.contract import NUMERIC_KEYS, parse_filename, rate_pct
from thads.generate import (
    CsvStyle,
    XlsxStyle,
    build_report,
    complete_totals,
    split_totals,
    write_csv_pair,
    write_json,
    write_xlsx,
)
from thads.generate.model import allocate
from thads.generate.offices import members, merger_map, office_names, regional_counts
from thads.generate.plan import make_plans
from thads.generate.seeds import PINS, check_pins


def seed004():
    return build_report(
        "02",
        2019,
        12,
        cases_totals={"done": 5513, "with_conditions": 5871},
        money_totals={"done": 93_200_000, "with_conditions": 112_100_000},
        n_offices=5,
        rng=random.Random(4),
    )


def test_allocate_sums_exactly_and_respects_caps():
    rng = random.Random(1)
    for _ in range(300):
        n = rng.randint(1, 12)
        caps = [rng.randint(0, 10 ** rng.randint(0, 11)) for _ in range(n)]
        total = rng.randint(0, sum(caps))
        weights = [rng.random() * rng.choice((0, 1, 100)) for _ in range(n)]
        parts = allocate(total, weights, caps)
        assert sum(parts) == total
        assert all(0 <= p <= c for p, c in zip(parts, caps, strict=True))
    with pytest.raises(ValueError, match="caps"):
        allocate(10, [1, 1], [3, 3])


def test_complete_totals_keeps_given_figures_and_fills_a_consistent_row():
    row = complete_totals({"must_enforce": 11410, "with_conditions": 7942, "done": 6113}, "cases")
    assert (row["must_enforce"], row["with_conditions"]) == (11410, 7942)
    assert row["completed"] + row["terminated"] == 6113
    assert identity_errors(row) == []
    money = complete_totals({"done": 508_000_000, "rate_pct": 33.89}, "money")
    assert (
        round(rate_pct(money["completed"], money["terminated"], money["with_conditions"]), 2)
        == 33.89
    )


def test_complete_totals_refuses_contradictions():
    with pytest.raises(ValueError, match="contradict"):
        complete_totals({"must_enforce": 100, "with_conditions": 80, "without_conditions": 30})
    with pytest.raises(ValueError, match="unknown keys"):
        complete_totals({"musts": 1})


def test_split_totals_rows_are_consistent_and_add_up():
    rng = random.Random(2)
    for measure, must in (("cases", 2_000), ("cases", 50_000), ("money", 40_000_000_000)):
        total = complete_totals({"must_enforce": must}, measure, rng)
        for n in (1, 2, 9, 31):
            rows = split_totals(total, [rng.random() + 0.1 for _ in range(n)], rng)
            assert sum_rows(rows) == total
            assert all(identity_errors(r) == [] for r in rows)


def test_build_report_reproduces_seed_004_exactly():
    report = seed004()
    cases, money = report.total("cases"), report.total("money")
    assert cases["completed"] + cases["terminated"] == 5513
    assert cases["with_conditions"] == 5871
    assert money["completed"] + money["terminated"] == 93_200_000
    assert money["with_conditions"] == 112_100_000
    assert round(rate_pct(cases["completed"], cases["terminated"], cases["with_conditions"])) == 94
    assert report.errors() == []
    assert len(report.offices) == 5 and report.offices[0] == "Văn phòng Cục THADS"
    assert report.boundary == 63


@pytest.mark.parametrize(
    "style",
    [
        XlsxStyle(),
        XlsxStyle(header="trong_do", labels="ascii", numbers="text", blank_zero=True, gap=2),
        XlsxStyle(header="merged", labels="upper", numbers="mixed", preamble=("BỘ TƯ PHÁP",)),
        XlsxStyle(header="merged", labels="ascii_lower", uy="Uỷ thác", title=False, gap=0),
    ],
)
@pytest.mark.parametrize("engine", ["ooxml", "xlsxwriter"])
def test_write_xlsx_reads_back_with_openpyxl_and_calamine(
    tmp_path: Path, style: XlsxStyle, engine: str
):
    from python_calamine import CalamineWorkbook

    report = seed004()
    path = write_xlsx(report, tmp_path / report.filename("xlsx"), style, engine=engine)
    assert parse_filename(path.name).months == 12
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Việc", "Tiền"]
    if style.header != "one":
        assert wb["Việc"].merged_cells.ranges
    tables = read_xlsx(path)
    for measure, table in tables.items():
        assert table.header_code == "02"
        assert table.offices == report.offices
        assert table.total == report.total(measure)
        assert [r for _, r in report.labelled_rows(measure)] == table.rows
    if style.numbers == "text":
        cells = [c.value for c in wb["Tiền"]["B"] if isinstance(c.value, str)]
        assert any("." in v for v in cells)  # Vietnamese thousands separators
    calamine = CalamineWorkbook.from_path(str(path))
    assert calamine.sheet_names == ["Việc", "Tiền"]
    grid = calamine.get_sheet_by_name("Việc").to_python()
    assert grid[-1][0] == report.total_label
    assert any(str(row[0]).startswith("Mã tỉnh: 02") for row in grid)


def test_xlsx_engines_write_the_same_cells(tmp_path: Path):
    report = seed004()
    style = XlsxStyle(header="merged", numbers="mixed", blank_zero=True)
    grids = []
    for engine in ("ooxml", "xlsxwriter"):
        wb = openpyxl.load_workbook(write_xlsx(report, tmp_path / f"{engine}.xlsx", style, engine))
        grids.append(
            [
                (ws.title, sorted(map(str, ws.merged_cells.ranges)), list(ws.values))
                for ws in wb.worksheets
            ]
        )
    assert grids[0] == grids[1]


@pytest.mark.parametrize(
    "style", [CsvStyle(), CsvStyle(";", False, "ascii", "Uỷ thác", "text", True)]
)
def test_write_csv_pair_reads_back(tmp_path: Path, style: CsvStyle):
    report = build_report("92", 2025, 12, {"must_enforce": 16601}, {"must_enforce": 9 * 10**9})
    viec, tien = write_csv_pair(report, tmp_path, style)
    assert (viec.name, tien.name) == ("THADS_92_2025_12_viec.csv", "THADS_92_2025_12_tien.csv")
    assert viec.read_bytes().startswith(b"\xef\xbb\xbf") == style.bom
    assert read_csv(viec).rows[-1] == report.total("cases")
    assert read_csv(tien).rows[-1] == report.total("money")
    assert read_csv(viec).offices[0] == "Thi hành án dân sự thành phố"


def test_write_json_follows_the_schema(tmp_path: Path):
    report = seed004()
    payload, tables = read_json(write_json(report, tmp_path / report.filename("json")))
    assert (payload["province_code"], payload["statistical_year"], payload["months"]) == (
        "02",
        2019,
        12,
    )
    assert "submitted_at" in payload
    assert payload["cases"][-1]["office"] == "Tổng cộng"
    assert set(payload["money"][0]) == {"office", *NUMERIC_KEYS}
    assert tables["money"].total == report.total("money")


def test_offices_before_and_after_the_merger():
    assert office_names("93", 63)[0] == "Văn phòng Cục THADS"
    assert len(office_names("93", 63)) == 1 + 8  # seed 002: 8 Chi cục
    assert "Chi cục THADS Huyện Cần Giuộc" in office_names("80", 63)
    counts = regional_counts()
    assert sum(counts.values()) == 355 and len(counts) == 34
    assert all(6 <= n <= 15 for n in counts.values())
    assert office_names("01", 34)[0] == "Thi hành án dân sự thành phố"
    assert office_names("80", 34)[:2] == ["Thi hành án dân sự tỉnh", "Phòng THADS khu vực 1"]
    assert len(office_names("02", 63, scale=3)) == 1 + 3 * 11
    # every legacy office goes to exactly one current office
    for code, olds in members().items():
        mapping = merger_map(code)
        n_legacy = sum(len(office_names(o, 63)) for o in olds)
        assert len(mapping) == n_legacy
        assert set(mapping.values()) == set(range(len(office_names(code, 34))))
    assert sorted(o for olds in members().values() for o in olds) == sorted(
        reference.valid_codes(63)
    )


def test_seed_pins_match_the_articles():
    assert check_pins() == []
    assert {p.source for p in PINS} == {"seed 001", "seed 002", "seed 003"}


def test_plans_hit_the_national_2024_result_and_magnitudes():
    plans = make_plans(7, 2025)
    year = [p for (b, _, y), p in plans.items() if y == 2024 and b == 63]
    assert len(year) == 63
    for measure, want in (("cases", 83.88), ("money", 51.84)):
        with_cond = sum(p.anchors[measure][-1][2] for p in year)
        done = sum(p.anchors[measure][-1][3] for p in year)
        assert abs(100 * done / with_cond - want) < 0.05
    must = sorted(p.anchors["cases"][-1][1] for p in year)
    assert 1_500 < must[0] < 10_000 and 30_000 < must[-1] < 130_000
    rates = [100 * p.anchors["cases"][-1][3] / p.anchors["cases"][-1][2] for p in year]
    assert sum(70 <= r <= 95 for r in rates) >= 55
    money = [p.anchors["money"][-1][1] / 1e6 for p in year]  # billions of đồng
    assert min(money) > 10 and max(money) > 10_000


def test_bench_rows_replace_only_the_generator_rows(tmp_path: Path):
    from bench.bench_generate import update_results
    from bench.common import HEADER

    results = tmp_path / "RESULTS.md"
    update_results(["| generate: a | 1 s | 0.5 s | 2.00x | first |"], results)
    assert results.read_text(encoding="utf-8").count("| generate: a") == 1
    text = results.read_text(encoding="utf-8") + "| dbt: build | 9 s | 3 s | 3.00x | other |\n"
    results.write_text(text, encoding="utf-8")
    update_results(["| generate: a | 1 s | 0.25 s | 4.00x | second |"], results)
    final = results.read_text(encoding="utf-8")
    assert HEADER in final and "| dbt: build |" in final
    assert "second" in final and "first" not in final
