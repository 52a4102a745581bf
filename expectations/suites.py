"""The expectation suite as code: one Great Expectations expectation per check column.

The validation frame (`expectations.frame`) holds one row per tidy report row and one
derived column per check, e.g. `id__total_received` = (total_received - carried_over -
new_received) / scale. A check column is null where the check does not apply (a
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

from thads import reference
from thads.contract import IDENTITIES
from thads.rules import IDENTITY_RULES, RULES

SUITE_NAME = "thads_report_rows"
#: Two figures are equal when they differ by at most max(ABS_TOL, REL_TOL * magnitude):
#: half a đồng (money is in thousands of đồng, written with up to 3 decimals) or float
#: rounding noise on very large sums. Anything a province could write differently (one
#: case, one thousand đồng) is a difference. Check columns hold diff / that unit, so the
#: suite's bounds are simply +-1.
ABS_TOL = 5e-4
REL_TOL = 1e-12
#: Figures that accumulate over the statistical year (flows, not stocks): a later period
#: never has less. Stocks such as in_progress or with_conditions may go down.
CUMULATIVE_KEYS: tuple[str, ...] = ("new_received", "total_received", "completed", "terminated")
Z_THRESHOLD = 3.5


def gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(a - b) in units of the tolerance: |gap| <= 1 means equal."""
    unit = np.maximum(ABS_TOL, REL_TOL * np.maximum(np.abs(a), np.abs(b)))
    return (a - b) / unit


Family = Literal[
    "identity",
    "negative",
    "done_within",
    "total_sum",
    "one_total",
    "unique",
    "province",
    "months",
    "year",
    "cumulative",
    "cumulative_next",
    "carried_over",
    "outlier_rate",
    "outlier_new",
]


@dataclass(frozen=True)
class Check:
    """One expectation on one column of the validation frame."""

    column: str  # the check column (or, for `unique`, the first of `columns`)
    rule: str
    family: Family
    kind: Literal["between", "in_set", "compound_unique"]
    key: str | None = None  # the contract column a finding points at (label lookup)
    identity: int | None = None  # index into contract.IDENTITIES
    min_value: float | None = None
    max_value: float | None = None
    value_set: tuple[Any, ...] = ()
    columns: tuple[str, ...] = field(default_factory=tuple)

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
            f"Checked as {how} (see expectations/suites.py); rows where the rule does not "
            "apply hold null and are skipped."
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


def _between(column: str, rule: str, family: Family, lo: float | None, hi: float | None, **kw):
    return Check(column, rule, family, "between", min_value=lo, max_value=hi, **kw)


def identity_column(index: int) -> str:
    """`id__total_received` etc.: the rule name without its group."""
    return "id__" + IDENTITY_RULES[IDENTITIES[index][0]].split(".", 1)[1]


def province_keys() -> tuple[str, ...]:
    """Valid `<boundary>-<code>` pairs: a code is valid only in the boundary set of its period."""
    return tuple(
        f"{b}-{code}"
        for b in (reference.LEGACY, reference.CURRENT)
        for code in sorted(reference.valid_codes(b))
    )


def build_checks(min_year: int, max_year: int) -> list[Check]:
    """Every check of the suite, in the order the findings are reported.

    Checks that apply the same rule to many columns (no negatives, total = sum of offices,
    cumulative figures) are one expectation on the worst column of each row: GX time grows
    with the number of expectations, and the findings name each failing column anyway.
    """
    checks: list[Check] = [
        # Submission level (one anchor row per submission).
        Check("sub_province_key", "header.province_code", "province", "in_set",
              value_set=province_keys()),
        _between("sub_months", "period.months", "months", 1, 12),
        _between("sub_year", "period.year", "year", min_year, max_year),
        # Sheet level.
        _between("sheet_total_rows", "total.one_row", "one_total", 1, 1, key="office"),
        Check("sheet_key", "office.unique", "unique", "compound_unique", key="office",
              columns=("sheet_key", "office_key")),
    ]  # fmt: skip
    # Row level.
    for i, (name, left, _) in enumerate(IDENTITIES):
        checks.append(
            _between(identity_column(i), IDENTITY_RULES[name], "identity", -1, 1,
                     key=left, identity=i)
        )  # fmt: skip
    checks += [
        _between("done_within", "rate.done_within_conditions", "done_within", None, 1,
                 key="with_conditions"),
        _between("min_figure", "value.no_negative", "negative", 0, None),
        # Total rows only.
        _between("sum_gap", "total.sum_of_offices", "total_sum", None, 1),
        # History (total rows with a baseline).
        _between("cum_drop", "history.cumulative", "cumulative", None, 1),
        _between("cum_rise", "history.cumulative", "cumulative_next", None, 1),
        _between("carry_gap", "history.carried_over", "carried_over", -1, 1,
                 key="carried_over"),
        _between("z_rate", "history.outlier_rate", "outlier_rate", -Z_THRESHOLD, Z_THRESHOLD,
                 key="with_conditions"),
        _between("z_new_received", "history.outlier_new_received", "outlier_new",
                 -Z_THRESHOLD, Z_THRESHOLD, key="new_received"),
    ]  # fmt: skip
    return checks


#: Families whose checks need the baseline of accepted periods; all others are computed
#: from the batch alone (and decide which batch submissions may serve as a baseline).
HISTORY_FAMILIES: frozenset[str] = frozenset(
    {"cumulative", "cumulative_next", "carried_over", "outlier_rate", "outlier_new"}
)


def build_suite(checks: Sequence[Check], name: str = SUITE_NAME) -> Any:
    """The GX ExpectationSuite of the checks (not yet added to a context)."""
    import great_expectations as gx

    return gx.ExpectationSuite(name=name, expectations=[c.expectation() for c in checks])
