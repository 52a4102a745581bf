"""thads_year_end_close: after the 12-month reports are due (20 October, Vietnam time), show
the data team the year's summary (how many provinces reported, which are late, rejected or
missing, the national rates) and wait for their decision in the Airflow UI (Required
Actions). Approve: the figures become final, the same call as `thads approve --year Y
--months 12` (note: the form's `note`), then the warehouse is built and published. Reject:
the figures stay preliminary and the reason (the `note`) is kept and sent to the data team.

Trigger with conf `{"statistical_year": 2024}` to close a given year.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, dag, task

from thads import pipeline
from thads.airflow_support import build_warehouse, on_task_failure, run_date, settings
from thads.approval.operator import RESPONSE_KEY, RecordedApprovalOperator

SUMMARY = "summarise_the_year"
DECIDE = "approve_final_figures"


@dag(
    dag_id="thads_year_end_close",
    schedule=CronTriggerTimetable("0 8 20 10 *", timezone="Asia/Ho_Chi_Minh"),
    start_date=pendulum.datetime(2019, 1, 1, tz="Asia/Ho_Chi_Minh"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "data-team", "on_failure_callback": on_task_failure},
    params={
        "statistical_year": Param(None, type=["null", "integer"], description="Close this year"),
    },
    tags=["thads"],
    doc_md=__doc__,
)
def thads_year_end_close() -> None:
    @task(task_id=SUMMARY)
    def summarise_the_year(params: dict | None = None, logical_date=None, dag_run=None) -> dict:
        from thads.approval.close import close_summary, year_to_close

        year = (params or {}).get("statistical_year") or year_to_close(
            run_date(logical_date, dag_run)
        )
        return close_summary(int(year), 12, settings().paths)

    # The standard provider's ApprovalOperator; the subclass also keeps a rejection's answer.
    decide = RecordedApprovalOperator(
        task_id=DECIDE,
        subject=f"{{{{ ti.xcom_pull(task_ids='{SUMMARY}')['subject'] }}}}",
        body=f"{{{{ ti.xcom_pull(task_ids='{SUMMARY}')['body'] }}}}",
        params={"note": Param("", type="string", description="Approval note / rejection reason")},
        response_timeout=timedelta(days=30),
    )

    @task
    def record_approval(summary: dict, ti=None) -> dict:
        from thads.approval.close import close_approved

        response = ti.xcom_pull(task_ids=DECIDE, key=RESPONSE_KEY)
        return close_approved(summary, response, settings().paths)

    @task(trigger_rule="all_skipped")  # runs when the approval skipped record_approval
    def record_rejection(ti=None) -> dict:
        from thads.approval.close import close_rejected

        summary = ti.xcom_pull(task_ids=SUMMARY)
        response = ti.xcom_pull(task_ids=DECIDE, key=RESPONSE_KEY)
        return close_rejected(summary, response, settings().paths)

    @task(retries=1, retry_delay=timedelta(minutes=1))
    def build_and_publish(approved: dict) -> dict:
        paths = settings().paths
        build_warehouse(paths)
        return pipeline.publish(paths)

    summary = summarise_the_year()
    approved = record_approval(summary)
    summary >> decide >> approved
    approved >> record_rejection()
    build_and_publish(approved)


thads_year_end_close()
