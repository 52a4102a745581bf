"""The reporting calendar (contract 6.1): working days, period close and deadline, in one place.

A province's deadline is the end of the 4th working day after its period closes, Vietnam
time (UTC+7). Working days are Monday to Friday that are not Vietnamese public holidays as
the `holidays` package's Vietnam calendar lists them (Tết and substitute days off included):
the holidays come from that maintained library, never from a typed list.

dbt gets the same facts as generated files in THADS_HOME/reference (`write_calendar`, before
every build), covering the years the warehouse holds and today's: no fixed last year, so a
history past any date still gets its deadlines. `dim_period.report_deadline`, the compliance
marts and the deadline DAG all derive from here.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from thads import contract
from thads.config import Paths

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
#: A province reports to the national body within 4 working days after the period closes.
DEADLINE_WORKING_DAYS = 4
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


# --- the calendar dbt reads ---------------------------------------------------------------

#: Generated into THADS_HOME (`Paths.calendar`) before every build (`thads.build`), read by
#: dbt as the source `calendar` (dbt_project/models/staging/__sources.yml): one CSV a table.
PERIODS_FILE = "reporting_calendar.csv"
DAYS_FILE = "calendar_days.csv"


def latest_year_present(paths: Paths) -> int | None:
    """The latest statistical year in the raw layer (its `statistical_year=YYYY` folders:
    the years dim_period spans), or None before the first load."""
    years = [
        int(folder.name.partition("=")[2])
        for folder in paths.report_rows.glob("statistical_year=*")
        if folder.name.partition("=")[2].isdigit()
    ]
    return max(years, default=None)


def last_year_needed(paths: Paths, today: date | None = None) -> int:
    """The calendar covers contract.FIRST_YEAR through one statistical year past the latest
    of: the periods present in the raw layer, the period closing today (arrivals are dated
    up to today) and the merger year (dim_period's minimum span)."""
    today = today or datetime.now(VIETNAM).date()
    current, _ = period_closing_in(today.year, today.month)
    present = latest_year_present(paths) or contract.FIRST_YEAR
    return max(present, current, contract.MERGER_YEAR) + 1


def calendar_rows(last_year: int) -> dict[str, list[dict]]:
    """Every period of FIRST_YEAR..`last_year` with its close and deadline, and every
    calendar day from the first period's start to the end of the year after `last_year`
    (the last deadlines fall in it) with its flag."""
    periods = [
        {
            "statistical_year": year,
            "months": months,
            "boundary": contract.boundary_for(year, months),
            "period_closes": period_closes(year, months).isoformat(),
            "deadline_day": deadline_day(year, months).isoformat(),
            "deadline": deadline(year, months).isoformat(),
        }
        for year in range(contract.FIRST_YEAR, last_year + 1)
        for months in range(1, 13)
    ]
    first, last = contract.period_start(contract.FIRST_YEAR), date(last_year + 1, 12, 31)
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
    return {PERIODS_FILE: periods, DAYS_FILE: days}


def write_calendar(paths: Paths, today: date | None = None) -> bool:
    """Write the calendar files dbt reads for this THADS_HOME (`last_year_needed`); only
    files whose content changed are rewritten. Returns whether any changed (the build is
    then complete: every model that reads the calendar is rebuilt)."""
    from thads.durable import atomic_write_text
    from thads.reference import render_seed

    folder = paths.calendar
    folder.mkdir(parents=True, exist_ok=True)
    changed = False
    for name, rows in calendar_rows(last_year_needed(paths, today)).items():
        path, text = folder / name, render_seed(rows)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic_write_text(path, text)
            changed = True
    return changed


if __name__ == "__main__":
    home = Paths.from_env()
    write_calendar(home)
    print(f"wrote the reporting calendar into {home.calendar}", file=sys.stderr)
