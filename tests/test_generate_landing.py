"""A small generated landing zone, read back file by file with an independent reader.

Provinces 92, 93, 94 (merged into Cần Thơ, 92) and 72, 80 (merged into Tây Ninh, 80),
years 2024-2026: the 2024 seed figures of Hậu Giang, the 63 -> 34 switch inside 2025, the
carried-over chain across the merger and into 2026, and a share of defects.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from tests.generate_readback import (
    NotANumber,
    identity_errors,
    number,
    read_submission,
    sum_rows,
)
from thads import reference
from thads.contract import boundary_for, parse_filename, period_end
from thads.generate.landing import generate_landing_zone

CODES = ("92", "93", "94", "72", "80")
YEARS = (2024, 2025, 2026)
FLOWS = (
    "new_received",
    "total_received",
    "entrusted",
    "recalled",
    "must_enforce",
    "completed",
    "terminated",
)


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("landing")
    summary = generate_landing_zone(
        out, years=YEARS, seed=11, provinces=CODES, defects=0.12, processes=2
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["submissions"] == summary.submissions
    return out, manifest


@pytest.fixture(scope="module")
def clean(zone) -> dict[tuple[str, int, int, int], tuple[dict, dict]]:
    """(code, boundary, year, months) -> (entry, tables) of every submission that stands."""
    out, manifest = zone
    got = {}
    for entry in manifest["submissions"]:
        if entry["defect"] is None:
            key = (
                entry["province_code"],
                entry["boundary"],
                entry["statistical_year"],
                entry["months"],
            )
            assert key not in got, f"two clean versions of {key}"
            got[key] = (entry, read_submission(out, entry["files"]))
    return got


def test_every_file_is_in_the_manifest_and_named_per_contract(zone):
    out, manifest = zone
    listed = {f for e in manifest["submissions"] for f in e["files"]}
    on_disk = {p.name for p in out.iterdir()}
    assert on_disk == listed | set(manifest["targets"]) | {"manifest.json"}
    for entry in manifest["submissions"]:
        for name in entry["files"]:
            fn = parse_filename(name)
            assert (fn.statistical_year, fn.months, fn.revision) == (
                entry["statistical_year"],
                entry["months"],
                entry["revision"],
            )
            assert fn.province_code == entry["province_code"]
        if entry["format"] == "csv":
            assert sorted(n[-8:] for n in entry["files"]) == ["tien.csv", "viec.csv"]
    formats = {e["format"] for e in manifest["submissions"]}
    assert formats == {"xlsx", "csv", "json"}


def test_the_63_34_switch(zone, clean):
    _, manifest = zone
    for entry in manifest["submissions"]:
        if entry["defect"] and entry["defect"]["kind"] == "unknown_province_code":
            continue
        year, months, code = entry["statistical_year"], entry["months"], entry["province_code"]
        assert entry["boundary"] == boundary_for(year, months)
        assert code in reference.valid_codes(entry["boundary"])
    keys = set(clean)
    assert ("93", 63, 2025, 8) in keys and not any(
        k[0] == "93" and k[2] == 2025 and k[3] > 8 for k in keys
    )
    assert {k[0] for k in keys if k[1] == 34} == {"92", "80"}
    for months in range(9, 13):
        assert ("92", 34, 2025, months) in keys and ("80", 34, 2025, months) in keys
    after = clean[("92", 34, 2025, 9)][1]["cases"].offices
    assert after[0] == "Thi hành án dân sự thành phố"
    assert all(o.startswith("Phòng THADS khu vực") for o in after[1:])
    before = clean[("93", 63, 2025, 8)][1]["cases"].offices
    assert before[0] == "Văn phòng Cục THADS" and all(
        o.startswith("Chi cục THADS") for o in before[1:]
    )


def test_every_clean_file_holds_the_identities_and_its_manifest_totals(clean):
    assert len(clean) >= 100
    for (code, _, _, _), (entry, tables) in clean.items():
        assert set(tables) == {"cases", "money"}, entry["files"]
        for measure, table in tables.items():
            where = f"{entry['files']} {measure}"
            for office, row in zip([*table.offices, "total"], table.rows, strict=True):
                assert identity_errors(row) == [], f"{where} {office}"
            assert sum_rows(table.office_rows) == table.total, where
            assert table.total == entry["totals"][measure], where
            assert len(table.offices) == entry["n_offices"]
            if entry["format"] != "csv":
                assert table.header_code == code, where


def test_months_grow_within_a_year(clean):
    series = defaultdict(list)
    for (code, boundary, year, months), (_, tables) in clean.items():
        series[(code, boundary, year)].append((months, tables))
    checked = 0
    for key, items in series.items():
        items.sort(key=lambda x: x[0])
        for (m1, t1), (m2, t2) in itertools.pairwise(items):
            for measure in ("cases", "money"):
                a, b = t1[measure], t2[measure]
                assert a.offices == b.offices
                for office, r1, r2 in zip([*a.offices, "total"], a.rows, b.rows, strict=True):
                    assert r1["carried_over"] == r2["carried_over"], (key, m1, office)
                    for k in FLOWS:
                        assert r2[k] >= r1[k], (key, m1, m2, measure, office, k)
                checked += 1
    assert checked > 100


def _carry(row: dict[str, int]) -> int:
    return row["must_enforce"] - row["completed"] - row["terminated"]


def test_carried_over_chains_from_year_to_year(clean):
    links = 0
    for (code, boundary, year, months), (_, tables) in clean.items():
        if months != 12 or (code, boundary, year + 1, 1) not in clean:
            continue
        nxt = clean[(code, boundary, year + 1, 1)][1]
        for measure in ("cases", "money"):
            prev = dict(zip(tables[measure].offices, tables[measure].office_rows, strict=True))
            for office, row in zip(nxt[measure].offices, nxt[measure].office_rows, strict=True):
                assert row["carried_over"] == _carry(prev[office]), (code, year, office)
                links += 1
            assert nxt[measure].total["carried_over"] == _carry(tables[measure].total)
    assert links > 20  # 2024 -> 2025 for the legacy provinces, 2025 -> 2026 for 92 and 80


def test_merged_provinces_continue_their_former_provinces(clean):
    for current, olds in (("92", ("92", "93", "94")), ("80", ("80", "72"))):
        for measure in ("cases", "money"):
            m8 = [clean[(o, 63, 2025, 8)][1][measure].total for o in olds]
            m9 = clean[(current, 34, 2025, 9)][1][measure].total
            assert m9["carried_over"] == sum(t["carried_over"] for t in m8)
            for k in FLOWS:
                assert m9[k] >= sum(t[k] for t in m8), (current, measure, k)


def test_hau_giang_seed_002_is_reproduced_exactly(zone, clean):
    out, _ = zone
    entry, tables = clean[("93", 63, 2024, 11)]
    assert entry["seed"] == "seed 002"
    cases, money = tables["cases"].total, tables["money"].total
    assert (cases["must_enforce"], cases["with_conditions"]) == (11_410, 7_942)
    assert cases["completed"] + cases["terminated"] == 6_113
    assert money["must_enforce"] == 3_343_000_000
    assert money["completed"] + money["terminated"] == 508_000_000
    rate = 100 * (money["completed"] + money["terminated"]) / money["with_conditions"]
    assert round(rate, 2) == 33.89
    assert len(tables["cases"].offices) == 9
    with (out / "targets_2024.csv").open(encoding="utf-8") as handle:
        rows = {r["province_code"]: r for r in csv.DictReader(handle)}
    assert (rows["93"]["case_target_pct"], rows["93"]["money_target_pct"]) == ("83.35", "46.75")


def test_targets_files(zone):
    out, manifest = zone
    assert manifest["targets"] == [f"targets_{y}.csv" for y in YEARS]
    with (out / "targets_2025.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["province_code", "case_target_pct", "money_target_pct", "boundary"]
    # Every province of both sets, not only the zone's: a targets file is complete.
    assert {(r["province_code"], r["boundary"]) for r in rows} == {
        (p.code, str(b)) for b in (63, 34) for p in reference.provinces(b)
    }
    for r in rows:
        assert 70 <= float(r["case_target_pct"]) <= 93 and 25 <= float(r["money_target_pct"]) <= 80
    with (out / "targets_2024.csv").open(encoding="utf-8") as handle:
        assert "boundary" not in next(csv.reader(handle))


def test_arrival_times_are_the_file_mtimes(zone):
    out, manifest = zone
    originals = {}
    for entry in manifest["submissions"]:
        arrival = datetime.fromisoformat(entry["arrival_time"])
        end = period_end(entry["statistical_year"], entry["months"])
        assert arrival.date() > end
        assert (arrival.date() - end).days <= 35
        for name in entry["files"]:
            assert os.stat(out / name).st_mtime == arrival.timestamp()
        if entry["revision"] == 1:
            originals[entry["submission_key"]] = arrival
    for entry in manifest["submissions"]:
        if entry["resubmission_of"]:
            assert (
                datetime.fromisoformat(entry["arrival_time"]) > originals[entry["resubmission_of"]]
            )


def _read_raw(out: Path, entry: dict):
    """Like read_submission, but tolerant: returns None where a number does not parse."""
    try:
        return read_submission(out, entry["files"])
    except NotANumber:
        return None


def test_defects_are_really_present_and_some_are_resubmitted(zone):
    out, manifest = zone
    defective = [e for e in manifest["submissions"] if e["defect"]]
    assert len(defective) >= 5
    kinds = set()
    resubmitted = {e["resubmission_of"] for e in manifest["submissions"] if e["resubmission_of"]}
    assert resubmitted and resubmitted <= {e["submission_key"] for e in defective}
    for entry in defective:
        d = entry["defect"]
        kinds.add(d["kind"])
        assert d["expected_outcome"] == "quarantined" and entry["expected_outcome"] == "quarantined"
        assert d["file"] in entry["files"]
        measure = None
        if d["sheet"] in ("Việc", "cases") or (d["sheet"] or "").endswith("_viec.csv"):
            measure = "cases"
        elif d["sheet"] in ("Tiền", "money") or (d["sheet"] or "").endswith("_tien.csv"):
            measure = "money"
        kind = d["kind"]
        if kind == "missing_sheet":
            if entry["format"] == "xlsx":
                assert d["sheet"] not in openpyxl.load_workbook(out / d["file"]).sheetnames
            else:
                assert measure not in json.loads((out / d["file"]).read_text(encoding="utf-8"))
        elif kind == "bad_number":
            tables = _read_raw(out, entry)
            assert tables is None  # the independent reader refuses the file
            text = d["detail"].split("'")[1]
            with pytest.raises(NotANumber):
                number(text)
            _check_raw_cell(out, entry, d, text)
        elif kind in ("wrong_province_code", "unknown_province_code"):
            code = parse_filename(entry["files"][0]).province_code
            if kind == "unknown_province_code":
                assert code not in reference.valid_codes(entry["boundary"])
            else:
                header = _header_code(out, entry)
                assert header != code and header == d["code"]
        else:
            tables = read_submission(out, entry["files"])
            table = tables[measure]
            broken_rows = [r for r in table.rows if identity_errors(r)]
            adds_up = sum_rows(table.office_rows) == table.total
            if kind == "total_mismatch":
                assert not adds_up
            elif kind == "row_identity":
                assert adds_up and broken_rows
            elif kind == "swapped_columns":
                assert broken_rows
            elif kind == "negative_value":
                assert any(r["postponed"] < 0 for r in table.rows)
    assert len(kinds) >= 4


def _header_code(out: Path, entry: dict) -> str:
    path = out / entry["files"][0]
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))["province_code"]
    wb = openpyxl.load_workbook(path)
    for row in wb.worksheets[0].iter_rows(values_only=True):
        if row[0] and str(row[0]).startswith("Mã tỉnh:"):
            return str(row[0]).split(":")[1].strip()
    raise AssertionError("no Mã tỉnh line")


def _check_raw_cell(out: Path, entry: dict, d: dict, text: str) -> None:
    path = out / d["file"]
    if path.suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))[d["sheet"]]
        assert rows[d["row"] - 1][d["column"]] == text
    elif path.suffix == ".csv":
        lines = path.read_bytes().decode("utf-8-sig").splitlines()
        assert text in lines[d["row"] - 1]
    else:
        ws = openpyxl.load_workbook(path)[d["sheet"]]
        assert text in [c.value for c in ws[d["row"]]]


def _digest(directory: Path) -> dict[str, tuple[str, float]]:
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime)
        for p in sorted(directory.iterdir())
    }


def test_deterministic_for_a_seed(tmp_path: Path):
    runs = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate_landing_zone(
            tmp_path / name, years=[2024], seed=seed, provinces=["93"], defects=0.2, processes=1
        )
        runs.append(_digest(tmp_path / name))
    for run in runs:  # the manifest's own mtime is just when it was written
        run["manifest.json"] = run["manifest.json"][0]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    # the same files come out of a run over more provinces and years (per-province seeding)
    generate_landing_zone(
        tmp_path / "d", years=[2023, 2024], seed=5, provinces=["93", "02"], defects=0.2
    )
    wider = _digest(tmp_path / "d")
    for name, value in runs[0].items():
        if name.startswith("THADS_"):
            assert wider[name] == value, name


def test_scale_multiplies_offices(tmp_path: Path):
    generate_landing_zone(tmp_path, years=[2024], seed=1, provinces=["93"], scale=3)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["submissions"][0]
    assert entry["n_offices"] == 1 + 3 * 8
    tables = read_submission(tmp_path, entry["files"])
    assert len(tables["cases"].offices) == 25 and identity_errors(tables["cases"].total) == []


def test_cli_prints_the_summary_and_refuses_bad_arguments(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "thads.cli", "generate", "--out", str(tmp_path / "lz"),
         "--years", "2019", "--provinces", "40", "--seed", "3", "--quiet"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    pattern = (
        r"generated 12 submissions \(\d+ xlsx, \d+ csv pairs, \d+ json\), "
        r"0 with defects, in [\d.]+ s -> (.+)"
    )
    match = re.fullmatch(pattern, proc.stdout.strip())
    assert match and match[1] == str(tmp_path / "lz")
    bad = subprocess.run(
        [sys.executable, "-m", "thads.cli", "generate", "--out", str(tmp_path / "x"),
         "--provinces", "77,00"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert bad.returncode == 2 and "unknown province codes ['00']" in bad.stderr


def test_a_rerun_replaces_the_previous_run(tmp_path: Path):
    generate_landing_zone(tmp_path, years=[2019], seed=3, provinces=["40"], defects=0.5)
    first = _digest(tmp_path)
    (tmp_path / "notes.txt").write_text("kept", encoding="utf-8")
    generate_landing_zone(tmp_path, years=[2020], seed=3, provinces=["02"])
    names = {p.name for p in tmp_path.iterdir()}
    assert not any("_40_" in n or "2019" in n for n in names)
    assert "notes.txt" in names  # only generated kinds of files are cleared
    assert any(n.startswith("THADS_02_2020_12") for n in names)
    generate_landing_zone(tmp_path, years=[2019], seed=3, provinces=["40"], defects=0.5)
    again = _digest(tmp_path)
    del again["notes.txt"]
    again["manifest.json"] = again["manifest.json"][0]
    first["manifest.json"] = first["manifest.json"][0]
    assert again == first


def test_nghe_an_seed_003_in_2020(tmp_path: Path):
    generate_landing_zone(tmp_path, years=[2020], seed=9, provinces=["40"])
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["submissions"] if e["months"] == 12)
    assert entry["seed"] == "seed 003"
    tables = read_submission(tmp_path, entry["files"])
    cases, money = tables["cases"].total, tables["money"].total
    assert cases["completed"] + cases["terminated"] == 14_186
    assert money["completed"] + money["terminated"] == 404_438_921  # 404.438.921.000 đồng
    assert round(100 * 14_186 / cases["with_conditions"], 1) == 83.4
    assert round(100 * 404_438_921 / money["with_conditions"], 1) == 40.5


def test_can_giuoc_office_seed_001_in_2022(tmp_path: Path):
    generate_landing_zone(tmp_path, years=[2022], seed=2, provinces=["80"])
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["submissions"] if e["months"] == 12)
    assert entry["seed"] == "seed 001"
    tables = read_submission(tmp_path, entry["files"])
    for measure, want in (("cases", (2_561, 1_875, 1_529)), ("money", (211e6, 123e6, 56.1e6))):
        table = tables[measure]
        row = table.rows[table.offices.index("Chi cục THADS Huyện Cần Giuộc")]
        got = (row["must_enforce"], row["with_conditions"], row["completed"] + row["terminated"])
        assert got == want
