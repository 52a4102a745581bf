from datetime import date

import pytest

from thads import contract
from thads.contract import FileNameError, parse_filename


def test_period_dates_follow_the_statistical_year():
    assert contract.period_start(2024) == date(2023, 10, 1)
    assert contract.period_end(2024, 11) == date(2024, 8, 31)  # seed 002: to 30/8 ~ 11 months
    assert contract.period_end(2024, 1) == date(2023, 10, 31)
    assert contract.period_end(2024, 3) == date(2023, 12, 31)
    assert contract.period_end(2024, 5) == date(2024, 2, 29)
    assert contract.period_end(2025, 9) == date(2025, 6, 30)
    assert contract.period_end(2025, 12) == date(2025, 9, 30)


@pytest.mark.parametrize(
    ("year", "months", "boundary"),
    [(2019, 12, 63), (2025, 8, 63), (2025, 9, 34), (2025, 12, 34), (2026, 1, 34)],
)
def test_boundary_switches_at_the_9_month_report_of_2025(year, months, boundary):
    assert contract.boundary_for(year, months) == boundary


def test_parse_filename_variants():
    f = parse_filename("THADS_80_2024_11.xlsx")
    assert (f.province_code, f.statistical_year, f.months, f.revision, f.fmt) == (
        "80",
        2024,
        11,
        1,
        "xlsx",
    )
    f = parse_filename("THADS_80_2024_11_r2_viec.csv")
    assert (f.revision, f.fmt, f.csv_measure) == (2, "csv", "cases")
    assert f.submission_key == "THADS_80_2024_11_r2"
    assert parse_filename("THADS_92_2025_12_tien.csv").csv_measure == "money"
    assert parse_filename("THADS_02_2019_12.json").fmt == "json"


@pytest.mark.parametrize(
    "name",
    [
        "THADS_80_2024_13.xlsx",
        "THADS_8_2024_11.xlsx",
        "report.xlsx",
        "THADS_80_2024_11.csv",
        "THADS_80_2024_11_viec.xlsx",
        "THADS_80_2024_11.xls",
        "THADS_80_2024_00.json",
    ],
)
def test_parse_filename_refuses_bad_names(name):
    with pytest.raises(FileNameError):
        parse_filename(name)


def test_filename_roundtrip():
    name = contract.submission_filename("80", 2024, 11, "csv", revision=3, measure="money")
    assert name == "THADS_80_2024_11_r3_tien.csv"
    assert parse_filename(name).submission_key == "THADS_80_2024_11_r3"


def test_fold_label_ignores_diacritics_case_and_punctuation():
    assert contract.fold_label("Uỷ thác") == contract.fold_label("UY THAC") == "uy thac"
    assert contract.FOLDED_LABELS[contract.fold_label("Thu hoi huy quyet dinh")] == "recalled"
    assert contract.is_total_label("TONG CONG")
    assert contract.is_total_label("Toàn tỉnh")


def test_rate_is_against_with_conditions_and_null_on_zero():
    # seed 001: 1.529 + 0 of 1.875 with conditions = 81,55%
    assert round(contract.rate_pct(1529, 0, 1875), 2) == 81.55
    assert contract.rate_pct(0, 0, 0) is None
