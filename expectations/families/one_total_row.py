"""total.one_row: exactly one total row per sheet."""

from __future__ import annotations

import numpy as np

from expectations.config import ValidationConfig
from expectations.families.base import Derived, Family
from expectations.findings import Located, at, cell
from expectations.frame import Batch
from expectations.suites import Check

COLUMN = "sheet_total_rows"


class OneTotalRow(Family):
    name = "one_total"

    def checks(self, config: ValidationConfig) -> list[Check]:
        return [Check.between(COLUMN, "total.one_row", self.name, 1, 1, key="office")]

    def compute(self, batch: Batch) -> Derived:
        """The sheet's number of total rows, on the sheet's first row."""
        _, first_of_sheet = np.unique(batch.sheet_id, return_index=True)
        column = batch.empty_column()
        column[first_of_sheet] = batch.totals_per_sheet[batch.sheet_id[first_of_sheet]]
        return Derived({COLUMN: column})

    def explain_row(self, check: Check, rid: int, batch: Batch) -> list[Located]:
        count = int(cell(batch, COLUMN, rid))
        if count == 0:
            message = "the sheet has no total row (Tổng cộng / Tổng số / Toàn tỉnh)"
            return [at(batch, check, rid, message, "0", "1", row=None)]
        measure, office = batch.array("measure"), batch.array("office")
        same = (
            (batch.sub_index == batch.sub_index[rid]) & (measure == measure[rid]) & batch.is_total
        )
        second = np.flatnonzero(same)[1]
        first_row = int(batch.array("source_row")[same][0])
        message = (
            f"the sheet has {count} total rows; the first is row {first_row}, "
            f"again {office[second]!r}"
        )
        return [at(batch, check, int(second), message, str(count), "1")]
