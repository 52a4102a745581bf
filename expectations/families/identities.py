"""identity.*: the row identities of the contract (`thads.contract.IDENTITIES`), one check
and one catalogue rule each (`thads.rules.IDENTITY_RULES`); a contract identity without a
rule fails at import."""

from __future__ import annotations

from expectations.config import ValidationConfig
from expectations.families.base import Derived, Family
from expectations.findings import Located, at, column_label, number, value
from expectations.frame import Batch
from expectations.suites import Check, gap
from thads.contract import IDENTITIES
from thads.rules import IDENTITY_RULES

#: rule id -> (the identity as written in the contract, left key, {right key: sign}).
BY_RULE = {IDENTITY_RULES[name]: (name, left, right) for name, left, right in IDENTITIES}


def identity_column(rule: str) -> str:
    """`id__total_received` etc.: the rule name without its group."""
    return "id__" + rule.split(".", 1)[1]


class Identities(Family):
    name = "identity"

    def checks(self, config: ValidationConfig) -> list[Check]:
        return [
            Check.between(identity_column(rule), rule, self.name, -1, 1, key=left)
            for rule, (_, left, _) in BY_RULE.items()
        ]

    def compute(self, batch: Batch) -> Derived:
        """left - right of each identity, in tolerance units."""
        values = batch.values
        columns = {}
        for rule, (_, left, right) in BY_RULE.items():
            rhs = sum(sign * values[key] for key, sign in right.items())
            columns[identity_column(rule)] = gap(values[left], rhs)
        return Derived(columns)

    def explain_row(self, check: Check, rid: int, batch: Batch) -> list[Located]:
        name, left, right = BY_RULE[check.rule]
        lhs = value(batch, left, rid)
        rhs = sum(sign * value(batch, k, rid) for k, sign in right.items())
        formula = ""
        for i, (key, sign) in enumerate(right.items()):
            op = ("" if sign > 0 else "-") if i == 0 else (" + " if sign > 0 else " - ")
            formula += f"{op}{column_label(batch, rid, key)}"
        message = f"{column_label(batch, rid, left)} must equal {formula} ({name})"
        return [at(batch, check, rid, message, number(lhs), number(rhs))]
