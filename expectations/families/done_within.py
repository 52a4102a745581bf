"""rate.done_within_conditions: completed + terminated never exceed with_conditions (the
enforcement rate is at most 100 %)."""

from __future__ import annotations

from expectations.config import ValidationConfig
from expectations.families.base import Derived, Family
from expectations.findings import Located, at, column_label, number, value
from expectations.frame import Batch
from expectations.suites import Check, gap

COLUMN = "done_within"


class DoneWithinConditions(Family):
    name = "done_within"

    def checks(self, config: ValidationConfig) -> list[Check]:
        return [
            Check.between(COLUMN, "rate.done_within_conditions", self.name, None, 1,
                          key="with_conditions"),
        ]  # fmt: skip

    def compute(self, batch: Batch) -> Derived:
        v = batch.values
        return Derived({COLUMN: gap(v["completed"] + v["terminated"], v["with_conditions"])})

    def explain_row(self, check: Check, rid: int, batch: Batch) -> list[Located]:
        done = value(batch, "completed", rid) + value(batch, "terminated", rid)
        with_conditions = value(batch, "with_conditions", rid)
        completed, terminated, within = (
            column_label(batch, rid, key) for key in ("completed", "terminated", "with_conditions")
        )
        message = f"{completed} + {terminated} must not exceed {within}"
        expected = f"<= {number(with_conditions)}"
        return [at(batch, check, rid, message, number(done), expected)]
