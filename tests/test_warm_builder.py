"""The warm builder (`thads.warm_builder`, the builder child of `thads watch`): one process
that imports dbt once and runs a real dbt build + publish per request, in itself, with a
fresh dbtRunner; between builds the warehouse is free for other processes (`thads load`,
a publish, Airflow) and a failing build is answered, not fatal (slow: real dbt builds)."""

from __future__ import annotations

import duckdb
import pytest

from tests.real_warehouse import copy_home, ranking_rows
from thads.config import Paths
from thads.publish.publisher import read_manifest
from thads.watch import WarmBuilderChild


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_one_child_builds_and_publishes_twice_and_frees_the_warehouse(
    real_warehouse: Paths, small_warehouse: Paths, tmp_path
) -> None:
    # A home holding the small build's warehouse but the real warehouse's raw layer: the
    # build must bring the marts to what the raw layer says.
    paths = copy_home(real_warehouse, tmp_path / "home")
    small_rows = ranking_rows(small_warehouse.warehouse)
    want_rows = ranking_rows(real_warehouse.warehouse)
    assert small_rows != want_rows  # the two builds can be told apart

    child = WarmBuilderChild(paths)
    try:
        first = child.build()
        assert first["ok"] is True, first
        assert ranking_rows(paths.snapshot) == want_rows
        published = read_manifest(paths)
        assert published is not None

        # Between builds the child holds no handle on the warehouse: another process's
        # writer (here, this test) can open it.
        con = duckdb.connect(str(paths.warehouse))
        con.execute("select 1").fetchall()
        con.close()

        # The same child, a second request: a new build and a new publish.
        second = child.build()
        assert second["ok"] is True, second
        again = read_manifest(paths)
        assert again is not None and again["version"] != published["version"]
        assert ranking_rows(paths.snapshot) == want_rows
    finally:
        child.close()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_failing_build_is_an_answer_naming_the_node(real_warehouse: Paths, tmp_path) -> None:
    """In the child, dbt's failures are reported as the subprocess's are (the failing node
    named), nothing is published, and the child stays alive to answer the next request."""
    paths = copy_home(real_warehouse, tmp_path / "home")
    # A new raw batch whose report row has no submission: a data test of staging fails.
    batch = sorted(paths.report_rows.rglob("*.parquet"))[-1]
    broken = batch.with_name("zz-broken.parquet")  # same partition folder; batch = file stem
    con = duckdb.connect()
    con.execute(
        "copy (select * replace (null as submission_id, 'zz-broken' as batch_id) "
        f"from read_parquet('{batch}') limit 1) to '{broken}'"
    )
    con.close()
    child = WarmBuilderChild(paths)
    try:
        answer = child.build()
        assert answer["ok"] is False
        assert "failed on" in answer["error"] and "submission_id" in answer["error"], answer
        assert read_manifest(paths) is None  # a failed build publishes nothing
        again = child.build()  # the same child answers the next request
        assert again["ok"] is False and "submission_id" in again["error"], again
    finally:
        child.close()
