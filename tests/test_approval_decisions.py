"""Approval decisions and held files on the real registry and commit step (no dbt, no GX:
fast). What a decision may do, what it warns about, what a crash leaves, and a held file's
way from the landing zone through `held` back to `loaded` after a reopen."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.batch import load_staged, plan_batch, stage_batch
from ingest.commit import commit_batch
from ingest.registry import Registry
from tests.approval_crash import CRASH_EXIT
from thads import pipeline
from thads.approval import ApprovalError, approve, reopen, state
from thads.approval.held import released_submissions
from thads.config import Paths
from thads.generate import build_report, write_json

ROOT = Path(__file__).resolve().parents[1]
ARRIVED = datetime(2024, 10, 3, 2, tzinfo=UTC)


def land(landing: Path, code: str, done: int = 700, revision: int = 1, day: int = 3) -> Path:
    report = build_report(
        code, 2024, 12,
        cases_totals={"done": done, "with_conditions": 1000},
        money_totals={"done": done * 1000, "with_conditions": 1_000_000},
        n_offices=2, rng=random.Random(f"{code}:{revision}"), revision=revision,
    )  # fmt: skip
    path = write_json(report, landing / report.filename("json"))
    when = ARRIVED.replace(day=day).timestamp()
    os.utime(path, (when, when))
    return path


def commit(landing: Path, paths: Paths) -> dict:
    """The load's ingest and commit steps (validation aside), held files released as the
    pipeline releases them. The files' times are a vouched history (`--trust-mtime`), so
    arrival order is the order `land` dated them."""
    plan = plan_batch(landing, paths, trust_mtime=True)
    stage_batch(paths, plan["batch_id"], plan["groups"], workers=1)
    parsed = load_staged(paths, plan["batch_id"]) + released_submissions(paths, plan["batch_id"])
    return commit_batch(paths, plan["batch_id"], parsed).to_dict()


def statuses(paths: Paths) -> dict[str, dict]:
    with Registry.open(paths, readonly=True) as registry:
        return {row["file"]: row for row in registry.listing()}


@pytest.fixture
def loaded(tmp_path: Path, thads_home: Path) -> tuple[Path, Paths]:
    """2024/12: Long An (80) and Hà Nội (01) accepted, Hậu Giang (93) rejected."""
    paths = Paths.from_env().ensure()
    landing = tmp_path / "landing"
    landing.mkdir()
    land(landing, "80")
    land(landing, "01", done=500)
    (landing / "THADS_93_2024_12.json").write_text("{not json", encoding="utf-8")
    commit(landing, paths)
    return landing, paths


def test_approve_warns_about_missing_and_rejected_and_twice_is_a_no_op(loaded) -> None:
    _, paths = loaded
    result = approve(2024, 12, by="Nguyễn Văn A", note="năm 2024", paths=paths)
    assert result.decided == ["01", "80"]
    assert result.rejected == ["93"]
    assert len(result.missing) == 60 and "02" in result.missing
    assert pipeline.publish_pending(paths)
    again = approve(2024, 12, by="Someone else", paths=paths)
    assert again.decided == [] and again.already == ["01", "80"] and not again.changed
    with Registry.open(paths, readonly=True) as registry:
        log = state.log(registry)
    assert [(d.province_code, d.action, d.by, d.note) for d in log] == [
        ("01", "approve", "Nguyễn Văn A", "năm 2024"),
        ("80", "approve", "Nguyễn Văn A", "năm 2024"),
    ]
    assert all(d.submission_id and d.submission_id.startswith(f"THADS_{d.province_code}")
               for d in log)  # fmt: skip


def test_refusals_say_why(loaded) -> None:
    _, paths = loaded
    with pytest.raises(ApprovalError, match=r"province 93 has no accepted report.*rejected"):
        approve(2024, 12, by="A", province="93", paths=paths)
    with pytest.raises(ApprovalError, match=r"province 02 has no accepted report.*nothing arrived"):
        approve(2024, 12, by="A", province="02", paths=paths)
    with pytest.raises(ApprovalError, match="province code 99 is not one of the 63"):
        approve(2024, 12, by="A", province="99", paths=paths)
    with pytest.raises(ApprovalError, match="months must be 1 to 12"):
        approve(2024, 13, by="A", paths=paths)
    with pytest.raises(ApprovalError, match="--by must not be empty"):
        approve(2024, 12, by=" ", paths=paths)
    with pytest.raises(ApprovalError, match="not final \\(it was never approved\\)"):
        reopen(2024, 12, province="80", by="B", reason="sai số", paths=paths)
    approve(2024, 12, by="A", province="80", paths=paths)
    reopen(2024, 12, province="80", by="B", reason="sai số", paths=paths)
    with pytest.raises(ApprovalError, match="not final \\(it was reopened by B at "):
        reopen(2024, 12, province="80", by="B", reason="again", paths=paths)


def test_cli_exit_codes_and_warnings(loaded, capsys: pytest.CaptureFixture[str]) -> None:
    from thads.cli import main

    code = main(["reopen", "--year", "2024", "--months", "12", "--province", "80", "--by", "B",
                 "--reason", "x"])  # fmt: skip
    assert code == 2 and "nothing to reopen" in capsys.readouterr().err
    code = main(["approve", "--year", "2024", "--months", "12", "--by", "A", "--no-publish"])
    out, err = capsys.readouterr()
    assert code == 0 and "approved as final for 2 province(s)" in out
    assert "1 province(s)" in err and "every file was rejected): 93" in err
    assert "60 province(s)" in err


def test_a_file_for_a_final_period_is_held_then_judged_after_reopen(loaded) -> None:
    landing, paths = loaded
    approve(2024, 12, by="Nguyễn Văn A", paths=paths)
    r2 = land(landing, "80", done=900, revision=2, day=20)
    result = commit(landing, paths)
    assert result["n_held"] == 1 and result["n_loaded"] == 0 and not result["new_data"]
    assert result["held"][0]["approved_by"] == "Nguyễn Văn A"
    rows = statuses(paths)
    assert rows[r2.name]["status"] == "held"
    arrived = rows[r2.name]["arrival_time"]  # as the registry recorded it (contract 6.1)
    assert rows["THADS_80_2024_12.json"]["status"] == "loaded"
    (reason,) = rows[r2.name]["reasons"]
    assert "approval.held" in reason and "approved by Nguyễn Văn A" in reason
    assert (paths.home / rows[r2.name]["archive_path"]).exists()
    assert not list(paths.report_rows.glob(f"*/{result['batch_id']}.parquet"))

    # Still final: a load with nothing new leaves it held.
    assert commit(landing, paths)["n_submissions"] == 0
    assert statuses(paths)[r2.name]["status"] == "held"

    # Reopened: the next load judges it from the archive (the landing copy may be gone).
    reopen(2024, 12, province="80", by="Trần B", reason="Long An sửa số liệu", paths=paths)
    r2.unlink()
    result = commit(landing, paths)
    assert result["n_loaded"] == 1 and result["new_data"]
    rows = statuses(paths)
    assert rows[r2.name]["status"] == "loaded"
    assert rows["THADS_80_2024_12.json"]["status"] == "superseded"
    assert rows[r2.name]["arrival_time"] == arrived  # judged as of its arrival, not now
    assert len([r for r in rows.values() if r["file"] == r2.name]) == 1


def _crash(point: str, paths: Paths, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "THADS_HOME": str(paths.home)}
    return subprocess.run(
        [sys.executable, str(ROOT / "tests" / "approval_crash.py"), point, *argv],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_crash_inside_the_decision_leaves_no_half_approved_period(loaded) -> None:
    _, paths = loaded
    done = _crash("in_transaction", paths, "approve", "--year", "2024", "--months", "12",
                  "--by", "A")  # fmt: skip
    assert done.returncode == CRASH_EXIT, done.stderr
    with Registry.open(paths, readonly=True) as registry:
        assert state.log(registry) == []  # neither province: the transaction never committed
    assert approve(2024, 12, by="A", paths=paths).decided == ["01", "80"]


def test_a_crash_after_the_decision_leaves_the_publish_owed(loaded) -> None:
    _, paths = loaded
    done = _crash("before_publish", paths, "approve", "--year", "2024", "--months", "12",
                  "--by", "A")  # fmt: skip
    assert done.returncode == CRASH_EXIT, done.stderr
    with Registry.open(paths, readonly=True) as registry:
        assert [d.province_code for d in state.log(registry)] == ["01", "80"]
    # The next load builds and publishes even with no new file (tests/test_approval_end_to_end).
    assert (paths.home / "state" / "publish_pending").exists()


@pytest.mark.slow
def test_a_failed_publish_keeps_the_decision_and_says_so(
    loaded, capsys: pytest.CaptureFixture[str]
) -> None:
    import duckdb

    from thads.cli import main

    _, paths = loaded
    writer = duckdb.connect(str(paths.warehouse))  # another writer holds it: dbt cannot build
    try:
        code = main(["approve", "--year", "2024", "--months", "12", "--by", "A"])
    finally:
        writer.close()
    err = capsys.readouterr().err
    assert code == 1 and "the decision is recorded but not published" in err
    assert "Traceback" not in err
    assert pipeline.publish_pending(paths)  # the next thads load builds and publishes it
    with Registry.open(paths, readonly=True) as registry:
        assert [d.province_code for d in state.log(registry)] == ["01", "80"]
