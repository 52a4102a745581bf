"""The validation frame of a batch: every tidy row plus one derived column per check.

Deriving the checks in pandas (vectorised, one pass over the whole batch) and letting Great
Expectations assert simple bounds on them is what keeps one GX run per batch fast: GX never
evaluates arithmetic row by row, it compares columns with constants.

This module is the generic part: `Batch` holds the rows and what several rule families
share (sheets, anchor rows, the history baseline); `prepare` asks each family
(`expectations/families/`) for its check columns, batch-only families first, then the
history families against a baseline made of accepted history and the batch's good
submissions.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from expectations import history as hist
from expectations.config import ValidationConfig
from ingest.model import ParsedSubmission
from ingest.rowsets import ordered_rows
from thads.contract import NUMERIC_KEYS

if TYPE_CHECKING:
    from expectations.families.base import Family

#: Row columns the validation needs (docs/interfaces.md "Tidy report rows").
REQUIRED_COLUMNS: tuple[str, ...] = (
    "province_code",
    "statistical_year",
    "months",
    "boundary",
    "revision",
    "measure",
    "office",
    "is_total",
    *NUMERIC_KEYS,
    "source_file",
    "sheet",
    "source_row",
    "arrival_time",
)


def concat_rows(submissions: Sequence[ParsedSubmission]) -> pd.DataFrame:
    """All rows in one frame with `_sub` = the submission's position: the needed columns
    taken from the shared frames the rows are slices of (`ingest.rowsets.ordered_rows`),
    never a copy of every column of the whole batch."""
    seen: set[tuple[str, ...]] = set()
    for sub in submissions:
        assert sub.rows is not None
        columns = tuple(sub.rows.columns)
        if columns in seen:
            continue
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise ValueError(
                f"{sub.submission_id}: tidy rows lack columns {missing} "
                "(docs/interfaces.md 'Tidy report rows')"
            )
        seen.add(columns)
    frames = [sub.rows for sub in submissions]
    lengths = np.fromiter((len(f) for f in frames), dtype=np.int64, count=len(frames))  # type: ignore[arg-type]
    frame = ordered_rows(submissions, REQUIRED_COLUMNS)
    frame["_sub"] = np.repeat(np.arange(len(frames), dtype=np.int64), lengths)
    frame.index.name = "_rid"
    return frame


class Batch:
    """One batch being validated: the frame (index `_rid`), the submissions (position =
    `_sub`), and what the rule families share, computed once on first use."""

    def __init__(
        self,
        submissions: Sequence[ParsedSubmission],
        history: pd.DataFrame,
        config: ValidationConfig,
    ) -> None:
        self.submissions = list(submissions)
        self.frame = concat_rows(self.submissions)
        self.history = history
        self.config = config
        #: per `_sub`: an error already without the history checks (set by `prepare`).
        self.bad_before_history = np.zeros(len(self.submissions), dtype=bool)
        #: family name -> what its `explain` needs besides the frame (`Derived.detail`).
        self.details: dict[str, Any] = {}
        self._arrays: dict[str, Any] = {}

    # --- the rows ----------------------------------------------------------------------------

    @property
    def n(self) -> int:
        return len(self.frame)

    def empty_column(self) -> np.ndarray:
        """A check column that applies nowhere yet (GX skips nulls)."""
        return np.full(self.n, np.nan)

    def array(self, column: str) -> Any:
        """One column of the prepared frame as an array, read once (for explaining findings
        row by row). A text column stays pandas' own string array (an item is a `str`, a
        mask gives the matching items): made into Python objects it would cost ~80 MiB per
        column at a million rows, for the few rows a finding names."""
        found = self._arrays.get(column)
        if found is None:
            series = self.frame[column]
            text = isinstance(series.dtype, pd.StringDtype)
            found = series.array if text else series.to_numpy(dtype=object)
            self._arrays[column] = found
        return found

    @cached_property
    def values(self) -> dict[str, np.ndarray]:
        """The 14 figures of every row, as float arrays."""
        return {k: self.frame[k].to_numpy(dtype="float64") for k in NUMERIC_KEYS}

    @cached_property
    def is_total(self) -> np.ndarray:
        return self.frame["is_total"].to_numpy(dtype=bool)

    @cached_property
    def sub_index(self) -> np.ndarray:
        return self.frame["_sub"].to_numpy()

    @cached_property
    def first_of_sub(self) -> np.ndarray:
        """The anchor row of each submission (its first row): where submission checks live."""
        return np.unique(self.sub_index, return_index=True)[1]

    # --- sheets: one per (submission, measure) -----------------------------------------------

    @cached_property
    def sheet_id(self) -> np.ndarray:
        return self.frame.groupby(["_sub", "measure"], sort=False).ngroup().to_numpy()

    @cached_property
    def n_sheets(self) -> int:
        return int(self.sheet_id.max()) + 1 if self.n else 0

    @cached_property
    def totals_per_sheet(self) -> np.ndarray:
        return np.bincount(self.sheet_id[self.is_total], minlength=self.n_sheets)

    @cached_property
    def single_total(self) -> np.ndarray:
        """Total rows of sheets with exactly one total row: the province's figures."""
        return self.is_total & (self.totals_per_sheet[self.sheet_id] == 1)

    # --- the history baseline (valid once `bad_before_history` is set) ----------------------

    @cached_property
    def targets(self) -> pd.DataFrame:
        """The total rows the history families judge."""
        return self.frame.loc[self.single_total]

    @cached_property
    def pool(self) -> pd.DataFrame:
        """Accepted history plus the batch's good total rows (`history.baseline_pool`)."""
        good_total = self.single_total & ~self.bad_before_history[self.sub_index]
        return hist.baseline_pool(self.history, self.frame.loc[good_total])

    @cached_property
    def accepted(self) -> pd.DataFrame:
        """Accepted history only (no batch rows)."""
        if not len(self.history):
            return self.history
        return hist.baseline_pool(self.history, self.frame.loc[[]])


def prepare(
    submissions: Sequence[ParsedSubmission],
    history: pd.DataFrame,
    families: Sequence[Family],
    config: ValidationConfig,
) -> Batch:
    """The batch with every family's check columns, for submissions that have rows."""
    batch = Batch(submissions, history, config)
    batch_only = [f for f in families if not f.needs_history]
    derived: dict[str, np.ndarray] = {}
    for family in batch_only:
        derived.update(family.derive(batch))
    # Added column by column: a concat with a frame of the derived columns copied the whole
    # batch frame and the derived columns twice (the peak memory of a large backfill).
    for name in list(derived):
        batch.frame[name] = derived.pop(name)

    # Which submissions are already refused without history: they do not serve as baseline.
    bad = np.array([s.has_errors for s in batch.submissions], dtype=bool)
    for family in batch_only:
        for check in family.checks(config):
            if check.severity != "error":
                continue
            hit = check.violated(batch.frame)
            if hit.any():
                bad[np.unique(batch.sub_index[hit])] = True
    batch.bad_before_history = bad

    history_columns: dict[str, np.ndarray] = {}
    for family in families:
        if family.needs_history:
            history_columns.update(family.derive(batch))
    for name, column in history_columns.items():
        batch.frame[name] = column
    return batch
