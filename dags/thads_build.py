"""thads_build: when the raw layer got new accepted data (Asset `thads://raw`), run
`dbt build` on the warehouse (dbt's per-model log lines appear in the task log) and publish
the read-only snapshot, Parquet exports and the HTML report. Both tasks run at a low CPU
priority (`thads.build.BUILD_NICENESS`): a load answering a province goes first."""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, dag, task

from thads.airflow_support import (
    RAW_ASSET_URI,
    build_warehouse,
    on_task_failure,
    publish_warehouse,
    settings,
)

RAW = Asset(RAW_ASSET_URI)


@dag(
    dag_id="thads_build",
    schedule=[RAW],
    start_date=pendulum.datetime(
        2019, 1, 1, tz="Asia/Ho_Chi_Minh"
    ),  # tasks exist for logical dates back to 2019 (backfills)
    catchup=False,
    max_active_runs=1,  # one dbt at a time: the warehouse has one writer
    default_args={"owner": "data-team", "on_failure_callback": on_task_failure},
    tags=["thads"],
    doc_md=__doc__,
)
def thads_build() -> None:
    # A failing model or test is not transient: one retry covers a locked file, no more.
    @task(retries=1, retry_delay=timedelta(minutes=1))
    def dbt_build() -> dict:
        return build_warehouse(settings().paths)  # pipeline.build + dbt's per-model lines

    @task(retries=3, retry_delay=timedelta(seconds=30), retry_exponential_backoff=2.0)
    def publish(built: dict) -> dict:
        return publish_warehouse(settings().paths)  # at the build's low CPU priority

    publish(dbt_build())


thads_build()
