"""`thads generate --lateness P`: file times past the deadline, some reports never sent,
the same figures as without lateness."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from thads.cli import main
from thads.reporting_calendar import deadline


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text("utf-8"))


def test_lateness_moves_file_times_past_the_deadline(tmp_path: Path, capsys) -> None:
    plain, late = tmp_path / "plain", tmp_path / "late"
    args = ["generate", "--years", "2023-2024", "--provinces", "93", "--seed", "3", "--quiet"]
    assert main([*args, "--out", str(plain)]) == 0
    assert main([*args, "--out", str(late), "--lateness", "0.5"]) == 0
    capsys.readouterr()
    on_time, after = _manifest(plain), _manifest(late)
    assert on_time["withheld"] == [] and after["lateness"] == 0.5
    withheld = {w["submission_key"] for w in after["withheld"]}
    assert withheld
    sent = {e["submission_key"]: e for e in after["submissions"]}
    assert not withheld & set(sent)
    n_late = 0
    for entry in on_time["submissions"]:
        if entry["submission_key"] in withheld:
            assert not (late / entry["files"][0]).exists()
            continue
        twin = sent[entry["submission_key"]]
        assert twin["totals"] == entry["totals"]  # lateness changes times, not figures
        arrived = datetime.fromtimestamp((late / twin["files"][0]).stat().st_mtime, tz=UTC)
        assert arrived == datetime.fromisoformat(twin["arrival_time"])
        if twin["revision"] == 1:
            n_late += arrived > deadline(twin["statistical_year"], twin["months"])
    assert 0 < n_late < len(sent)


def test_lateness_must_be_a_share(tmp_path: Path, capsys) -> None:
    assert main(["generate", "--out", str(tmp_path), "--lateness", "1.5", "--quiet"]) == 2
    assert "--lateness" in capsys.readouterr().err
