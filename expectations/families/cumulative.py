"""history.cumulative: new_received, total_received, completed and terminated accumulate over
the statistical year, so a report never has less than the previous accepted period of the
same year (history + the batch's good submissions; merged provinces against their former
provinces summed), and never more than a later period already ACCEPTED (an earlier report
arriving late; accepted history only, so within a backfill the later month is the one
blamed)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from expectations import history as hist
from expectations.config import ValidationConfig
from expectations.families.base import Derived, Family
from expectations.findings import Located, at, cell, column_label, number, value
from expectations.frame import Batch
from expectations.suites import Check, gap, worst

#: Figures that accumulate over the statistical year (flows, not stocks): a later period
#: never has less. Stocks such as in_progress or with_conditions may go down.
CUMULATIVE_KEYS: tuple[str, ...] = ("new_received", "total_received", "completed", "terminated")
DROP, RISE = "cum_drop", "cum_rise"


@dataclass
class Against:
    """One comparison: the other period's row per target rid, the per-key gaps, and how a
    finding words it."""

    other: pd.DataFrame
    gaps: pd.DataFrame
    months_column: str  # the other period's months in `other`
    comparison: str
    op: str
    context_key: str  # the finding's `extra` key naming the other period


class Cumulative(Family):
    name = "cumulative"
    needs_history = True

    def checks(self, config: ValidationConfig) -> list[Check]:
        return [
            Check.between(DROP, "history.cumulative", self.name, None, 1),
            Check.between(RISE, "history.cumulative", self.name, None, 1),
        ]

    def compute(self, batch: Batch) -> Derived:
        """The worst drop against the previous period, the worst rise above the next one."""
        previous = hist.previous_period(batch.targets, batch.pool)
        following = hist.next_period(batch.targets, batch.accepted)
        drop, drop_gaps = _worst_against(batch, previous, later=False)
        rise, rise_gaps = _worst_against(batch, following, later=True)
        detail = {
            DROP: Against(previous, drop_gaps, "prev_months", "less", ">=", "previous_months"),
            RISE: Against(following, rise_gaps, "next_months", "more", "<=", "next_months"),
        }
        return Derived({DROP: drop, RISE: rise}, detail)

    def explain_row(self, check: Check, rid: int, batch: Batch) -> list[Located]:
        """Each cumulative figure against the accepted report of another period of the same
        year (an earlier one: never less; a later one: never more)."""
        assert check.max_value is not None
        a: Against = self.detail(batch)[check.column]
        other_months = int(a.other.at[rid, a.months_column])
        months = int(cell(batch, "months", rid))
        out = []
        for key in CUMULATIVE_KEYS:
            if a.gaps.at[rid, key] <= check.max_value:
                continue
            name = column_label(batch, rid, key)
            current, bound = value(batch, key, rid), float(a.other.at[rid, key])
            message = (
                f"{name} of the {months}-month report is {a.comparison} than in the accepted "
                f"{other_months}-month report of the same year (cumulative figures never "
                "decrease)"
            )
            out.append(
                at(batch, check, rid, message, number(current), f"{a.op} {number(bound)}",
                   column=name, **{a.context_key: other_months})
            )  # fmt: skip
        return out


def _worst_against(
    batch: Batch, other: pd.DataFrame, later: bool
) -> tuple[np.ndarray, pd.DataFrame]:
    """Per key in tolerance units: the earlier period minus this one (a drop), or this one
    minus the later (a rise); the column holds the worst key of each row."""
    column = batch.empty_column()
    rids = other.index.to_numpy()
    gaps: dict[str, np.ndarray] = {}
    for k in CUMULATIVE_KEYS:
        this = batch.values[k][rids]
        that = other[k].to_numpy(dtype="float64")
        gaps[k] = gap(this, that) if later else gap(that, this)
    if len(rids):
        column[rids] = worst(gaps, signed=True)
    return column, pd.DataFrame(gaps, index=other.index)
