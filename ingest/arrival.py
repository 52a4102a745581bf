"""Arrival time (contract 6.1): when the warehouse first saw a file, never the sender's clock.

A load records every file it finds in the registry's `sightings` table before it parses
anything; the first sight of a (file name, content) is its arrival, whatever its mtime
says (a file dated 2099 can still be corrected; a resubmission copied with an old mtime
still wins). A CSV pair arrives when its second half was first seen (`Candidate`).

`thads load --trust-mtime` is for restoring a history the data team vouches for: the
arrival is then the file's mtime, but never later than its first sight.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from functools import partial

from ingest.files import Stamper
from ingest.model import SourceFile
from ingest.registry import Registry
from thads.config import Paths


def stamp_arrivals(
    paths: Paths, files: list[SourceFile], trust_mtime: bool = False
) -> list[SourceFile]:
    """The files with `arrival_time` and `first_seen` from the registry, recording the ones
    seen for the first time (now). Seen before: the recorded answer stands, unless
    `trust_mtime` moves it back to an earlier mtime."""
    if not files:
        return []
    now = datetime.now(UTC)
    with Registry.open(paths) as registry, registry.transaction():
        known = registry.record_sightings(
            [(f.name, f.sha256, f.mtime) for f in files], now, trust_mtime
        )
    out = []
    for f in files:
        first, arrival = known[(f.name, f.sha256)]
        out.append(replace(f, first_seen=first, arrival_time=arrival))
    return out


def stamper(paths: Paths, trust_mtime: bool = False) -> Stamper:
    """`stamp_arrivals` for `ingest.files.discover(..., stamp=...)`."""
    return partial(stamp_arrivals, paths, trust_mtime=trust_mtime)
