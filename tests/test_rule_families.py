"""Each validation rule lives in one rule family (expectations/families/): its check
columns, its Great Expectations expectations and how a violation is explained. This walks
the families: none lacks a part, every validation rule of the catalogue has one, and on
submissions that break every rule each family's parts work together."""

from __future__ import annotations

import numpy as np
import pytest

from expectations.families import FAMILIES, Family, suite_checks
from expectations.frame import prepare
from tests.expectations_support import copy_figures, history_of, sub
from tests.test_expectations_rules import SCENARIO_CONFIG, scenario
from thads.rules import RULES, rules_of

CONFIG = SCENARIO_CONFIG


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_every_family_has_all_its_parts(family: Family) -> None:
    checks = family.checks(CONFIG)
    assert checks, f"{family.name}: no expectation"
    for check in checks:
        assert check.family == family.name
        assert RULES[check.rule].stage == "validation", check.rule
        assert check.description.startswith(f"{check.rule} ("), "Data Docs text"
        assert type(check.expectation()).__name__.startswith("Expect")
    # compute is abstract in Family (a family without it cannot be made); an explanation is
    # either per row or for all of a check's rows at once.
    explains = type(family).explain is not Family.explain
    explains_rows = type(family).explain_row is not Family.explain_row
    assert explains or explains_rows, f"{family.name}: no explanation of a violation"


def test_every_validation_rule_has_a_family_and_each_check_its_own_column() -> None:
    checks = suite_checks(CONFIG)
    assert set(rules_of("validation")) == {c.rule for c in checks}
    assert len({c.column for c in checks}) == len(checks)
    assert len({f.name for f in FAMILIES}) == len(FAMILIES)


@pytest.fixture(scope="module")
def broken():
    """The rules scenario prepared (no GX run): every rule broken at least once."""
    b = scenario()
    # ... and an earlier period arriving after a later one was accepted, with more.
    accepted_later, late = sub("36", 2024, 11), sub("36", 2024, 10)
    copy_figures(accepted_later, late, 2)
    subs = [*b.subs.values(), late]
    return prepare(subs, history_of(*b.history, accepted_later), FAMILIES, CONFIG)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_each_family_computes_its_columns_and_explains_what_it_finds(broken, family) -> None:
    for check in family.checks(CONFIG):
        assert set(check.frame_columns) <= set(broken.frame.columns), check.column
        rids = np.flatnonzero(check.violated(broken.frame)).tolist()
        assert rids, f"{check.rule}: the scenario breaks it, the check column must show it"
        findings = family.explain(check, rids, broken)
        assert findings, check.rule
        for sub_index, finding in findings:
            assert finding.rule == check.rule and finding.message
            assert 0 <= sub_index < len(broken.submissions)
