"""ingest.readiness on real files: a file still being written and a CSV half whose pair has
not arrived are left for a later poll; a half past its wait is refused as before."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ingest.batch import plan_batch
from ingest.files import discover
from ingest.readiness import Readiness
from tests.airflow_harness import write_landing
from thads.config import Paths


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _landing(tmp_path: Path) -> tuple[Path, list[Path]]:
    landing = write_landing(tmp_path / "landing", 2023, {"01": "xlsx", "80": "csv"}, seed=3)
    files = sorted(landing.folder.iterdir())
    for f in files:
        _age(f, 60)
    return landing.folder, files


def test_settled_files_and_pairs_are_ready(tmp_path: Path) -> None:
    folder, _ = _landing(tmp_path)
    readiness = Readiness(tmp_path / "waits.json", settle_seconds=5, pair_wait_seconds=600)
    ready, waiting = readiness.hold_back(discover(folder))
    assert waiting == []
    assert len(ready.candidates) == 2 and all(c.problem is None for c in ready.candidates)


def test_a_file_being_written_waits_for_the_next_poll(tmp_path: Path) -> None:
    folder, files = _landing(tmp_path)
    xlsx = next(f for f in files if f.suffix == ".xlsx")
    _age(xlsx, 1)  # modified a second ago: a copy in progress
    readiness = Readiness(tmp_path / "waits.json", settle_seconds=5, pair_wait_seconds=600)
    ready, waiting = readiness.hold_back(discover(folder))
    assert [w.file for w in waiting] == [xlsx.name]
    assert "still being written" in waiting[0].reason
    assert [c.fmt for c in ready.candidates] == ["csv"]
    # A poll later the copy is done.
    _age(xlsx, 10)
    ready, waiting = readiness.hold_back(discover(folder))
    assert waiting == [] and len(ready.candidates) == 2


def test_a_lone_csv_half_waits_for_its_pair_then_is_refused(tmp_path: Path) -> None:
    folder, files = _landing(tmp_path)
    tien = next(f for f in files if f.name.endswith("_tien.csv"))
    aside = tmp_path / tien.name
    os.replace(tien, aside)  # only the _viec half has arrived
    readiness = Readiness(tmp_path / "waits.json", settle_seconds=5, pair_wait_seconds=600)
    start = time.time()
    ready, waiting = readiness.hold_back(discover(folder), now=start)
    assert [w.file for w in waiting] == [tien.name.replace("_tien", "_viec")]
    assert f"waiting for {tien.name}" in waiting[0].reason
    assert all(c.problem is None for c in ready.candidates)
    # Still waiting 5 minutes later (first seen is remembered, not reset per poll).
    _, waiting = readiness.hold_back(discover(folder), now=start + 300)
    assert "(300 s left)" in waiting[0].reason
    # The pair arrives: one complete submission.
    os.replace(aside, tien)
    _age(tien, 60)
    ready, waiting = readiness.hold_back(discover(folder), now=start + 400)
    assert waiting == []
    assert [len(c.files) for c in ready.candidates if c.fmt == "csv"] == [2]
    assert readiness.state_file.read_text().strip() == "{}"  # nothing waits any more


def test_a_half_past_its_wait_is_refused_as_before(tmp_path: Path) -> None:
    folder, files = _landing(tmp_path)
    (next(f for f in files if f.name.endswith("_tien.csv"))).unlink()
    readiness = Readiness(tmp_path / "waits.json", settle_seconds=5, pair_wait_seconds=600)
    start = time.time()
    readiness.hold_back(discover(folder), now=start)
    ready, waiting = readiness.hold_back(discover(folder), now=start + 601)
    assert waiting == []
    lone = [c for c in ready.candidates if c.problem is not None]
    assert [c.problem.rule for c in lone] == ["parse.missing_pair"]


def test_plan_batch_lists_what_waits(tmp_path: Path) -> None:
    folder, files = _landing(tmp_path)
    _age(files[0], 0)
    paths = Paths(tmp_path / "home").ensure()
    readiness = Readiness(paths.landing_waits, settle_seconds=5, pair_wait_seconds=600)
    plan = plan_batch(folder, paths, readiness)
    assert [w["file"] for w in plan["waiting"]] == [files[0].name]
    assert files[0].name not in str(plan["groups"])
    # Without readiness (`thads load` on a folder) nothing waits.
    assert plan_batch(folder, paths)["waiting"] == []


def test_a_load_started_by_an_arrival_waits_for_a_nearly_settled_file(tmp_path: Path) -> None:
    # The arrival trigger may fire before the settle time has passed (its own stability
    # window is shorter); the run it starts must take the file, not leave it for an event
    # that may never come.
    folder, files = _landing(tmp_path)
    _age(files[0], 3.5)  # 1.5 s of its 5 s settle time left
    paths = Paths(tmp_path / "home").ensure()
    readiness = Readiness(
        paths.landing_waits, settle_seconds=5, pair_wait_seconds=600, wait_for_settling=True
    )
    assert 1.3 < readiness.until_settled(discover(folder)) <= 1.5
    started = time.monotonic()
    plan = plan_batch(folder, paths, readiness)
    assert plan["waiting"] == []
    assert files[0].name in str(plan["groups"])
    assert 1.3 < time.monotonic() - started < 5
    # A file modified "in the future" (a sender's clock ahead) is not waited for: it is
    # left for a later run.
    _age(files[1], -30)
    assert readiness.until_settled(discover(folder)) == 0
    plan = plan_batch(folder, Paths(tmp_path / "home2").ensure(), readiness)
    assert [w["file"] for w in plan["waiting"]] == [files[1].name]
