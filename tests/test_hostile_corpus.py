"""The hostile corpus (issue 12), loaded in ONE batch beside good reports: nothing stops the
load, every hostile input ends refused with a reason (or as the contract says), nothing is
read from outside the landing zone, no good row is lost, names are never stored raw.

Real components: the load's own steps (plan, staging in guarded child processes, Great
Expectations validation, commit) on a real THADS_HOME; no dbt build (nothing here is about
the marts, and the crash tests of build and publish are in test_publish_concurrency).
"""

from __future__ import annotations

import hashlib
import json
import resource
from pathlib import Path

import pytest

from ingest.parse import parse_paths
from ingest.raw import read_report_rows
from ingest.registry import Registry
from tests.hostile_corpus import CASES, OUTSIDE, slots
from thads import pipeline
from thads.config import Paths

#: Reasons that mean a reader failed in a way nobody planned for: contained, but a defect.
CRASH_MARKS = ("the reader failed on this file", "the reader process ended")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("hostile")
    landing, scratch, home = root / "landing", root / "scratch", root / "home"
    for folder in (landing, scratch):
        folder.mkdir()
    assert len(CASES) >= 60
    names: dict[str, list[str]] = {}
    for case, slot in zip(CASES, slots(), strict=False):
        names[case.name] = case.make(landing, slot, scratch)
    paths = Paths(home).ensure()
    crashed: list[str] = []
    try:
        plan = pipeline.plan_batch(landing, paths)
        pipeline.ingest_all(plan["batch_id"], plan["groups"], paths)
        committed = pipeline.validate_and_commit(plan["batch_id"], paths)
    except Exception as exc:  # the whole point: this must never happen
        crashed.append(f"the load raised {type(exc).__name__}: {exc}")
        committed = {}
    with Registry.open(paths, readonly=True) as registry:
        listing = registry.listing()
    return {
        "landing": landing,
        "scratch": scratch,
        "paths": paths,
        "names": names,
        "listing": {row["file"]: row for row in listing},
        "committed": committed,
        "crashed": crashed,
        "maxrss_mib": max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024,
    }


def _outcome(corpus: dict, files: list[str]) -> tuple[str, list[str]]:
    rows = [corpus["listing"].get(f) for f in files]
    if any(r is None for r in rows):
        return "missing", [f"no record of {files}"]
    statuses = {r["status"] for r in rows}
    status = statuses.pop() if len(statuses) == 1 else "mixed"
    reasons = [reason for r in rows for reason in r["reasons"]]
    return ("refused" if status == "quarantined" else status), reasons


def test_the_hostile_corpus(corpus: dict) -> None:
    tried = refused = loaded = 0
    crashes = list(corpus["crashed"])
    wrong: list[str] = []
    for case in CASES:
        tried += 1
        outcome, reasons = _outcome(corpus, corpus["names"][case.name])
        if any(mark in reason for reason in reasons for mark in CRASH_MARKS):
            crashes.append(f"{case.name}: {reasons}")
        if outcome != case.expect:
            wrong.append(f"{case.name}: expected {case.expect}, got {outcome}: {reasons[:2]}")
            continue
        if outcome == "refused":
            if not reasons or (case.rule and not any(f"] {case.rule}:" in r for r in reasons)):
                wrong.append(f"{case.name}: no {case.rule} reason in {reasons[:3]}")
                continue
            refused += 1
        elif outcome in ("loaded", "duplicate"):
            loaded += 1
    lost = _good_rows_lost(corpus)
    print(
        f"\nhostile corpus: tried {tried}, refused with a reason {refused}, loaded as "
        f"expected {loaded}, crashes {len(crashes)}, good rows lost {lost}; "
        f"peak memory {corpus['maxrss_mib']:.0f} MiB"
    )
    assert crashes == []
    assert wrong == []
    assert lost == 0
    assert refused + loaded == tried


def _good_rows_lost(corpus: dict) -> int:
    """Rows of the reports the corpus expects loaded, read from the files again, that are
    not in the raw layer."""
    good = [c for c in CASES if c.expect == "loaded"]
    files = [corpus["landing"] / n for c in good for n in corpus["names"][c.name]]
    expected = sum(len(p.rows) for p in parse_paths(files) if p.rows is not None)
    rows = read_report_rows(corpus["paths"])
    names = {n for c in good for n in corpus["names"][c.name]}
    return expected - int(rows["source_file"].isin(names).sum())


def test_nothing_is_read_from_outside_the_landing_zone(corpus: dict) -> None:
    outside = [Path("/etc/passwd"), *sorted((corpus["scratch"] / OUTSIDE).iterdir())]
    outside_shas = {hashlib.sha256(p.read_bytes()).hexdigest() for p in outside if p.is_file()}
    archived = {p.name.split(".")[0] for p in corpus["paths"].archive.iterdir()}
    assert not outside_shas & archived
    kept = [p for p in corpus["paths"].quarantine.iterdir() if not p.name.endswith(".json")]
    for p in kept:
        assert hashlib.sha256(p.read_bytes()).hexdigest() not in outside_shas, p


def test_every_name_is_stored_and_shown_escaped(corpus: dict) -> None:
    for name, row in corpus["listing"].items():
        assert name.isprintable() or "\\" in name, repr(name)
        assert all(ch.isprintable() for ch in name), repr(name)
        for reason in row["reasons"]:
            assert "\x1b" not in reason and "\u202e" not in reason
    escaped = [n for n in corpus["listing"] if "\\x1b" in n]
    assert escaped, "the name with a terminal escape is listed, escaped"
    for note in corpus["paths"].quarantine.glob("*.reasons.json"):
        assert len(note.name.encode()) <= 255
        json.loads(note.read_text(encoding="utf-8"))


def test_findings_are_capped_per_rule(corpus: dict) -> None:
    longest = max(len(row["reasons"]) for row in corpus["listing"].values())
    assert longest < 200
