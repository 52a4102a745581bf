"""thads_load: new, complete files in the landing zone -> ingest in a few mapped chunks of
provinces (a small batch, THADS_SMALL_BATCH_FILES: by `plan` itself) -> one validation run
-> raw layer. Updates the `thads://raw` Asset (which triggers thads_build) when new data was
accepted or accepted data is still unpublished (a failed build heals on the next load, with
no new files: `pipeline.needs_publish`, the rule `thads load` follows).

Runs when files land in the landing zone (the Asset `thads://landing`, watched by an event
trigger in the triggerer: thads/airflow_events.py) and every 30 minutes as a safety poll
(THADS_LOAD_SCHEDULE); re-running is harmless (files are recognised by content hash). To load
a past period's folder once, trigger with conf `{"landing": "/path/to/folder"}` (not
`airflow backfill create`: docs/airflow.md).
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, Param, TriggerRule, dag, task
from airflow.sdk.exceptions import AirflowSkipException

from thads import pipeline
from thads.airflow_events import schedule_on_arrivals
from thads.airflow_support import (
    DEFAULT_LANDING,
    RAW_ASSET_URI,
    VAR_LANDING,
    ingest_chunk_count,
    ingest_chunks,
    ingest_if_small,
    landing_readiness,
    on_task_failure,
    setting,
    settings,
)

RAW = Asset(RAW_ASSET_URI)

# File-system and network steps: retried with exponential backoff (30 s, 60 s, 120 s).
IO_RETRIES = {
    "retries": 3,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=10),
}


@dag(
    dag_id="thads_load",
    # An arrival in the landing zone, or the safety poll (THADS_LOAD_SCHEDULE, every 30 min).
    schedule=schedule_on_arrivals(setting(VAR_LANDING, "THADS_LANDING", DEFAULT_LANDING)),
    start_date=pendulum.datetime(
        2019, 1, 1, tz="Asia/Ho_Chi_Minh"
    ),  # tasks exist for logical dates back to 2019 (backfills)
    catchup=False,
    # One batch at a time (the registry serialises submissions); arrivals during a run queue
    # up and are taken together by the next run: a burst starts a few loads, not one each.
    max_active_runs=1,
    default_args={"owner": "data-team", "on_failure_callback": on_task_failure},
    params={
        "landing": Param(
            None,
            type=["null", "string"],
            description="Landing folder for this run only (default: Variable thads_landing "
            "or env THADS_LANDING)",
        )
    },
    tags=["thads"],
    doc_md=__doc__,
)
def thads_load() -> None:
    @task(multiple_outputs=True, **IO_RETRIES)
    def plan(params: dict | None = None) -> dict:
        cfg = settings((params or {}).get("landing"))
        # Only complete files: settled for a few seconds, CSV halves with their pair (or
        # past their wait); the others are listed under "waiting" for the next run.
        batch = pipeline.plan_batch(cfg.landing, cfg.paths, landing_readiness(cfg.paths))
        # A small batch (a province's report or two) is ingested here: one task start less
        # before the province hears back. Bigger ones go to the mapped ingest chunks.
        ingested_here = ingest_if_small(batch, cfg.paths)
        return {
            "batch_id": batch["batch_id"],
            "n_files": batch["n_files"],
            "n_already_seen": batch.get("n_already_seen", 0),
            "n_targets_files": len(batch.get("targets", [])),
            "waiting": batch.get("waiting", []),
            "ingested_in_plan": ingested_here,
            "chunks": [] if ingested_here else ingest_chunks(batch["groups"], ingest_chunk_count()),
        }

    @task
    def ingest_chunk_list(chunks: list[dict]) -> list[dict]:
        # Airflow maps only over a task's return value, not over one key of it.
        return chunks

    # A few chunks of provinces, not one task per province: each task pays Airflow's
    # start-up once, and stages its provinces in one process; the chunks run side by side.
    @task(
        map_index_template="{{ task.op_kwargs['label'] }}",
        max_active_tis_per_dagrun=8,
        **IO_RETRIES,
    )
    def ingest(batch_id: str, label: str, groups: dict[str, list[str]]) -> list[dict]:
        return pipeline.ingest_all(batch_id, groups, settings().paths, workers=1)

    # Runs when every group was ingested, and also when there was nothing to map over (no
    # new file, or a small batch that plan ingested).
    @task(trigger_rule=TriggerRule.NONE_FAILED)
    def validate_and_commit(batch_id: str) -> dict:
        return pipeline.validate_and_commit(batch_id, settings().paths)

    @task(**IO_RETRIES)
    def send_alerts(batch_id: str) -> dict:
        return pipeline.send_alerts(batch_id, settings().paths)

    @task(outlets=[RAW])
    def raw_updated(committed: dict) -> dict:
        # A skipped task emits no Asset event: thads_build runs only when there is accepted
        # data to publish (new in this batch, or left unpublished by a failed build).
        paths = settings().paths
        if not pipeline.needs_publish(committed, paths):
            raise AirflowSkipException("nothing new was accepted; the warehouse is current")
        return {**committed, "publish_pending": pipeline.publish_pending(paths)}

    batch = plan()
    ingested = ingest.partial(batch_id=batch["batch_id"]).expand_kwargs(
        ingest_chunk_list(batch["chunks"])
    )
    committed = validate_and_commit(batch["batch_id"])
    ingested >> committed
    alerts = send_alerts(batch["batch_id"])
    committed >> alerts
    raw_updated(committed)


thads_load()
