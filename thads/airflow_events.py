"""Event-driven loads under Airflow: the landing zone as an Asset with a watcher.

`LandingArrivalTrigger` runs in the triggerer (an Airflow 3 event trigger, `BaseEventTrigger`):
it waits on the landing folder with `watchfiles` (inotify; polling where the folder is a
network mount, `THADS_LANDING_FORCE_POLLING=1`), waits until the new files stop changing,
and fires one event for them. The event updates the Asset `thads://landing`, which schedules
`thads_load`. The standard provider's file triggers delete the file they find, which a shared
inbox whose files must stay (they are archived by content, and listed) cannot have.

Coalescing: thads_load has max_active_runs=1, so events arriving while a load runs are
queued and taken by ONE next run (which loads everything unseen); thads_build, scheduled on
`thads://raw` with max_active_runs=1, likewise builds once for the events queued while it
ran. A burst of 34 provinces starts a few loads and a few builds, never 34 of each.

`schedule_on_arrivals()` is the load DAG's schedule: the landing asset OR the polling cron
of `thads.airflow_support.load_schedule` (THADS_LOAD_SCHEDULE, every 30 minutes), now a
safety poll for anything the watcher could not see (files that landed while the triggerer
was down, a CSV half that waited for its pair).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from thads.arrivals import signature, visible

#: The Asset a landing-zone arrival updates; thads_load is scheduled on it.
LANDING_ASSET_NAME = "thads_landing"
LANDING_ASSET_URI = "thads://landing"
#: The trigger only wakes the load; whether a file is complete is `ingest.readiness`'s rule
#: (THADS_SETTLE_SECONDS), and the run it starts waits out the rest of that time.
DEFAULT_STABLE_SECONDS = 2.0


class LandingArrivalTrigger(BaseEventTrigger):
    """Fires `{"landing", "files"}` each time files arrive (added or rewritten) in `landing`
    and have not changed for `stable_seconds`. Never returns: one trigger serves every
    arrival."""

    def __init__(
        self,
        landing: str,
        stable_seconds: float = DEFAULT_STABLE_SECONDS,
        force_polling: bool | None = None,
    ) -> None:
        super().__init__()
        self.landing = landing
        self.stable_seconds = stable_seconds
        self.force_polling = force_polling

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "landing": self.landing,
                "stable_seconds": self.stable_seconds,
                "force_polling": self.force_polling,
            },
        )

    async def _stable(self, files: set[Path]) -> None:
        before = signature(files)
        while True:
            await asyncio.sleep(self.stable_seconds)
            after = signature(files)
            if after == before:
                return
            before = after

    async def run(self) -> AsyncIterator[TriggerEvent]:
        import watchfiles

        landing = Path(self.landing)
        landing.mkdir(parents=True, exist_ok=True)
        self.log.info("watching %s for arrivals", landing)
        async for changes in watchfiles.awatch(
            landing,
            watch_filter=lambda change, path: change != watchfiles.Change.deleted and visible(path),
            recursive=False,
            force_polling=self.force_polling,
        ):
            # Polling (network mounts) also reports the folder itself as changed.
            files = {Path(path) for _change, path in changes if Path(path) != landing}
            await self._stable(files)
            names = sorted(
                p.name for p, sig in signature(files).items() if sig is not None and p.is_file()
            )
            if names:
                self.log.info("arrived in %s: %s", landing, ", ".join(names))
                yield TriggerEvent({"landing": str(landing), "files": names})


def landing_asset(landing: str | os.PathLike[str]) -> Any:
    """The landing zone as an Asset, watched by a `LandingArrivalTrigger` in the triggerer."""
    from airflow.sdk import Asset, AssetWatcher

    force = os.environ.get("THADS_LANDING_FORCE_POLLING", "").lower() in ("1", "true", "yes")
    trigger = LandingArrivalTrigger(str(Path(landing).resolve()), force_polling=force or None)
    return Asset(
        name=LANDING_ASSET_NAME,
        uri=LANDING_ASSET_URI,
        watchers=[AssetWatcher(name="thads_landing_arrivals", trigger=trigger)],
    )


def schedule_on_arrivals(landing: str | os.PathLike[str]) -> Any:
    """thads_load runs on an arrival in `landing`, or on the safety poll."""
    from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable

    from thads.airflow_support import load_schedule

    return AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(load_schedule(), timezone="Asia/Ho_Chi_Minh"),
        assets=[landing_asset(landing)],
    )
