"""`thads rank` tells "accepted, not yet published" (a build failed or is running) apart from
"not reported": real ingest and validation into a THADS_HOME, no build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.airflow_harness import write_landing
from thads import pipeline
from thads.commands.rank import EXIT_NOT_PUBLISHED
from thads.config import Paths


@pytest.fixture(scope="module")
def accepted_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two provinces' 12-month reports of 2023 accepted into the raw layer, never built."""
    root = tmp_path_factory.mktemp("rank_unpublished")
    landing = write_landing(root / "landing", 2023, {"01": "json", "80": "xlsx"}, seed=5)
    paths = Paths(root / "home").ensure()
    plan = pipeline.plan_batch(landing.folder, paths)
    pipeline.ingest_all(plan["batch_id"], plan["groups"], paths)
    committed = pipeline.validate_and_commit(plan["batch_id"], paths)
    assert committed["n_loaded"] == 2 and committed["new_data"], committed
    return paths.home


def rank(home: Path, year: int, months: int) -> subprocess.CompletedProcess:
    period = ["--year", str(year), "--months", str(months), "--measure", "cases"]
    return subprocess.run(
        [sys.executable, "-m", "thads.cli", "--home", str(home), "rank", *period],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_accepted_but_unpublished_is_not_called_unreported(accepted_home: Path) -> None:
    assert pipeline.publish_pending(Paths(accepted_home))
    proc = rank(accepted_home, 2023, 12)
    assert proc.returncode == EXIT_NOT_PUBLISHED, proc.stderr
    assert "2 province(s) have an accepted report for 12 months of statistical year 2023" in (
        proc.stderr
    )
    assert "(01, 80), not yet published" in proc.stderr
    assert "no accepted report" not in proc.stderr


def test_a_period_nobody_reported_is_not_reported(accepted_home: Path) -> None:
    proc = rank(accepted_home, 2023, 6)
    assert proc.returncode == 2, proc.stderr  # no warehouse yet, and nothing accepted for 6/2023
    assert "no warehouse yet" in proc.stderr and "not yet published" not in proc.stderr


def test_a_fresh_home_has_nothing_to_publish(tmp_path: Path) -> None:
    paths = Paths(tmp_path / "fresh").ensure()
    assert not pipeline.publish_pending(paths)
    # A load of an empty landing zone commits an empty batch: still nothing to publish.
    (tmp_path / "landing").mkdir()
    plan = pipeline.plan_batch(tmp_path / "landing", paths)
    committed = pipeline.validate_and_commit(plan["batch_id"], paths)
    assert not committed["new_data"]
    assert not pipeline.needs_publish(committed, paths)
    assert pipeline.needs_publish({"new_data": True}, paths)
