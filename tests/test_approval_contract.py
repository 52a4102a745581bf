"""The names of contract section 7 live in Python (`thads.contract`, `ingest.registry`,
`thads.approval.state`); the dbt tests that check them must say the same."""

from __future__ import annotations

from pathlib import Path

import yaml

from ingest.registry import STATUSES
from thads.approval.state import ACTIONS
from thads.contract import FIGURE_STATUSES

MARTS = Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "marts"


def accepted_values(model: str, column: str) -> list[str]:
    spec = yaml.safe_load((MARTS / f"{model}.yml").read_text(encoding="utf-8"))
    (node,) = [m for m in spec["models"] if m["name"] == model]
    (col,) = [c for c in node["columns"] if c["name"] == column]
    (test,) = [t["accepted_values"] for t in col["data_tests"] if "accepted_values" in t]
    return test["arguments"]["values"]


def test_dbt_accepts_exactly_the_contract_values() -> None:
    assert sorted(accepted_values("fct_province_ranking", "figure_status")) == sorted(
        FIGURE_STATUSES
    )
    assert sorted(accepted_values("fct_approval_log", "action")) == sorted(ACTIONS)
    assert sorted(accepted_values("fct_submissions", "status")) == sorted(STATUSES)
