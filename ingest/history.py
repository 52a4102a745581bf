"""History for validation: what the warehouse already accepted, read from the raw layer.

Validation compares a new report with the previous accepted period of the same province
(cumulative figures never go down within a year, carried-over chains, outliers); it reads
the STANDING versions only, i.e. submissions with status `loaded` in the registry.
"""

from __future__ import annotations

import pandas as pd

from ingest.raw import TOTALS_COLUMNS, read_report_rows
from ingest.registry import Registry
from thads.config import Paths


def load_accepted_totals(paths: Paths | None = None) -> pd.DataFrame:
    """Total rows (is_total) of the standing versions: one row per (province_code,
    statistical_year, months, measure) with boundary, the 14 numeric keys and
    submission_id. Empty (same columns) before the first load."""
    paths = paths or Paths.from_env()
    with Registry.open(paths, readonly=True) as registry:
        loaded = registry.loaded_submission_ids()
    frame = read_report_rows(paths, submission_ids=loaded, totals_only=True, columns=TOTALS_COLUMNS)
    return frame.sort_values(
        ["province_code", "statistical_year", "months", "measure"], ignore_index=True
    )
