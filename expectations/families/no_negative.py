"""value.no_negative: no figure is negative (one finding per negative cell)."""

from __future__ import annotations

import numpy as np

from expectations.config import ValidationConfig
from expectations.families.base import Derived, Family
from expectations.findings import Located, at, column_label, number, value
from expectations.frame import Batch
from expectations.suites import Check
from thads.contract import NUMERIC_KEYS

COLUMN = "min_figure"


class NoNegative(Family):
    name = "negative"

    def checks(self, config: ValidationConfig) -> list[Check]:
        return [Check.between(COLUMN, "value.no_negative", self.name, 0, None)]

    def compute(self, batch: Batch) -> Derived:
        """The smallest figure of the row (one expectation instead of fourteen)."""
        return Derived({COLUMN: np.minimum.reduce([batch.values[k] for k in NUMERIC_KEYS])})

    def explain_row(self, check: Check, rid: int, batch: Batch) -> list[Located]:
        assert check.min_value is not None
        out = []
        for key in NUMERIC_KEYS:
            figure = value(batch, key, rid)
            if figure < check.min_value:
                name = column_label(batch, rid, key)
                message = f"{name} must not be negative"
                out.append(at(batch, check, rid, message, number(figure), ">= 0", column=name))
        return out
