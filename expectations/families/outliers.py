"""history.outlier_rate and history.outlier_new_received (warnings): the modified z-score
0.6745(x - median)/MAD of the rate, and of new_received, against the same period of >= 3
earlier years; MAD floored (ValidationConfig) so a near-constant history does not make an
ordinary year an outlier (`expectations.history.outlier_scores`)."""

from __future__ import annotations

import pandas as pd

from expectations import history as hist
from expectations.config import ValidationConfig
from expectations.families.base import Derived, Family
from expectations.findings import Located, at, cell, column_label, number
from expectations.frame import Batch
from expectations.suites import Check

Z_THRESHOLD = 3.5
#: check column -> the metric of `history.outlier_scores`.
METRICS = {"z_rate": "rate", "z_new_received": "new_received"}


class Outliers(Family):
    name = "outlier"
    needs_history = True

    def checks(self, config: ValidationConfig) -> list[Check]:
        z = Z_THRESHOLD
        return [
            Check.between("z_rate", "history.outlier_rate", self.name, -z, z,
                          key="with_conditions"),
            Check.between("z_new_received", "history.outlier_new_received", self.name, -z, z,
                          key="new_received"),
        ]  # fmt: skip

    def compute(self, batch: Batch) -> Derived:
        c = batch.config
        scores: dict[str, pd.DataFrame] = hist.outlier_scores(
            batch.targets, batch.pool, c.min_history_years,
            c.outlier_min_mad_rate_pp, c.outlier_min_mad_share,
        )  # fmt: skip
        columns = {}
        for name, metric in METRICS.items():
            column = batch.empty_column()
            found = scores[metric]
            if len(found):
                column[found.index.to_numpy()] = found["z"].to_numpy(dtype="float64")
            columns[name] = column
        return Derived(columns, scores)

    def explain_row(self, check: Check, rid: int, batch: Batch) -> list[Located]:
        metric = METRICS[check.column]
        stats = self.detail(batch)[metric].loc[rid]
        z, x, median, n = float(stats["z"]), float(stats["x"]), float(stats["median"]), stats["n"]
        months = int(cell(batch, "months", rid))
        column: str | None
        if metric == "rate":
            completed, terminated, within = (
                column_label(batch, rid, k) for k in ("completed", "terminated", "with_conditions")
            )
            what = f"{completed} + {terminated} / {within}"
            observed, mid = f"{x:.2f}%", f"{median:.2f}%"
            column = what
        else:
            what = column_label(batch, rid, "new_received")
            observed, mid = number(round(x, 3)), number(round(median, 3))
            column = None
        message = (
            f"{what} is unusual against the {months}-month reports of {int(n)} earlier years "
            f"(median {mid}, modified z-score {z:.1f}, threshold {check.max_value})"
        )
        expected = f"near {mid} (|z| <= {check.max_value})"
        return [
            at(batch, check, rid, message, observed, expected, column=column, z=round(z, 2),
               median=median, years=int(n))
        ]  # fmt: skip
