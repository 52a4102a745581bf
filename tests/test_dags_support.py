"""thads.airflow_support without Airflow: the reporting calendar, settings, alert texts."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.airflow_harness import WebhookSink
from thads.airflow_support import (
    chunk_label,
    failure_message,
    ingest_chunks,
    on_task_failure,
    run_date,
    settings,
)


def test_run_date_is_the_vietnam_calendar_day() -> None:
    # 20:00 UTC on 5/9 is already 6/9 in Hanoi.
    assert run_date(datetime(2024, 9, 5, 20, 0, tzinfo=UTC)) == date(2024, 9, 6)
    assert run_date("2024-09-05T01:00:00+00:00") == date(2024, 9, 5)
    manual = SimpleNamespace(run_after=datetime(2024, 9, 6, 1, 0, tzinfo=UTC))
    assert run_date(None, manual) == date(2024, 9, 6)


def test_settings_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THADS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("THADS_LANDING", str(tmp_path / "landing"))
    airflow_loaded = "airflow" in sys.modules
    cfg = settings()
    # Resolving settings outside Airflow never imports it (noisy logging, config at import).
    assert airflow_loaded or "airflow" not in sys.modules
    assert cfg.paths.home == tmp_path / "home"
    assert cfg.landing == tmp_path / "landing"
    assert (tmp_path / "home" / "raw").is_dir()  # the layout exists for the tasks
    assert settings(tmp_path / "past").landing == tmp_path / "past"  # the DAG's param wins


def test_settings_defaults_match_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THADS_HOME", raising=False)
    monkeypatch.delenv("THADS_LANDING", raising=False)
    monkeypatch.chdir(tmp_path)
    cfg = settings()
    assert cfg.paths.home == tmp_path / ".thads"
    assert cfg.landing == tmp_path / "landing"


def test_ingest_chunks_balance_files_and_keep_each_province_whole() -> None:
    groups = {
        f"{code:02d}": [f"/l/{code}_{i}.xlsx" for i in range(code % 3 + 1)] for code in range(1, 21)
    }
    chunks = ingest_chunks(groups, 4)
    assert len(chunks) == 4
    dealt = [g for c in chunks for g in c["groups"]]
    assert sorted(dealt) == sorted(groups)  # every province once, never split
    for chunk in chunks:
        for group, files in chunk["groups"].items():
            assert files == groups[group]
    sizes = [sum(len(f) for f in c["groups"].values()) for c in chunks]
    assert max(sizes) - min(sizes) <= 1, sizes
    assert [next(iter(c["groups"])) for c in chunks] == sorted(
        next(iter(c["groups"])) for c in chunks
    )
    assert [c["label"] for c in chunks] == [",".join(c["groups"]) for c in chunks]
    assert chunk_label([f"{c:02d}" for c in range(1, 17)]) == "01…16 (16 groups)"


def test_ingest_chunks_fewer_groups_than_chunks() -> None:
    groups = {"92": ["/l/THADS_92_2024_11.json"], "80": ["/l/a_viec.csv", "/l/a_tien.csv"]}
    assert ingest_chunks(groups, 4) == [
        {"label": "80", "groups": {"80": ["/l/a_viec.csv", "/l/a_tien.csv"]}},
        {"label": "92", "groups": {"92": ["/l/THADS_92_2024_11.json"]}},
    ]
    assert ingest_chunks({}, 4) == []


def test_failure_message_names_dag_task_and_error() -> None:
    ti = SimpleNamespace(
        dag_id="thads_load", task_id="ingest", map_index=3, run_id="manual__1", try_number=2
    )
    subject, body = failure_message({"ti": ti, "exception": OSError("disk full")})
    assert subject == "[THADS] Airflow task failed: thads_load.ingest[3]"
    assert "run: manual__1" in body and "try: 2" in body
    assert "error: OSError: disk full" in body


def test_failure_callback_alerts_through_the_notifier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THADS_HOME", str(tmp_path / "home"))
    ti = SimpleNamespace(
        dag_id="thads_build", task_id="dbt_build", map_index=-1, run_id="r1", try_number=1
    )
    with WebhookSink() as webhook:
        monkeypatch.setenv("THADS_ALERT_WEBHOOK_URL", webhook.url)
        on_task_failure({"ti": ti, "exception": RuntimeError("dbt build failed on 1 node(s)")})
    assert [a["subject"] for a in webhook.payloads] == [
        "[THADS] Airflow task failed: thads_build.dbt_build"
    ]
    assert webhook.payloads[0]["audience"] == "data_team"
    assert "dbt build failed on 1 node(s)" in webhook.payloads[0]["text"]


def test_failure_callback_never_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Webhook down: the notifier keeps the alert in its outbox; the callback must not raise
    # (an error there would hide the task's own error).
    monkeypatch.setenv("THADS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("THADS_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/down")
    monkeypatch.setenv("THADS_ALERT_TIMEOUT", "2")
    on_task_failure({"ti": None, "exception": OSError("disk full")})
    outbox = (tmp_path / "home" / "alerts" / "outbox.jsonl").read_text()
    assert "disk full" in outbox


def test_deadline_alert_goes_out_once_per_period(tmp_path: Path, monkeypatch) -> None:
    from thads.config import Paths
    from thads.deadlines import send_deadline_alerts

    paths = Paths(tmp_path / "home").ensure()
    report = {
        "statistical_year": 2024,
        "months": 11,
        "period_end": "2024-08-31",
        "deadline": "2024-09-09",
        "boundary": 63,
        "judged_at": "2024-09-10T01:00:00+00:00",
        "missing": [{"province_code": "01", "province_name": "Hà Nội", "status": "missing"}],
        "late": [],
        "by_hand": False,
        "alert": True,
    }
    with WebhookSink() as webhook:
        monkeypatch.setenv("THADS_ALERT_WEBHOOK_URL", webhook.url)
        first = send_deadline_alerts(report, paths)
        daily = [send_deadline_alerts(report, paths) for _ in range(3)]  # the next mornings
        by_hand = send_deadline_alerts({**report, "by_hand": True}, paths)
        other = send_deadline_alerts({**report, "months": 12, "deadline": "2024-10-04"}, paths)
    assert first["alerted"] and by_hand["alerted"] and other["alerted"]
    assert not any(d["alerted"] for d in daily)
    subjects = webhook.subjects()
    # each alert: the province's letter and the data team's summary
    assert len(subjects) == 6, subjects
    assert sum("11 tháng năm 2024" in s for s in subjects) == 4
    assert sum("chưa gửi báo cáo 11 tháng năm 2024" in s for s in subjects) == 2
