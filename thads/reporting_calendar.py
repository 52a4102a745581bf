"""The reporting calendar (contract 6.1): working days, period close and deadline, in one place.

A province's deadline is the end of the 4th working day after its period closes, Vietnam
time (UTC+7). Working days are Monday to Friday that are not Vietnamese public holidays as
the `holidays` package's Vietnam calendar lists them (Tết and substitute days off included):
the holidays come from that maintained library, never from a typed list.

dbt gets the same facts as generated seeds (`python -m thads.reporting_calendar` writes
`dbt_project/seeds/ref_reporting_calendar.csv` and `ref_calendar_days.csv`); a test fails
when they drift from this module. `dim_period.report_deadline`, the compliance marts and the
deadline DAG all derive from here.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from thads import contract
from thads.config import DBT_PROJECT_DIR

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
#: A province reports to the national body within 4 working days after the period closes.
DEADLINE_WORKING_DAYS = 4
#: The seeds cover statistical years contract.FIRST_YEAR..LAST_YEAR (extend and regenerate
#: before the warehouse reaches it; dim_period's deadline is null beyond it).
LAST_YEAR = 2035
#: The end of a day: a deadline is "by the end of" its day, Vietnam time.
END_OF_DAY = time(23, 59, 59, 999999)


@cache
def _holidays(year: int) -> dict[date, str]:
    import holidays

    return dict(holidays.country_holidays("VN", years=year, language="vi"))


def holiday_name(day: date) -> str | None:
    """The Vietnamese public holiday on `day` (Tết, a substitute day off, ...), or None."""
    return _holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Vietnamese public holiday."""
    return day.weekday() < 5 and holiday_name(day) is None


def add_working_days(day: date, n: int) -> date:
    """The n-th working day after `day`."""
    current = day
    while n > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            n -= 1
    return current


def working_days_after(start: date, end: date) -> int:
    """Working days d with start < d <= end (0 when end <= start)."""
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        count += is_working_day(current)
    return count


def period_closes(statistical_year: int, months: int) -> date:
    """The day the cumulative period closes (contract.period_end)."""
    return contract.period_end(statistical_year, months)


def deadline_day(statistical_year: int, months: int) -> date:
    """The 4th working day after the period closes."""
    return add_working_days(period_closes(statistical_year, months), DEADLINE_WORKING_DAYS)


def deadline(statistical_year: int, months: int) -> datetime:
    """The end of the deadline day, Vietnam time: a report arriving at or before it is on time."""
    return datetime.combine(deadline_day(statistical_year, months), END_OF_DAY, tzinfo=VIETNAM)


def working_days_late(statistical_year: int, months: int, arrival: datetime) -> int | None:
    """For an arrival after the deadline: the working days after the deadline's day up to and
    including the arrival's day (Vietnam time), at least 1; None when on time."""
    if arrival <= deadline(statistical_year, months):
        return None
    local_day = arrival.astimezone(VIETNAM).date()
    return max(1, working_days_after(deadline_day(statistical_year, months), local_day))


def period_closing_in(year: int, month: int) -> tuple[int, int]:
    """The cumulative period that closes at the end of calendar month `month` of `year`:
    October closes the 1-month report of the next statistical year, September the 12-month."""
    if month >= 10:
        return year + 1, month - 9
    return year, month + 3


@dataclass(frozen=True)
class DuePeriod:
    statistical_year: int
    months: int
    period_end: date
    deadline: date

    @classmethod
    def of(cls, statistical_year: int, months: int) -> DuePeriod:
        return cls(
            statistical_year,
            months,
            period_closes(statistical_year, months),
            deadline_day(statistical_year, months),
        )


def latest_due_period(today: date) -> DuePeriod:
    """The period that closed most recently whose deadline has passed by `today`
    (the deadline day itself still belongs to the province)."""
    year, month = today.year, today.month
    while True:
        period = DuePeriod.of(*period_closing_in(year, month))
        if period.deadline < today:
            return period
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)


# --- dbt seeds -----------------------------------------------------------------------------

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
PERIODS_SEED = "ref_reporting_calendar.csv"
DAYS_SEED = "ref_calendar_days.csv"


def seed_rows() -> dict[str, list[dict]]:
    """Every period of the covered years with its close and deadline, and every calendar day
    from the first period's start to the end of LAST_YEAR's deadlines' year with its flag."""
    periods = [
        {
            "statistical_year": year,
            "months": months,
            "boundary": contract.boundary_for(year, months),
            "period_closes": period_closes(year, months).isoformat(),
            "deadline_day": deadline_day(year, months).isoformat(),
            "deadline": deadline(year, months).isoformat(),
        }
        for year in range(contract.FIRST_YEAR, LAST_YEAR + 1)
        for months in range(1, 13)
    ]
    first, last = contract.period_start(contract.FIRST_YEAR), date(LAST_YEAR + 1, 12, 31)
    days = []
    day = first
    while day <= last:
        days.append(
            {
                "day": day.isoformat(),
                "is_working_day": str(is_working_day(day)).lower(),
                "holiday": holiday_name(day) or "",
            }
        )
        day += timedelta(days=1)
    return {PERIODS_SEED: periods, DAYS_SEED: days}


def write_seeds(directory: Path = SEEDS_DIR) -> list[Path]:
    from thads.reference import write_seed_files

    return write_seed_files(seed_rows(), directory)


if __name__ == "__main__":
    for path in write_seeds():
        print(f"wrote {path}", file=sys.stderr)
