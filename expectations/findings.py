"""GX results back to the province's own words: one `Finding` per failing location.

A finding names the file, the sheet and row as the province sees them (`source_row`), the
column label as the province wrote it (`ParsedSubmission.labels`), the rule, what was
found and what was expected. Numbers are written plainly ("1234", "56.5"); the alert
renderer formats them the Vietnamese way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from expectations.frame import Prepared
from expectations.gx_run import CheckOutcome
from expectations.suites import CUMULATIVE_KEYS, Check
from ingest.model import ParsedSubmission
from thads.contract import IDENTITIES, LABELS, NUMERIC_KEYS, Finding
from thads.rules import RULES

_SOURCE_ROW = -1  # "the failing row's own source_row" (None means: no row to point at)


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


class _Rows:
    """Column arrays of the validation frame, read once."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.sub = frame["_sub"].to_numpy()
        self.measure = frame["measure"].to_numpy(dtype=object)
        self.sheet = frame["sheet"].to_numpy(dtype=object)
        self.source_row = frame["source_row"].to_numpy()
        self.source_file = frame["source_file"].to_numpy(dtype=object)
        self.office = frame["office"].to_numpy(dtype=object)
        self.is_total = frame["is_total"].to_numpy(dtype=bool)

    def value(self, key: str, rid: int) -> float:
        return float(self.frame[key].iat[rid])


class FindingBuilder:
    def __init__(self, prepared: Prepared, min_year: int, max_year: int) -> None:
        self.p = prepared
        self.rows = _Rows(prepared.frame)
        self.min_year = min_year
        self.max_year = max_year

    # --- helpers ---------------------------------------------------------------------------

    def _finding(
        self,
        check: Check,
        rid: int,
        message: str,
        observed: str | None,
        expected: str | None,
        *,
        column: str | None = None,
        at_row: bool = True,
        row: int | None = _SOURCE_ROW,
        **extra: Any,
    ) -> tuple[int, Finding]:
        r = self.rows
        sub_i = int(r.sub[rid])
        sub = self.p.submissions[sub_i]
        measure = str(r.measure[rid])
        if column is None and check.key is not None:
            column = label(sub, measure, check.key)
        finding = Finding(
            file=str(r.source_file[rid]) if at_row else sub_file(sub),
            rule=check.rule,
            severity=RULES[check.rule].severity,
            message=message,
            sheet=str(r.sheet[rid]) if at_row else None,
            row=(int(r.source_row[rid]) if row == _SOURCE_ROW else row) if at_row else None,
            column=column if at_row else None,
            observed=observed,
            expected=expected,
            extra={"measure": measure, **extra} if at_row else dict(extra),
        )
        return sub_i, finding

    def _lab(self, rid: int, key: str) -> str:
        sub = self.p.submissions[int(self.rows.sub[rid])]
        return label(sub, str(self.rows.measure[rid]), key)

    # --- one method per family -------------------------------------------------------------

    def identity(self, check: Check, rid: int) -> tuple[int, Finding]:
        assert check.identity is not None
        name, left, right = IDENTITIES[check.identity]
        lhs = self.rows.value(left, rid)
        rhs = sum(sign * self.rows.value(k, rid) for k, sign in right.items())
        formula = ""
        for i, (key, sign) in enumerate(right.items()):
            op = ("" if sign > 0 else "-") if i == 0 else (" + " if sign > 0 else " - ")
            formula += f"{op}{self._lab(rid, key)}"
        message = f"{self._lab(rid, left)} must equal {formula} ({name})"
        return self._finding(check, rid, message, number(lhs), number(rhs))

    def negative(self, check: Check, rid: int) -> list[tuple[int, Finding]]:
        out = []
        for key in NUMERIC_KEYS:
            value = self.rows.value(key, rid)
            if value < check.min_value:
                message = f"{self._lab(rid, key)} must not be negative"
                out.append(
                    self._finding(check, rid, message, number(value), ">= 0",
                                  column=self._lab(rid, key))
                )  # fmt: skip
        return out

    def done_within(self, check: Check, rid: int) -> tuple[int, Finding]:
        done = self.rows.value("completed", rid) + self.rows.value("terminated", rid)
        with_cond = self.rows.value("with_conditions", rid)
        message = (
            f"{self._lab(rid, 'completed')} + {self._lab(rid, 'terminated')} must not exceed "
            f"{self._lab(rid, 'with_conditions')}"
        )
        return self._finding(check, rid, message, number(done), f"<= {number(with_cond)}")

    def total_sum(self, check: Check, rid: int) -> list[tuple[int, Finding]]:
        out = []
        gaps = self.p.key_gaps[check.column]
        for key in NUMERIC_KEYS:
            if abs(gaps.at[rid, key]) <= check.max_value:
                continue
            total = self.rows.value(key, rid)
            expected = float(self.p.office_sums.at[rid, key])
            message = (
                f"total row {self.rows.office[rid]!r}: {self._lab(rid, key)} must be the "
                "sum of the office rows"
            )
            out.append(
                self._finding(check, rid, message, number(total), number(expected),
                              column=self._lab(rid, key))
            )  # fmt: skip
        return out

    def one_total(self, check: Check, rid: int) -> tuple[int, Finding]:
        count = int(self.p.frame[check.column].iat[rid])
        r = self.rows
        if count == 0:
            message = "the sheet has no total row (Tổng cộng / Tổng số / Toàn tỉnh)"
            return self._finding(check, rid, message, "0", "1", row=None)
        same = (r.sub == r.sub[rid]) & (r.measure == r.measure[rid]) & r.is_total
        second = np.flatnonzero(same)[1]
        message = (
            f"the sheet has {count} total rows; the first is row {int(r.source_row[same][0])}, "
            f"again {r.office[second]!r}"
        )
        return self._finding(check, int(second), message, str(count), "1")

    def unique(self, check: Check, rids: Sequence[int]) -> list[tuple[int, Finding]]:
        frame = self.p.frame
        found = frame.loc[list(rids), ["sheet_key", "office_key"]].sort_index()
        out = []
        for _, group in found.groupby(["sheet_key", "office_key"], sort=False):
            first = int(group.index[0])
            for rid in group.index[1:]:
                rid = int(rid)
                office = str(self.rows.office[rid])
                message = (
                    f"office {office!r} is reported twice in the sheet "
                    f"(first at row {int(self.rows.source_row[first])})"
                )
                expected = f"one row per office (first at row {int(self.rows.source_row[first])})"
                out.append(self._finding(check, rid, message, office, expected))
        return out

    def province(self, check: Check, rid: int) -> tuple[int, Finding]:
        key = str(self.p.frame[check.column].iat[rid])
        boundary, code = key.split("-", 1)
        year = int(self.p.frame["statistical_year"].iat[rid])
        months = int(self.p.frame["months"].iat[rid])
        message = (
            f"province code {code!r} is not one of the {boundary} provinces in force for "
            f"the {months}-month report of {year}"
        )
        return self._finding(
            check,
            rid,
            message,
            code,
            f"a code of the {boundary} provinces",
            at_row=False,
            boundary=int(boundary),
        )

    def months(self, check: Check, rid: int) -> tuple[int, Finding]:
        value = self.p.frame[check.column].iat[rid]
        message = "a cumulative period is 1..12 months"
        return self._finding(check, rid, message, number(value), "1..12", at_row=False)

    def year(self, check: Check, rid: int) -> tuple[int, Finding]:
        value = self.p.frame[check.column].iat[rid]
        expected = f"{self.min_year}..{self.max_year}"
        message = "the statistical year is outside the accepted range"
        return self._finding(check, rid, message, number(value), expected, at_row=False)

    def cumulative(self, check: Check, rid: int) -> list[tuple[int, Finding]]:
        return self._cumulative_against(
            check, rid, self.p.previous, "prev_months", "less", ">=", "previous_months"
        )

    def cumulative_next(self, check: Check, rid: int) -> list[tuple[int, Finding]]:
        return self._cumulative_against(
            check, rid, self.p.following, "next_months", "more", "<=", "next_months"
        )

    def _cumulative_against(
        self,
        check: Check,
        rid: int,
        other: pd.DataFrame,
        months_column: str,
        comparison: str,
        op: str,
        context_key: str,
    ) -> list[tuple[int, Finding]]:
        """Each cumulative figure against the accepted report of another period of the same
        year (an earlier one: never less; a later one: never more)."""
        other_months = int(other.at[rid, months_column])
        months = int(self.p.frame["months"].iat[rid])
        out = []
        gaps = self.p.key_gaps[check.column]
        for key in CUMULATIVE_KEYS:
            if gaps.at[rid, key] <= check.max_value:
                continue
            current = self.rows.value(key, rid)
            bound = float(other.at[rid, key])
            message = (
                f"{self._lab(rid, key)} of the {months}-month report is {comparison} than in "
                f"the accepted {other_months}-month report of the same year (cumulative "
                "figures never decrease)"
            )
            out.append(
                self._finding(check, rid, message, number(current), f"{op} {number(bound)}",
                              column=self._lab(rid, key), **{context_key: other_months})
            )  # fmt: skip
        return out

    def carried_over(self, check: Check, rid: int) -> tuple[int, Finding]:
        got = self.rows.value("carried_over", rid)
        expected = float(self.p.carry.at[rid])
        year = int(self.p.frame["statistical_year"].iat[rid])
        message = (
            f"{self._lab(rid, 'carried_over')} should equal what the 12-month report of "
            f"{year - 1} carried to the next year (must_enforce - completed - terminated)"
        )
        return self._finding(check, rid, message, number(got), number(expected))

    def outlier(self, check: Check, rid: int, metric: str) -> tuple[int, Finding]:
        stats = self.p.outliers[metric].loc[rid]
        z, x, median, n = float(stats["z"]), float(stats["x"]), float(stats["median"]), stats["n"]
        months = int(self.p.frame["months"].iat[rid])
        if metric == "rate":
            what = (
                f"{self._lab(rid, 'completed')} + {self._lab(rid, 'terminated')} / "
                f"{self._lab(rid, 'with_conditions')}"
            )
            observed, mid = f"{x:.2f}%", f"{median:.2f}%"
            column = what
        else:
            what = self._lab(rid, "new_received")
            observed, mid = number(round(x, 3)), number(round(median, 3))
            column = None
        message = (
            f"{what} is unusual against the {months}-month reports of {int(n)} earlier years "
            f"(median {mid}, modified z-score {z:.1f}, threshold {check.max_value})"
        )
        expected = f"near {mid} (|z| <= {check.max_value})"
        return self._finding(
            check, rid, message, observed, expected, column=column, z=round(z, 2),
            median=median, years=int(n),
        )  # fmt: skip

    # --- all -------------------------------------------------------------------------------

    def build(self, outcomes: Sequence[CheckOutcome]) -> list[list[Finding]]:
        """Findings per submission position, in check order then row order."""
        out: list[list[Finding]] = [[] for _ in self.p.submissions]
        for outcome in outcomes:
            if outcome.success:
                continue
            check = outcome.check
            made: list[tuple[int, Finding]]
            if check.family == "unique":
                made = self.unique(check, outcome.unexpected_rids)
            else:
                made = []
                for rid in sorted(outcome.unexpected_rids):
                    one = self._one(check, rid)
                    made += one if isinstance(one, list) else [one]
            for sub_i, finding in made:
                out[sub_i].append(finding)
        return out

    def _one(self, check: Check, rid: int) -> tuple[int, Finding] | list[tuple[int, Finding]]:
        family = check.family
        if family == "outlier_rate":
            return self.outlier(check, rid, "rate")
        if family == "outlier_new":
            return self.outlier(check, rid, "new_received")
        method = getattr(self, family)
        return method(check, rid)
