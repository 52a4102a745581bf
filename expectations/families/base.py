"""What a rule family is: the three parts of a validation rule, in one class.

A family owns one or more checks of the suite and everything about them:
- `checks(config)`: the expectations (check column, catalogue rule id, bounds) that Great
  Expectations asserts and whose pandas mirror picks the batch's baseline;
- `compute(batch)`: its check columns, vectorised over the whole batch, plus any `detail`
  the explanation needs (e.g. the office sums a total row was compared with);
- `explain(check, rids, batch)` (or `explain_row` for one failing row): the findings, in the
  province's own words (`expectations.findings.at`).
Which rules exist, their severity and their wording are the catalogue's (`thads.rules`).
The batch machinery (`frame.prepare`, `gx_run.run_checks`, `findings.explain_outcomes`) is
generic: it never names a family.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from expectations.config import ValidationConfig
from expectations.findings import Located
from expectations.frame import Batch
from expectations.suites import Check


@dataclass
class Derived:
    """A family's check columns (name -> one value per frame row, NaN/None where the check
    does not apply) and what its explanation needs besides the frame."""

    columns: dict[str, np.ndarray]
    detail: Any = None


class Family(ABC):
    #: Stable within the code (a `Check.family`); not stored anywhere.
    name: ClassVar[str]
    #: Computed against the baseline of accepted periods (after the batch-only families,
    #: which decide the batch's submissions that may serve as a baseline).
    needs_history: ClassVar[bool] = False

    @abstractmethod
    def checks(self, config: ValidationConfig) -> list[Check]:
        """The family's expectations, in the order their findings are reported."""

    @abstractmethod
    def compute(self, batch: Batch) -> Derived:
        """The check columns of `checks` over the whole batch."""

    def explain(self, check: Check, rids: Sequence[int], batch: Batch) -> list[Located]:
        """The findings of the rows GX reported for `check`, in row order."""
        out: list[Located] = []
        for rid in sorted(rids):
            out += self.explain_row(check, rid, batch)
        return out

    def explain_row(self, check: Check, rid: int, batch: Batch) -> list[Located]:
        """The findings of one failing row (one per failing column where the check covers
        several). A family explains row by row here, or overrides `explain`."""
        raise NotImplementedError(f"{type(self).__name__} explains no row")

    def derive(self, batch: Batch) -> dict[str, np.ndarray]:
        """`compute`, keeping its detail in the batch for `explain`."""
        derived = self.compute(batch)
        batch.details[self.name] = derived.detail
        return derived.columns

    def detail(self, batch: Batch) -> Any:
        return batch.details[self.name]
