"""The limits of validation, in one place (`ValidationConfig`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime

from thads.contract import FIRST_YEAR


@dataclass(frozen=True)
class ValidationConfig:
    """Tunable limits. The year range defaults to 2019 .. next year; THADS_MIN_YEAR and
    THADS_MAX_YEAR override it (e.g. to accept older archives)."""

    min_year: int = FIRST_YEAR
    max_year: int = field(default_factory=lambda: datetime.now(UTC).year + 1)
    min_history_years: int = 3
    #: MAD floors of the outlier rules: percentage points for rates, share of the median
    #: for new_received (see `expectations.history._modified_z`).
    outlier_min_mad_rate_pp: float = 2.0
    outlier_min_mad_share: float = 0.10

    @classmethod
    def from_env(cls) -> ValidationConfig:
        kwargs: dict[str, int] = {}
        if os.environ.get("THADS_MIN_YEAR"):
            kwargs["min_year"] = int(os.environ["THADS_MIN_YEAR"])
        if os.environ.get("THADS_MAX_YEAR"):
            kwargs["max_year"] = int(os.environ["THADS_MAX_YEAR"])
        return cls(**kwargs)
