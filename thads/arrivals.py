"""Telling when files in the landing zone have arrived, for `thads watch` and the Airflow
trigger: which names count (not hidden temporaries, not Office lock files, as
`ingest.files.list_landing` skips them) and whether a file has stopped changing, so nothing
is read half-copied. Standard library only: the Airflow triggerer imports this."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

#: Names ingest never reads (ingest.files uses this): uploads in progress are written
#: under a hidden temporary name and renamed into place.
IGNORED_PREFIXES = (".", "~$")

Signature = dict[Path, tuple[int, int] | None]


def visible(path: str | os.PathLike[str]) -> bool:
    return not os.path.basename(path).startswith(IGNORED_PREFIXES)


def signature(paths: Iterable[Path]) -> Signature:
    """(size, mtime_ns) of each path, None once it is gone: equal twice = stopped changing."""
    out: Signature = {}
    for p in paths:
        try:
            st = p.stat()
            out[p] = (st.st_size, st.st_mtime_ns)
        except FileNotFoundError:
            out[p] = None
    return out
