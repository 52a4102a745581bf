"""End to end: `thads generate` a landing zone for 2025 (the merger year), `thads load` it
(ingest, Great Expectations, dbt, publish), then recompute rankings in plain Python straight
from the generated FILES (xlsx, csv, json; none of ingest's code) and compare every row with
what `thads rank` prints from the published snapshot.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import duckdb
import openpyxl
import pytest

from thads import contract, reference
from thads.config import Paths

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

YEAR = 2025
#: (months, measure) checked: both sides of the merger, both measures, the year end.
PERIODS = ((8, "cases"), (8, "money"), (9, "cases"), (9, "money"), (12, "cases"))
KEYS = ("completed", "terminated", "with_conditions")
LABELS = {contract.fold_label(contract.LABELS[k]): k for k in KEYS}


def thads(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "thads.cli", *args], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("e2e")
    landing, home = root / "landing", root / "home"
    gen = thads("generate", "--out", str(landing), "--years", str(YEAR), "--seed", "11", "--quiet")
    assert gen.returncode == 0, gen.stderr
    # The generated mtimes encode arrival (resubmission order): a vouched history.
    load = thads("--home", str(home), "load", "--landing", str(landing), "--trust-mtime")
    assert load.returncode == 0, load.stderr[-3000:]
    manifest = json.loads((landing / "manifest.json").read_text(encoding="utf-8"))
    return SimpleNamespace(landing=landing, home=home, manifest=manifest)


# --- An independent reader of the generated files ------------------------------------------


def number(cell: object) -> float:
    """Blank = 0; Vietnamese text "1.529" / "93,2"; plain numbers as they are."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return 0.0
    if isinstance(cell, int | float):
        return float(cell)
    return float(str(cell).strip().replace(".", "").replace(",", "."))


def totals_from_grid(rows: list[list[object]], where: str) -> dict[str, float]:
    """Find the label columns we need and the total row ("Tổng cộng" & co.) in a sheet."""
    columns: dict[str, int] = {}
    for row in rows[:25]:
        for i, cell in enumerate(row):
            key = LABELS.get(contract.fold_label(cell)) if isinstance(cell, str) else None
            if key and key not in columns:
                columns[key] = i
    assert set(columns) == set(KEYS), f"{where}: label columns not found ({columns})"
    for row in rows:
        if any(isinstance(c, str) and contract.is_total_label(c) for c in row):
            return {key: number(row[i] if i < len(row) else None) for key, i in columns.items()}
    raise AssertionError(f"{where}: no total row")


def read_totals(landing: Path, files: list[str], measure: str) -> dict[str, float]:
    """(completed, terminated, with_conditions) of the total row of one measure of a submission."""
    name = files[0]
    if name.endswith(".json"):
        data = json.loads((landing / name).read_text(encoding="utf-8"))
        total = next(r for r in data[measure] if contract.is_total_label(r["office"]))
        return {key: number(total.get(key)) for key in KEYS}
    if name.endswith(".csv"):
        suffix = f"_{contract.CSV_SUFFIXES[measure]}.csv"
        path = landing / next(f for f in files if f.endswith(suffix))
        text = path.read_text(encoding="utf-8-sig")
        delimiter = (
            ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
        )
        return totals_from_grid(list(csv.reader(text.splitlines(), delimiter=delimiter)), name)
    book = openpyxl.load_workbook(landing / name, read_only=True, data_only=True)
    want = contract.fold_label(contract.SHEET_NAMES[measure])
    sheet = next(s for s in book.sheetnames if contract.fold_label(s) == want)
    rows = [list(r) for r in book[sheet].iter_rows(values_only=True)]
    book.close()
    return totals_from_grid(rows, f"{name} sheet {sheet}")


def standing_submissions(manifest: dict, months: int) -> dict[str, dict]:
    """Per province, the accepted submission that stands: latest arrival, then revision."""
    best: dict[str, dict] = {}
    for sub in manifest["submissions"]:
        if (sub["statistical_year"], sub["months"]) != (YEAR, months):
            continue
        if sub["expected_outcome"] != "loaded":
            continue
        code = sub["province_code"]
        rank_key = (sub["arrival_time"], sub["revision"])
        if code not in best or rank_key > (best[code]["arrival_time"], best[code]["revision"]):
            best[code] = sub
    return best


def targets(landing: Path) -> dict[tuple[int, str], dict[str, float]]:
    """(boundary, code) -> {"cases": pct, "money": pct} from targets_2025.csv."""
    text = (landing / f"targets_{YEAR}.csv").read_text(encoding="utf-8-sig")
    out = {}
    for row in csv.DictReader(text.splitlines()):
        out[(int(row["boundary"]), row["province_code"].zfill(2))] = {
            "cases": float(row["case_target_pct"]),
            "money": float(row["money_target_pct"]),
        }
    return out


def recompute(loaded: SimpleNamespace, months: int, measure: str) -> dict[str, dict]:
    """The ranking of one period, by hand: rate = (completed + terminated) / with_conditions,
    competition ranking among the provinces with a rate, labels rank/n_ranked where n_ranked
    is the number of provinces with an accepted report (contract section 4)."""
    boundary = contract.boundary_for(YEAR, months)
    subs = standing_submissions(loaded.manifest, months)
    goals = targets(loaded.landing)
    rows = {}
    for province in reference.provinces(boundary):
        sub = subs.get(province.code)
        figures = read_totals(loaded.landing, sub["files"], measure) if sub else None
        rate = contract.rate_pct(**figures) if figures else None
        target = goals.get((boundary, province.code), {}).get(measure)
        rows[province.code] = {
            **(figures or dict.fromkeys(KEYS)),
            "rate_pct": rate,
            "target_pct": target,
            "gap_pp": None if rate is None or target is None else rate - target,
        }
    rates = [r["rate_pct"] for r in rows.values() if r["rate_pct"] is not None]
    reported = len(subs)
    for row in rows.values():
        rate = row["rate_pct"]
        row["rank"] = None if rate is None else 1 + sum(other > rate for other in rates)
        row["n_ranked"] = reported
        row["rank_label"] = None if rate is None else f"{row['rank']}/{reported}"
        row["n_expected"] = boundary
    return rows


# --- The comparisons -----------------------------------------------------------------------


@pytest.mark.parametrize(("months", "measure"), PERIODS)
def test_thads_rank_equals_the_ranking_recomputed_from_the_files(loaded, months, measure):
    proc = thads("--home", str(loaded.home), "rank", "--year", str(YEAR), "--months",
                 str(months), "--measure", measure, "--format", "json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    got = {row["province_code"]: row for row in json.loads(proc.stdout)}
    expected = recompute(loaded, months, measure)
    assert set(got) == set(expected)
    assert len(got) == contract.boundary_for(YEAR, months)
    for code, want in expected.items():
        row = got[code]
        for key in ("completed", "terminated", "with_conditions", "rank", "n_ranked",
                    "rank_label", "n_expected"):  # fmt: skip
            assert row[key] == want[key], (code, key, row[key], want[key])
        for key in ("rate_pct", "target_pct", "gap_pp"):
            assert row[key] == pytest.approx(want[key], rel=1e-12, abs=1e-9), (code, key)


def test_files_agree_with_the_generator_manifest(loaded):
    """The recomputation reads the files; the manifest's true totals must say the same."""
    for months, measure in PERIODS:
        for sub in standing_submissions(loaded.manifest, months).values():
            from_file = read_totals(loaded.landing, sub["files"], measure)
            truth = {k: float(sub["totals"][measure][k]) for k in KEYS}
            assert from_file == truth, sub["submission_key"]


def test_snapshot_national_sums_and_periods(loaded):
    paths = Paths.from_env(loaded.home)
    with duckdb.connect(str(paths.snapshot), read_only=True) as con:
        national = {
            (m, measure): (completed, terminated, with_conditions, n_reported, n_expected)
            for m, measure, completed, terminated, with_conditions, n_reported, n_expected in (
                con.execute(
                    "select months, measure, completed, terminated, with_conditions, "
                    "n_provinces_reported, n_expected from marts.fct_national_summary "
                    "where statistical_year = ?",
                    [YEAR],
                ).fetchall()
            )
        }
        per_period = con.execute(
            "select months, count(distinct province_code), min(n_expected), max(n_expected) "
            "from marts.fct_province_ranking where statistical_year = ? group by months",
            [YEAR],
        ).fetchall()
    assert {m for m, *_ in per_period} == set(range(1, 13))
    for months, n_rows, low, high in per_period:
        assert n_rows == low == high == contract.boundary_for(YEAR, months)
    for months, measure in PERIODS:
        rows = [
            r for r in recompute(loaded, months, measure).values() if r["completed"] is not None
        ]
        sums = tuple(sum(r[k] for r in rows) for k in KEYS)
        boundary = contract.boundary_for(YEAR, months)
        assert national[(months, measure)] == (*sums, len(rows), boundary)
