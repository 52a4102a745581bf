"""The real Airflow stack, as `make airflow` starts it (scripts/airflow.sh: api-server,
scheduler, dag-processor, triggerer; LocalExecutor) on a real PostgreSQL server: files land,
the scheduler's own thads_load runs pick them up, the `thads://raw` Asset starts thads_build,
whose first try fails (the warehouse file is blocked) and alerts the data team; once the
block is lifted, the next scheduled load, with no new file, heals it and the ranking is
published. Only the REST API and the files are touched: no dag.test(), no manual trigger."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

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

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(1500)]

FAILED_BUILD_ALERT = "[THADS] Airflow task failed: thads_build.dbt_build"


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


@pytest.fixture(scope="module")
def story(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    story = Story(tmp_path_factory.mktemp("airflow_stack"))
    landing_dir = story.root / "landing"
    story.landing = write_landing(landing_dir, 2023, {"01": "xlsx", "80": "csv"}, seed=21)
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
    assert states["ingest[0]"] == "success" and states["ingest[1]"] == "success", states


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
