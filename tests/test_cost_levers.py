"""The fixed costs a load must not pay for nothing (issue 17), each checked in a fresh
process where an import or a dbt call would show."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_notify import dq_rows
from thads.config import Paths


def run_python(code: str, home: Path, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("THADS_ALERT", "THADS_SMTP"))}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "THADS_HOME": str(home), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


ALERTS = """
import json, sys
from thads import pipeline
out = pipeline.send_alerts("b-1")
print(json.dumps({"out": out, "pandas": "pandas" in sys.modules,
                  "messages": "thads.notify.messages" in sys.modules}))
"""


def test_alerts_with_no_channel_compose_nothing_and_import_nothing_heavy(tmp_path: Path) -> None:

    paths = Paths.from_env(tmp_path).ensure()
    paths.data_quality.mkdir(parents=True)
    dq_rows().to_parquet(paths.data_quality / "b-1.parquet")
    waiting = {"key": "webhook:x", "channel": "webhook", "alert": {}, "attempts": 1}
    paths.outbox.write_text(json.dumps(waiting) + "\n", encoding="utf-8")

    got = json.loads(run_python(ALERTS, tmp_path))
    assert got["pandas"] is False and got["messages"] is False
    assert got["out"]["channels"] == [] and got["out"]["sent"] == 0
    # What waits for a channel configured another day stays in the outbox, counted.
    assert got["out"]["pending"] == 1
    assert paths.outbox.read_text(encoding="utf-8").count("webhook:x") == 1

    # With a channel, the same step composes and delivers the batch's alerts.
    folder = tmp_path / "delivered"
    got = json.loads(run_python(ALERTS, tmp_path, THADS_ALERT_DIR=str(folder)))
    assert got["pandas"] is True and got["out"]["sent"] >= 3
    assert len(list(folder.glob("*.txt"))) >= 3


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_dbt_docs_are_generated_only_when_the_project_changed(tmp_path: Path) -> None:
    from thads.build import build, dbt_docs_dir, docs_stamp

    paths = Paths.from_env(tmp_path / "home")
    first = build(paths)  # empty raw layer: a real dbt build and docs of the whole project
    docs = dbt_docs_dir(paths) / "static_index.html"
    assert first["docs_generated"] is True and docs.exists()
    assert "fct_province_ranking" in docs.read_text(encoding="utf-8")
    generated_at = docs.stat().st_mtime_ns

    # A load: same project, new data. The docs describe the project, so they stay.
    second = build(paths)
    assert second["docs_generated"] is False and second["docs"] == first["docs"]
    # ... and dbt kept its parse of the project: the docs run left the same vars behind.
    log = (paths.dbt_logs / "dbt.log").read_text(encoding="utf-8")
    last_build = log[log.rindex("Running with dbt") :]
    assert "Partial parsing enabled, no changes found" in last_build
    assert "Unable to do partial parsing" not in last_build
    assert docs.stat().st_mtime_ns == generated_at

    # A project the docs were not generated from (as after editing a model): regenerated.
    docs_stamp(paths).write_text("another project\n", encoding="utf-8")
    third = build(paths)
    assert third["docs_generated"] is True and docs.stat().st_mtime_ns > generated_at
