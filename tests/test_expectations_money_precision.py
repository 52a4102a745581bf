"""Money is compared to the đồng, not relatively: a transposed digit in a large amount
(the generator's `total_mismatch` defect: 301.706.707 written as 301.706.770 thousand đồng)
must quarantine the report, while float noise from decimals must not."""

from __future__ import annotations

from expectations import validate_batch
from tests.expectations_support import edit, scale, sub


def _money_total(s) -> float:
    rows = s.rows
    return float(rows.loc[(rows["measure"] == "money") & rows["is_total"], "completed"].iat[0])


def test_transposed_digit_in_a_large_money_total_is_an_error() -> None:
    bad = sub("30", 2024, 11)
    scale(bad, 1000)  # hundreds of millions of thousand đồng, like a real big province
    assert _money_total(bad) > 1e8  # so 63 is below a 1e-6 relative tolerance
    # Total row only: completed +63 (…707 -> …770), in_progress −63 keeps its identities.
    edit(bad, "money", "total", {"completed": 63, "in_progress": -63})
    good = sub("31", 2024, 11, seed=3)
    scale(good, 1000)
    result = validate_batch([bad, good])
    rules = {f.rule for f in result.findings[bad.submission_id]}
    assert "total.sum_of_offices" in rules
    assert bad.submission_id in result.quarantined
    assert good.submission_id not in result.quarantined


def test_decimal_money_float_noise_is_not_an_error() -> None:
    s = sub("33", 2024, 11)
    rows = s.rows
    money_offices = (rows["measure"] == "money") & ~rows["is_total"]
    first = rows.index[money_offices][0]
    # 0.1 + 0.2 style amounts: the office gains 0.1 + 0.2 in completed and loses 0.3 in
    # progress; the total row is recomputed from the edited offices in floating point.
    edit(s, "money", 0, {"completed": 0.1, "terminated": 0.2, "in_progress": -0.3})
    assert rows.loc[first, "completed"] % 1 != 0
    result = validate_batch([s])
    assert s.submission_id not in result.quarantined, result.findings[s.submission_id]
