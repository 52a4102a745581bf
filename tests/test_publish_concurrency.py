"""Readers query the published snapshot while another process loads and publishes.

The writer process rebuilds the warehouse (as dbt would) and publishes, several times;
every build stamps its rows with a version and holds a different number of rows. The
readers, in this process, loop until the writer is done and check every answer: no error,
and one version per answer with exactly that version's row counts (never a mix).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.publish_warehouse import DEFAULT_PERIODS, SKIPPED_PROVINCE, build_warehouse
from thads import contract
from thads.config import REPO_ROOT, Paths
from thads.publish import publish
from thads.publish.snapshot import open_snapshot

N_PUBLISHES = 5
DEADLINE_S = 180

WRITER = """
import json, sys
from pathlib import Path
from tests.publish_warehouse import build_warehouse
from thads.config import Paths
from thads.publish import publish

paths = Paths(Path(sys.argv[1]))
for version, periods in json.loads(sys.argv[2]):
    build_warehouse(paths.warehouse, periods=tuple(map(tuple, periods)), version=version)
    publish(paths)
    print(version, flush=True)
"""


def periods_for(version: int) -> tuple[tuple[int, int], ...]:
    return DEFAULT_PERIODS[: 2 + version]


def expected_counts(version: int) -> tuple[int, int]:
    """(ranking rows, enforcement rows) of a build: every province of the boundary set per
    period and measure; the latest period lacks one province's report."""
    ranking = sum(2 * contract.boundary_for(y, m) for y, m in periods_for(version))
    assert SKIPPED_PROVINCE  # the builder drops this province from the latest period
    return ranking, ranking - 2


QUERY = """
SELECT (SELECT list(DISTINCT build_version) FROM marts.fct_province_ranking),
       (SELECT count(*) FROM marts.fct_province_ranking),
       (SELECT list(DISTINCT build_version) FROM marts.fct_enforcement),
       (SELECT count(*) FROM marts.fct_enforcement)
"""


def check_answer(answer: tuple, where: str) -> int:
    """One answer must be one whole build: a single version, and that version's counts."""
    ranking_versions, n_ranking, enforcement_versions, n_enforcement = answer
    assert len(ranking_versions) == 1, f"{where}: mixed versions {ranking_versions}"
    assert enforcement_versions == ranking_versions, f"{where}: tables from two builds"
    version = ranking_versions[0]
    assert (n_ranking, n_enforcement) == expected_counts(version), f"{where}: v{version} counts"
    return version


@pytest.mark.slow  # ~10 s alone; over 20 s when the machine is busy (a second interpreter)
def test_readers_see_old_or_new_never_a_mix_while_another_process_publishes(tmp_path: Path):
    paths = Paths(tmp_path / "home")
    build_warehouse(paths.warehouse, periods=periods_for(0), version=0)
    publish(paths)
    parquet = paths.serving / "parquet"

    # A reader that opened the first snapshot and keeps its connection all along.
    long_lived = open_snapshot(paths.snapshot)
    plan = [(v, periods_for(v)) for v in range(1, N_PUBLISHES + 1)]
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(paths.home), json.dumps(plan)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen_snapshot: set[int] = set()
    seen_parquet: set[int] = set()
    errors: list[str] = []
    rounds = 0
    started = time.monotonic()
    try:
        while True:
            writer_done = writer.poll() is not None
            rounds += 1
            try:
                # A new reader: opens the path, gets whichever snapshot is there now.
                con = duckdb.connect(str(paths.snapshot), read_only=True)
                try:
                    seen_snapshot.add(check_answer(con.execute(QUERY).fetchone(), "snapshot"))
                finally:
                    con.close()
                # The old reader: still its first snapshot, still working.
                assert check_answer(long_lived.execute(QUERY).fetchone(), "long-lived") == 0
                # Parquet: resolve `current` once, read a consistent set from there.
                here = Path(os.path.realpath(parquet / "current"))
                answer = duckdb.connect().execute(
                    QUERY.replace(
                        "marts.fct_province_ranking",
                        f"read_parquet('{here / 'fct_province_ranking.parquet'}')",
                    ).replace(
                        "marts.fct_enforcement",
                        f"read_parquet('{here / 'fct_enforcement.parquet'}')",
                    )
                )
                seen_parquet.add(check_answer(answer.fetchone(), "parquet"))
            except Exception as exc:  # every failure counts; the assertion below lists them
                errors.append(f"round {rounds}: {type(exc).__name__}: {exc}")
            if writer_done:
                break
            time.sleep(0.01)  # leave the writer some CPU on a busy machine
            if time.monotonic() - started > DEADLINE_S:
                pytest.fail(f"writer still running after {DEADLINE_S}s")
    finally:
        if writer.poll() is None:
            writer.kill()
        out, err = writer.communicate(timeout=60)
        long_lived.close()
    assert writer.returncode == 0, err
    assert out.split() == [str(v) for v, _ in plan]
    assert errors == []
    # The loop really overlapped the publishes: it saw the first and the last build, and
    # builds in between (each a whole one, checked above).
    assert {0, N_PUBLISHES} <= seen_snapshot, seen_snapshot
    assert len(seen_snapshot) >= 3, seen_snapshot
    assert N_PUBLISHES in seen_parquet, seen_parquet
    print(f"rounds={rounds} snapshot={sorted(seen_snapshot)} parquet={sorted(seen_parquet)}")
    assert rounds > 2 * N_PUBLISHES
