"""`thads check FILE...`: the load's parsing and rules as a dry run (real CLI entry point,
real files, real parser, real Great Expectations)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from thads.cli import main
from thads.config import Paths
from thads.generate import Report, build_report, write_json, write_xlsx
from thads.pipeline import ingest


def _report(code: str, months: int, factor: int = 1) -> Report:
    base = build_report(
        code, 2024, 10,
        cases_totals={"must_enforce": 3000, "with_conditions": 2000, "done": 1600},
        money_totals={"must_enforce": 900_000, "with_conditions": 500_000, "done": 200_000},
        n_offices=3, rng=random.Random(code),
    )  # fmt: skip
    rows = lambda rs: [{k: v * factor for k, v in r.items()} for r in rs]  # noqa: E731
    return Report(code, 2024, months, list(base.offices), rows(base.cases), rows(base.money))


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def test_good_files_exit_zero_and_nothing_is_written(
    samples_dir: Path, thads_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sorted(str(p) for p in samples_dir.iterdir())
    before = _tree(samples_dir)
    assert main(["check", *files, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in report] == ["would_load"] * 3
    assert {r["files"][0] for r in report} >= {"THADS_02_2019_12.xlsx", "THADS_80_2024_11.json"}
    assert all(r["findings"] == [] for r in report)
    assert not thads_home.exists()  # no state created: nothing loaded, archived or kept
    assert _tree(samples_dir) == before


def test_a_bad_file_exits_one_and_names_the_place(
    tmp_path: Path, thads_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _report("80", 11)
    bad.cases[0]["without_conditions"] += 2
    bad_path = write_xlsx(bad, tmp_path / bad.filename("xlsx"))
    good = _report("02", 11)
    good_path = write_json(good, tmp_path / good.filename("json"))
    assert main(["check", str(bad_path), str(good_path), "--format", "json"]) == 1
    report = {r["files"][0]: r for r in json.loads(capsys.readouterr().out)}
    assert report[good_path.name]["status"] == "would_load"
    verdict = report[bad_path.name]
    assert verdict["status"] == "would_quarantine" and verdict["errors"] >= 1
    f = verdict["findings"][0]
    assert f["rule"] == "identity.must_enforce_conditions"
    assert (f["file"], f["sheet"], f["column"]) == (bad_path.name, "Việc", "Tổng số phải thi hành")
    assert isinstance(f["row"], int) and f["row"] > 1
    assert not thads_home.exists()

    # The table (Vietnamese wording) names the same place.
    assert main(["check", str(bad_path), "--lang", "vi"]) == 1
    table = capsys.readouterr().out
    assert "TỪ CHỐI" in table and "identity.must_enforce_conditions" in table
    assert f"dòng {f['row']}" in table and "Tổng số phải thi hành phải bằng" in table
    assert 'sheet "Việc"' in table and "sẽ bị từ chối" in table and "QUARANTINE" not in table


def test_history_from_thads_home_is_used(tmp_path: Path, thads_home: Path, capsys) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    accepted = _report("80", 10, factor=3)
    write_xlsx(accepted, landing / accepted.filename("xlsx"))
    paths = Paths.from_env(thads_home)
    ingest(landing, paths, workers=1)
    before = {p: p.stat().st_mtime_ns for p in thads_home.rglob("*") if p.is_file()}

    lower = _report("80", 11, factor=1)  # fewer cases than the accepted 10-month report
    path = write_xlsx(lower, tmp_path / lower.filename("xlsx"))
    assert main(["check", str(path), "--format", "json"]) == 1
    (verdict,) = json.loads(capsys.readouterr().out)
    assert {f["rule"] for f in verdict["findings"]} == {"history.cumulative"}
    assert main(["check", str(path), "--no-history", "--format", "json"]) == 0
    capsys.readouterr()
    after = {p: p.stat().st_mtime_ns for p in thads_home.rglob("*") if p.is_file()}
    changed = {p for p in after if before.get(p) != after[p]} - {
        p
        for p in after
        if p.name.endswith(("-wal", "-shm"))  # SQLite's own read bookkeeping
    }
    assert changed == set()


def test_missing_file_and_lone_csv_half(tmp_path: Path, capsys) -> None:
    assert main(["check", str(tmp_path / "nope.xlsx")]) == 2
    assert "no such file" in capsys.readouterr().err
    half = tmp_path / "THADS_80_2024_11_viec.csv"
    half.write_text("Đơn vị,Năm trước chuyển sang\n", encoding="utf-8")
    assert main(["check", str(half), "--format", "json"]) == 1
    (verdict,) = json.loads(capsys.readouterr().out)
    assert verdict["findings"][0]["rule"].startswith("parse.")


@pytest.mark.slow  # a fresh process imports Great Expectations: ~10-20 s on a busy machine
def test_cli_process_exit_code(samples_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "THADS_HOME": str(tmp_path / "home")}
    sample = str(samples_dir / "THADS_80_2024_11.json")
    proc = subprocess.run(
        [sys.executable, "-m", "thads.cli", "check", sample],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "1 would load, 0 would be quarantined" in proc.stdout
    assert not (tmp_path / "home").exists()
