"""Registry, commit step, resubmissions, duplicates, quarantine, crash safety, CLI listing."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from ingest.batch import load_staged, plan_batch, stage_batch, stage_group, staging_dir
from ingest.commit import commit_batch
from ingest.history import load_accepted_totals
from ingest.parse import parse_paths
from ingest.raw import read_report_rows, write_report_rows
from ingest.registry import Registry
from thads import cli
from thads.config import Paths
from thads.contract import Finding
from thads.generate import build_report, write_csv_pair, write_xlsx
from thads.pipeline import ingest

T0 = datetime(2024, 9, 3, 1, 15, tzinfo=UTC)


def make(code="80", months=11, done=6113, revision=1, seed=1):
    return build_report(
        code,
        2024,
        months,
        cases_totals={"with_conditions": 7942, "done": done},
        money_totals={"with_conditions": 3_343_000_000, "done": 1_133_000_000},
        n_offices=4,
        rng=random.Random(seed),
        revision=revision,
    )


def put(path: Path, when: datetime) -> Path:
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def landing_with(tmp_path: Path, name="landing") -> Path:
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def paths(thads_home) -> Paths:
    return Paths.from_env()


def statuses(paths: Paths) -> dict[str, str]:
    with Registry.open(paths, readonly=True) as reg:
        return {r["file"]: r["status"] for r in reg.listing()}


def test_landing_zone_to_raw_layer_and_back(tmp_path, paths, samples_dir):
    land = landing_with(tmp_path)
    for sample in samples_dir.glob("THADS_*"):
        shutil.copy(sample, land)
    result = ingest(land, paths, workers=1)
    assert (result["commit"]["n_accepted"], result["commit"]["n_quarantined"]) == (3, 0)
    assert statuses(paths) == dict.fromkeys(
        [
            "THADS_02_2019_12.xlsx",
            "THADS_80_2024_11.json",
            "THADS_92_2025_12_viec.csv",
            "THADS_92_2025_12_tien.csv",
        ],
        "loaded",
    )
    # raw layer: one file per statistical year, readable by DuckDB with hive partitioning
    files = sorted(
        p.relative_to(paths.report_rows).parts[0] for p in paths.report_rows.rglob("*.parquet")
    )
    assert files == ["statistical_year=2019", "statistical_year=2024", "statistical_year=2025"]
    glob = f"{paths.report_rows}/*/*.parquet"
    counts = duckdb.sql(
        f"SELECT statistical_year, count(*) n, count(DISTINCT batch_id) b FROM "
        f"read_parquet('{glob}', hive_partitioning=true) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    parsed = parse_paths(sorted(samples_dir.glob("THADS_*")))
    assert counts == [(p.statistical_year, len(p.rows), 1) for p in parsed]
    # every file archived under its hash
    for sample in samples_dir.glob("THADS_*"):
        archived = list(paths.archive.glob(f"*{sample.suffix}"))
        assert any(a.read_bytes() == sample.read_bytes() for a in archived)
    # submissions.parquet: the registry export, one row per file, contract columns
    export = pq.read_table(paths.submissions_export).to_pandas()
    assert list(export.columns[:14]) == [
        "file", "sha256", "submission_id", "submission_key", "province_code",
        "statistical_year", "months", "revision", "fmt", "arrival_time", "first_seen",
        "status", "reasons", "batch_id",
    ]  # fmt: skip
    assert len(export) == 4 and set(export.status) == {"loaded"}
    assert all(json.loads(r) == [] for r in export.reasons)
    # history for validation: the standing total rows
    totals = load_accepted_totals(paths)
    assert len(totals) == 6 and set(totals.measure) == {"cases", "money"}
    # loading the same landing zone again changes nothing
    before = (statuses(paths), sorted(paths.raw.rglob("*.parquet")))
    again = ingest(land, paths, workers=1)
    assert again["plan"]["n_files"] == 0 and again["commit"]["n_submissions"] == 0
    assert (statuses(paths), sorted(paths.raw.rglob("*.parquet"))) == before


def test_resubmission_later_arrival_wins_and_earlier_is_kept(tmp_path, paths):
    land = landing_with(tmp_path)
    first = make(done=6000)
    put(write_xlsx(first, land / first.filename("xlsx")), T0)
    ingest(land, paths, workers=1)
    second = make(done=6113, revision=2, seed=2)
    put(write_xlsx(second, land / second.filename("xlsx")), T0 + timedelta(days=2))
    result = ingest(land, paths, workers=1)
    assert (result["commit"]["n_loaded"], result["commit"]["n_superseded"]) == (1, 1)
    assert statuses(paths) == {
        "THADS_80_2024_11.xlsx": "superseded",
        "THADS_80_2024_11_r2.xlsx": "loaded",
    }
    totals = load_accepted_totals(paths)
    cases = totals[totals.measure == "cases"].iloc[0]
    assert cases.completed + cases.terminated == 6113
    assert cases.submission_id.startswith("THADS_80_2024_11_r2@")
    # both versions' rows are kept in the raw layer
    all_rows = read_report_rows(paths)
    assert all_rows.submission_id.nunique() == 2
    with Registry.open(paths, readonly=True) as reg:
        old = next(r for r in reg.listing() if r["file"] == "THADS_80_2024_11.xlsx")
    assert old["superseded_by"] == cases.submission_id


def test_same_arrival_higher_revision_wins_and_the_senders_clock_does_not_count(tmp_path, paths):
    land = landing_with(tmp_path)
    for rev, when in ((2, T0), (3, T0 - timedelta(days=3))):
        r = make(done=6000 + rev, revision=rev, seed=rev)
        put(write_xlsx(r, land / r.filename("xlsx")), when)
    ingest(land, paths, workers=1)
    # Seen in the same load: the same arrival (contract 6.1), whatever the mtimes say.
    assert statuses(paths) == {
        "THADS_80_2024_11_r2.xlsx": "superseded",
        "THADS_80_2024_11_r3.xlsx": "loaded",
    }
    # A correction copied with an old mtime, found later: it arrived later, it stands.
    late = make(done=5000, revision=4, seed=4)
    put(write_xlsx(late, land / late.filename("xlsx")), T0 - timedelta(days=5))
    ingest(land, paths, workers=1)
    assert statuses(paths)["THADS_80_2024_11_r4.xlsx"] == "loaded"
    assert statuses(paths)["THADS_80_2024_11_r3.xlsx"] == "superseded"
    with Registry.open(paths, readonly=True) as reg:
        rows = {r["file"]: r for r in reg.listing()}
    r4, r3 = rows["THADS_80_2024_11_r4.xlsx"], rows["THADS_80_2024_11_r3.xlsx"]
    assert r4["arrival_time"] == r4["first_seen"] > r3["arrival_time"] == r3["first_seen"]
    assert r3["arrival_time"] > T0.isoformat()  # not the mtime


def test_a_file_dated_in_the_future_can_still_be_corrected(tmp_path, paths):
    land = landing_with(tmp_path)
    first = make(done=6000)
    put(write_xlsx(first, land / first.filename("xlsx")), datetime(2099, 1, 1, tzinfo=UTC))
    ingest(land, paths, workers=1)
    fix = make(done=6113, revision=2, seed=2)
    put(write_xlsx(fix, land / fix.filename("xlsx")), T0)
    ingest(land, paths, workers=1)
    assert statuses(paths) == {
        "THADS_80_2024_11.xlsx": "superseded",
        "THADS_80_2024_11_r2.xlsx": "loaded",
    }


def test_trust_mtime_orders_a_vouched_history_by_mtime_never_after_first_sight(tmp_path, paths):
    land = landing_with(tmp_path)
    older = make(done=6000, revision=2, seed=2)
    put(write_xlsx(older, land / older.filename("xlsx")), T0 + timedelta(days=2))
    newer = make(done=6113, seed=1)  # revision 1, but sent after r2
    put(write_xlsx(newer, land / newer.filename("xlsx")), T0 + timedelta(days=3))
    future = make(code="02", done=6000)
    put(write_xlsx(future, land / future.filename("xlsx")), datetime(2099, 1, 1, tzinfo=UTC))
    ingest(land, paths, workers=1, trust_mtime=True)
    assert statuses(paths)["THADS_80_2024_11.xlsx"] == "loaded"
    assert statuses(paths)["THADS_80_2024_11_r2.xlsx"] == "superseded"
    with Registry.open(paths, readonly=True) as reg:
        rows = {r["file"]: r for r in reg.listing()}
    assert rows["THADS_80_2024_11.xlsx"]["arrival_time"].startswith("2024-09-06T01:15:00")
    # An mtime later than the first sight is not believed.
    dated = rows["THADS_02_2024_11.xlsx"]
    assert dated["arrival_time"] == dated["first_seen"] < "2099"


def test_a_csv_pair_arrives_when_its_second_half_is_first_seen(tmp_path, paths):
    land = landing_with(tmp_path)
    viec, tien = write_csv_pair(make(), land)
    held = tmp_path / tien.name
    tien.rename(held)
    ingest(land, paths, workers=1)  # the lone half: quarantined, but seen
    held.rename(tien)
    ingest(land, paths, workers=1)
    with Registry.open(paths, readonly=True) as reg:
        files = {r["file"]: r for r in reg.listing() if r["status"] == "loaded"}
        (pair_arrival,) = reg.conn.execute(
            "SELECT arrival_time FROM submissions WHERE status = 'loaded'"
        ).fetchone()
    assert set(files) == {viec.name, tien.name}
    assert files[viec.name]["arrival_time"] < files[tien.name]["arrival_time"] == pair_arrival
    assert files[tien.name]["first_seen"] == pair_arrival


def test_resubmission_under_the_same_name(tmp_path, paths):
    land = landing_with(tmp_path)
    r = make(done=6000)
    path = put(write_xlsx(r, land / r.filename("xlsx")), T0)
    ingest(land, paths, workers=1)
    put(write_xlsx(make(done=6113, seed=9), path), T0 + timedelta(days=1))
    ingest(land, paths, workers=1)
    with Registry.open(paths, readonly=True) as reg:
        rows = [(r["file"], r["status"]) for r in reg.listing()]
    assert rows == [("THADS_80_2024_11.xlsx", "superseded"), ("THADS_80_2024_11.xlsx", "loaded")]


def test_quarantined_resubmission_never_replaces_a_good_one(tmp_path, paths):
    land = landing_with(tmp_path)
    good = make()
    put(write_xlsx(good, land / good.filename("xlsx")), T0)
    ingest(land, paths, workers=1)
    bad = make(revision=2, seed=5)
    path = put(write_xlsx(bad, land / bad.filename("xlsx")), T0 + timedelta(days=1))
    wb = openpyxl.load_workbook(path)
    ws = wb["Việc"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == bad.offices[1])
    ws.cell(row=cell.row, column=cell.column + 9).value = "12,5%"
    wb.save(path)
    put(path, T0 + timedelta(days=1))
    result = ingest(land, paths, workers=1)
    assert result["commit"]["n_quarantined"] == 1 and not result["commit"]["new_data"]
    assert statuses(paths) == {
        "THADS_80_2024_11.xlsx": "loaded",
        "THADS_80_2024_11_r2.xlsx": "quarantined",
    }
    kept = paths.quarantine / "THADS_80_2024_11_r2.xlsx"
    assert kept.read_bytes() == path.read_bytes()
    note = json.loads((paths.quarantine / "THADS_80_2024_11_r2.xlsx.reasons.json").read_text())
    (reason,) = note["reasons"]
    for part in (
        "THADS_80_2024_11_r2.xlsx",
        "sheet 'Việc'",
        f"row {cell.row}",
        "parse.not_a_number",
    ):
        assert part in reason
    # the listing says the same
    with Registry.open(paths, readonly=True) as reg:
        row = next(r for r in reg.listing() if r["status"] == "quarantined")
    assert row["reasons"] == [reason]


def test_validation_findings_decide_and_dq_rows_are_written(tmp_path, paths):
    land = landing_with(tmp_path)
    for code in ("80", "02"):
        r = make(code=code)
        put(write_xlsx(r, land / r.filename("xlsx")), T0)
    plan = plan_batch(land, paths)
    stage_batch(paths, plan["batch_id"], plan["groups"], workers=2)
    parsed = load_staged(paths, plan["batch_id"])
    by_code = {p.province_code: p for p in parsed}
    extra = {
        by_code["80"].submission_id: [
            Finding(
                file="THADS_80_2024_11.xlsx",
                rule="identity.must_enforce_conditions",
                severity="error",
                message="must_enforce != with + without",
                sheet="Việc",
                row=9,
                column="Tổng số phải thi hành",
            )
        ],
        by_code["02"].submission_id: [
            Finding(
                file="THADS_02_2024_11.xlsx",
                rule="history.outlier_rate",
                severity="warning",
                message="x",
            )
        ],
    }
    dq = pd.DataFrame({"submission_id": list(extra), "rule": ["identity", "outlier"]})
    summary = commit_batch(paths, plan["batch_id"], parsed, extra, dq)
    assert (summary.n_accepted, summary.n_quarantined) == (1, 1)
    assert statuses(paths) == {
        "THADS_80_2024_11.xlsx": "quarantined",
        "THADS_02_2024_11.xlsx": "loaded",
    }
    assert "identity.must_enforce" in summary.quarantined[0]["reasons"][0]
    assert pd.read_parquet(paths.data_quality / f"{plan['batch_id']}.parquet").equals(dq)
    assert not staging_dir(paths, plan["batch_id"]).exists()  # staging is transient
    # a retried commit of the same batch does nothing
    again = commit_batch(paths, plan["batch_id"], parsed, extra, dq)
    assert again.already_committed and again.n_accepted == 1
    assert len(read_report_rows(paths)) == len(by_code["02"].rows)


def test_duplicates_are_recorded_not_parsed_again(tmp_path, paths):
    land = landing_with(tmp_path)
    r = make()
    path = put(write_xlsx(r, land / r.filename("xlsx")), T0)
    shutil.copy(path, land / "THADS_80_2024_11_r2.xlsx")  # same content, other name, same batch
    result = ingest(land, paths, workers=1)
    assert (result["commit"]["n_accepted"], result["commit"]["n_duplicates"]) == (1, 1)
    land2 = landing_with(tmp_path, "later")
    shutil.copy(path, land2 / "THADS_80_2024_11_r5.xlsx")  # and again in a later batch
    ingest(land2, paths, workers=1)
    with Registry.open(paths, readonly=True) as reg:
        rows = {r["file"]: r for r in reg.listing()}
    original = rows["THADS_80_2024_11.xlsx"]["submission_id"]
    for name in ("THADS_80_2024_11_r2.xlsx", "THADS_80_2024_11_r5.xlsx"):
        assert rows[name]["status"] == "duplicate"
        assert rows[name]["duplicate_of"] == original
        assert "ingest.duplicate" in rows[name]["reasons"][0]
    assert rows["THADS_80_2024_11.xlsx"]["status"] == "loaded"
    assert read_report_rows(paths).submission_id.unique().tolist() == [original]


def test_lone_csv_half_then_the_pair(tmp_path, paths):
    land = landing_with(tmp_path)
    r = make(code="92")
    viec, tien = write_csv_pair(r, tmp_path)
    shutil.move(viec, land / viec.name)
    ingest(land, paths, workers=1)
    assert statuses(paths) == {viec.name: "quarantined"}
    shutil.move(tien, land / tien.name)
    ingest(land, paths, workers=1)
    with Registry.open(paths, readonly=True) as reg:
        rows = [(r["file"], r["status"]) for r in reg.listing()]
    assert rows == [(viec.name, "quarantined"), (viec.name, "loaded"), (tien.name, "loaded")]


def test_a_crash_never_leaves_half_a_submission(tmp_path, paths):
    land = landing_with(tmp_path)
    r = make()
    put(write_xlsx(r, land / r.filename("xlsx")), T0)
    (parsed,) = parse_paths(sorted(land.iterdir()))
    # 1. rows written, then the process died before the registry transaction:
    orphan = write_report_rows(paths.ensure(), parsed.rows, "20240101T000000Z-dead00")
    # 2. a commit whose registry transaction fails half way: a second submission claiming
    #    the same id (with other content, so it is no duplicate) breaks the primary key
    #    after the first was inserted; everything is rolled back.
    other_file = replace(parsed.files[0], sha256="0" * 64)
    clash = replace(parsed, files=[other_file])
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        commit_batch(paths, "20240102T000000Z-fail00", [parsed, clash], duplicates=[])
    with Registry.open(paths, readonly=True) as reg:
        assert reg.listing() == [] and reg.committed_batches() == set()
    # 3. the next commit removes both batches' leftovers before writing its own
    summary = commit_batch(paths, "20240103T000000Z-good00", [parsed], duplicates=[])
    assert summary.n_accepted == 1
    assert not any(p.exists() for p in orphan)
    batches = {p.stem for p in paths.report_rows.rglob("*.parquet")}
    assert batches == {"20240103T000000Z-good00"}
    assert statuses(paths) == {"THADS_80_2024_11.xlsx": "loaded"}


def test_stage_group_round_trip(tmp_path, paths, samples_dir):
    land = landing_with(tmp_path)
    for sample in samples_dir.glob("THADS_*"):
        shutil.copy(sample, land)
    plan = plan_batch(land, paths)
    assert sorted(plan["groups"]) == ["02", "80", "92"]
    for group, files in plan["groups"].items():
        info = stage_group(paths, plan["batch_id"], files, group=group)
        assert Path(info["staged"]).exists() and info["n_with_errors"] == 0
    staged = {p.submission_id: p for p in load_staged(paths, plan["batch_id"])}
    direct = {p.submission_id: p for p in parse_paths(sorted(land.iterdir()), plan["batch_id"])}
    assert staged.keys() == direct.keys()
    with Registry.open(paths, readonly=True) as reg:
        sightings = reg.sightings((f.name, f.sha256) for p in staged.values() for f in p.files)
    for sid, p in direct.items():
        # Staged rows carry the arrival planning recorded; a dry parse's files arrive now.
        arrival = max(sightings[(f.name, f.sha256)][1] for f in staged[sid].files)
        assert set(staged[sid].rows.arrival_time) == {arrival}
        pd.testing.assert_frame_equal(
            staged[sid].rows.reset_index(drop=True).drop(columns="arrival_time"),
            p.rows.drop(columns="arrival_time"),
        )
        assert staged[sid].labels == p.labels


def test_thads_submissions_command(tmp_path, paths, samples_dir, capsys):
    land = landing_with(tmp_path)
    shutil.copy(samples_dir / "THADS_80_2024_11.json", land)
    (land / "notes.txt").write_text("hello", encoding="utf-8")
    ingest(land, paths, workers=1)
    assert cli.main(["submissions", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["file"], r["status"]) for r in rows] == [
        ("THADS_80_2024_11.json", "loaded"),
        ("notes.txt", "quarantined"),
    ]
    assert set(rows[0]) >= {"file", "sha256", "province_code", "statistical_year", "months"}
    assert "parse.bad_filename" in rows[1]["reasons"][0]
    assert cli.main(["submissions", "--status", "quarantined"]) == 0
    table = capsys.readouterr().out
    assert "notes.txt" in table and "[error] parse.bad_filename" in table
    assert "THADS_80_2024_11.json" not in table


def test_same_bytes_for_another_period_are_not_a_duplicate(tmp_path, paths):
    """A CSV names neither province nor period inside: the same bytes sent under another
    code are another claim (validation judges it), not a resend of the first report."""
    land = landing_with(tmp_path)
    viec, tien = write_csv_pair(make(code="92"), land)
    for half in (viec, tien):
        shutil.copy(half, land / half.name.replace("_92_", "_93_"))
    result = ingest(land, paths, workers=1)
    assert (result["commit"]["n_accepted"], result["commit"]["n_duplicates"]) == (2, 0)
    assert set(statuses(paths).values()) == {"loaded"}
