"""The year-end close DAG with dag.test() on SQLite metadata: the summary from the published
warehouse, the standard provider's ApprovalOperator answered programmatically (the way the
api-server's HITL endpoint answers it), a rejection kept with its reason, an approval made
through the same call as `thads approve` and published."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.airflow_harness import airflow_env, migrate, run_dags, write_landing
from thads import pipeline
from thads.approval.close import reviews
from thads.config import Paths

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

DAG = "thads_year_end_close"


def _answer(option: str, note: str) -> dict:
    return {
        "task_id": "approve_final_figures",
        "chosen_options": [option],
        "params_input": {"note": note},
        "user": {"id": "a.nguyen", "name": "Nguyễn Văn A"},
    }


def test_year_end_close_rejects_then_approves(tmp_path: Path) -> None:
    home = tmp_path / "thads_home"
    paths = Paths.from_env(home).ensure()
    landing = write_landing(tmp_path / "landing", 2024, {"01": "json", "80": "json"}, seed=5)
    pipeline.load(landing.folder, paths, quiet=True)

    env = airflow_env(tmp_path / "airflow", THADS_HOME=str(home))
    migrate(env)
    conf = {"statistical_year": 2024}
    rejected, approved = run_dags(
        env,
        [
            {"dag_id": DAG, "conf": conf, "respond": _answer("Reject", "Hà Nội chưa đối chiếu")},
            {"dag_id": DAG, "conf": conf, "respond": _answer("Approve", "Số liệu năm 2024")},
        ],
        "year_end_close",
    )

    summary = rejected["xcoms"]["summarise_the_year"]
    assert (summary["n_reported"], summary["n_expected"], summary["n_missing"]) == (2, 63, 61)
    assert summary["cases_rate_pct"] is not None and "Reported: 2 of 63" in summary["body"]
    states = {t: v["state"] for t, v in rejected["tasks"].items()}
    assert states["approve_final_figures"] == "success"
    assert states["record_approval"] == states["build_and_publish"] == "skipped"
    assert states["record_rejection"] == "success"
    assert rejected["xcoms"]["record_rejection"]["reason"] == "Hà Nội chưa đối chiếu"

    states = {t: v["state"] for t, v in approved["tasks"].items()}
    assert states["record_approval"] == states["build_and_publish"] == "success", states
    assert states["record_rejection"] == "skipped"
    assert approved["xcoms"]["record_approval"]["decided"] == ["01", "80"]
    assert [(r["outcome"], r["by"], r["note"]) for r in reviews(paths)] == [
        ("rejected", "Nguyễn Văn A", "Hà Nội chưa đối chiếu"),
        ("approved", "Nguyễn Văn A", "Số liệu năm 2024"),
    ]
    with duckdb.connect(str(paths.snapshot), read_only=True) as con:
        log = con.execute(
            'select province_code, action, "by", note from marts.fct_approval_log '
            "order by province_code"
        ).fetchall()
    assert log == [
        ("01", "approve", "Nguyễn Văn A", "Số liệu năm 2024"),
        ("80", "approve", "Nguyễn Văn A", "Số liệu năm 2024"),
    ]
