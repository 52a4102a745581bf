"""period.months and period.year: a cumulative period is 1..12 months, and the statistical
year is within the accepted range (ValidationConfig: 2019 .. next year by default)."""

from __future__ import annotations

from expectations.config import ValidationConfig
from expectations.families.base import Derived, Family
from expectations.findings import Located, at, cell, number
from expectations.frame import Batch
from expectations.suites import Check

MONTHS, YEAR = "sub_months", "sub_year"


class Period(Family):
    name = "period"

    def checks(self, config: ValidationConfig) -> list[Check]:
        return [
            Check.between(MONTHS, "period.months", self.name, 1, 12),
            Check.between(YEAR, "period.year", self.name, config.min_year, config.max_year),
        ]

    def compute(self, batch: Batch) -> Derived:
        """The submission's months and year on its anchor row."""
        columns = {}
        for name, source in ((MONTHS, "months"), (YEAR, "statistical_year")):
            column = batch.empty_column()
            column[batch.first_of_sub] = batch.frame[source].to_numpy()[batch.first_of_sub]
            columns[name] = column
        return Derived(columns)

    def explain_row(self, check: Check, rid: int, batch: Batch) -> list[Located]:
        found = number(cell(batch, check.column, rid))
        if check.column == MONTHS:
            message = "a cumulative period is 1..12 months"
            return [at(batch, check, rid, message, found, "1..12", at_row=False)]
        expected = f"{batch.config.min_year}..{batch.config.max_year}"
        message = "the statistical year is outside the accepted range"
        return [at(batch, check, rid, message, found, expected, at_row=False)]
