"""The validation rule families: one module per family, each with its check columns, its
Great Expectations expectations and how a violation is explained (`base.Family`).

FAMILIES is the suite, in the order findings are reported. A new validation rule: add it
to the catalogue (`thads/rules.py`, stage "validation"), write its family here (or add a
check to an existing one) and list it in FAMILIES; `tests/test_rule_families.py` fails on
a family that lacks a part and on a validation rule no family checks.
"""

from __future__ import annotations

from expectations.config import ValidationConfig
from expectations.families.base import Derived, Family
from expectations.families.carried_over import CarriedOver
from expectations.families.cumulative import Cumulative
from expectations.families.done_within import DoneWithinConditions
from expectations.families.identities import Identities
from expectations.families.no_negative import NoNegative
from expectations.families.office_unique import UniqueOffice
from expectations.families.one_total_row import OneTotalRow
from expectations.families.outliers import Outliers
from expectations.families.period import Period
from expectations.families.province_code import ProvinceCode
from expectations.families.sum_of_offices import SumOfOffices
from expectations.suites import Check

FAMILIES: tuple[Family, ...] = (
    # Submission level (one anchor row per submission).
    ProvinceCode(),
    Period(),
    # Sheet level.
    OneTotalRow(),
    UniqueOffice(),
    # Row level.
    Identities(),
    DoneWithinConditions(),
    NoNegative(),
    # Total rows only.
    SumOfOffices(),
    # History (total rows with a baseline).
    Cumulative(),
    CarriedOver(),
    Outliers(),
)
BY_NAME: dict[str, Family] = {family.name: family for family in FAMILIES}


def suite_checks(config: ValidationConfig) -> list[Check]:
    """Every check of the suite, in the order the findings are reported."""
    return [check for family in FAMILIES for check in family.checks(config)]


__all__ = ["BY_NAME", "FAMILIES", "Derived", "Family", "suite_checks"]
