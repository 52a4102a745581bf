"""The expectation suite as code: what a check is, and how it becomes a Great Expectations
expectation. Which checks there are is the rule families' business
(`expectations/families/`, one module per family); this module is the generic part.

The validation frame (`expectations.frame`) holds one row per tidy report row and one
derived column per check, e.g. `id__total_received` = (total_received - carried_over -
new_received) / tolerance. A check column is null where the check does not apply (a
submission-level check lives on one anchor row per submission; history checks only on total
rows that have a baseline), and Great Expectations ignores nulls in column map
expectations, so one suite and one run cover the whole batch.

Each `Check` is both the GX expectation and its pandas mirror (`violated`): the mirror is used
only to pick which batch submissions may serve as the baseline of later periods; the
findings themselves come from the GX results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from thads.rules import RULES

SUITE_NAME = "thads_report_rows"
#: Two figures are equal when they differ by at most max(ABS_TOL, REL_TOL * magnitude):
#: half a đồng (money is in thousands of đồng, written with up to 3 decimals) or float
#: rounding noise on very large sums. Anything a province could write differently (one
#: case, one thousand đồng) is a difference. Check columns hold diff / that unit, so the
#: suite's bounds are simply +-1.
ABS_TOL = 5e-4
REL_TOL = 1e-12


def gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(a - b) in units of the tolerance: |gap| <= 1 means equal."""
    unit = np.maximum(ABS_TOL, REL_TOL * np.maximum(np.abs(a), np.abs(b)))
    return (a - b) / unit


def worst(gaps: dict[str, np.ndarray], signed: bool) -> np.ndarray:
    """The check column of a many-column rule: the worst key of each row."""
    stacked = [g if signed else np.abs(g) for g in gaps.values()]
    return np.maximum.reduce(stacked)


@dataclass(frozen=True)
class Check:
    """One expectation on one column of the validation frame, declared by a rule family."""

    column: str  # the check column (or, for `compound_unique`, the first of `columns`)
    rule: str
    family: str  # the `Family.name` that computes the column and explains a failure
    kind: Literal["between", "in_set", "compound_unique"]
    key: str | None = None  # the contract column a finding points at (label lookup)
    min_value: float | None = None
    max_value: float | None = None
    value_set: tuple[Any, ...] = ()
    columns: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def between(
        cls, column: str, rule: str, family: str, lo: float | None, hi: float | None, **kw: Any
    ) -> Check:
        return cls(column, rule, family, "between", min_value=lo, max_value=hi, **kw)

    @property
    def severity(self) -> str:
        return RULES[self.rule].severity

    @property
    def frame_columns(self) -> tuple[str, ...]:
        return self.columns if self.kind == "compound_unique" else (self.column,)

    @property
    def description(self) -> str:
        """The rule as the catalogue words it, in English then Vietnamese."""
        r = RULES[self.rule]
        # GX treats "$name" in a description as a template parameter: the texts have none.
        return f"{r.id} ({r.severity}): {r.text_en} / {r.text_vi}"

    @property
    def notes(self) -> str:
        """How this expectation checks the rule, for whoever debugs the suite."""
        if self.kind == "between":
            lo = "-inf" if self.min_value is None else f"{self.min_value:g}"
            hi = "+inf" if self.max_value is None else f"{self.max_value:g}"
            how = f"column {self.column} within {lo}..{hi}"
        elif self.kind == "in_set":
            how = f"column {self.column} in the set of {len(self.value_set)} valid values"
        else:
            how = f"({', '.join(self.columns)}) unique"
        return (
            f"Checked as {how} (rule family {self.family!r}, see expectations/families/); "
            "rows where the rule does not apply hold null and are skipped."
        )

    def expectation(self) -> Any:
        """The Great Expectations expectation (imported lazily: GX takes seconds to import)."""
        import great_expectations.expectations as gxe

        # meta is how results find their way back to the check. The description is what the
        # Data Docs show instead of "id__total_received between -1 and 1": the rule as the
        # catalogue words it; the notes say how the check column encodes it.
        common: dict[str, Any] = {
            "meta": {"rule": self.rule, "check": self.column, "severity": self.severity},
            "severity": "critical" if self.severity == "error" else "warning",
            "description": self.description,
            "notes": self.notes,
        }
        if self.kind == "between":
            return gxe.ExpectColumnValuesToBeBetween(
                column=self.column, min_value=self.min_value, max_value=self.max_value, **common
            )
        if self.kind == "in_set":
            return gxe.ExpectColumnValuesToBeInSet(
                column=self.column, value_set=list(self.value_set), **common
            )
        return gxe.ExpectCompoundColumnsToBeUnique(
            column_list=list(self.columns), ignore_row_if="any_value_is_missing", **common
        )

    def violated(self, frame: pd.DataFrame) -> np.ndarray:
        """The pandas mirror of the expectation: True where GX would report the row."""
        if self.kind == "between":
            values = frame[self.column].to_numpy(dtype="float64", na_value=np.nan)
            bad = np.zeros(len(values), dtype=bool)
            with np.errstate(invalid="ignore"):
                if self.min_value is not None:
                    bad |= values < self.min_value
                if self.max_value is not None:
                    bad |= values > self.max_value
            return bad
        if self.kind == "in_set":
            col = frame[self.column]
            return (col.notna() & ~col.isin(self.value_set)).to_numpy()
        keys = frame[list(self.columns)]
        present = keys.notna().all(axis=1)
        return (present & keys.duplicated(keep=False)).to_numpy()


def build_suite(checks: Sequence[Check], name: str = SUITE_NAME) -> Any:
    """The GX ExpectationSuite of the checks (not yet added to a context)."""
    import great_expectations as gx

    return gx.ExpectationSuite(name=name, expectations=[c.expectation() for c in checks])
