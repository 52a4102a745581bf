"""thads_deadlines: every morning (Vietnam time), take the period whose reporting deadline
(the end of the 4th working day after the period closes, holidays and Tết excluded) passed
most recently, judge every province of it by what had arrived by the moment of the run
(marts.fct_reporting_compliance_history), and write to each province without an accepted
report, or whose report came late, in Vietnamese, with a summary to the data team. Alerts
go out once per period, not every day.

Trigger with conf `{"statistical_year": 2024, "months": 11}` to check one period by hand
(always alerts); a backfill over past dates judges each date by what had arrived by then.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, dag, task

from thads.airflow_support import judged_moment, on_task_failure, settings
from thads.deadlines import check_deadline, send_deadline_alerts


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
        return check_deadline(
            judged_moment(logical_date, dag_run),
            settings().paths,
            statistical_year=params.get("statistical_year"),
            months=params.get("months"),
        )

    @task(retries=3, retry_delay=timedelta(seconds=30), retry_exponential_backoff=2.0)
    def send_alerts(report: dict) -> dict:
        return send_deadline_alerts(report, settings().paths)

    send_alerts(missing_reports())


thads_deadlines()
