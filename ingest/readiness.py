"""Which landing-zone files are ready to be read, for loads that poll a folder (the
`thads_load` DAG): a file still being copied, or a CSV half whose pair has not arrived yet,
is left for a later poll instead of being read half-written or refused as a lone half.

- A file is *settled* when it was last modified at least `settle_seconds` ago (a copy in
  progress keeps moving its modification time).
- A lone CSV half (`parse.missing_pair`) waits up to `pair_wait_seconds` after this module
  first saw it; then it goes through and is refused with `parse.missing_pair` as before.
  When it first appeared is kept in `state_file` (its modification time cannot say: a copy
  may keep the sender's time).

`thads load` on a folder does not wait: whoever runs it says the folder is complete.
A load started by an arrival (`wait_for_settling`, the event-driven `thads_load`) waits out
the rest of the settle time of files that are nearly settled instead of leaving them for a
later run: the event that started it may come before `settle_seconds` have passed, and the
next event may be a long way off.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from ingest.files import Candidate, Discovery

MISSING_PAIR = "parse.missing_pair"


@dataclass(frozen=True)
class Waiting:
    """A file left for a later poll, and why."""

    file: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "reason": self.reason}


@dataclass(frozen=True)
class Readiness:
    state_file: Path
    settle_seconds: float = 5.0
    pair_wait_seconds: float = 3600.0
    wait_for_settling: bool = False

    def until_settled(self, found: Discovery, now: float | None = None) -> float:
        """Seconds until every file of `found` still being written is settled, if it stops
        changing now (0 when none is). A file modified "in the future" (a sender's clock
        ahead of ours) is not nearly settled: it is left for a later run, never waited for."""
        now = time.time() if now is None else now
        files = [*found.targets, *(f for c in found.candidates for f in c.files)]
        ages = []
        for f in files:
            try:
                ages.append(now - f.path.stat().st_mtime)
            except OSError:
                continue  # gone: the parser reports it
        return max(
            (self.settle_seconds - age for age in ages if 0 <= age < self.settle_seconds),
            default=0.0,
        )

    def hold_back(
        self, found: Discovery, now: float | None = None
    ) -> tuple[Discovery, list[Waiting]]:
        """`found` without the files that are not ready, and those files with the reason.
        Records when each waiting lone half was first seen (and forgets the others)."""
        now = time.time() if now is None else now
        first_seen = self._read_state()
        seen_now: dict[str, float] = {}
        ready = Discovery()
        waiting: list[Waiting] = []
        for f in found.targets:
            if self._unsettled(f.path, now):
                waiting.append(Waiting(f.name, self._unsettled_reason(f.path, now)))
            else:
                ready.targets.append(f)
        for candidate in found.candidates:
            held = self._hold(candidate, now, first_seen, seen_now)
            if held:
                waiting.extend(held)
            else:
                ready.candidates.append(candidate)
        self._write_state(seen_now)
        return ready, waiting

    def _hold(
        self,
        candidate: Candidate,
        now: float,
        first_seen: dict[str, float],
        seen_now: dict[str, float],
    ) -> list[Waiting]:
        unsettled = [f for f in candidate.files if self._unsettled(f.path, now)]
        if unsettled:
            return [Waiting(f.name, self._unsettled_reason(f.path, now)) for f in unsettled]
        problem = candidate.problem
        if problem is None or problem.rule != MISSING_PAIR:
            return []
        (half,) = candidate.files
        key = str(half.path)
        since = first_seen.get(key, now)
        if now - since >= self.pair_wait_seconds:
            return []  # waited long enough: refused as a lone half
        seen_now[key] = since
        left = self.pair_wait_seconds - (now - since)
        return [Waiting(half.name, f"waiting for {problem.expected} ({left:.0f} s left)")]

    def _unsettled(self, path: Path, now: float) -> bool:
        try:
            return now - path.stat().st_mtime < self.settle_seconds
        except OSError:
            return False  # gone: the parser reports it

    def _unsettled_reason(self, path: Path, now: float) -> str:
        age = now - path.stat().st_mtime
        return f"still being written (modified {age:.1f} s ago, < {self.settle_seconds:g} s)"

    def _read_state(self) -> dict[str, float]:
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _write_state(self, seen: dict[str, float]) -> None:
        from thads.durable import atomic_write_text

        if not seen and not self.state_file.exists():
            return
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.state_file, json.dumps(seen, indent=1, sort_keys=True))
