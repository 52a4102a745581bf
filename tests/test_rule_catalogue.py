"""The rule catalogue (thads/rules.py) is complete: every rule has its Vietnamese and English
wording, and no code names a rule the catalogue does not have."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from ingest.parse import parse_paths
from thads.contract import Finding
from thads.notify.messages import finding_line_vi
from thads.rules import RULES, UnknownRule, rules_of

ROOT = Path(__file__).resolve().parents[1]
#: The project's own code (the generator writes defects on purpose but names no rules).
CODE_DIRS = ("ingest", "expectations", "thads", "dags")
GROUPS = sorted({r.group for r in RULES.values()})
#: A rule id, not a file name such as "targets.parquet".
RULE_ID = re.compile(rf"^(?:{'|'.join(GROUPS)})\.(?!(?:parquet|csv|json|xlsx)$)[a-z][a-z0-9_]*$")
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")


@pytest.mark.parametrize("rule_id", list(RULES))
def test_every_rule_has_vietnamese_and_english_wording(rule_id: str) -> None:
    r = RULES[rule_id]
    assert r.id == rule_id and r.severity in ("error", "warning")
    for text in (r.title_en, r.text_en, r.title_vi, r.text_vi):
        assert text.strip(), f"{rule_id}: empty wording"
    for text in (r.title_vi, r.text_vi):
        assert VIETNAMESE.search(text.lower()), f"{rule_id}: {text!r} is not Vietnamese"
    assert r.title_vi != r.title_en and r.text_vi != r.text_en


def rule_ids_in_code() -> dict[str, list[str]]:
    """Every string literal in the project's code that looks like a rule id, with where."""
    found: dict[str, list[str]] = {}
    for top in CODE_DIRS:
        for path in sorted((ROOT / top).rglob("*.py")):
            if path.name == "rules.py" and path.parent.name == "thads":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                value = node.value if isinstance(node, ast.Constant) else None
                if isinstance(value, str) and RULE_ID.match(value):
                    found.setdefault(value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_code_names_only_catalogued_rules() -> None:
    found = rule_ids_in_code()
    assert len(found) > 30  # the scan does see the parse and targets rules
    unknown = {rule_id: where for rule_id, where in found.items() if rule_id not in RULES}
    assert not unknown, f"rule ids used in code but not in thads/rules.py: {unknown}"


def test_every_catalogued_rule_is_checked_somewhere() -> None:
    # A catalogue entry no code emits would be a rule the province is told about but that
    # nothing enforces. Identity rules are emitted through `IDENTITY_RULES` (in the catalogue).
    found = set(rule_ids_in_code())
    dead = [r for r in RULES if r not in found and not r.startswith("identity.")]
    assert not dead


def test_a_finding_refuses_an_uncatalogued_rule_or_a_different_severity() -> None:
    with pytest.raises(UnknownRule, match="not in the catalogue"):
        Finding(file="f", rule="parse.made_up", severity="error", message="x")
    with pytest.raises(ValueError, match="is a warning in the catalogue"):
        Finding(file="f", rule="history.carried_over", severity="error", message="x")
    made = Finding.of("parse.header_missing_code", "f.xlsx", "x", sheet="Việc")
    assert made.severity == "warning" and made.sheet == "Việc"


def test_stages_cover_the_catalogue() -> None:
    stages = {
        stage: set(rules_of(stage)) for stage in ("parse", "validation", "targets", "approval")
    }
    assert set().union(*stages.values()) == set(RULES)
    assert all(r.startswith("targets.") for r in stages["targets"])
    assert all(r.startswith("parse.") for r in stages["parse"])
    assert all(r.startswith("approval.") for r in stages["approval"])


def _line_vi(f: Finding, year: int = 2024, months: int = 11) -> str:
    return finding_line_vi(
        {
            "rule": f.rule,
            "message": f.message,
            "sheet": f.sheet,
            "source_row": f.row,
            "column_label": f.column,
            "observed": f.observed,
            "expected": f.expected,
            "statistical_year": year,
            "months": months,
        }
    )


def test_parse_rules_reach_the_province_in_vietnamese(tmp_path: Path) -> None:
    # The four parse rules that used to have no Vietnamese title, from real files.
    broken = tmp_path / "THADS_80_2024_11.json"
    broken.write_text("{not json", encoding="utf-8")
    no_field = tmp_path / "THADS_02_2024_11.json"
    no_field.write_text(
        json.dumps({"submitted_at": "yesterday", "cases": [], "money": []}), encoding="utf-8"
    )
    findings = [f for sub in parse_paths([str(broken), str(no_field)]) for f in sub.findings]
    by_rule = {f.rule: f for f in findings}
    assert {"parse.invalid_json", "parse.missing_field", "parse.bad_submitted_at"} <= set(by_rule)
    for rule_id, f in by_rule.items():
        line = _line_vi(f)
        assert line.split(": ", 1)[1].startswith(RULES[rule_id].title_vi), line


def test_english_values_are_worded_in_vietnamese() -> None:
    f = Finding.of(
        "parse.not_a_number", "THADS_80_2024_11.xlsx", "not a number", sheet="Việc", row=9,
        column="Thụ lý mới", observed="'12a'", expected="a number",
    )  # fmt: skip
    line = _line_vi(f)
    assert "Giá trị đúng: a number" not in line
    assert "Giá trị đúng: một số (ví dụ 1.529 hoặc 93,2)." in line
    f = Finding.of(
        "history.outlier_rate", "THADS_80_2024_11.xlsx", "unusual", observed="40.00%",
        expected="near 80.50% (|z| <= 3.5)",
    )  # fmt: skip
    assert "Giá trị đúng: gần 80,50% (|z| ≤ 3,5)." in _line_vi(f)


def test_code_takes_severities_from_the_catalogue() -> None:
    # `Finding.of(rule_id, ...)`: no module writes a rule's severity down a second time.
    written = []
    for top in CODE_DIRS:
        for path in sorted((ROOT / top).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Finding"):
                    continue
                for kw in node.keywords:
                    if kw.arg == "severity" and isinstance(kw.value, ast.Constant):
                        written.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not written
