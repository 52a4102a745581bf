"""One resubmission through `thads watch` (issue 17): landing to the new ranking published,
on the warm path a long-lived watcher gives (Great Expectations imported, the builder child
with dbt imported and its partial parse current).

The clock starts when the file's last byte is written into the landing folder and stops
when the published snapshot's ranking (`marts.fct_province_ranking`, what BI and the report
read) holds the resubmission's submission for its province and period. Beside it: when the
province's status was visible (the round), and the watcher's own steps (its settle wait,
then the build + publish in the warm builder child).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from bench.bench_feedback import POLL_SECONDS, Observer, Watcher, land
from bench.profile_load import copy_home
from bench.zones import Arrivals
from ingest.registry import Registry
from thads import pipeline
from thads.config import Paths

#: Give up on a resubmission whose ranking was not published within this long.
TIMEOUT_SECONDS = 600.0


@dataclass(frozen=True)
class WatchedFix:
    """Seconds from the file's last byte to: its status visible, the ranking published."""

    status_visible: float
    ranking_published: float
    #: The watcher's build + publish of that burst (its own clock, in the builder child).
    build_and_publish: float
    settle: float

    def describe(self) -> str:
        return (
            f"status visible {self.status_visible:.2f} s; the watcher builds once the landing "
            f"zone has been quiet for {self.settle:.0f} s (counted from the landing, beside "
            f"the round); build + publish in the warm builder child "
            f"{self.build_and_publish:.2f} s"
        )


def _registry_row(registry: Path, name: str) -> dict[str, Any] | None:
    try:
        with Registry(registry, readonly=True) as reader:
            rows = reader.listing()
    except Exception:  # a reader racing the writer's transaction: read again
        return None
    return next((row for row in rows if row["file"] == name), None)


def _ranked_submission(snapshot: Path, row: dict[str, Any]) -> str | None:
    """The submission the published ranking holds for the row's province and period."""
    if not snapshot.exists():
        return None
    try:
        con = duckdb.connect(str(snapshot), read_only=True)
    except duckdb.Error:  # renamed into place between our look and the open
        return None
    try:
        found = con.execute(
            "select max(submission_id) from marts.fct_province_ranking "
            "where province_code = ? and statistical_year = ? and months = ?",
            [row["province_code"], row["statistical_year"], row["months"]],
        ).fetchone()
    finally:
        con.close()
    return found[0] if found else None


def arrival_through_watch(
    arrivals: Arrivals,
    files: tuple[str, ...],
    seen: tuple[str, ...],
    home: Path,
    work: Path,
    warm: bool = True,
) -> WatchedFix:
    """`thads watch` on a copy of `home` (the warehouse that took `seen` in) with a landing
    folder holding `seen`; once it is warm, `files` land and are timed until the published
    ranking holds the last one's submission (module doc). `warm=False` (the smoke run)
    skips the build that makes a copied home's dbt partial parse current first."""
    shutil.rmtree(work, ignore_errors=True)
    home = copy_home(home, work / "home")
    landing = work / "landing"
    arrivals.land(seen, landing)
    source = arrivals.source
    paths = Paths.from_env(home)
    # A long-lived watcher has built this home before (dbt's partial parse is current for
    # it); a copied home has not: one build at start makes it so, as a restart would.
    if warm:
        pipeline.mark_publish_pending(paths)
    observer = Observer(paths.registry)
    watcher = Watcher(home, landing, observer.webhook.url)
    try:
        watcher.wait_for("warm", 300)
        watcher.wait_for("published" if warm else "watching", TIMEOUT_SECONDS)
        landed = land(source, files, landing)
        deadline = landed + TIMEOUT_SECONDS
        row = None
        while row is None or not row.get("submission_id"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"thads watch: {files[0]} not taken in")
            watcher.alive()
            time.sleep(POLL_SECONDS)
            row = _registry_row(paths.registry, files[-1])
        visible = time.monotonic()
        if row["status"] != "loaded":
            raise RuntimeError(f"thads watch: {files[-1]} was {row['status']}: {row['reasons']}")
        while _ranked_submission(paths.snapshot, row) != row["submission_id"]:
            if time.monotonic() > deadline:
                raise RuntimeError(f"thads watch: the ranking never showed {files[-1]}")
            watcher.alive()
            time.sleep(POLL_SECONDS)
        published = time.monotonic()
        build = watcher.wait_for("published", 60, after=landed)
    finally:
        watcher.stop()
        observer.stop()
    settle = next((step.get("settle_seconds") for step in watcher.events("watching")), float("nan"))
    return WatchedFix(visible - landed, published - landed, build["seconds"], settle)
