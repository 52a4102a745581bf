"""Contract rules on a submission's values as they enter, whatever the format.

Run once per submission right after its file(s) are read (`ingest.parse.read_candidate`,
so `thads load` and `thads check` apply them alike):
- `parse.period_not_closed`: the period must have closed (its last day over, Vietnam time)
  when the file arrived: a report of a period still running is not a report of it;
- `parse.not_an_integer`: case counts are whole numbers ("12,5" cases is a typo);
- `parse.limit_exceeded`: a figure with more digits than `Limits.digits` (no province has
  a billion billion cases; such a figure is a paste error and would overflow sums).
"""

from __future__ import annotations

import math
from datetime import datetime

from ingest.limits import Limits
from ingest.readers import ReadResult
from thads.contract import NUMERIC_KEYS, Finding, period_end
from thads.reporting_calendar import VIETNAM


def period_not_closed(
    file: str, statistical_year: int, months: int, arrival: datetime
) -> Finding | None:
    closes = period_end(statistical_year, months)
    arrived = arrival.astimezone(VIETNAM).date()
    if arrived > closes:
        return None
    return Finding.of(
        "parse.period_not_closed",
        file,
        f"the period {months} month(s) of statistical year {statistical_year} ends on "
        f"{closes:%d/%m/%Y}; the file arrived on {arrived:%d/%m/%Y}, before it closed",
        observed=f"{arrived:%Y-%m-%d}",
        expected=f"after {closes:%Y-%m-%d}",
    )


def value_findings(file_of: dict[str, str], read: ReadResult, limits: Limits) -> list[Finding]:
    """Whole case counts and bounded digits, cell by cell; `file_of[measure]` names the file
    a measure came from (a CSV pair has two)."""
    out: list[Finding] = []
    if not read.parts:
        return out
    too_big = 10.0**limits.digits
    for measure, part in read.parts.items():
        whole = measure == "cases"
        for r, values in enumerate(part.values):
            for key, value in zip(NUMERIC_KEYS, values, strict=True):
                if value != value:  # NaN: missing or not a number, reported already
                    continue
                big = abs(value) >= too_big
                if not big and (not whole or float(value).is_integer()):
                    continue
                sheet, label = read.labels.get((measure, key), (part.sheet, key))
                where = {"sheet": sheet, "row": part.source_rows[r], "column": label}
                file = file_of.get(measure, part.source_file)
                if big:
                    out.append(
                        Finding.of(
                            "parse.limit_exceeded",
                            file,
                            f"a figure with more than {limits.digits} digits",
                            observed=_short(value),
                            expected=f"fewer than {limits.digits} digits",
                            **where,
                        )
                    )
                else:
                    out.append(
                        Finding.of(
                            "parse.not_an_integer",
                            file,
                            "a number of cases is a whole number",
                            observed=_short(value),
                            expected="a whole number",
                            **where,
                        )
                    )
    return out


def _short(value: float) -> str:
    return f"{value:.6g}" if math.isfinite(value) else str(value)
