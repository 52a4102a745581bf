"""Targets files (contract section 2) to raw/targets.parquet."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingest.registry import Registry
from ingest.targets import ingest_targets, parse_targets
from thads import reference
from thads.config import Paths

T0 = datetime(2024, 1, 10, 3, 0, tzinfo=UTC)


def complete(text: str, year: int) -> str:
    """`text` plus a row for every province of the year's set it leaves out (a targets file
    must name them all)."""
    lines = text.splitlines()
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    header = lines[0].split(delimiter)
    given = {
        (line.split(delimiter)[0].zfill(2), line.split(delimiter)[3] if len(header) > 3 else "")
        for line in lines[1:]
    }
    sets = [63, 34] if year == 2025 else [63 if year < 2025 else 34]
    for boundary in sets:
        for province in reference.provinces(boundary):
            tag = str(boundary) if len(header) > 3 else ""
            if (province.code, tag) not in given:
                row = [province.code, "50", "50"] + ([tag] if len(header) > 3 else [])
                lines.append(delimiter.join(row))
    return "\n".join(lines) + "\n"


def write(folder: Path, name: str, text: str, when: datetime, whole: bool = True) -> Path:
    """A targets file; `whole`: completed with every province the text leaves out."""
    path = folder / name
    year = int(name[8:12])
    with_boundary = "boundary" in text.splitlines()[0]
    if whole and "province_code" in text and (year != 2025 or with_boundary):
        text = complete(text, year)
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
    summary = ingest_targets(tmp_path, paths, trust_mtime=True)  # a vouched history
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
    rows = sorted(
        (r["province_code"], r["boundary"], r["case_target_pct"])
        for r in targets(paths)
        if r["province_code"] == "80"
    )
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
    assert [
        (r["case_target_pct"], r["money_target_pct"])
        for r in targets(paths)
        if r["province_code"] == "80"
    ] == [(84.0, 47.0)]
    write(tmp_path, "targets_2024.csv", header + "80,eighty,47\n", T0 + timedelta(days=5))
    summary = ingest_targets(tmp_path, paths)
    (bad,) = summary.quarantined
    assert "targets.not_a_number" in bad["reasons"][0] and "row 2" in bad["reasons"][0]
    assert [
        (r["case_target_pct"], r["money_target_pct"])
        for r in targets(paths)
        if r["province_code"] == "80"
    ] == [(84.0, 47.0)]
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


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("province_code,case_target_pct,money_target_pct\n80,,46\n", "targets.blank_target"),
        ("province_code,case_target_pct,money_target_pct\n99,83,46\n", "targets.unknown_province"),
    ],
)
def test_blank_targets_and_codes_outside_the_set_are_refused(tmp_path, text, rule):
    parsed = parse_targets(write(tmp_path, "targets_2024.csv", text, T0))
    assert [f.rule for f in parsed.findings] == [rule]
    assert parsed.findings[0].row == 2


def test_a_targets_file_missing_provinces_is_refused_and_the_old_targets_stand(tmp_path, paths):
    header = "province_code,case_target_pct,money_target_pct\n"
    write(tmp_path, "targets_2024.csv", header + "80,83,46\n", T0)
    ingest_targets(tmp_path, paths)
    write(tmp_path, "targets_2024.csv", header + "80,90,50\n", T0, whole=False)
    summary = ingest_targets(tmp_path, paths)
    (bad,) = summary.quarantined
    assert "targets.missing_province" in bad["reasons"][0] and "62 province(s)" in bad["reasons"][0]
    assert len(targets(paths)) == 63
    assert {r["case_target_pct"] for r in targets(paths) if r["province_code"] == "80"} == {83.0}
