"""`publish(paths)`: after a successful build, make the new warehouse visible to readers.

Order of work, so that a failure anywhere before the swap publishes nothing:
1. stage: copy the warehouse beside the snapshot, checkpoint, check it holds the marts;
   export every mart to Parquet in a new version directory; render the HTML report.
2. swap (renames only): snapshot, Parquet `current` and stable names, report, manifest.
Each published file is renamed into place, so a reader sees the old one or the new one.
Publishes are serialised by a lock file, so two loads finishing together cannot interleave.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from thads import log
from thads.config import Paths
from thads.durable import (
    atomic_write_bytes,
    atomic_write_text,
    exclusive_lock,
    fsync_dir,
    fsync_file,
    remove_stale_temps,
    temp_sibling,
)
from thads.publish import parquet, report
from thads.publish.snapshot import (
    commit_snapshot,
    file_mtime_utc,
    open_snapshot,
    stage_snapshot,
)

_log = log.get_logger("thads.publish")
MANIFEST_NAME = "manifest.json"


class PublishError(RuntimeError):
    """Nothing was published; the last good snapshot stays."""


def parquet_root(paths: Paths) -> Path:
    return paths.serving_parquet


def manifest_path(paths: Paths) -> Path:
    return paths.serving / MANIFEST_NAME


def new_version(now: datetime) -> str:
    """Sorts by time (prune keeps the newest), unique even within one microsecond."""
    return now.strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(2)


def read_manifest(paths: Paths) -> dict[str, Any] | None:
    path = manifest_path(paths)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def publish(paths: Paths | None = None) -> dict[str, Any]:
    """Publish `paths.warehouse` under `paths.serving`; return the manifest written.

    Raises PublishError (and publishes nothing) when the warehouse is missing, locked by a
    writer, or lacks a mart or key column of docs/interfaces.md.
    """
    paths = paths or Paths.from_env()
    paths.serving.mkdir(parents=True, exist_ok=True)
    root = parquet_root(paths)
    report_dir = paths.report.parent
    with exclusive_lock(paths.publish_lock):
        for directory in (paths.serving, root, root / parquet.VERSIONS, report_dir):
            remove_stale_temps(directory)
        now = datetime.now(UTC)
        version = new_version(now)
        info = {
            "version": version,
            "published_at": now.isoformat(timespec="seconds"),
            "source_warehouse": str(paths.warehouse),
            "source_mtime": file_mtime_utc(paths.warehouse) if paths.warehouse.exists() else "",
        }
        try:
            staged = stage_snapshot(paths.warehouse, paths.snapshot, info)
        except Exception as exc:
            _fail(paths, exc)
        staged_parquet: Path | None = None
        report_tmp = temp_sibling(paths.report, ".html")
        try:
            con = open_snapshot(staged.path, staged.catalog)
            try:
                staged_parquet = parquet.stage_parquet(
                    con, staged.catalog, root, version, staged.row_counts
                )
                html = report.render(con, generated_at=now)
            finally:
                con.close()
            report_dir.mkdir(parents=True, exist_ok=True)
            report_tmp.write_text(html, encoding="utf-8")
            fsync_file(report_tmp)
            os.chmod(report_tmp, 0o644)
        except Exception as exc:
            staged.path.unlink(missing_ok=True)
            report_tmp.unlink(missing_ok=True)
            if staged_parquet is not None:
                parquet.discard([staged_parquet])
            _fail(paths, exc)
        # --- swap: renames only from here on ---------------------------------------------
        commit_snapshot(staged, paths.snapshot)
        final_parquet = parquet.commit_parquet(root, staged_parquet, version)
        os.replace(report_tmp, paths.report)
        dbt_docs = _publish_dbt_docs(paths, report_dir)
        fsync_dir(report_dir)
        manifest = {
            **info,
            "snapshot": str(paths.snapshot),
            "parquet_dir": str(final_parquet),
            "report": str(paths.report),
            "dbt_docs": str(dbt_docs) if dbt_docs else None,
            "row_counts": staged.row_counts,
        }
        atomic_write_text(
            manifest_path(paths), json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        )
    log.event(
        _log,
        "published",
        version=version,
        snapshot=str(paths.snapshot),
        marts=len(staged.row_counts),
        rows=sum(staged.row_counts.values()),
    )
    return manifest


def _publish_dbt_docs(paths: Paths, report_dir: Path) -> Path | None:
    """The static dbt docs of the build (one self-contained HTML file), beside the report:
    model and column descriptions and lineage for analysts. None when docs were not built."""
    from thads.build import dbt_docs_dir

    source = dbt_docs_dir(paths) / "static_index.html"
    if not source.exists():
        return None
    dest = report_dir / "dbt_docs.html"
    atomic_write_bytes(dest, source.read_bytes())
    return dest


def _fail(paths: Paths, exc: Exception) -> None:
    last = read_manifest(paths)
    kept = (
        f"the last good snapshot (published {last['published_at']}) stays"
        if last
        else "nothing had been published before"
    )
    log.event(_log, "publish_failed", level=40, warehouse=str(paths.warehouse), error=str(exc))
    raise PublishError(f"publish of {paths.warehouse} failed: {exc}; {kept}") from exc
