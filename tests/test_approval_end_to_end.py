"""Issue 16, done when: approve 2024/12, a valid `_r2` for one province arrives and is held
(ranking unchanged, the province told); reopen, load: the new figure is ranked and both
decisions are in `marts.fct_approval_log`. Real ingest, Great Expectations, dbt and publish
through the `thads` command line, on a landing zone of three provinces (JSON, fast)."""

from __future__ import annotations

import json
import os
import random
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from thads.cli import main
from thads.config import Paths
from thads.generate import build_report, write_json

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

PROVINCES = {"80": (700, 1000), "93": (600, 1000), "01": (500, 1000)}  # done, with_conditions


def _land(landing: Path, code: str, done: int, revision: int, when: datetime) -> Path:
    report = build_report(
        code,
        2024,
        12,
        cases_totals={"done": done, "with_conditions": 1000},
        money_totals={"done": done * 1000, "with_conditions": 1_000_000},
        n_offices=3,
        rng=random.Random(f"{code}:{revision}"),
        revision=revision,
    )
    path = write_json(report, landing / report.filename("json"))
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _ranking(paths: Paths) -> dict[str, tuple[float, int, str]]:
    with duckdb.connect(str(paths.snapshot), read_only=True) as con:
        rows = con.execute(
            "select province_code, completed + terminated, rank, figure_status "
            "from marts.fct_province_ranking "
            "where statistical_year = 2024 and months = 12 and measure = 'cases' and has_report"
        ).fetchall()
    return {code: (done, rank, status) for code, done, rank, status in rows}


def _approval_log(paths: Paths) -> list[tuple]:
    with duckdb.connect(str(paths.snapshot), read_only=True) as con:
        return con.execute(
            'select province_code, action, "by", note from marts.fct_approval_log order by "at"'
        ).fetchall()


def test_approve_hold_reopen_and_the_log(
    tmp_path: Path, thads_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    alerts = tmp_path / "alerts_out"
    monkeypatch.setenv("THADS_ALERT_DIR", str(alerts))
    landing = tmp_path / "landing"
    landing.mkdir()
    first = datetime(2024, 10, 3, 2, tzinfo=UTC)
    for code, (done, _) in PROVINCES.items():
        _land(landing, code, done, 1, first)
    code, out, err = _run(capsys, "load", "--landing", str(landing), "--quiet")
    assert code == 0, err
    paths = Paths.from_env()
    before = _ranking(paths)
    assert {c: r[:2] for c, r in before.items()} == {
        "80": (700, 1),
        "93": (600, 2),
        "01": (500, 3),
    }
    assert {r[2] for r in before.values()} == {"preliminary"}

    # Reopening what was never approved is refused, with the reason.
    code, _, err = _run(
        capsys, "reopen", "--year", "2024", "--months", "12", "--province", "80",
        "--by", "Trần B", "--reason", "sai",
    )  # fmt: skip
    assert code == 2 and "not final" in err and "never approved" in err

    # Approve: the 60 provinces without a report are listed; the three become final.
    # --no-publish leaves what a crash after the decision leaves: recorded, not published.
    code, out, err = _run(
        capsys, "approve", "--year", "2024", "--months", "12", "--by", "Nguyễn Văn A",
        "--note", "số liệu năm 2024", "--no-publish",
    )  # fmt: skip
    assert code == 0, err
    assert "60 province(s)" in err and "no report arrived" in err and "02" in err
    assert "approved as final for 3 province(s)" in out
    assert {r[2] for r in _ranking(paths).values()} == {"preliminary"}
    # The next load, with nothing new, completes it: built and published.
    code, out, err = _run(capsys, "load", "--landing", str(landing), "--quiet")
    assert code == 0 and "0 new file(s)" in out and "rebuilt and published" in out, err
    assert {r[2] for r in _ranking(paths).values()} == {"final"}
    table = _run(capsys, "rank", "--year", "2024", "--months", "12", "--measure", "cases")[1]
    assert "Số liệu chính thức (phê duyệt ngày " in table
    assert "Số liệu chính thức (phê duyệt ngày " in paths.report.read_text("utf-8")
    assert sorted(_approval_log(paths)) == [
        (c, "approve", "Nguyễn Văn A", "số liệu năm 2024") for c in ("01", "80", "93")
    ]
    # Approving twice is a no-op.
    code, out, _ = _run(capsys, "approve", "--year", "2024", "--months", "12", "--by", "X")
    assert code == 0 and "nothing changed" in out and "already final for 3" in out

    # A valid, better _r2 for Long An arrives: held, kept, not loaded; the province is told.
    r2 = _land(landing, "80", 900, 2, datetime(2024, 10, 20, 2, tzinfo=UTC))
    code, out, err = _run(capsys, "check", str(r2), "--format", "json")
    assert code == 1
    (checked,) = json.loads(out)
    assert [f["rule"] for f in checked["findings"]] == ["approval.held"]
    code, out, err = _run(capsys, "load", "--landing", str(landing), "--quiet")
    assert code == 0 and "warehouse unchanged" in out, err
    code, out, _ = _run(capsys, "submissions", "--format", "json")
    (held,) = [r for r in json.loads(out) if r["file"] == r2.name]
    assert held["status"] == "held"
    assert "Nguyễn Văn A" in held["reasons"][0] and "approval.held" in held["reasons"][0]
    assert (paths.archive / f"{held['sha256']}.json").exists()
    assert _ranking(paths) == {c: (*r[:2], "final") for c, r in before.items()}
    (message,) = [p.read_text("utf-8") for p in alerts.glob("80_*.txt")]
    assert r2.name in message and "khóa sổ" in message and "Nguyễn Văn A" in message

    # Reopen Long An: preliminary again; the next load judges the held file and ranks it.
    code, out, err = _run(
        capsys, "reopen", "--year", "2024", "--months", "12", "--province", "80",
        "--by", "Trần Thị B", "--reason", "Long An sửa số liệu thi hành xong", "--no-publish",
    )  # fmt: skip
    assert code == 0 and "reopened for 1 province(s)" in out, err
    code, out, err = _run(capsys, "load", "--landing", str(landing), "--quiet")
    assert code == 0, err
    after = _ranking(paths)
    assert after["80"] == (900, 1, "preliminary")
    assert after["93"][2] == after["01"][2] == "final"
    table = _run(capsys, "rank", "--year", "2024", "--months", "12", "--measure", "cases")[1]
    assert "Số liệu sơ bộ (2/3 tỉnh đã có số liệu chính thức)" in table
    assert "Số liệu sơ bộ (2/3 tỉnh đã có số liệu chính thức)" in paths.report.read_text("utf-8")
    code, out, _ = _run(capsys, "submissions", "--format", "json")
    statuses = {r["file"]: r["status"] for r in json.loads(out)}
    assert statuses[r2.name] == "loaded" and statuses["THADS_80_2024_12.json"] == "superseded"
    log = _approval_log(paths)
    assert log[-1][:2] == ("80", "reopen")  # the three approvals share one moment
    assert sorted((c, a) for c, a, _, _ in log) == [
        ("01", "approve"),
        ("80", "approve"),
        ("80", "reopen"),
        ("93", "approve"),
    ]
    assert ("80", "reopen", "Trần Thị B", "Long An sửa số liệu thi hành xong") in log
