"""total.sum_of_offices: the total row is the sum of the office rows, per column (only in
sheets with exactly one total row; total.one_row speaks for the others)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from expectations.config import ValidationConfig
from expectations.families.base import Derived, Family
from expectations.findings import Located, at, column_label, number, value
from expectations.frame import Batch
from expectations.suites import Check, gap, worst
from thads.contract import NUMERIC_KEYS

COLUMN = "sum_gap"


@dataclass
class OfficeSums:
    """By total-row rid x key: the office rows' sum, and the total's gap from it."""

    sums: pd.DataFrame
    gaps: pd.DataFrame


class SumOfOffices(Family):
    name = "total_sum"

    def checks(self, config: ValidationConfig) -> list[Check]:
        return [Check.between(COLUMN, "total.sum_of_offices", self.name, None, 1)]

    def compute(self, batch: Batch) -> Derived:
        """The worst key of each single total row, in tolerance units."""
        offices = ~batch.is_total
        sheet_id, single = batch.sheet_id, batch.single_total
        # Only the single total rows are judged: sums and gaps for those rows alone (28
        # full-length columns would be ~250 MiB at a million rows, for ~1 row in 30).
        sheet_of_total = sheet_id[single]
        sums, gaps = {}, {}
        for key in NUMERIC_KEYS:
            figures = batch.values[key]
            per_sheet = np.bincount(
                sheet_id[offices], weights=figures[offices], minlength=batch.n_sheets
            )
            sums[key] = per_sheet[sheet_of_total]
            gaps[key] = gap(figures[single], sums[key])
        column = batch.empty_column()
        column[single] = worst(gaps, signed=False)
        index = batch.frame.index[single]
        detail = OfficeSums(pd.DataFrame(sums, index=index), pd.DataFrame(gaps, index=index))
        return Derived({COLUMN: column}, detail)

    def explain_row(self, check: Check, rid: int, batch: Batch) -> list[Located]:
        assert check.max_value is not None
        found: OfficeSums = self.detail(batch)
        office = batch.array("office")[rid]
        out = []
        for key in NUMERIC_KEYS:
            if abs(found.gaps.at[rid, key]) <= check.max_value:
                continue
            name = column_label(batch, rid, key)
            message = f"total row {office!r}: {name} must be the sum of the office rows"
            total, expected = value(batch, key, rid), float(found.sums.at[rid, key])
            out.append(at(batch, check, rid, message, number(total), number(expected), column=name))
        return out
