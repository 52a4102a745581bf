"""Targets files (contract section 2) to raw/targets.parquet."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingest.registry import Registry
from ingest.targets import ingest_targets, parse_targets
from thads.config import Paths

T0 = datetime(2024, 1, 10, 3, 0, tzinfo=UTC)


def write(folder: Path, name: str, text: str, when: datetime) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


@pytest.fixture
def paths(thads_home) -> Paths:
    return Paths.from_env()


def targets(paths: Paths) -> list[dict]:
    return pq.read_table(paths.targets).to_pylist()


def test_targets_fill_boundary_from_the_year_and_accept_both_decimal_marks(tmp_path, paths):
    write(
        tmp_path,
        "targets_2024.csv",
        'province_code,case_target_pct,money_target_pct\n93,"83,35",46.75\n2,80,38\n',
        T0,
    )
    write(
        tmp_path,
        "targets_2026.csv",
        "province_code;case_target_pct;money_target_pct\n80;84;52\n",
        T0,
    )
    summary = ingest_targets(tmp_path, paths)
    assert summary.years == [2024, 2026] and not summary.quarantined
    got = {(r["statistical_year"], r["province_code"]): r for r in targets(paths)}
    assert got[(2024, "93")]["case_target_pct"] == 83.35  # seed 002, Hậu Giang 2024
    assert got[(2024, "93")]["money_target_pct"] == 46.75
    assert got[(2024, "02")]["boundary"] == 63  # "2" padded to "02"
    assert got[(2026, "80")]["boundary"] == 34
    assert got[(2024, "93")]["source_file"] == "targets_2024.csv"
    assert got[(2024, "93")]["arrival_time"] == T0


def test_the_merger_year_needs_its_boundary_column(tmp_path, paths):
    write(
        tmp_path,
        "targets_2025.csv",
        "province_code,case_target_pct,money_target_pct,boundary\n80,83.9,51.9,63\n80,84.1,52,34\n",
        T0,
    )
    ingest_targets(tmp_path, paths)
    rows = sorted((r["province_code"], r["boundary"], r["case_target_pct"]) for r in targets(paths))
    assert rows == [("80", 34, 84.1), ("80", 63, 83.9)]  # Tây Ninh and Long An, both code 80
    parsed = parse_targets(
        write(
            tmp_path,
            "targets_2025.csv",
            "province_code,case_target_pct,money_target_pct\n80,1,2\n",
            T0,
        )
    )
    assert parsed.rows[0]["boundary"] is None
    assert [f.rule for f in parsed.findings] == ["targets.missing_boundary"]


def test_a_newer_file_replaces_the_older_and_a_broken_one_never_does(tmp_path, paths):
    header = "province_code,case_target_pct,money_target_pct\n"
    write(tmp_path, "targets_2024.csv", header + "80,83,46\n", T0)
    ingest_targets(tmp_path, paths)
    write(tmp_path, "targets_2024.csv", header + "80,84,47\n", T0 + timedelta(days=3))
    ingest_targets(tmp_path, paths)
    assert [(r["case_target_pct"], r["money_target_pct"]) for r in targets(paths)] == [(84.0, 47.0)]
    write(tmp_path, "targets_2024.csv", header + "80,eighty,47\n", T0 + timedelta(days=5))
    summary = ingest_targets(tmp_path, paths)
    (bad,) = summary.quarantined
    assert "targets.not_a_number" in bad["reasons"][0] and "row 2" in bad["reasons"][0]
    assert [(r["case_target_pct"], r["money_target_pct"]) for r in targets(paths)] == [(84.0, 47.0)]
    with Registry.open(paths, readonly=True) as reg:
        rows = [(r["file"], r["fmt"], r["status"]) for r in reg.listing()]
    assert rows == [
        ("targets_2024.csv", "targets", "superseded"),
        ("targets_2024.csv", "targets", "loaded"),
        ("targets_2024.csv", "targets", "quarantined"),
    ]
    assert (paths.quarantine / "targets_2024.csv.reasons.json").exists()
    # nothing new: nothing changes
    again = ingest_targets(tmp_path, paths)
    assert again.loaded == [] and again.quarantined == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("province_code,case_target_pct\n80,83\n", "targets.missing_column"),
        ("province_code,case_target_pct,money_target_pct\nLA,83,46\n", "targets.bad_province_code"),
        ("province_code,case_target_pct,money_target_pct\n80,183,46\n", "targets.out_of_range"),
        (
            "province_code,case_target_pct,money_target_pct\n80,83,46\n80,84,46\n",
            "targets.duplicate_province",
        ),
    ],
)
def test_broken_targets_files(tmp_path, text, rule):
    parsed = parse_targets(write(tmp_path, "targets_2024.csv", text, T0))
    assert rule in [f.rule for f in parsed.findings]
