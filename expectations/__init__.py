"""Validation of parsed submissions with Great Expectations (issue 6).

`validate_batch(submissions, history, data_docs_dir)` runs the suite of the rule families
(`expectations.families`, one per validation rule) over a whole batch in one GX run and
returns findings per submission and the data-quality table. Rules and their severities:
`thads.rules`.
Great Expectations itself is imported only when a batch is validated (it takes seconds).
"""

from expectations.validate import (
    DQ_COLUMNS,
    ValidationConfig,
    ValidationResult,
    validate_batch,
    validate_for_ingest,
)
from thads.rules import RULES, Rule

__all__ = [
    "DQ_COLUMNS",
    "RULES",
    "Rule",
    "ValidationConfig",
    "ValidationResult",
    "validate_batch",
    "validate_for_ingest",
]
