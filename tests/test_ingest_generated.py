"""A small generated landing zone (`thads.generate`): every format, both boundary sets,
resubmissions and planted defects, checked against the generator's manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.files import discover
from ingest.parse import parse_many
from ingest.raw import read_report_rows
from ingest.registry import Registry
from thads.config import Paths
from thads.contract import MEASURES, NUMERIC_KEYS
from thads.generate.landing import generate_landing_zone
from thads.pipeline import ingest

#: Defects the PARSER must catch; the others (identities, totals, negatives, unknown codes)
#: parse fine and are validation's to refuse.
PARSE_DEFECTS = {"bad_number", "missing_sheet", "wrong_province_code"}


@pytest.fixture(scope="module")
def zone(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("landing")
    # seed 0: provinces 01/02/06 habitually send xlsx/csv/json; 2025 crosses the merger
    generate_landing_zone(
        out, years=[2024, 2025], provinces=["01", "02", "06"], defects=0.25, seed=0, processes=2
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return out, manifest


def test_every_generated_submission_parses_as_the_manifest_says(zone):
    out, manifest = zone
    entries = manifest["submissions"]
    assert {e["format"] for e in entries} == {"xlsx", "csv", "json"}
    assert {e["boundary"] for e in entries} == {63, 34}
    parsed = {p.submission_key: p for p in parse_many(discover(out).candidates, workers=2)}
    assert set(parsed) == {e["submission_key"] for e in entries}
    checked_defects = 0
    for e in entries:
        p = parsed[e["submission_key"]]
        assert p.file_names == e["files"]
        errors = [f for f in p.findings if f.severity == "error"]
        defect = e["defect"]
        if defect and defect["kind"] in PARSE_DEFECTS:
            checked_defects += 1
            assert errors, (e["files"], defect)
            where = {(f.sheet, f.row, f.column) for f in errors}
            if defect["kind"] == "bad_number":
                assert {f.rule for f in errors} == {"parse.not_a_number"}
                assert (defect["sheet"], defect["row"], defect["column"]) in where
            elif defect["kind"] == "missing_sheet":
                assert [(f.rule, f.sheet) for f in errors] == [
                    ("parse.missing_sheet", defect["sheet"])
                ]
            else:
                assert {f.rule for f in errors} == {"parse.header_code_mismatch"}
                assert all(f.observed == defect["code"] for f in errors)
            continue
        assert errors == [], [str(f) for f in errors]
        rows = p.rows
        assert len(rows) == 2 * (e["n_offices"] + 1)
        assert int(rows.boundary.iloc[0]) == e["boundary"]
        if defect is None:  # untouched figures: the total rows are the true totals
            for measure in MEASURES:
                total = rows[(rows.measure == measure) & rows.is_total].iloc[0]
                assert {k: total[k] for k in NUMERIC_KEYS} == {
                    k: float(v) for k, v in e["totals"][measure].items()
                }
    assert checked_defects > 0


def test_ingesting_the_generated_zone(zone, thads_home):
    out, manifest = zone
    paths = Paths.from_env()
    result = ingest(out, paths)
    entries = manifest["submissions"]
    n_files = sum(len(e["files"]) for e in entries)
    assert result["plan"]["n_files"] == n_files
    # The production path validates too: every planted defect is refused, by the parser
    # or by Great Expectations.
    refused = {e["submission_key"] for e in entries if e["defect"]}
    assert result["commit"]["n_quarantined"] == len(refused)
    assert result["commit"]["n_accepted"] == len(entries) - len(refused)
    accepted_rows = sum(
        2 * (e["n_offices"] + 1) for e in entries if e["submission_key"] not in refused
    )
    assert result["commit"]["n_rows"] == accepted_rows == len(read_report_rows(paths))
    with Registry.open(paths, readonly=True) as reg:
        listing = reg.listing()
    assert len(listing) == n_files + len(manifest["targets"])
    by_key: dict[str, set[str]] = {}
    for row in listing:
        by_key.setdefault(row["submission_key"], set()).add(row["status"])
    for e in entries:
        status = by_key[e["submission_key"]]
        if e["submission_key"] in refused:
            assert status == {"quarantined"}
        elif e["resubmission_of"] and e["resubmission_of"] not in refused:
            # the correction arrived later: it stands, the first version of the same period
            # is superseded (a first version sent under a wrong province code is another
            # period)
            assert status == {"loaded"}
            first = e["resubmission_of"]
            if first.split("_")[1] == e["province_code"]:
                assert by_key[first] == {"superseded"}
    assert sorted(result["commit"]["targets"]["years"]) == [2024, 2025]
