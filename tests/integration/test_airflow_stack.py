"""The real Airflow stack, as `make airflow` starts it (scripts/airflow.sh: api-server,
scheduler, dag-processor, triggerer; LocalExecutor) on a real PostgreSQL server: files land,
the scheduler's own thads_load runs pick them up, the `thads://raw` Asset starts thads_build,
whose first try fails (the warehouse file is blocked) and alerts the data team; once the
block is lifted, the next scheduled load, with no new file, heals it and the ranking is
published. Then the data team closes the year: thads_year_end_close is triggered for the
year loaded, its ApprovalOperator is answered through the REST API (the UI's Required
Actions) and the published figures become final. Only the REST API and the files are
touched: no dag.test(); the only manual trigger is the close's, as the data team does it."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from tests.airflow_harness import (
    Landing,
    WebhookSink,
    assert_ranking_in_warehouse,
    write_landing,
)
from tests.airflow_stack import AirflowStack
from thads.config import Paths

FINISHED = ("success", "failed")
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(1500)]

FAILED_BUILD_ALERT = "[THADS] Airflow task failed: thads_build.dbt_build"
CLOSE_DAG, DECIDE = "thads_year_end_close", "approve_final_figures"
YEAR = 2023  # the year of the landing zone's 12-month reports
APPROVAL_NOTE = "Số liệu năm 2023 đã đối chiếu"


class Story:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths = Paths(root / "thads_home")
        self.landing: Landing | None = None
        self.stack: AirflowStack | None = None
        self.failed_build: dict = {}
        self.healed_build: dict = {}
        self.healing_loads: list[dict] = []
        self.alerts: list[dict] = []
        self.close_run: dict = {}
        self.close_answer: dict = {}
        self.close_seconds = 0.0


@pytest.fixture(scope="module")
def story(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    story = Story(tmp_path_factory.mktemp("airflow_stack"))
    landing_dir = story.root / "landing"
    story.landing = write_landing(landing_dir, YEAR, {"01": "xlsx", "80": "csv"}, seed=21)
    # A broken build: a directory where dbt must write the warehouse file.
    story.paths.warehouse.mkdir(parents=True)
    with WebhookSink() as webhook:
        stack = AirflowStack(
            story.root,
            postgres_url,
            THADS_HOME=story.paths.home,
            THADS_LANDING=landing_dir,
            THADS_ALERT_WEBHOOK_URL=webhook.url,
            THADS_LOAD_SCHEDULE="* * * * *",  # poll every minute instead of every 30
            # The landing's 3 files go the way a big batch goes (mapped ingest chunks); the
            # small-batch path (ingested by plan) is proven by tests/test_dags_e2e.py.
            THADS_SMALL_BATCH_FILES="2",
        )
        with stack:
            story.stack = stack
            story.failed_build = stack.wait_for_run(
                "thads_build", lambda r: r["state"] == "failed", timeout=480
            )
            story.paths.warehouse.rmdir()  # fixed; nobody triggers anything
            story.healed_build = stack.wait_for_run(
                "thads_build", lambda r: r["state"] == "success", timeout=480
            )
            events = stack.upstream_asset_events("thads_build", story.healed_build["dag_run_id"])
            story.healing_loads = [
                {
                    "run_id": event["source_run_id"],
                    "plan": stack.xcom("thads_load", event["source_run_id"], "plan"),
                    "raw_updated": stack.xcom("thads_load", event["source_run_id"], "raw_updated"),
                }
                for event in events
            ]
            story.alerts = list(webhook.payloads)
            started = time.monotonic()
            run = stack.trigger(CLOSE_DAG, {"statistical_year": YEAR})
            story.close_answer = stack.respond(
                CLOSE_DAG, run["dag_run_id"], DECIDE, ["Approve"], {"note": APPROVAL_NOTE}, 180
            )
            story.close_run = stack.wait_for_run(
                CLOSE_DAG,
                lambda r: r["dag_run_id"] == run["dag_run_id"] and r["state"] in FINISHED,
                timeout=300,
                poll=1.0,
            )
            story.close_seconds = time.monotonic() - started
            yield story


def test_a_failed_build_alerts_and_heals_with_the_next_scheduled_load(story: Story) -> None:
    assert story.failed_build["run_type"] == "asset_triggered", story.failed_build
    assert story.healed_build["run_type"] == "asset_triggered", story.healed_build
    # The loads whose Asset events started the healing build found no new file.
    assert story.healing_loads, "the healing build consumed no Asset event"
    for load in story.healing_loads:
        assert load["plan"]["n_files"] == 0, load
        assert load["raw_updated"]["publish_pending"] is True, load
        assert not load["raw_updated"]["new_data"], load
    subjects = [a.get("subject") for a in story.alerts]
    assert FAILED_BUILD_ALERT in subjects, subjects


def test_the_ranking_is_published(story: Story) -> None:
    assert story.landing is not None
    assert_ranking_in_warehouse(story.paths.home, story.landing)


def test_loads_are_scheduled_and_mapped_in_chunks(story: Story) -> None:
    stack = story.stack
    assert stack is not None
    loads = stack.runs("thads_load")
    assert {r["run_type"] for r in loads} == {"scheduled"}, loads
    first = next(r for r in loads if r["state"] == "success")
    states = stack.task_states("thads_load", first["dag_run_id"])
    mapped = (states.get("ingest[0]"), states.get("ingest[1]"))
    assert mapped == ("success", "success"), states


def test_the_stack_runs_on_postgres_with_its_own_secrets(story: Story, postgres_url: str) -> None:
    stack = story.stack
    assert stack is not None
    settings = stack.settings_file.read_text()
    assert stat.S_IMODE(os.stat(stack.settings_file).st_mode) == 0o600
    for key in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__FERNET_KEY"):
        assert f"export {key}=" in settings
    jwt = next(line for line in settings.splitlines() if "JWT_SECRET=" in line)
    assert len(jwt.split("=", 1)[1].strip("'")) >= 64  # Airflow warns below 32 bytes
    assert "AIRFLOW__CORE__DEFAULT_TIMEZONE=Asia/Ho_Chi_Minh" in settings
    assert f"admin login: admin / {stack.admin_password()}" in stack.start_output
    dags = {d["dag_id"]: d for d in stack.api("GET", "/dags")["dags"]}
    assert {"thads_load", "thads_build", "thads_deadlines"} <= set(dags), sorted(dags)
    assert not [d for d in dags if dags[d]["is_paused"]], dags  # created unpaused
    engine = sa.create_engine(postgres_url)
    with engine.connect() as con:
        runs = dict(
            con.execute(sa.text("select dag_id, count(*) from dag_run group by dag_id")).fetchall()
        )
    engine.dispose()
    assert runs["thads_build"] >= 2 and runs["thads_load"] >= 2, runs


def test_the_year_end_close_is_approved_through_the_rest_api(story: Story) -> None:
    """Issue 16 on the real stack: the close's ApprovalOperator waits for a person, the
    answer comes through the REST API (PATCH .../hitlDetails), the approval runs the same
    call as `thads approve` and the published snapshot says the figures are final."""
    stack = story.stack
    assert stack is not None and story.landing is not None
    run_id = story.close_run["dag_run_id"]
    states = stack.task_states(CLOSE_DAG, run_id)
    assert story.close_run["state"] == "success", (states, stack.logs())
    assert states == {
        "summarise_the_year": "success",
        DECIDE: "success",
        "record_approval": "success",
        "record_rejection": "skipped",
        "build_and_publish": "success",
    }, states
    assert story.close_answer["chosen_options"] == ["Approve"]
    assert story.close_answer["responded_by"]["name"] == "admin"
    summary = stack.xcom(CLOSE_DAG, run_id, "summarise_the_year")
    assert (summary["statistical_year"], summary["months"], summary["n_reported"]) == (YEAR, 12, 2)
    reported = story.landing.codes
    assert stack.xcom(CLOSE_DAG, run_id, "record_approval")["decided"] == reported
    with duckdb.connect(str(story.paths.snapshot), read_only=True) as con:
        log = con.execute(
            'select province_code, action, "by", note from marts.fct_approval_log '
            "where statistical_year = ? and months = 12 order by province_code",
            [YEAR],
        ).fetchall()
        status = dict(
            con.execute(
                "select province_code, figure_status from marts.fct_province_ranking "
                "where statistical_year = ? and months = 12 and measure = 'cases' "
                "and has_report",
                [YEAR],
            ).fetchall()
        )
    assert log == [(code, "approve", "admin", APPROVAL_NOTE) for code in reported]
    assert status == dict.fromkeys(reported, "final")
    # What closing the year costs the integration test (issue 16: at most ~30 s), by task.
    tis = stack.api("GET", f"/dags/{CLOSE_DAG}/dagRuns/{run_id}/taskInstances")
    steps = ", ".join(
        f"{ti['task_id']} {ti['queued_when']}..{ti['start_date']}..{ti['end_date']}"
        for ti in sorted(tis["task_instances"], key=lambda ti: ti["start_date"] or "")
    )
    print(f"year-end close through the REST API: {story.close_seconds:.1f} s ({steps})")
