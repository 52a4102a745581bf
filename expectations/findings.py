"""GX results back to the province's own words: one `Finding` per failing location.

A finding names the file, the sheet and row as the province sees them (`source_row`), the
column label as the province wrote it (`ParsedSubmission.labels`), the rule, what was
found and what was expected. Numbers are written plainly ("1234", "56.5"); the alert
renderer formats them the Vietnamese way.

This module is the generic part: `explain_outcomes` hands each failed check to its rule
family (`Family.explain`, `expectations/families/`), which words the finding with `at`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from expectations.frame import Batch
from expectations.gx_run import CheckOutcome
from expectations.suites import Check
from ingest.model import ParsedSubmission
from thads.contract import LABELS, Finding
from thads.rules import RULES

if TYPE_CHECKING:
    from expectations.families.base import Family

#: A finding of one submission: (its position in the batch, the finding).
Located = tuple[int, Finding]
SOURCE_ROW = -1  # "the failing row's own source_row" (None means: no row to point at)


def number(value: Any) -> str:
    """A figure as text: whole numbers without decimals, others with up to 3 decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "blank"
    x = float(value)
    if x.is_integer():
        return str(int(x))
    return f"{x:.3f}".rstrip("0").rstrip(".")


def label(sub: ParsedSubmission, measure: str, key: str) -> str:
    """The column label as the province wrote it (the canonical label if unknown)."""
    found = sub.labels.get((measure, key))
    return found[1] if found else LABELS[key]


def sub_file(sub: ParsedSubmission) -> str:
    return ", ".join(sub.file_names) or sub.submission_key


def value(batch: Batch, key: str, rid: int) -> float:
    """One figure (or check column) of one row."""
    figures = batch.values.get(key)
    return float(figures[rid] if figures is not None else batch.array(key)[rid])


def cell(batch: Batch, column: str, rid: int) -> Any:
    """One cell of the frame as stored (a code, a count, a row number)."""
    return batch.array(column)[rid]


def column_label(batch: Batch, rid: int, key: str) -> str:
    """The label of `key` as the row's province wrote it in the row's sheet."""
    sub = batch.submissions[int(cell(batch, "_sub", rid))]
    return label(sub, str(cell(batch, "measure", rid)), key)


def at(
    batch: Batch,
    check: Check,
    rid: int,
    message: str,
    observed: str | None,
    expected: str | None,
    *,
    column: str | None = None,
    at_row: bool = True,
    row: int | None = SOURCE_ROW,
    **extra: Any,
) -> Located:
    """The finding of `check` at row `rid`: file, sheet, row and column as the province sees
    them (`at_row=False`: a finding about the whole submission, no sheet/row/column)."""
    sub_i = int(cell(batch, "_sub", rid))
    sub = batch.submissions[sub_i]
    measure = str(cell(batch, "measure", rid))
    if column is None and check.key is not None:
        column = label(sub, measure, check.key)
    source_row = int(cell(batch, "source_row", rid)) if row == SOURCE_ROW else row
    finding = Finding(
        file=str(cell(batch, "source_file", rid)) if at_row else sub_file(sub),
        rule=check.rule,
        severity=RULES[check.rule].severity,
        message=message,
        sheet=str(cell(batch, "sheet", rid)) if at_row else None,
        row=source_row if at_row else None,
        column=column if at_row else None,
        observed=observed,
        expected=expected,
        extra={"measure": measure, **extra} if at_row else dict(extra),
    )
    return sub_i, finding


def explain_outcomes(
    batch: Batch, outcomes: Sequence[CheckOutcome], families: Mapping[str, Family]
) -> list[list[Finding]]:
    """Findings per submission position, in check order then row order."""
    out: list[list[Finding]] = [[] for _ in batch.submissions]
    for outcome in outcomes:
        if outcome.success:
            continue
        check = outcome.check
        for sub_i, finding in families[check.family].explain(check, outcome.unexpected_rids, batch):
            out[sub_i].append(finding)
    return out
