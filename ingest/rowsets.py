"""Many submissions' rows as slices of a few shared frames, and back to one frame fast.

A batch holds thousands of submissions of ~30 rows each. Building, pickling or
concatenating thousands of small DataFrames costs more than parsing them, so rows are
built as ONE frame per chunk/group and each `ParsedSubmission.rows` is a slice of it.
`combined_rows` puts the rows of any set of submissions back into one frame with one
`take` per shared frame instead of a concat of thousands of slices.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ingest.model import ParsedSubmission
from ingest.schema import conform, empty_rows

_SOURCE = "_rows_source"


class RowsSource:
    """Where a submission's `rows` slice was cut from. Never pickled (unpickles as None):
    a pickled submission carries its own rows, not the whole shared frame."""

    __slots__ = ("frame", "start", "stop", "view")

    def __init__(self, frame: pd.DataFrame, start: int, stop: int, view: pd.DataFrame) -> None:
        self.frame, self.start, self.stop, self.view = frame, start, stop, view

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(None), ())


def attach_rows(
    subs: list[ParsedSubmission],
    spans: Sequence[tuple[int, int] | None],
    frame: pd.DataFrame,
    reindex: bool = True,
) -> list[ParsedSubmission]:
    """Give each submission its slice of the shared frame. `reindex=False` keeps the
    frame's positions as the index (cheaper: the batch path does not need 0-based)."""
    for sub, span in zip(subs, spans, strict=True):
        if span is None:
            continue
        view = frame.iloc[span[0] : span[1]]
        if reindex:
            view = view.reset_index(drop=True)
        sub.rows = view
        sub.__dict__[_SOURCE] = RowsSource(frame, span[0], span[1], view)
    return subs


def combined_rows(subs: Sequence[ParsedSubmission]) -> pd.DataFrame:
    """The rows of `subs` (in their order) as one frame with a fresh 0-based index."""
    groups: dict[int, tuple[pd.DataFrame, list[np.ndarray]]] = {}
    loose: list[pd.DataFrame] = []
    order: list[tuple[str, int]] = []  # keep the submissions' order across groups
    for sub in subs:
        if sub.rows is None or not len(sub.rows):
            continue
        source = sub.__dict__.get(_SOURCE)
        # Only if the rows are still the slice we made (validation may have replaced them).
        if isinstance(source, RowsSource) and source.view is sub.rows:
            key = id(source.frame)
            if key not in groups:
                groups[key] = (source.frame, [])
                order.append(("g", key))
            groups[key][1].append(np.arange(source.start, source.stop))
        else:
            loose.append(sub.rows)
            order.append(("l", len(loose) - 1))
    parts = []
    for kind, key in order:
        if kind == "g":
            frame, ranges = groups[key]
            parts.append(frame.take(np.concatenate(ranges)))
        else:
            parts.append(loose[key])
    if not parts:
        return empty_rows()
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    return conform(pd.concat(parts, ignore_index=True))


def ordered_rows(subs: Sequence[ParsedSubmission], columns: Sequence[str]) -> pd.DataFrame:
    """Only `columns` of the rows of `subs`, strictly in the submissions' order, as one frame
    with a fresh 0-based index. Runs of submissions cut from the same shared frame are taken
    from it at once, after selecting the columns: the batch's rows are never copied whole
    first (what `pd.concat` of the full slices did, twice the validation frame's size)."""
    columns = list(columns)
    parts: list[pd.DataFrame] = []
    run: tuple[pd.DataFrame, list[np.ndarray]] | None = None

    def flush() -> None:
        if run is not None:
            parts.append(run[0][columns].take(np.concatenate(run[1])))

    for sub in subs:
        if sub.rows is None:
            continue
        source = sub.__dict__.get(_SOURCE)
        if isinstance(source, RowsSource) and source.view is sub.rows:
            if run is None or run[0] is not source.frame:
                flush()
                run = (source.frame, [])
            run[1].append(np.arange(source.start, source.stop))
        else:
            flush()
            run = None
            parts.append(sub.rows[columns])
    flush()
    if not parts:
        return empty_rows()[columns]
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    return pd.concat(parts, ignore_index=True)
