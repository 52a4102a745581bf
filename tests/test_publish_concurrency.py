"""Readers query the published snapshot while another process installs new builds and
publishes them, several times.

The builds are two real dbt builds of the session (tests/real_warehouse.py: the full one and
a smaller one) with different row counts; the writer process alternates them, as a data team
loading month after month would swap one build for the next. The readers, in this process,
loop until the writer is done and check every answer: no error, and one whole build per
answer (the row counts of one build in every table, never a mix).
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

from tests.real_warehouse import install_warehouse
from thads.config import REPO_ROOT, Paths
from thads.publish import publish
from thads.publish.snapshot import open_snapshot

N_PUBLISHES = 5
DEADLINE_S = 180

WRITER = """
import json, sys
from pathlib import Path
from tests.real_warehouse import install_warehouse
from thads.config import Paths
from thads.publish import publish

paths = Paths(Path(sys.argv[1]))
for name, home in json.loads(sys.argv[2]):
    install_warehouse(Paths(Path(home)), paths)
    print(publish(paths)["version"], name, flush=True)
"""

QUERY = """
SELECT (SELECT count(*) FROM marts.fct_province_ranking),
       (SELECT count(*) FROM marts.fct_enforcement)
"""


def counts(database: Path) -> tuple[int, int]:
    con = open_snapshot(database)
    try:
        return con.execute(QUERY).fetchone()
    finally:
        con.close()


@pytest.mark.slow  # a second interpreter publishing five times
def test_readers_see_old_or_new_never_a_mix_while_another_process_publishes(
    tmp_path: Path, real_warehouse: Paths, small_warehouse: Paths
):
    builds = {"full": real_warehouse, "small": small_warehouse}
    expected = {name: counts(p.warehouse) for name, p in builds.items()}
    assert len(set(expected.values())) == 2, expected
    which = {answer: name for name, answer in expected.items()}

    paths = Paths(tmp_path / "home")
    install_warehouse(real_warehouse, paths)
    first = publish(paths)["version"]
    parquet = paths.serving / "parquet"

    def check(answer: tuple, where: str) -> str:
        assert answer in which, f"{where}: {answer} is no whole build ({expected})"
        return which[answer]

    # A reader that opened the first snapshot and keeps its connection all along.
    long_lived = open_snapshot(paths.snapshot)
    plan = [("small", "full")[v % 2] for v in range(N_PUBLISHES)]
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(paths.home),
         json.dumps([(name, str(builds[name].home)) for name in plan])],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    seen_snapshot: set[str] = set()
    seen_parquet: dict[str, str] = {}  # version directory -> build read from it
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
                    seen_snapshot.add(check(con.execute(QUERY).fetchone(), "snapshot"))
                finally:
                    con.close()
                # The old reader: still its first snapshot, still working.
                assert check(long_lived.execute(QUERY).fetchone(), "long-lived") == "full"
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
                seen_parquet[here.name] = check(answer.fetchone(), "parquet")
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
    published = dict(line.split() for line in out.splitlines())
    assert list(published.values()) == plan
    assert errors == []
    # Each Parquet version directory held exactly the build published under that version.
    for version, build in seen_parquet.items():
        assert build == {first: "full", **published}[version], version
    # The loop really overlapped the publishes: it saw both builds through the snapshot, and
    # the last publish through Parquet.
    assert seen_snapshot == {"full", "small"}, seen_snapshot
    assert list(published)[-1] in seen_parquet, seen_parquet
    print(f"rounds={rounds} snapshot={sorted(seen_snapshot)} parquet={seen_parquet}")
    assert rounds > 2 * N_PUBLISHES
