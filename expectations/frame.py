"""The validation frame: every tidy row of the batch plus one derived column per check.

Deriving the checks in pandas (vectorised, one pass over the whole batch) and letting Great
Expectations assert simple bounds on them is what keeps one GX run per batch fast: GX never
evaluates arithmetic row by row, it compares columns with constants.

Differences are expressed in units of the tolerance (`suites.gap`): |gap| <= 1 means equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from expectations import history as hist
from expectations.suites import CUMULATIVE_KEYS, HISTORY_FAMILIES, Check, gap, identity_column
from ingest.model import ParsedSubmission
from thads.contract import IDENTITIES, NUMERIC_KEYS, boundary_for, fold_label

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


@dataclass
class Prepared:
    """The validation frame (index `_rid`) and what the findings need to explain a failure."""

    frame: pd.DataFrame
    submissions: list[ParsedSubmission]  # position = `_sub`
    bad_before_history: np.ndarray  # per `_sub`: an error already without history checks
    office_sums: pd.DataFrame = field(default_factory=pd.DataFrame)  # by total-row rid
    previous: pd.DataFrame = field(default_factory=pd.DataFrame)  # by total-row rid
    following: pd.DataFrame = field(default_factory=pd.DataFrame)  # by total-row rid
    carry: pd.Series = field(default_factory=lambda: pd.Series(dtype="float64"))
    outliers: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: check column -> the per-key gaps its value is the worst of (rid x key), so that a
    #: finding names each failing column without computing the rule a second time.
    key_gaps: dict[str, pd.DataFrame] = field(default_factory=dict)


def _worst(gaps: dict[str, np.ndarray], signed: bool) -> np.ndarray:
    """The check column of a many-column rule: the worst key of each row."""
    stacked = [g if signed else np.abs(g) for g in gaps.values()]
    return np.maximum.reduce(stacked)


def _nan(n: int) -> np.ndarray:
    return np.full(n, np.nan)


def concat_rows(submissions: Sequence[ParsedSubmission]) -> pd.DataFrame:
    """All rows in one frame with `_sub` = the submission's position. One pd.concat of the
    whole frames: per-frame column selection costs more than the concat itself."""
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
    frame = pd.concat(frames, ignore_index=True)[list(REQUIRED_COLUMNS)]
    frame["_sub"] = np.repeat(np.arange(len(frames), dtype=np.int64), lengths)
    frame.index.name = "_rid"
    return frame


def prepare(
    submissions: Sequence[ParsedSubmission],
    history: pd.DataFrame,
    checks: Sequence[Check],
    min_history_years: int = 3,
    outlier_floors: tuple[float, float] = (2.0, 0.10),
) -> Prepared:
    """Build the frame for submissions that have rows (the caller filters)."""
    subs = list(submissions)
    frame = concat_rows(subs)
    n = len(frame)
    values = {k: frame[k].to_numpy(dtype="float64") for k in NUMERIC_KEYS}
    is_total = frame["is_total"].to_numpy(dtype=bool)
    sub_idx = frame["_sub"].to_numpy()
    derived: dict[str, np.ndarray] = {}

    # Row identities, completed + terminated <= with_conditions, no negatives.
    for i, (_, left, right) in enumerate(IDENTITIES):
        rhs = sum(sign * values[key] for key, sign in right.items())
        derived[identity_column(i)] = gap(values[left], rhs)
    done = values["completed"] + values["terminated"]
    derived["done_within"] = gap(done, values["with_conditions"])
    derived["min_figure"] = np.minimum.reduce([values[k] for k in NUMERIC_KEYS])

    # Sheets: one per (submission, measure).
    sheet_id = frame.groupby(["_sub", "measure"], sort=False).ngroup().to_numpy()
    n_sheets = int(sheet_id.max()) + 1 if n else 0
    totals_per_sheet = np.bincount(sheet_id[is_total], minlength=n_sheets)
    _, first_of_sheet = np.unique(sheet_id, return_index=True)
    anchor = _nan(n)
    anchor[first_of_sheet] = totals_per_sheet[sheet_id[first_of_sheet]]
    derived["sheet_total_rows"] = anchor
    single_total = is_total & (totals_per_sheet[sheet_id] == 1)

    # Total row = sum of the office rows (only where the sheet has exactly one total row):
    # the check column is the worst key of the row.
    offices = ~is_total
    sums, sum_gaps = {}, {}
    for key in NUMERIC_KEYS:
        per_sheet = np.bincount(sheet_id[offices], weights=values[key][offices], minlength=n_sheets)
        sums[key] = per_sheet[sheet_id]
        sum_gaps[key] = gap(values[key], sums[key])
    derived["sum_gap"] = np.where(single_total, _worst(sum_gaps, signed=False), np.nan)
    office_sums = pd.DataFrame(sums, index=frame.index)[single_total]
    key_gaps = {"sum_gap": pd.DataFrame(sum_gaps, index=frame.index)[single_total]}

    # One row per office: (sheet, folded office name) unique among office rows.
    folded = {name: fold_label(name) for name in frame["office"].unique()}
    office_key = frame["office"].map(folded).to_numpy(dtype=object, copy=True)
    office_key[is_total] = None
    derived["sheet_key"] = np.where(is_total, np.nan, sheet_id.astype("float64"))
    derived["office_key"] = office_key

    # Submission level, on the first row of each submission.
    _, first_of_sub = np.unique(sub_idx, return_index=True)
    codes = frame["province_code"].to_numpy(dtype=object)[first_of_sub]
    years = frame["statistical_year"].to_numpy()[first_of_sub]
    months = frame["months"].to_numpy()[first_of_sub]
    province_key = np.full(n, None, dtype=object)
    province_key[first_of_sub] = [
        f"{boundary_for(int(y), int(m))}-{c}" for c, y, m in zip(codes, years, months, strict=True)
    ]
    derived["sub_province_key"] = province_key
    for name, col in (("sub_months", months), ("sub_year", years)):
        arr = _nan(n)
        arr[first_of_sub] = col
        derived[name] = arr

    frame = pd.concat([frame, pd.DataFrame(derived, index=frame.index)], axis=1)

    # Which submissions are already refused without history: they do not serve as baseline.
    bad = np.array([s.has_errors for s in subs], dtype=bool)
    for check in checks:
        if check.family in HISTORY_FAMILIES or check.severity != "error":
            continue
        hit = check.violated(frame)
        if hit.any():
            bad[np.unique(sub_idx[hit])] = True

    prepared = Prepared(frame=frame, submissions=subs, bad_before_history=bad)
    prepared.office_sums = office_sums
    prepared.key_gaps = key_gaps
    _history_checks(prepared, history, single_total, min_history_years, outlier_floors)
    return prepared


def _history_checks(
    p: Prepared,
    history: pd.DataFrame,
    single_total: np.ndarray,
    min_history_years: int,
    outlier_floors: tuple[float, float],
) -> None:
    frame = p.frame
    n = len(frame)
    good_total = single_total & ~p.bad_before_history[frame["_sub"].to_numpy()]
    pool = hist.baseline_pool(history, frame.loc[good_total])
    targets = frame.loc[single_total]
    cols: dict[str, np.ndarray] = {}

    # Cumulative figures: the worst drop of the row, in tolerance units (<= 1: no drop).
    p.previous = hist.previous_period(targets, pool)
    cols["cum_drop"] = _cumulative(p, "cum_drop", p.previous, later=False)

    # ...and an earlier period arriving after a later one was ACCEPTED must not exceed it.
    # Only accepted history counts here: within a backfill batch the later report is the one
    # compared with its predecessor (above), so a good early month is never blamed for a bad
    # later one.
    accepted = hist.baseline_pool(history, frame.loc[[]]) if len(history) else history
    p.following = hist.next_period(targets, accepted)
    cols["cum_rise"] = _cumulative(p, "cum_rise", p.following, later=True)

    p.carry = hist.last_year_carry(targets, pool)
    arr = _nan(n)
    if len(p.carry):
        rids = p.carry.index.to_numpy()
        got = frame["carried_over"].to_numpy(dtype="float64")[rids]
        arr[rids] = gap(got, p.carry.to_numpy(dtype="float64"))
    cols["carry_gap"] = arr

    p.outliers = hist.outlier_scores(targets, pool, min_history_years, *outlier_floors)
    for name, metric in (("z_rate", "rate"), ("z_new_received", "new_received")):
        arr = _nan(n)
        scores = p.outliers[metric]
        if len(scores):
            arr[scores.index.to_numpy()] = scores["z"].to_numpy(dtype="float64")
        cols[name] = arr
    for name, arr in cols.items():
        frame[name] = arr


def _cumulative(p: Prepared, column: str, other: pd.DataFrame, later: bool) -> np.ndarray:
    """history.cumulative against another period of the year, per key in tolerance units:
    the earlier period minus this one (a drop), or this one minus the later (a rise)."""
    arr = _nan(len(p.frame))
    rids = other.index.to_numpy()
    gaps: dict[str, np.ndarray] = {}
    for k in CUMULATIVE_KEYS:
        this = p.frame[k].to_numpy(dtype="float64")[rids]
        that = other[k].to_numpy(dtype="float64")
        gaps[k] = gap(this, that) if later else gap(that, this)
    p.key_gaps[column] = pd.DataFrame(gaps, index=other.index)
    if len(rids):
        arr[rids] = _worst(gaps, signed=True)
    return arr
