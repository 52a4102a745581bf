"""Baselines from accepted history, for the checks that compare a report with other periods.

The pool of baselines is one total row per (province_code, boundary, statistical_year,
months, measure): the standing accepted versions from THADS_HOME (`history`) overlaid with
the good submissions of the batch being validated (a backfill loads months 1..12 at once,
and the 5-month report must be compared with the 4-month one of the same batch).

Across the 2025 merger the codes change meaning (80 was Long An, is now the merged Tây
Ninh), so a report of the 34 current provinces is compared with its former provinces
rolled up (summed) into the current one, and only when all of them are in the pool.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from thads import reference
from thads.config import Paths
from thads.contract import NUMERIC_KEYS

PERIOD_KEYS = ["province_code", "boundary", "statistical_year", "months", "measure"]
HISTORY_COLUMNS: tuple[str, ...] = (
    "province_code",
    "statistical_year",
    "months",
    "boundary",
    "measure",
    *NUMERIC_KEYS,
)
#: Scale factor of the modified z-score (Iglewicz and Hoaglin).
Z_MAD = 0.6745


def empty_history() -> pd.DataFrame:
    data: dict[str, pd.Series] = {
        "province_code": pd.Series([], dtype="str"),
        "statistical_year": pd.Series([], dtype="int64"),
        "months": pd.Series([], dtype="int64"),
        "boundary": pd.Series([], dtype="int64"),
        "measure": pd.Series([], dtype="str"),
    }
    data.update({k: pd.Series([], dtype="float64") for k in NUMERIC_KEYS})
    return pd.DataFrame(data)


def load_history(paths: Paths | None = None) -> pd.DataFrame:
    """Total rows of the standing accepted versions in THADS_HOME; empty before any load."""
    paths = paths or Paths.from_env()
    if not paths.registry.exists():
        return empty_history()
    from ingest.history import load_accepted_totals

    return load_accepted_totals(paths)


def _normalise(frame: pd.DataFrame, priority: int) -> pd.DataFrame:
    missing = [c for c in HISTORY_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"history frame lacks columns {missing}")
    out = frame[list(HISTORY_COLUMNS)].copy()
    out["province_code"] = out["province_code"].astype("str")
    out["measure"] = out["measure"].astype("str")
    for col in ("statistical_year", "months", "boundary"):
        out[col] = out[col].astype("int64")
    for key in NUMERIC_KEYS:
        out[key] = out[key].astype("float64")
    out["_priority"] = priority
    if "arrival_time" in frame.columns:
        out["_arrival"] = pd.to_datetime(frame["arrival_time"], utc=True).to_numpy()
    else:
        out["_arrival"] = pd.Timestamp(0, tz="UTC")
    out["_revision"] = frame["revision"].to_numpy() if "revision" in frame.columns else 0
    return out


@cache
def _constituents() -> dict[str, int]:
    """Current province code -> how many legacy provinces it was made of."""
    counts: dict[str, int] = {}
    for current in reference.legacy_to_current().values():
        counts[current] = counts.get(current, 0) + 1
    return counts


def rollup_to_current(pool: pd.DataFrame) -> pd.DataFrame:
    """Legacy (63) rows summed into their current (34) province, complete groups only."""
    legacy = pool[pool["boundary"] == reference.LEGACY]
    if legacy.empty:
        return pool.iloc[0:0]
    mapping = reference.legacy_to_current()
    current = legacy["province_code"].map(mapping)
    legacy = legacy.assign(province_code=current)[current.notna()]
    keys = ["province_code", "statistical_year", "months", "measure"]
    grouped = legacy.groupby(keys, sort=False)
    summed = grouped[list(NUMERIC_KEYS)].sum()
    summed["_n"] = grouped.size()
    summed = summed.reset_index()
    complete = summed["_n"] == summed["province_code"].map(_constituents())
    summed = summed[complete].drop(columns="_n")
    summed["boundary"] = reference.CURRENT
    return summed


def baseline_pool(history: pd.DataFrame, batch_totals: pd.DataFrame) -> pd.DataFrame:
    """One baseline total row per period key: the batch's good submissions win over history
    (they arrived later), the latest arrival then the higher revision within the batch;
    plus legacy periods rolled up to the current boundary."""
    parts = [_normalise(history, 0)] if len(history) else []
    if len(batch_totals):
        parts.append(_normalise(batch_totals, 1))
    if not parts:
        return empty_history()
    pool = pd.concat(parts, ignore_index=True)
    pool = pool.sort_values(["_priority", "_arrival", "_revision"], kind="stable")
    pool = pool.drop_duplicates(PERIOD_KEYS, keep="last")
    pool = pool.drop(columns=["_priority", "_arrival", "_revision"])
    rolled = rollup_to_current(pool)
    if len(rolled):
        pool = pd.concat([pool, rolled[pool.columns]], ignore_index=True)
    return pool.reset_index(drop=True)


def previous_period(targets: pd.DataFrame, pool: pd.DataFrame) -> pd.DataFrame:
    """For each target total row (index kept), the latest pooled period of the same
    province, boundary, year and measure with fewer months: `prev_months` and the keys."""
    return _neighbour_period(targets, pool, later=False).rename(
        columns={"other_months": "prev_months"}
    )


def next_period(targets: pd.DataFrame, pool: pd.DataFrame) -> pd.DataFrame:
    """For each target total row, the earliest pooled period of the same province,
    boundary, year and measure with MORE months (an earlier period that arrives late must not
    exceed it): `next_months` and the keys."""
    return _neighbour_period(targets, pool, later=True).rename(
        columns={"other_months": "next_months"}
    )


def _neighbour_period(targets: pd.DataFrame, pool: pd.DataFrame, later: bool) -> pd.DataFrame:
    keys = ["province_code", "boundary", "statistical_year", "measure"]
    left = targets[[*keys, "months"]].reset_index(names="_t")
    right = pool[[*keys, "months", *NUMERIC_KEYS]].rename(columns={"months": "other_months"})
    merged = left.merge(right, on=keys, how="inner")
    if later:
        merged = merged[merged["other_months"] > merged["months"]]
    else:
        merged = merged[merged["other_months"] < merged["months"]]
    if merged.empty:
        return pd.DataFrame(columns=["other_months", *NUMERIC_KEYS])
    # The nearest period on that side: the largest earlier one, or the smallest later one.
    best = merged.sort_values(["_t", "other_months"]).drop_duplicates(
        "_t", keep="first" if later else "last"
    )
    return best.set_index("_t")[["other_months", *NUMERIC_KEYS]]


def last_year_carry(targets: pd.DataFrame, pool: pd.DataFrame) -> pd.Series:
    """For each target, last year's 12-month carried-to-next-year of the same province
    (must_enforce - completed - terminated), where that report is in the pool."""
    last = pool[pool["months"] == 12]
    last = last.assign(
        statistical_year=last["statistical_year"] + 1,
        carry=last["must_enforce"] - last["completed"] - last["terminated"],
    )
    keys = ["province_code", "boundary", "statistical_year", "measure"]
    left = targets[keys].reset_index(names="_t")
    merged = left.merge(last[[*keys, "carry"]], on=keys, how="inner")
    return merged.set_index("_t")["carry"]


def rate_pct(frame: pd.DataFrame) -> pd.Series:
    done = frame["completed"] + frame["terminated"]
    with_cond = frame["with_conditions"]
    return (done * 100.0 / with_cond).where(with_cond > 0)


def _modified_z(
    values: pd.DataFrame, metric: str, min_years: int, floor: float, floor_share: float
) -> pd.DataFrame:
    """values: one row per (target `_t`, earlier year) with `x` (the target's value) and
    `metric` (the earlier year's). Returns z, x, median, mad, n per target.

    The MAD is floored at `floor + floor_share * |median|`: with 3 to 6 earlier years the
    MAD can be nearly zero (a province that reported 80.1 %, 80.2 % and 80.2 %), and
    z = 0.6745 * 0.5 / 0.05 would call an ordinary year an outlier."""
    v = values.dropna(subset=[metric])
    grouped = v.groupby("_t")[metric]
    stats = pd.DataFrame({"median": grouped.median(), "n": grouped.size()})
    v = v.join(stats["median"], on="_t")
    v["_abs"] = (v[metric] - v["median"]).abs()
    stats["mad"] = v.groupby("_t")["_abs"].median()
    stats = stats[stats["n"] >= min_years]
    x = values.drop_duplicates("_t").set_index("_t")["x"].reindex(stats.index)
    scale = np.maximum(stats["mad"], floor + floor_share * stats["median"].abs())
    with np.errstate(divide="ignore", invalid="ignore"):
        z = Z_MAD * (x - stats["median"]) / scale
    stats["z"] = z.where(scale > 0)
    stats["x"] = x
    return stats.dropna(subset=["z"])


def outlier_scores(
    targets: pd.DataFrame,
    pool: pd.DataFrame,
    min_years: int = 3,
    rate_floor_pp: float = 2.0,
    new_floor_share: float = 0.10,
) -> dict[str, pd.DataFrame]:
    """Modified z-scores of each target's rate and new_received against the same period of
    the province's earlier years (only where `min_years` earlier years exist).
    Returns {"rate": frame, "new_received": frame}, each indexed by target with z, x,
    median, n. MAD floors: `rate_floor_pp` percentage points for rates, `new_floor_share`
    of the median for new_received."""
    keys = ["province_code", "boundary", "months", "measure"]
    left = targets[[*keys, "statistical_year"]].reset_index(names="_t")
    left["x_rate"] = rate_pct(targets).to_numpy()
    left["x_new"] = targets["new_received"].to_numpy()
    right = pool[[*keys, "statistical_year"]].rename(columns={"statistical_year": "year"})
    right = right.assign(rate=rate_pct(pool).to_numpy(), new=pool["new_received"].to_numpy())
    merged = left.merge(right, on=keys, how="inner")
    merged = merged[merged["year"] < merged["statistical_year"]]
    rate = _modified_z(
        merged.rename(columns={"x_rate": "x"}).dropna(subset=["x"]),
        "rate", min_years, rate_floor_pp, 0.0,
    )  # fmt: skip
    new = _modified_z(merged.rename(columns={"x_new": "x"}), "new", min_years, 0.0, new_floor_share)
    return {"rate": rate, "new_received": new}
