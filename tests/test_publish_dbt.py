"""A real load in another process (ingest, Great Expectations, dbt, publish) while readers
query the published snapshot; then the report against what dbt built.

The first snapshot is a copy of the session's real build (tests/real_warehouse.py); the
writer process then loads the
sample submissions (tests/fixtures/samples: Excel 2019, JSON 2024, a CSV pair 2025 after the
merger) with the pipeline's own steps and publishes. Every answer a reader gets must be the
whole first state or the whole final state.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SAMPLES
from tests.publish_html import body_rows, parse_report
from tests.real_warehouse import install_warehouse
from thads.config import REPO_ROOT, Paths
from thads.publish import publish
from thads.publish.report import fmt
from thads.publish.snapshot import open_snapshot

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

# The load of `thads load`, minus the alerts (nothing to do with publishing).
WRITER = """
import json, sys
from pathlib import Path
from thads import pipeline
from thads.build import build
from thads.config import Paths

paths = Paths(Path(sys.argv[1]))
plan = pipeline.plan_batch(Path(sys.argv[2]), paths)
pipeline.ingest_all(plan["batch_id"], plan["groups"], paths)
committed = pipeline.validate_and_commit(plan["batch_id"], paths)
build(paths, docs=False)
manifest = pipeline.publish(paths)
print(json.dumps({"n_loaded": committed["n_loaded"], "version": manifest["version"]}))
"""

STATE = """
SELECT (SELECT version FROM publish.info),
       (SELECT count(*) FROM marts.fct_province_ranking),
       (SELECT count(*) FROM marts.fct_enforcement),
       (SELECT round(sum(rate_pct), 6) FROM marts.fct_province_ranking),
       (SELECT count(*) FROM marts.fct_submissions)
"""
PARQUET_STATE = """
SELECT (SELECT count(*) FROM read_parquet('{d}/fct_province_ranking.parquet')),
       (SELECT count(*) FROM read_parquet('{d}/fct_enforcement.parquet')),
       (SELECT round(sum(rate_pct), 6) FROM read_parquet('{d}/fct_province_ranking.parquet')),
       (SELECT count(*) FROM read_parquet('{d}/fct_submissions.parquet'))
"""


def install_snapshot(source: Paths, paths: Paths) -> None:
    """Publish a copy of `source`'s real build under `paths` (no raw layer: the load below
    starts its own from the sample files)."""
    install_warehouse(source, paths)
    publish(paths)


def _state(snapshot: Path) -> tuple:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return con.execute(STATE).fetchone()
    finally:
        con.close()


def test_readers_during_a_real_load_then_the_report_of_what_dbt_built(
    tmp_path: Path, real_warehouse: Paths
):
    paths = Paths(tmp_path / "home")
    landing = tmp_path / "landing"
    shutil.copytree(SAMPLES, landing)
    install_snapshot(real_warehouse, paths)
    paths.warehouse.unlink()  # the load builds its warehouse from the raw layer, from scratch
    first = _state(paths.snapshot)
    long_lived = open_snapshot(paths.snapshot)

    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(paths.home), str(landing)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    answers: list[tuple] = []
    parquet_answers: list[tuple[str, tuple]] = []
    errors: list[str] = []
    started = time.monotonic()
    try:
        while True:
            done = writer.poll() is not None
            try:
                answers.append(_state(paths.snapshot))
                assert long_lived.execute(STATE).fetchone() == first
                here = os.path.realpath(paths.serving / "parquet" / "current")
                parquet_answers.append(
                    (Path(here).name, duckdb.sql(PARQUET_STATE.format(d=here)).fetchall()[0])
                )
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            if done or time.monotonic() - started > 800:
                break
            time.sleep(0.05)
    finally:
        if writer.poll() is None:
            writer.kill()
        out, err = writer.communicate(timeout=60)
        long_lived.close()
    assert writer.returncode == 0, err[-3000:]
    result = json.loads(out.strip().splitlines()[-1])
    assert result["n_loaded"] == 3

    final = _state(paths.snapshot)
    assert final[0] == result["version"] != first[0]
    assert errors == []
    assert set(answers) <= {first, final}, set(answers) - {first, final}
    assert first in answers  # the readers ran while the load did
    by_version = {first[0]: first[1:], final[0]: final[1:]}
    for version, answer in parquet_answers:
        assert by_version[version] == answer, version

    # The report of the real build: every period of the samples, rows as the marts hold them.
    with duckdb.connect(str(paths.snapshot), read_only=True) as con:
        periods = con.execute(
            "SELECT DISTINCT statistical_year, months, measure FROM marts.fct_province_ranking"
        ).fetchall()
        report = parse_report(paths.report.read_text(encoding="utf-8"))
        assert sorted(report.sections) == sorted({f"{y}-{m:02d}" for y, m, _ in periods})
        for year, months, measure in periods:
            mart = con.execute(
                """
                SELECT rank_label, rate_pct FROM marts.fct_province_ranking
                WHERE statistical_year = ? AND months = ? AND measure = ?
                ORDER BY rank NULLS LAST, rate_pct DESC NULLS LAST, province_name
                """,
                [year, months, measure],
            ).fetchall()
            rows = body_rows(report.sections[f"{year}-{months:02d}"].tables[measure])
            assert [r[0] for r in rows] == [label or "—" for label, _ in mart]
            ranked = [r[4] for r in rows if r[0] != "—"]
            assert ranked == [fmt.pct(rate) for label, rate in mart if label]
            assert len(rows) in (63, 34)
