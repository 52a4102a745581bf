"""The reporting calendar (contract 6.1): deadlines across weekends and Tết, lateness in
working days, and the calendar files generated for dbt, as far as the data and today reach."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from thads import airflow_support, contract
from thads.config import Paths
from thads.reference import render_seed
from thads.reporting_calendar import (
    DAYS_FILE,
    PERIODS_FILE,
    VIETNAM,
    DuePeriod,
    add_working_days,
    calendar_rows,
    deadline,
    deadline_day,
    is_working_day,
    last_year_needed,
    latest_due_period,
    period_closing_in,
    working_days_late,
    write_calendar,
)


def test_a_deadline_that_crosses_a_weekend() -> None:
    # 8 months of 2024 close on Friday 31/5/2024: Mon 3, Tue 4, Wed 5, Thu 6 June.
    assert deadline_day(2024, 8) == date(2024, 6, 6)
    # 12 months close on Monday 30/9/2024: Tue 1 .. Fri 4 October.
    assert deadline_day(2024, 12) == date(2024, 10, 4)
    friday = date(2024, 10, 4)
    assert add_working_days(friday, 1) == date(2024, 10, 7)


def test_a_deadline_that_crosses_tet() -> None:
    # 4 months of 2022 close on Monday 31/1/2022, Tết's eve; 1-4/2 are Tết, 5-6/2 a weekend:
    # the four working days are Mon 7 .. Thu 10 February.
    assert not is_working_day(date(2022, 2, 1))
    assert deadline_day(2022, 4) == date(2022, 2, 10)


def test_national_day_and_its_substitute_day_are_not_working_days() -> None:
    # 11 months of 2024 close on Saturday 31/8/2024; 2 and 3/9 are National Day:
    # Wed 4, Thu 5, Fri 6, Mon 9 September.
    assert deadline_day(2024, 11) == date(2024, 9, 9)
    # 3/1/2022 was the day off in lieu of New Year's Day (a Saturday).
    assert not is_working_day(date(2022, 1, 3))


def test_deadline_is_the_end_of_the_day_in_vietnam() -> None:
    end = deadline(2024, 8)
    assert end.utcoffset().total_seconds() == 7 * 3600
    assert working_days_late(2024, 8, datetime(2024, 6, 6, 23, 59, tzinfo=VIETNAM)) is None
    # 17:00 UTC on 6/6 is midnight in Hanoi: the 7th, one working day late.
    assert working_days_late(2024, 8, datetime(2024, 6, 6, 17, 0, tzinfo=UTC)) == 1
    # A Saturday arrival counts Friday only; Monday makes it two.
    assert working_days_late(2024, 8, datetime(2024, 6, 8, 9, 0, tzinfo=VIETNAM)) == 1
    assert working_days_late(2024, 8, datetime(2024, 6, 10, 9, 0, tzinfo=VIETNAM)) == 2


def test_every_deadline_is_a_working_day_four_working_days_after_the_close() -> None:
    for year in range(contract.FIRST_YEAR, 2031):
        for months in range(1, 13):
            day = deadline_day(year, months)
            assert is_working_day(day), (year, months)
            assert add_working_days(contract.period_end(year, months), 4) == day


def test_calendar_month_to_cumulative_period() -> None:
    assert period_closing_in(2023, 10) == (2024, 1)
    assert period_closing_in(2023, 12) == (2024, 3)
    assert period_closing_in(2024, 9) == (2024, 12)
    for (year, month), (sy, m) in {(2024, 8): (2024, 11), (2025, 6): (2025, 9)}.items():
        end = contract.period_end(sy, m)
        assert (end.year, end.month) == (year, month)


def test_latest_due_period_waits_until_the_deadline_has_passed() -> None:
    # On the deadline day the province still has time: the previous period is the one due.
    on_deadline = latest_due_period(date(2024, 9, 9))
    assert (on_deadline.statistical_year, on_deadline.months) == (2024, 10)
    after = latest_due_period(date(2024, 9, 10))
    assert after == DuePeriod(2024, 11, date(2024, 8, 31), date(2024, 9, 9))
    assert latest_due_period(date(2024, 11, 1)).months == 12
    nov7 = latest_due_period(date(2024, 11, 7))
    assert (nov7.statistical_year, nov7.months) == (2025, 1)
    july = latest_due_period(date(2025, 7, 15))
    assert (july.statistical_year, july.months) == (2025, 9)
    assert contract.boundary_for(july.statistical_year, july.months) == 34


def test_the_dags_use_the_same_calendar() -> None:
    assert airflow_support.report_deadline(2022, 4) == date(2022, 2, 10)
    assert airflow_support.latest_due_period is latest_due_period


def test_the_calendar_reaches_past_the_data_and_today(tmp_path: Path) -> None:
    paths = Paths.from_env(tmp_path / "home")
    # Nothing loaded: the merger year, or the statistical year closing today, plus one.
    assert last_year_needed(paths, date(2024, 3, 1)) == contract.MERGER_YEAR + 1
    assert last_year_needed(paths, date(2040, 10, 15)) == 2042  # October opens year 2041
    # A 20-year history (2019-2038) in the raw layer: its last year plus one.
    (paths.report_rows / "statistical_year=2038").mkdir(parents=True)
    assert last_year_needed(paths, date(2026, 12, 1)) == 2039
    rows = calendar_rows(2039)
    periods = {(r["statistical_year"], r["months"]): r for r in rows[PERIODS_FILE]}
    assert len(periods) == 12 * (2039 - contract.FIRST_YEAR + 1)
    assert periods[(2038, 12)]["deadline_day"] == deadline_day(2038, 12).isoformat()
    # Every day up to the last deadlines' year is flagged (working days late need them).
    assert rows[DAYS_FILE][-1]["day"] == "2040-12-31"


def test_the_calendar_files_are_written_for_the_home_and_only_when_changed(
    tmp_path: Path,
) -> None:
    paths = Paths.from_env(tmp_path / "home")
    today = date(2026, 12, 1)
    assert write_calendar(paths, today) is True
    written = {name: (paths.calendar / name) for name in (PERIODS_FILE, DAYS_FILE)}
    for name, rows in calendar_rows(last_year_needed(paths, today)).items():
        assert written[name].read_text(encoding="utf-8") == render_seed(rows)
    stamps = {name: path.stat().st_mtime_ns for name, path in written.items()}
    assert write_calendar(paths, today) is False  # the same years: nothing rewritten
    assert {name: p.stat().st_mtime_ns for name, p in written.items()} == stamps
    (paths.report_rows / "statistical_year=2038").mkdir(parents=True)
    assert write_calendar(paths, today) is True  # a later year arrived: the calendar grows
    assert "2038,12," in written[PERIODS_FILE].read_text(encoding="utf-8")
