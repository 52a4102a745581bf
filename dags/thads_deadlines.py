"""thads_deadlines: every morning (Vietnam time), take the period whose reporting deadline
(period end + 4 working days) passed most recently, list the provinces with no accepted
report for it (missing or quarantined) and alert the data team.

Trigger with conf `{"statistical_year": 2024, "months": 11}` to check one period by hand;
a backfill over past dates checks the periods due on those dates.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, dag, task

from thads.airflow_support import (
    alert_missing_reports,
    find_missing_reports,
    on_task_failure,
    run_date,
    settings,
)


@dag(
    dag_id="thads_deadlines",
    schedule=CronTriggerTimetable("0 8 * * *", timezone="Asia/Ho_Chi_Minh"),
    start_date=pendulum.datetime(
        2019, 1, 1, tz="Asia/Ho_Chi_Minh"
    ),  # tasks exist for logical dates back to 2019 (backfills)
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "data-team", "on_failure_callback": on_task_failure},
    params={
        "statistical_year": Param(None, type=["null", "integer"], description="Check this year"),
        "months": Param(None, type=["null", "integer"], minimum=1, maximum=12),
    },
    tags=["thads"],
    doc_md=__doc__,
)
def thads_deadlines() -> None:
    @task
    def missing_reports(params: dict | None = None, logical_date=None, dag_run=None) -> dict:
        params = params or {}
        return find_missing_reports(
            run_date(logical_date, dag_run),
            settings().paths,
            statistical_year=params.get("statistical_year"),
            months=params.get("months"),
        )

    @task(retries=3, retry_delay=timedelta(seconds=30), retry_exponential_backoff=2.0)
    def alert_data_team(report: dict) -> dict:
        return alert_missing_reports(report, settings().paths)

    alert_data_team(missing_reports())


thads_deadlines()
