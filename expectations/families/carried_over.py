"""history.carried_over (warning): carried_over = what last year's 12-month report carried
to the next year (must_enforce - completed - terminated)."""

from __future__ import annotations

from expectations import history as hist
from expectations.config import ValidationConfig
from expectations.families.base import Derived, Family
from expectations.findings import Located, at, cell, column_label, number, value
from expectations.frame import Batch
from expectations.suites import Check, gap

COLUMN = "carry_gap"


class CarriedOver(Family):
    name = "carried_over"
    needs_history = True

    def checks(self, config: ValidationConfig) -> list[Check]:
        return [Check.between(COLUMN, "history.carried_over", self.name, -1, 1, key="carried_over")]

    def compute(self, batch: Batch) -> Derived:
        carry = hist.last_year_carry(batch.targets, batch.pool)
        column = batch.empty_column()
        if len(carry):
            rids = carry.index.to_numpy()
            column[rids] = gap(batch.values["carried_over"][rids], carry.to_numpy(dtype="float64"))
        return Derived({COLUMN: column}, carry)

    def explain_row(self, check: Check, rid: int, batch: Batch) -> list[Located]:
        got = value(batch, "carried_over", rid)
        expected = float(self.detail(batch).at[rid])
        year = int(cell(batch, "statistical_year", rid))
        message = (
            f"{column_label(batch, rid, 'carried_over')} should equal what the 12-month report "
            f"of {year - 1} carried to the next year (must_enforce - completed - terminated)"
        )
        return [at(batch, check, rid, message, number(got), number(expected))]
