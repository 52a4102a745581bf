"""Contract: "a later cumulative period of the same year never has fewer total_received than
an earlier one" — also when the earlier period arrives after the later one was accepted."""

from __future__ import annotations

from expectations import validate_batch
from tests.expectations_support import copy_figures, history_of, sub


def test_a_late_earlier_period_above_the_accepted_later_one_is_refused() -> None:
    late = sub("24", 2024, 5)
    accepted_6 = sub("24", 2024, 6)
    copy_figures(accepted_6, late, 2)  # the 5-month report claims twice the 6-month figures
    fine = sub("25", 2024, 5, seed=2)
    accepted_6b = sub("25", 2024, 6, seed=2)
    copy_figures(fine, accepted_6b, 2)  # the 6-month report is above: consistent

    result = validate_batch([late, fine], history_of(accepted_6, accepted_6b))

    assert late.submission_id in result.quarantined
    found = [f for f in result.findings[late.submission_id] if f.rule == "history.cumulative"]
    assert found, result.findings[late.submission_id]
    f = found[0]
    assert "accepted 6-month report" in f.message and f.expected.startswith("<=")
    assert f.sheet and f.row and f.column  # points at the total row's cell
    assert fine.submission_id not in result.quarantined, result.findings[fine.submission_id]


def test_within_a_backfill_the_later_month_is_blamed_not_the_earlier() -> None:
    m4 = sub("26", 2024, 4)
    m5 = sub("26", 2024, 5)
    copy_figures(m5, m4, 2)  # month 4 is twice month 5: month 5 falls below it
    result = validate_batch([m4, m5])
    assert m5.submission_id in result.quarantined
    assert "history.cumulative" not in {f.rule for f in result.findings[m4.submission_id]}
