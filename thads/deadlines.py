"""The deadline check the thads_deadlines DAG runs (contract 6.1), as a library.

Which provinces had no accepted report when a period's deadline passed is read from the
warehouse's `marts.fct_reporting_compliance_history` at the moment of the run, so a
backfilled run judges by what had arrived by then, not by today's registry; the status rule
and the deadlines are dbt's and thads.reporting_calendar's, not recomputed here. Alerts go
out once per period: `Paths.deadline_alerts` (a JSON object, period -> when) records that
the period's letters were sent, and later daily runs for the same period send nothing (a
run for a period asked for by hand always sends).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from thads import contract
from thads.config import Paths
from thads.durable import atomic_write_text
from thads.reporting_calendar import VIETNAM, DuePeriod, latest_due_period

log = logging.getLogger("thads.deadlines")

HISTORY = "marts.fct_reporting_compliance_history"
COLUMNS = (
    "province_code",
    "province_name",
    "status",
    "first_arrival_at",
    "accepted_arrival_at",
    "working_days_late",
)


class DeadlineError(RuntimeError):
    """The warehouse cannot answer for the period (not built since it closed)."""


def compliance_at(
    paths: Paths, statistical_year: int, months: int, judged_at: datetime
) -> list[dict[str, Any]]:
    """Every expected province's status for the period as it stood at `judged_at`."""
    from thads.commands.rank import query, source_database

    database = source_database(paths)
    rows = query(
        database,
        f"select {', '.join(COLUMNS)} from {HISTORY} "
        "where statistical_year = ? and months = ? and valid_from <= ? and ? < valid_to "
        "order by province_code",
        [statistical_year, months, judged_at, judged_at],
    )
    if not rows:
        raise DeadlineError(
            f"{database} has no compliance rows for {months} months of {statistical_year}: "
            "the warehouse was last built before that period closed, or holds nothing of that "
            "statistical year; build it (thads load) and run the check again"
        )
    return [
        {k: v.isoformat() if isinstance(v, datetime) else v for k, v in r.items()} for r in rows
    ]


def _period_key(statistical_year: int, months: int) -> str:
    return f"{statistical_year}/{months}"


def alerted_periods(paths: Paths) -> dict[str, str]:
    """{"2024/11": when its letters went out} from `paths.deadline_alerts`."""
    try:
        return json.loads(paths.deadline_alerts.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def check_deadline(
    judged_at: datetime,
    paths: Paths,
    statistical_year: int | None = None,
    months: int | None = None,
) -> dict[str, Any]:
    """The period due most recently at `judged_at` (or the one given), the provinces without
    an accepted report then (`missing`: statuses missing and rejected) and those whose report
    came after the deadline (`late`), and whether to alert. A small JSON-able dict (XCom)."""
    if judged_at.tzinfo is None:
        raise ValueError("judged_at must carry a time zone")
    by_hand = statistical_year is not None and months is not None
    if by_hand:
        period = DuePeriod.of(statistical_year, months)  # type: ignore[arg-type]
    else:
        period = latest_due_period(judged_at.astimezone(VIETNAM).date())
    rows = compliance_at(paths, period.statistical_year, period.months, judged_at)
    report = {
        "statistical_year": period.statistical_year,
        "months": period.months,
        "period_end": period.period_end.isoformat(),
        "deadline": period.deadline.isoformat(),
        "boundary": contract.boundary_for(period.statistical_year, period.months),
        "judged_at": judged_at.astimezone(UTC).isoformat(),
        "missing": [r for r in rows if r["status"] in ("missing", "rejected")],
        "late": [r for r in rows if r["status"] == "late"],
        "by_hand": by_hand,
        "alert": by_hand
        or _period_key(period.statistical_year, period.months) not in alerted_periods(paths),
    }
    log.info(
        "deadline check %s/%s (deadline %s) at %s: %d without an accepted report, %d late%s",
        period.months,
        period.statistical_year,
        period.deadline,
        report["judged_at"],
        len(report["missing"]),
        len(report["late"]),
        "" if report["alert"] else " (alerted before: nothing to send)",
    )
    return report


def send_deadline_alerts(report: dict[str, Any], paths: Paths) -> dict[str, Any]:
    """A Vietnamese letter to each province in `missing` or `late` and a summary to the data
    team, through thads.notify (its channels and outbox); then the period's marker."""
    from thads import notify
    from thads.notify.deadline_messages import province_deadline_alert, team_deadline_summary

    key = _period_key(report["statistical_year"], report["months"])
    alerted = alerted_periods(paths)
    if key in alerted and not report.get("by_hand"):
        log.info("the letters for %s went out on %s; not again", key, alerted[key])
        return {"alerted": False, "reason": "alerted before for this period"}
    rows = [*report["missing"], *report["late"]]
    if not rows:
        log.info(
            "every province reported on time for %s/%s",
            report["months"],
            report["statistical_year"],
        )
        return {"alerted": False, "reason": "every province reported on time"}
    alerts = [province_deadline_alert(row, report) for row in rows]
    alerts.append(team_deadline_summary(report))
    delivery = notify.deliver(alerts, paths)
    alerted[key] = datetime.now(UTC).isoformat(timespec="seconds")
    paths.deadline_alerts.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(paths.deadline_alerts, json.dumps(alerted, indent=1, sort_keys=True))
    return {"alerted": True, "provinces": len(rows), **delivery.to_dict()}
