"""Facts of the contract written once (thads/contract.py); every copy derives from it."""

from __future__ import annotations

from typing import get_args

import pytest

from ingest.targets import default_boundary
from thads import contract, reference
from thads.generate import plan


def test_boundary_sets_are_the_reference_sets() -> None:
    assert contract.BOUNDARIES == (reference.LEGACY, reference.CURRENT)
    assert set(contract.BOUNDARIES) == set(get_args(contract.Boundary))


@pytest.mark.parametrize("year", range(contract.FIRST_YEAR, contract.MERGER_YEAR + 3))
def test_year_boundary_follows_the_period_rule(year: int) -> None:
    per_period = {contract.boundary_for(year, m) for m in range(1, 13)}
    expected = per_period.pop() if len(per_period) == 1 else None
    assert contract.year_boundary(year) == expected == default_boundary(year)


def test_the_merger_year_holds_both_sets() -> None:
    assert contract.year_boundary(contract.MERGER_YEAR) is None
    assert contract.year_boundary(contract.MERGER_YEAR - 1) == 63
    assert contract.year_boundary(contract.MERGER_YEAR + 1) == 34


def test_the_generator_starts_at_the_contract_first_year() -> None:
    assert plan.FIRST_YEAR is contract.FIRST_YEAR


def _version(vid: str, arrival: str, revision: int = 1, seen: str = "2024-09-03") -> dict:
    return {"id": vid, "arrival_time": arrival, "revision": revision, "first_seen": seen}


def test_later_arrival_wins_then_higher_revision() -> None:
    # Contract section 3: a later arrival stands even with a lower revision tag ...
    early_r3 = _version("a", "2024-09-03T01:00:00Z", revision=3)
    late_r1 = _version("b", "2024-09-04T01:00:00Z", revision=1)
    assert [v["id"] for v in contract.newest_first([early_r3, late_r1])] == ["b", "a"]
    # ... and for the same arrival, the higher revision.
    same_r2 = _version("c", "2024-09-04T01:00:00Z", revision=2)
    assert contract.newest_first([late_r1, same_r2, early_r3])[0]["id"] == "c"
