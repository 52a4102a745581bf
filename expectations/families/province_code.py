"""header.province_code: the code is one of the boundary set in force for the period
(63 provinces through the 8-month report of 2025, then 34)."""

from __future__ import annotations

import numpy as np

from expectations.config import ValidationConfig
from expectations.families.base import Derived, Family
from expectations.findings import Located, at, cell
from expectations.frame import Batch
from expectations.suites import Check
from thads import reference
from thads.contract import boundary_for

COLUMN = "sub_province_key"


def province_keys() -> tuple[str, ...]:
    """Valid `<boundary>-<code>` pairs: a code is valid only in the boundary set of its period."""
    return tuple(
        f"{b}-{code}"
        for b in (reference.LEGACY, reference.CURRENT)
        for code in sorted(reference.valid_codes(b))
    )


class ProvinceCode(Family):
    name = "province"

    def checks(self, config: ValidationConfig) -> list[Check]:
        return [
            Check(COLUMN, "header.province_code", self.name, "in_set", value_set=province_keys())
        ]

    def compute(self, batch: Batch) -> Derived:
        """`<boundary of the period>-<code>` on the anchor row of each submission."""
        first = batch.first_of_sub
        codes = batch.frame["province_code"].to_numpy(dtype=object)[first]
        years = batch.frame["statistical_year"].to_numpy()[first]
        months = batch.frame["months"].to_numpy()[first]
        column = np.full(batch.n, None, dtype=object)
        column[first] = [
            f"{boundary_for(int(y), int(m))}-{c}"
            for c, y, m in zip(codes, years, months, strict=True)
        ]
        return Derived({COLUMN: column})

    def explain_row(self, check: Check, rid: int, batch: Batch) -> list[Located]:
        boundary, code = str(cell(batch, COLUMN, rid)).split("-", 1)
        year = int(cell(batch, "statistical_year", rid))
        months = int(cell(batch, "months", rid))
        message = (
            f"province code {code!r} is not one of the {boundary} provinces in force for "
            f"the {months}-month report of {year}"
        )
        expected = f"a code of the {boundary} provinces"
        return [
            at(batch, check, rid, message, code, expected, at_row=False, boundary=int(boundary))
        ]
