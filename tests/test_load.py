"""`thads load` end to end on a generated landing zone: what the data team runs.

Real generator, real ingest, Great Expectations, dbt (subprocess) and publish; the verdict
for every file is checked against the generator's manifest (its answer key).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from thads.cli import main
from thads.config import Paths
from thads.generate.landing import generate_landing_zone

pytestmark = pytest.mark.slow


def _load(landing: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["load", "--landing", str(landing), "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


def _statuses(capsys: pytest.CaptureFixture[str]) -> dict[str, dict]:
    assert main(["submissions", "--format", "json"]) == 0
    return {row["file"]: row for row in json.loads(capsys.readouterr().out)}


def _published_version(paths: Paths) -> str:
    return json.loads((paths.serving / "manifest.json").read_text("utf-8"))["version"]


def test_load_matches_the_manifest_and_a_second_run_changes_nothing(
    tmp_path: Path, thads_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landing = tmp_path / "landing"
    generate_landing_zone(landing, years=[2024], seed=11, provinces=["80", "93"], defects=0.25)
    manifest = json.loads((landing / "manifest.json").read_text("utf-8"))["submissions"]
    expected_bad = [s for s in manifest if s["expected_outcome"] == "quarantined"]
    assert expected_bad, "the zone must carry defects for this test to mean anything"

    code, out, _ = _load(landing, capsys)
    assert code == 0
    assert "warehouse rebuilt and published" in out
    statuses = _statuses(capsys)
    for sub in manifest:
        for name in sub["files"]:
            status = statuses[name]["status"]
            if sub["expected_outcome"] == "quarantined":
                assert status == "quarantined", (name, sub["defect"])
                assert statuses[name]["reasons"], name  # the reason names the place
            else:
                assert status in {"loaded", "superseded"}, (name, statuses[name]["reasons"])
    # Every quarantined file is kept, with its reasons beside it.
    paths = Paths.from_env()
    for sub in expected_bad:
        for name in sub["files"]:
            assert (paths.quarantine / name).exists()
            assert (paths.quarantine / f"{name}.reasons.json").exists()

    assert main(
        ["rank", "--year", "2024", "--months", "12", "--measure", "cases", "--format", "json"]
    ) in (0, 1)
    ranking = json.loads(capsys.readouterr().out or "[]")
    ranked = [r for r in ranking if r["rank"] is not None]
    if ranked:  # both provinces' 12-month reports may be among the defects
        assert all(
            r["n_expected"] == 63 and r["rank_label"].endswith(f"/{len(ranked)}") for r in ranked
        )

    manifest_file = json.loads((paths.serving / "manifest.json").read_text("utf-8"))
    docs = Path(manifest_file["dbt_docs"])  # dbt's docs of this build, beside the report
    assert docs.parent == paths.report.parent and "fct_province_ranking" in docs.read_text()

    version = _published_version(paths)
    code, out, _ = _load(landing, capsys)
    assert code == 0
    assert "0 new file(s)" in out and "warehouse unchanged" in out
    assert _published_version(paths) == version
    assert _statuses(capsys) == statuses


def test_a_failed_build_keeps_the_last_snapshot_and_the_next_load_builds_again(
    tmp_path: Path, thads_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zone = tmp_path / "zone"
    generate_landing_zone(zone, years=[2024], seed=12, provinces=["93"])
    landing = tmp_path / "landing"
    landing.mkdir()
    first = [p for p in zone.iterdir() if "_2024_0" in p.name or p.name.startswith("targets")]
    for p in first:  # months 1..9 and the targets
        shutil.copy2(p, landing / p.name)
    assert _load(landing, capsys)[0] == 0
    paths = Paths.from_env()
    version = _published_version(paths)

    for p in zone.iterdir():  # months 10..12 arrive
        if not (landing / p.name).exists() and p.name != "manifest.json":
            shutil.copy2(p, landing / p.name)
    # Another writer holds the warehouse (DuckDB allows one): dbt cannot build.
    writer = duckdb.connect(str(paths.warehouse))
    try:
        code, _, err = _load(landing, capsys)
    finally:
        writer.close()
    assert code == 1
    assert "unchanged" in err and "Traceback" not in err
    assert _published_version(paths) == version  # readers keep the last good snapshot
    statuses = _statuses(capsys)
    assert (
        statuses[
            "THADS_93_2024_12.xlsx"
            if "THADS_93_2024_12.xlsx" in statuses
            else next(n for n in statuses if "_2024_12" in n)
        ]["status"]
        == "loaded"
    )

    # Nothing new in the landing zone, but the build is still owed: it runs now.
    code, out, _ = _load(landing, capsys)
    assert code == 0
    assert "0 new file(s)" in out and "warehouse rebuilt and published" in out
    assert _published_version(paths) != version
    with duckdb.connect(str(paths.snapshot), read_only=True) as con:
        months = con.execute(
            "select max(months) from marts.fct_province_ranking "
            "where statistical_year = 2024 and has_report"
        ).fetchone()[0]
    assert months == 12
