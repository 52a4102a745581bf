"""publish(): the snapshot, Parquet, report and manifest, and what happens when it fails.

Every test publishes its own copy of a warehouse built by the real dbt project
(tests/real_warehouse.py); `small_warehouse` is a second, different real build."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from tests.real_warehouse import copy_home, install_warehouse, ranking_rows
from thads.config import REPO_ROOT, Paths
from thads.publish import PublishError, publish, read_manifest
from thads.publish.marts import MART_COLUMNS, SCHEMA, row_counts, table_columns
from thads.publish.parquet import CURRENT, KEEP_VERSIONS, VERSIONS
from thads.publish.snapshot import open_snapshot


@pytest.fixture
def paths(tmp_path: Path, real_warehouse: Paths) -> Paths:
    """A home of this test's own with a copy of the real build, not yet published."""
    return copy_home(real_warehouse, tmp_path / "home")


def _counts(warehouse: Path) -> dict[str, int]:
    """Rows of every mart of a warehouse file."""
    con = open_snapshot(warehouse)
    try:
        return row_counts(con, warehouse.stem, table_columns(con, warehouse.stem))
    finally:
        con.close()


def _visible(serving: Path) -> list[str]:
    """Every name under serving/, to show no temporary leftovers remain."""
    return sorted(str(p.relative_to(serving)) for p in serving.rglob("*"))


def test_publish_writes_snapshot_parquet_report_and_manifest(paths: Paths):
    counts = _counts(paths.warehouse)
    assert set(MART_COLUMNS) <= set(counts) and counts["fct_province_ranking"] > 0
    manifest = publish(paths)

    # The snapshot: a read-only file with every mart and the warehouse's row counts.
    assert paths.snapshot.is_file()
    assert not paths.snapshot.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    con = open_snapshot(paths.snapshot)
    try:
        for mart, n in counts.items():
            assert con.execute(f"SELECT count(*) FROM {SCHEMA}.{mart}").fetchone()[0] == n
        info = con.execute("SELECT version, published_at FROM publish.info").fetchone()
        with pytest.raises(duckdb.Error):  # read-only: a reader cannot change it
            con.execute("DELETE FROM marts.dim_period")
    finally:
        con.close()
    assert info == (manifest["version"], manifest["published_at"])
    assert not Path(f"{paths.snapshot}.wal").exists()

    # Parquet: `current` -> this version; stable names are the same files (hard links).
    root = paths.serving / "parquet"
    current = root / CURRENT
    assert current.is_symlink()
    assert Path(os.path.realpath(current)) == Path(manifest["parquet_dir"])
    assert Path(manifest["parquet_dir"]).name == manifest["version"]
    for mart in MART_COLUMNS:
        stable, versioned = root / f"{mart}.parquet", current / f"{mart}.parquet"
        assert os.path.samefile(stable, versioned)
        found = duckdb.sql(f"SELECT count(*) FROM read_parquet('{stable}')").fetchall()[0][0]
        assert found == counts[mart]

    # Report and manifest.
    assert "<svg" in paths.report.read_text(encoding="utf-8")
    on_disk = json.loads((paths.serving / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest == read_manifest(paths)
    assert manifest["row_counts"] == counts
    assert not [n for n in _visible(paths.serving) if ".tmp-" in n]


def test_republish_swaps_everything_to_the_new_build(paths: Paths, small_warehouse: Paths):
    first = publish(paths)
    install_warehouse(small_warehouse, paths)  # the next build
    counts = _counts(paths.warehouse)
    second = publish(paths)
    assert second["version"] != first["version"]
    assert ranking_rows(paths.snapshot) == counts["fct_province_ranking"]
    assert counts["fct_province_ranking"] != first["row_counts"]["fct_province_ranking"]
    root = paths.serving / "parquet"
    for stable in (root / "fct_enforcement.parquet", root / CURRENT / "fct_enforcement.parquet"):
        (found,) = duckdb.sql(f"SELECT count(*) FROM read_parquet('{stable}')").fetchall()[0]
        assert found == counts["fct_enforcement"]
    # The previous version directory is still there for readers that resolved it earlier.
    assert Path(first["parquet_dir"]).is_dir()


def test_a_failed_build_publishes_nothing_and_keeps_the_last_good_snapshot(paths: Paths):
    good = publish(paths)
    n_good = ranking_rows(paths.snapshot)
    before = _visible(paths.serving)
    report_before = paths.report.read_bytes()

    # dbt died half-way: one mart is missing from the warehouse.
    con = duckdb.connect(str(paths.warehouse))
    con.execute("DROP TABLE marts.fct_national_summary")
    con.execute("DELETE FROM marts.fct_province_ranking WHERE statistical_year = 2019")
    con.close()
    with pytest.raises(PublishError, match=r"marts\.fct_national_summary is missing") as err:
        publish(paths)
    assert good["published_at"] in str(err.value)  # says which snapshot stays

    assert ranking_rows(paths.snapshot) == n_good
    assert read_manifest(paths) == good
    assert paths.report.read_bytes() == report_before
    assert _visible(paths.serving) == before  # no temporary files left behind


def test_a_missing_column_is_refused_with_its_name(paths: Paths):
    con = duckdb.connect(str(paths.warehouse))
    con.execute("ALTER TABLE marts.fct_province_ranking DROP COLUMN rank_label")
    con.close()
    with pytest.raises(PublishError, match=r"fct_province_ranking lacks column\(s\) rank_label"):
        publish(paths)
    assert not paths.snapshot.exists()
    assert read_manifest(paths) is None


def test_a_corrupt_warehouse_file_is_refused(paths: Paths):
    good = publish(paths)
    paths.warehouse.write_bytes(b"not a duckdb file" * 1000)
    with pytest.raises(PublishError, match=str(paths.warehouse)):
        publish(paths)
    assert ranking_rows(paths.snapshot) == good["row_counts"]["fct_province_ranking"]


def test_no_warehouse_yet_is_a_clear_error(tmp_path: Path):
    paths = Paths(tmp_path / "home")
    with pytest.raises(PublishError, match=r"does not exist.*nothing had been published before"):
        publish(paths)
    assert not paths.snapshot.exists()


def test_a_warehouse_held_by_a_writer_is_not_copied(paths: Paths):
    """While dbt holds the warehouse open for writing, publish refuses (no torn copy)."""
    script = textwrap.dedent(
        f"""
        import duckdb, sys
        con = duckdb.connect({str(paths.warehouse)!r})
        print("locked", flush=True)
        sys.stdin.readline()
        """
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "locked"
        with pytest.raises(PublishError, match="dbt still writing"):
            publish(paths)
    finally:
        writer.communicate("\n", timeout=30)
    assert not paths.snapshot.exists()
    publish(paths)  # once the writer is gone, publishing works
    assert paths.snapshot.exists()


def test_committed_work_left_in_the_wal_is_published(paths: Paths):
    """A writer that died before its checkpoint leaves committed rows only in the WAL."""
    before = ranking_rows(paths.warehouse)
    script = textwrap.dedent(
        f"""
        import duckdb, os
        con = duckdb.connect({str(paths.warehouse)!r})
        con.execute("SET checkpoint_threshold = '10GB'")
        con.execute("DELETE FROM marts.fct_province_ranking WHERE statistical_year = 2019")
        os._exit(0)  # no close, no checkpoint
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert Path(f"{paths.warehouse}.wal").exists()
    publish(paths)
    n_2019 = 2 * 2 * 63  # two periods of 2019, two measures, 63 provinces
    assert ranking_rows(paths.snapshot) == before - n_2019
    assert not Path(f"{paths.snapshot}.wal").exists()


def test_old_parquet_versions_are_pruned(paths: Paths):
    versions = [publish(paths)["version"] for _ in range(KEEP_VERSIONS + 2)]
    kept = sorted(p.name for p in (paths.serving / "parquet" / VERSIONS).iterdir())
    assert kept == versions[-KEEP_VERSIONS:]


def test_publish_reads_the_snapshot_not_the_writer_file(paths: Paths, small_warehouse: Paths):
    """The report and Parquet come from the checked copy: rebuilding the warehouse after a
    publish changes nothing a reader sees until the next publish."""
    published = publish(paths)["row_counts"]["fct_province_ranking"]
    install_warehouse(small_warehouse, paths)  # the next build
    assert ranking_rows(paths.warehouse) != published
    assert ranking_rows(paths.snapshot) == published
    stable = paths.serving / "parquet" / "fct_province_ranking.parquet"
    (found,) = duckdb.sql(f"SELECT count(*) FROM read_parquet('{stable}')").fetchall()[0]
    assert found == published


def test_repo_root_is_where_the_tests_import_from():
    # The concurrency test starts a second interpreter in REPO_ROOT; keep that true.
    assert (REPO_ROOT / "tests" / "real_warehouse.py").is_file()
