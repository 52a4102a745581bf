"""When a submission lands: a few days after its period closes, in office hours (UTC+7).

The generator sets each file's mtime to its arrival: `thads load --trust-mtime` takes that
as the arrival time (contract 6.1), as for a history the data team vouches for.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from thads.contract import MERGER_FIRST_MONTHS, MERGER_YEAR, period_end
from thads.generate.json_writer import VIETNAM
from thads.reporting_calendar import add_working_days, deadline_day

#: Days after the period closes: most provinces meet the 4-working-day deadline.
DELAYS = (1, 2, 3, 4, 5, 6, 7, 9, 12, 18)
DELAY_WEIGHTS = (2, 8, 12, 14, 10, 6, 4, 3, 2, 1)


def office_hours(day: datetime, rng: random.Random) -> datetime:
    minutes = rng.randint(7 * 60 + 30, 17 * 60 + 30)
    return datetime.combine(day.date(), time(minutes // 60, minutes % 60), VIETNAM)


def arrival_time(year: int, months: int, rng: random.Random) -> datetime:
    """Arrival of the first version of a report (timezone-aware, Vietnam time)."""
    closed = datetime.combine(period_end(year, months), time(), VIETNAM)
    delay = rng.choices(DELAYS, weights=DELAY_WEIGHTS)[0]
    if year == MERGER_YEAR and months == MERGER_FIRST_MONTHS:
        delay += rng.randint(5, 12)  # compiled in July by the newly merged provinces
    return office_hours(closed + timedelta(days=delay), rng)


#: Of the reports `--lateness` makes late, this share never arrives at all.
NEVER_SHARE = 0.25


def arrival_with_lateness(
    year: int, months: int, rng: random.Random, lateness: float
) -> datetime | None:
    """`thads generate --lateness P`: with probability 1 - P the report arrives by its
    deadline (a working day between the close and the deadline day, office hours); with
    probability P it is late (1 to 10 working days after the deadline day), and a quarter of
    those never arrive (None)."""
    closed = period_end(year, months)
    if rng.random() >= lateness:
        day = add_working_days(closed, rng.randint(1, 4))
        return office_hours(datetime.combine(day, time(), VIETNAM), rng)
    if rng.random() < NEVER_SHARE:
        return None
    day = add_working_days(deadline_day(year, months), rng.randint(1, 10))
    return office_hours(datetime.combine(day, time(), VIETNAM), rng)


def resubmission_time(first: datetime, rng: random.Random) -> datetime:
    """A corrected version comes back one to six days later."""
    return office_hours(first + timedelta(days=rng.randint(1, 6)), rng)


def set_mtime(paths: Iterable[Path], when: datetime) -> None:
    stamp = when.astimezone(UTC).timestamp()
    for path in paths:
        os.utime(path, (stamp, stamp))
