"""Per-file isolation (issue 12): a file that needs too much memory or time is refused and
the next file of the same batch is read; one load at a time; a second overlapping batch
never records the checks twice; plain messages for a busy load, a locked registry and a
full disk. Real child processes, real limits, real locks."""

from __future__ import annotations

import errno
import json
import multiprocessing
import random
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingest.files import discover
from ingest.isolation import parse_isolated
from ingest.limits import Limits
from ingest.lock import load_lock
from thads import cli, pipeline
from thads.commands.load import EXIT_BUSY, state_problem
from thads.config import Paths
from thads.generate import build_report, write_json


def _good(folder: Path, code: str) -> Path:
    report = build_report(
        code, 2024, 11,
        cases_totals={"with_conditions": 7942, "done": 6113},
        money_totals={"with_conditions": 3_343_000_000, "done": 1_133_000_000},
        n_offices=3, rng=random.Random(code),
    )  # fmt: skip
    return write_json(report, folder / report.filename("json"))


def _heavy(folder: Path, code: str, n: int = 6_000_000) -> Path:
    """A JSON report whose decoding needs ~8 bytes and ~0.1 µs per padding number."""
    doc = json.loads(_good(folder, code).read_text(encoding="utf-8"))
    doc["padding"] = [0] * n
    path = folder / f"THADS_{code}_2024_11.json"
    path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    return path


def _candidates(*files: Path):
    return sorted(discover(list(files)).candidates, key=lambda c: c.files[0].name)


def _parse_from_a_fresh_interpreter(candidates, limits: Limits):
    """parse_isolated called by a new interpreter, as `thads load` calls it. The reader's
    address-space limit is what it inherits plus `memory_bytes`; a test process that has
    run hundreds of tests inherits a heap with free room the reader could fill first."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(parse_isolated, candidates, "b", [None, None], limits).result()


def test_a_file_that_needs_too_much_memory_is_refused_and_the_next_is_read(tmp_path):
    heavy, good = _heavy(tmp_path, "01"), _good(tmp_path, "02")
    limits = Limits(memory_bytes=48 << 20)
    subs, spans, frame = _parse_from_a_fresh_interpreter(_candidates(heavy, good), limits)
    assert [s.file_names[0] for s in subs] == [heavy.name, good.name]
    (refusal,) = [f for f in subs[0].findings if f.severity == "error"]
    assert refusal.rule == "parse.limit_exceeded" and "memory" in refusal.message
    assert spans[0] is None
    assert not subs[1].has_errors and spans[1] is not None
    assert len(frame.iloc[spans[1][0] : spans[1][1]]) > 0


def test_a_file_that_takes_too_long_is_refused_and_the_next_is_read(tmp_path):
    heavy, good = _heavy(tmp_path, "01", n=20_000_000), _good(tmp_path, "02")
    # Seconds for the heavy one, milliseconds for the good one (with room for a busy machine).
    limits = Limits(seconds_per_file=0.5, file_bytes=100 << 20)
    subs, spans, _frame = parse_isolated(_candidates(heavy, good), "b", [None, None], limits)
    (refusal,) = [f for f in subs[0].findings if f.severity == "error"]
    assert refusal.rule == "parse.limit_exceeded" and "reading time" in refusal.message
    assert not subs[1].has_errors and spans[1] is not None


def test_findings_are_capped_per_rule_with_a_count_of_the_rest(tmp_path):
    doc = json.loads(_good(tmp_path, "01").read_text(encoding="utf-8"))
    for row in doc["cases"]:
        for key in list(row):
            if key != "office":
                row[key] = "x"
    doc["cases"] = doc["cases"] * 10
    path = tmp_path / "THADS_01_2024_11.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (sub,), _spans, _frame = parse_isolated(
        _candidates(path), "b", [None], Limits(findings_per_rule=5)
    )
    bad = [f for f in sub.findings if f.rule == "parse.not_a_number"]
    assert len(bad) == 6 and bad[-1].extra["more"] > 40
    assert "more finding(s) of this rule" in bad[-1].message


@pytest.fixture
def paths(thads_home) -> Paths:
    return Paths.from_env().ensure()


def test_a_second_load_waits_or_exits_with_a_message(tmp_path, paths, capsys):
    landing = tmp_path / "landing"
    landing.mkdir()
    _good(landing, "01")
    with load_lock(paths):  # a load in progress (this process)
        seen: list[str] = []
        with (
            pytest.raises(Exception, match="another thads load is running"),
            load_lock(paths, wait=False, on_wait=seen.append),
        ):
            pass
        code = cli.main(["load", "--landing", str(landing), "--no-wait", "--quiet"])
    assert code == EXIT_BUSY
    assert "another thads load is running" in capsys.readouterr().err


def test_two_overlapping_batches_record_the_checks_once(tmp_path, paths):
    landing = tmp_path / "landing"
    landing.mkdir()
    for code in ("01", "02"):
        _good(landing, code)
    # Two plans of the same new files (as two loads started at once would make).
    first, second = pipeline.plan_batch(landing, paths), pipeline.plan_batch(landing, paths)
    for plan in (first, second):
        pipeline.ingest_all(plan["batch_id"], plan["groups"], paths)
    one = pipeline.validate_and_commit(first["batch_id"], paths)
    two = pipeline.validate_and_commit(second["batch_id"], paths)
    assert one["n_loaded"] == 2 and two["n_loaded"] == 0
    frames = [pq.read_table(p).to_pandas() for p in paths.data_quality.glob("*.parquet")]
    checks = [f for f in frames if len(f)]
    assert len(checks) == 1
    assert set(checks[0]["batch_id"]) == {first["batch_id"]}


def test_plain_messages_for_a_full_disk_and_a_locked_registry(paths):
    full = state_problem(OSError(errno.ENOSPC, "No space left on device", "/x/raw"), paths)
    assert full is not None and "disk is full" in full and "/x/raw" in full
    sqlite_full = state_problem(sqlite3.OperationalError("database or disk is full"), paths)
    assert sqlite_full is not None and "disk is full" in sqlite_full
    locked = state_problem(sqlite3.OperationalError("database is locked"), paths)
    assert locked is not None and str(paths.registry) in locked
    assert state_problem(ValueError("a bug"), paths) is None
