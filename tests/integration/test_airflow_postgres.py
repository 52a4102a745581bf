"""The DAG scenario of tests/test_dags_e2e.py with Airflow's metadata DB on a real PostgreSQL
server (scripts/start_postgres.sh, 127.0.0.1). In CI (CI=true) missing PostgreSQL binaries
fail the test; elsewhere they skip it."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.airflow_harness import (
    REPO,
    Scenario,
    assert_alerts_reached_the_data_team,
    assert_missing_flagged,
    assert_new_files_loaded,
    assert_nothing_new,
    assert_ranking_in_warehouse,
    migrate,
    prepare_scenario,
    run_scenario,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(1200)]
START = REPO / "scripts" / "start_postgres.sh"


def _have_postgres() -> bool:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"], "initdb").exists()
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or bool(shutil.which("initdb"))


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    if not _have_postgres():
        message = (
            "PostgreSQL server binaries (initdb, pg_ctl) not found: install them "
            "(Debian: apt-get install -y postgresql; .ci/run does) or set PG_BIN"
        )
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    # Its own folder under the system temp dir: as root the server runs as `postgres`, which
    # cannot enter pytest's private tmp_path.
    folder = tempfile.mkdtemp(prefix="thads-pg.")
    proc = subprocess.run([str(START), folder], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"start_postgres.sh failed:\n{proc.stderr}"
    url = proc.stdout.strip().splitlines()[-1]
    assert url.startswith("postgresql+psycopg2://") and "@127.0.0.1:" in url, url
    try:
        yield url
    finally:
        subprocess.run([str(START), "--stop", folder], capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def pg_scenario(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    scenario = prepare_scenario(tmp_path_factory.mktemp("dags_pg"), postgres_url)
    migrate(scenario.env)
    return run_scenario(scenario)


def test_metadata_lives_in_postgres(pg_scenario: Scenario, postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.connect() as con:
        runs = dict(
            con.execute(sa.text("select dag_id, count(*) from dag_run group by dag_id")).fetchall()
        )
        mapped = con.execute(
            sa.text(
                "select count(*) from task_instance where dag_id = 'thads_load' "
                "and task_id = 'ingest' and map_index >= 0"
            )
        ).scalar()
    engine.dispose()
    assert runs == {"thads_load": 5, "thads_build": 2, "thads_deadlines": 1}
    assert mapped == len(pg_scenario.current.codes) + len(pg_scenario.past.codes)


def test_end_to_end_on_postgres(pg_scenario: Scenario) -> None:
    runs = pg_scenario.runs
    assert_new_files_loaded(runs["load"], pg_scenario.current)
    assert_nothing_new(runs["reload"])
    assert_new_files_loaded(runs["backfill"], pg_scenario.past)
    assert runs["build"]["state"] == "success", runs["build"]["tasks"]
    assert_ranking_in_warehouse(pg_scenario.thads_home, pg_scenario.current)
    assert_ranking_in_warehouse(pg_scenario.thads_home, pg_scenario.past)
    assert_missing_flagged(runs["deadlines"], pg_scenario.current.codes)
    assert_alerts_reached_the_data_team(pg_scenario)
