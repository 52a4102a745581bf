"""publish(): the snapshot, Parquet, report and manifest, and what happens when it fails."""

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

from tests.publish_warehouse import build_warehouse
from thads.config import REPO_ROOT, Paths
from thads.publish import PublishError, publish, read_manifest
from thads.publish.marts import MART_COLUMNS
from thads.publish.parquet import CURRENT, KEEP_VERSIONS, VERSIONS
from thads.publish.snapshot import open_snapshot

SMALL = ((2024, 12), (2025, 8), (2025, 9))


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(tmp_path / "home")


def _version(snapshot: Path) -> int:
    con = open_snapshot(snapshot)
    try:
        (versions,) = con.execute(
            "SELECT list(DISTINCT build_version) FROM marts.fct_province_ranking"
        ).fetchone()
    finally:
        con.close()
    assert len(versions) == 1
    return versions[0]


def _visible(serving: Path) -> list[str]:
    """Every name under serving/, to show no temporary leftovers remain."""
    return sorted(str(p.relative_to(serving)) for p in serving.rglob("*"))


def test_publish_writes_snapshot_parquet_report_and_manifest(paths: Paths):
    counts = build_warehouse(paths.warehouse, periods=SMALL)
    manifest = publish(paths)

    # The snapshot: a read-only file with every mart and the warehouse's row counts.
    assert paths.snapshot.is_file()
    assert not paths.snapshot.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    con = open_snapshot(paths.snapshot)
    try:
        for mart, n in counts.items():
            assert con.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()[0] == n
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


def test_republish_swaps_everything_to_the_new_build(paths: Paths):
    build_warehouse(paths.warehouse, periods=SMALL, version=1)
    first = publish(paths)
    counts = build_warehouse(paths.warehouse, periods=SMALL[:2], version=2)
    second = publish(paths)
    assert second["version"] != first["version"]
    assert _version(paths.snapshot) == 2
    root = paths.serving / "parquet"
    for stable in (root / "fct_enforcement.parquet", root / CURRENT / "fct_enforcement.parquet"):
        row = duckdb.sql(
            f"SELECT list(DISTINCT build_version), count(*) FROM read_parquet('{stable}')"
        ).fetchall()[0]
        assert row == ([2], counts["fct_enforcement"])
    # The previous version directory is still there for readers that resolved it earlier.
    assert Path(first["parquet_dir"]).is_dir()


def test_a_failed_build_publishes_nothing_and_keeps_the_last_good_snapshot(paths: Paths):
    build_warehouse(paths.warehouse, periods=SMALL, version=1)
    good = publish(paths)
    before = _visible(paths.serving)
    report_before = paths.report.read_bytes()

    # dbt died half-way: one mart is missing from the warehouse.
    con = duckdb.connect(str(paths.warehouse))
    con.execute("DROP TABLE marts.fct_national_summary")
    con.execute("UPDATE marts.fct_province_ranking SET build_version = 99")
    con.close()
    with pytest.raises(PublishError, match=r"marts\.fct_national_summary is missing") as err:
        publish(paths)
    assert good["published_at"] in str(err.value)  # says which snapshot stays

    assert _version(paths.snapshot) == 1
    assert read_manifest(paths) == good
    assert paths.report.read_bytes() == report_before
    assert _visible(paths.serving) == before  # no temporary files left behind


def test_a_missing_column_is_refused_with_its_name(paths: Paths):
    build_warehouse(paths.warehouse, periods=SMALL)
    con = duckdb.connect(str(paths.warehouse))
    con.execute("ALTER TABLE marts.fct_province_ranking DROP COLUMN rank_label")
    con.close()
    with pytest.raises(PublishError, match=r"fct_province_ranking lacks column\(s\) rank_label"):
        publish(paths)
    assert not paths.snapshot.exists()
    assert read_manifest(paths) is None


def test_a_corrupt_warehouse_file_is_refused(paths: Paths):
    build_warehouse(paths.warehouse, periods=SMALL, version=1)
    publish(paths)
    paths.warehouse.write_bytes(b"not a duckdb file" * 1000)
    with pytest.raises(PublishError, match=str(paths.warehouse)):
        publish(paths)
    assert _version(paths.snapshot) == 1


def test_no_warehouse_yet_is_a_clear_error(paths: Paths):
    with pytest.raises(PublishError, match=r"does not exist.*nothing had been published before"):
        publish(paths)
    assert not paths.snapshot.exists()


def test_a_warehouse_held_by_a_writer_is_not_copied(paths: Paths):
    """While dbt holds the warehouse open for writing, publish refuses (no torn copy)."""
    build_warehouse(paths.warehouse, periods=SMALL)
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
    build_warehouse(paths.warehouse, periods=SMALL, version=1)
    script = textwrap.dedent(
        f"""
        import duckdb, os
        con = duckdb.connect({str(paths.warehouse)!r})
        con.execute("SET checkpoint_threshold = '10GB'")
        con.execute("UPDATE marts.fct_province_ranking SET build_version = 7")
        os._exit(0)  # no close, no checkpoint
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert Path(f"{paths.warehouse}.wal").exists()
    publish(paths)
    assert _version(paths.snapshot) == 7
    assert not Path(f"{paths.snapshot}.wal").exists()


def test_old_parquet_versions_are_pruned(paths: Paths):
    build_warehouse(paths.warehouse, periods=SMALL[:1])
    versions = [publish(paths)["version"] for _ in range(KEEP_VERSIONS + 2)]
    kept = sorted(p.name for p in (paths.serving / "parquet" / VERSIONS).iterdir())
    assert kept == versions[-KEEP_VERSIONS:]


def test_publish_reads_the_snapshot_not_the_writer_file(paths: Paths):
    """The report and Parquet come from the checked copy: rebuilding the warehouse after a
    publish changes nothing a reader sees until the next publish."""
    build_warehouse(paths.warehouse, periods=SMALL, version=1)
    publish(paths)
    build_warehouse(paths.warehouse, periods=SMALL, version=2)
    assert _version(paths.snapshot) == 1
    con = duckdb.connect()
    stable = paths.serving / "parquet" / "fct_province_ranking.parquet"
    (versions,) = con.execute(
        f"SELECT list(DISTINCT build_version) FROM read_parquet('{stable}')"
    ).fetchone()
    assert versions == [1]


def test_repo_root_is_where_the_tests_import_from():
    # The concurrency test starts a second interpreter in REPO_ROOT; keep that true.
    assert (REPO_ROOT / "tests" / "publish_warehouse.py").is_file()
