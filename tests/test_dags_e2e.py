"""dag.test() end to end on SQLite metadata: thads_load (per-province mapped ingest) ->
Asset -> thads_build (dbt + publish) -> the ranking in the warehouse; a failed build heals
on the next load with no new files; a re-run changes nothing; a past period loads from
another folder; the deadline DAG flags missing provinces;
a failing task alerts the data team (through a real local webhook).

All runs happen in one Airflow subprocess (tests/airflow_dag_runner.py) to pay Airflow's
import once; the metadata DB is migrated once per session."""

from __future__ import annotations

import re

import pytest

from tests.airflow_harness import (
    Scenario,
    assert_alerts_reached_the_data_team,
    assert_build_failed_then_healed,
    assert_deadlines_match_dim_period,
    assert_missing_flagged,
    assert_new_files_loaded,
    assert_nothing_new,
    assert_ranking_in_warehouse,
    migrate,
    prepare_scenario,
    run_scenario,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="session")
def sqlite_scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    scenario = prepare_scenario(tmp_path_factory.mktemp("dags_e2e"))
    migrate(scenario.env)
    return run_scenario(scenario)


def test_load_maps_one_ingest_per_province_and_updates_the_asset(sqlite_scenario) -> None:
    assert_new_files_loaded(sqlite_scenario.runs["load"], sqlite_scenario.current)


def test_rerunning_a_load_is_harmless(sqlite_scenario) -> None:
    assert_nothing_new(sqlite_scenario.runs["reload"])


def test_backfill_of_a_past_period(sqlite_scenario) -> None:
    assert_new_files_loaded(sqlite_scenario.runs["backfill"], sqlite_scenario.past)


def test_failed_build_heals_on_the_next_load_without_new_files(sqlite_scenario) -> None:
    assert_build_failed_then_healed(sqlite_scenario)


def test_build_puts_the_ranking_in_the_warehouse(sqlite_scenario) -> None:
    run = sqlite_scenario.runs["build"]
    assert run["state"] == "success", run["tasks"]
    assert_ranking_in_warehouse(sqlite_scenario.thads_home, sqlite_scenario.current)
    assert_ranking_in_warehouse(sqlite_scenario.thads_home, sqlite_scenario.past)


def test_build_log_shows_dbt_per_model(sqlite_scenario) -> None:
    # dbt's own result line for each model, copied into the dbt_build task's log.
    log = sqlite_scenario.log.read_text(errors="replace")
    for model in ("stg_raw__report_rows", "fct_province_ranking", "fct_national_summary"):
        assert re.search(rf"dbt \| .*\d+ of \d+ OK created .*\.{model} ", log), model
    assert re.search(r"dbt \| .*Done\. PASS=\d+ WARN=\d+ ERROR=0", log)


def test_deadline_calendar_agrees_with_the_warehouse(sqlite_scenario) -> None:
    assert_deadlines_match_dim_period(sqlite_scenario.thads_home)


def test_deadline_dag_flags_missing_provinces(sqlite_scenario) -> None:
    assert_missing_flagged(sqlite_scenario.runs["deadlines"], sqlite_scenario.current.codes)


def test_late_provinces_and_failed_tasks_alert_the_data_team(sqlite_scenario) -> None:
    assert_alerts_reached_the_data_team(sqlite_scenario)
