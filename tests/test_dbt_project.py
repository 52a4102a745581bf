"""The dbt project agrees with the contract in Python (no dbt run: these are fast)."""

from __future__ import annotations

import csv
import shutil

import yaml

from thads import contract, dbt_vars
from thads.build import dbt_env, dbt_executable, project_fingerprint
from thads.config import DBT_PROJECT_DIR, Paths


def project_vars() -> dict:
    return yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def test_generated_vars_have_not_drifted_from_the_contract():
    """dbt_project.yml's generated block is exactly what `python -m thads.dbt_vars` writes
    from thads.contract / thads.reference (rerun it after changing a contract fact)."""
    assert dbt_vars.written_block() == dbt_vars.render_block()
    v = project_vars()
    assert {k: v[k] for k in dbt_vars.contract_vars()} == dbt_vars.contract_vars()
    assert tuple(v["numeric_keys"]) == contract.NUMERIC_KEYS
    assert v["merger_year"] == contract.MERGER_YEAR and v["first_year"] == contract.FIRST_YEAR


def test_drift_is_detected_and_rewritten(tmp_path):
    """A hand edit of a generated var is caught, and `write` puts the contract's value back."""
    project = tmp_path / "dbt_project.yml"
    text = (DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")
    project.write_text(text.replace("merger_first_months: 9", "merger_first_months: 10"))
    assert dbt_vars.written_block(project) != dbt_vars.render_block()
    assert dbt_vars.write(project) is True
    assert project.read_text(encoding="utf-8") == text
    assert dbt_vars.write(project) is False


def test_the_boundary_rule_stated_with_the_vars_is_the_contract_rule():
    v = project_vars()
    for year in range(contract.FIRST_YEAR, 2028):
        for months in range(1, 13):
            dbt_rule = (
                v["current_boundary"]
                if year > v["merger_year"]
                or (year == v["merger_year"] and months >= v["merger_first_months"])
                else v["legacy_boundary"]
            )
            assert dbt_rule == contract.boundary_for(year, months), (year, months)


def test_national_targets_seed_matches_the_domain_brief():
    with open(DBT_PROJECT_DIR / "seeds" / "ref_national_targets.csv", encoding="utf-8") as f:
        rows = {int(r["statistical_year"]): r for r in csv.DictReader(f)}
    assert {
        y: (float(r["case_target_pct"]), float(r["money_target_pct"])) for y, r in rows.items()
    } == {
        2024: (83.25, 46.45),
        2025: (83.90, 51.90),
    }


def test_profile_points_at_the_warehouse_under_thads_home(tmp_path):
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    output = profile["thads"]["outputs"][profile["thads"]["target"]]
    assert output["type"] == "duckdb"
    assert output["path"] == "{{ env_var('THADS_HOME') }}/warehouse/thads.duckdb"
    paths = Paths.from_env(tmp_path / "relative" / ".." / "home")
    env = dbt_env(paths)
    assert env["THADS_HOME"] == str(tmp_path / "home")  # absolute, resolved
    assert env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "false"
    assert any(part.endswith("dbt") or part == "dbt.cli.main" for part in dbt_executable())


def test_every_mart_model_has_a_yml_with_tests():
    marts = DBT_PROJECT_DIR / "models" / "marts"
    for sql in marts.glob("*.sql"):
        spec = yaml.safe_load(sql.with_suffix(".yml").read_text())
        model = next(m for m in spec["models"] if m["name"] == sql.stem)
        assert model.get("description"), sql.stem
        column_tests = [c for c in model.get("columns", []) if c.get("data_tests")]
        assert model.get("data_tests") or column_tests, sql.stem


def test_project_fingerprint_follows_the_project_not_the_build_output(tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    before = project_fingerprint(project)
    assert project_fingerprint(DBT_PROJECT_DIR) == before
    (project / "target").mkdir()
    (project / "target" / "manifest.json").write_text("{}")
    (project / ".user.yml").write_text("id: x\n")
    assert project_fingerprint(project) == before
    seed = project / "seeds" / "ref_national_targets.csv"
    seed.write_text(seed.read_text() + "2026,84.0,52.0\n")
    assert project_fingerprint(project) != before
