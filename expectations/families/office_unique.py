"""office.unique: one row per office in a sheet (names compared without case and
diacritics)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from expectations.config import ValidationConfig
from expectations.families.base import Derived, Family
from expectations.findings import Located, at
from expectations.frame import Batch
from expectations.suites import Check
from thads.contract import fold_label

SHEET, OFFICE = "sheet_key", "office_key"


class UniqueOffice(Family):
    name = "unique"

    def checks(self, config: ValidationConfig) -> list[Check]:
        return [
            Check(SHEET, "office.unique", self.name, "compound_unique", key="office",
                  columns=(SHEET, OFFICE)),
        ]  # fmt: skip

    def compute(self, batch: Batch) -> Derived:
        """(sheet, folded office name) on office rows; null on total rows."""
        office = batch.frame["office"]
        folded = {name: fold_label(name) for name in office.unique()}
        office_key = office.map(folded).to_numpy(dtype=object, copy=True)
        office_key[batch.is_total] = None
        sheet_key = np.where(batch.is_total, np.nan, batch.sheet_id.astype("float64"))
        return Derived({SHEET: sheet_key, OFFICE: office_key})

    def explain(self, check: Check, rids: Sequence[int], batch: Batch) -> list[Located]:
        """Every repeat of an office after its first row, pointing at the first."""
        found = batch.frame.loc[list(rids), [SHEET, OFFICE]].sort_index()
        office, source_row = batch.array("office"), batch.array("source_row")
        out = []
        for _, group in found.groupby([SHEET, OFFICE], sort=False):
            first_row = int(source_row[int(group.index[0])])
            for rid in group.index[1:]:
                rid = int(rid)
                name = str(office[rid])
                message = (
                    f"office {name!r} is reported twice in the sheet (first at row {first_row})"
                )
                expected = f"one row per office (first at row {first_row})"
                out.append(at(batch, check, rid, message, name, expected))
        return out
