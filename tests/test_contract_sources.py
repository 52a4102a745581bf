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
