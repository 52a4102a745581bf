"""Staging between Airflow tasks is Parquet + JSON: inspectable, and read back exactly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from ingest.batch import load_staged, load_staged_duplicates, plan_batch, stage_batch, staging_dir
from ingest.parse import parse_paths
from thads.config import Paths


@pytest.fixture
def staged(tmp_path, thads_home, samples_dir) -> tuple[Paths, str, Path]:
    land = tmp_path / "landing"
    shutil.copytree(samples_dir, land)
    # The same content under a second name: a duplicate within the batch's group.
    xlsx = sorted(land.glob("*.xlsx"))[0]
    shutil.copyfile(xlsx, land / xlsx.name.replace(".xlsx", "_r2.xlsx"))
    paths = Paths.from_env()
    plan = plan_batch(land, paths)
    stage_batch(paths, plan["batch_id"], plan["groups"], workers=1)
    return paths, plan["batch_id"], land


def test_staged_groups_are_parquet_and_json_with_no_pickle(staged) -> None:
    paths, batch_id, _ = staged
    folder = staging_dir(paths, batch_id)
    names = sorted(p.name for p in folder.iterdir())
    assert names and all(n.endswith((".json", ".parquet")) for n in names), names
    meta = json.loads(next(folder.glob("*.json")).read_text(encoding="utf-8"))
    assert meta["format_version"] == 1 and meta["submissions"]
    first = meta["submissions"][0]
    assert {"submission_id", "files", "findings", "labels", "arrival_time"} <= set(first)
    rows = pq.read_table(folder / meta["rows"])  # any Parquet reader opens it
    assert rows.num_rows == sum(b - a for a, b in filter(None, meta["spans"]))


def test_staged_submissions_read_back_as_parsed(staged) -> None:
    paths, batch_id, land = staged
    loaded = {s.submission_key: s for s in load_staged(paths, batch_id)}
    direct = {s.submission_key: s for s in parse_paths(sorted(land.iterdir()))}
    assert set(loaded) <= set(direct) and loaded
    for key, sub in loaded.items():
        want = direct[key]
        assert [f.to_dict() for f in sub.findings] == [f.to_dict() for f in want.findings]
        assert (sub.labels, sub.header, sub.file_names) == (want.labels, want.header,
                                                            want.file_names)  # fmt: skip
        # (arrival time is when the warehouse first saw the file: later for the direct parse)
        assert sub.submitted_at == want.submitted_at and sub.arrival_time.tzinfo is not None
        assert [f.filename for f in sub.files] == [f.filename for f in want.files]
        if want.rows is None:
            assert sub.rows is None
            continue
        got = sub.rows.reset_index(drop=True).drop(columns=["batch_id", "arrival_time"])
        expected = want.rows.reset_index(drop=True).drop(columns=["batch_id", "arrival_time"])
        pd.testing.assert_frame_equal(got, expected)
    (dup,) = load_staged_duplicates(paths, batch_id)
    assert dup.candidate.files[0].name.endswith("_r2.xlsx") and dup.duplicate_of


def test_a_newer_field_is_ignored_and_a_missing_one_defaults(staged) -> None:
    paths, batch_id, _ = staged
    meta_path = next(staging_dir(paths, batch_id).glob("*.json"))
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    for sub in meta["submissions"]:
        sub["added_by_a_later_version"] = {"x": 1}
        del sub["header"], sub["submitted_at"]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    edited = {sub["submission_id"] for sub in meta["submissions"]}
    subs = [s for s in load_staged(paths, batch_id) if s.submission_id in edited]
    assert subs and all(s.header == {} and s.submitted_at is None for s in subs)
