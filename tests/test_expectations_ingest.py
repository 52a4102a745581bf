"""Validation on files parsed by the real ingest parser, and through the real load path
(`thads.pipeline.ingest`, the path `thads load` runs): the contract samples pass, a
broken file is named in the province's own words, a bad resubmission never replaces the
good version, history from THADS_HOME is used, Data Docs are built, alerts go out."""

from __future__ import annotations

import json
import os
import random
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from expectations import DQ_COLUMNS, RULES, validate_batch
from ingest.parse import parse_paths
from ingest.registry import Registry
from tests.test_notify import Webhook
from thads import notify
from thads.config import Paths
from thads.generate import Report, XlsxStyle, build_report, write_xlsx
from thads.notify.channels import WebhookNotifier
from thads.pipeline import ingest


def _report(code: str, year: int, months: int, factor: int = 1, revision: int = 1) -> Report:
    base = build_report(
        code, year, 10,
        cases_totals={"must_enforce": 3000, "with_conditions": 2000, "done": 1600},
        money_totals={"must_enforce": 900_000, "with_conditions": 500_000, "done": 200_000},
        n_offices=4, rng=random.Random(code),
    )  # fmt: skip
    scale = lambda rows: [{k: v * factor for k, v in r.items()} for r in rows]  # noqa: E731
    return Report(
        code, year, months, list(base.offices), scale(base.cases), scale(base.money),
        revision=revision,
    )  # fmt: skip


def _write(rep: Report, folder: Path, style: XlsxStyle | None = None, minute: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = write_xlsx(rep, folder / rep.filename("xlsx"), style)
    moment = datetime(2024, 9, 3, 1, minute, tzinfo=UTC).timestamp()
    os.utime(path, (moment, moment))  # arrival time = mtime in the landing zone
    return path


def test_contract_samples_pass(samples_dir: Path) -> None:
    parsed = parse_paths(sorted(samples_dir.iterdir()))
    assert len(parsed) == 3 and all(p.rows is not None for p in parsed)
    result = validate_batch(parsed, None)
    assert result.quarantined == set()
    assert all(found == [] for found in result.findings.values())
    dq = result.dq_rows
    assert list(dq.columns) == list(DQ_COLUMNS)
    assert set(dq["outcome"]) == {"pass"}
    assert dq.groupby("submission_id")["rule"].nunique().min() >= 12


def test_a_broken_file_is_named_as_the_province_wrote_it(tmp_path: Path) -> None:
    rep = _report("80", 2024, 11)
    rep.cases[1]["carried_over"] += 5  # total_received no longer = carried_over + new
    path = _write(rep, tmp_path, XlsxStyle(labels="ascii_upper", header="merged"))
    good = _write(_report("02", 2024, 11), tmp_path)
    parsed = parse_paths([path, good])
    result = validate_batch(parsed, None)
    bad_sub = next(p for p in parsed if p.file_names == [path.name])
    assert result.quarantined == {bad_sub.submission_id}
    office_row = next(
        f for f in result.findings[bad_sub.submission_id] if f.rule == "identity.total_received"
    )
    assert (office_row.file, office_row.sheet) == (path.name, "Việc")
    assert office_row.column == "TONG SO THU LY"  # the header as written, not the canonical one
    assert float(office_row.expected) - float(office_row.observed) == 5
    sheet = openpyxl.load_workbook(path, read_only=True)["Việc"]
    cells = next(sheet.iter_rows(min_row=office_row.row, max_row=office_row.row, values_only=True))
    assert rep.offices[1] in cells  # that Excel row is the broken office's row


@pytest.fixture
def home(thads_home: Path) -> Paths:
    return Paths.from_env(thads_home)


def _status(paths: Paths) -> dict[str, dict]:
    with Registry.open(paths, readonly=True) as registry:
        return {r["file"]: r for r in registry.listing()}


def test_load_path_quarantine_history_docs_and_alerts(tmp_path: Path, home: Paths) -> None:
    # Batch 1: the 10- and 11-month reports, both good (the 11-month one compared with the
    # 10-month one of the same batch).
    first = tmp_path / "in1"
    _write(_report("80", 2024, 10), first)
    _write(_report("80", 2024, 11, factor=2), first, minute=5)
    out1 = ingest(first, home, workers=1)
    assert (out1["commit"]["n_accepted"], out1["commit"]["n_quarantined"]) == (2, 0)
    assert (home.data_docs / "index.html").exists()
    dq1 = pd.read_parquet(home.data_quality / f"{out1['commit']['batch_id']}.parquet")
    assert list(dq1.columns) == list(DQ_COLUMNS) and set(dq1["outcome"]) == {"pass"}
    assert "history.cumulative" in set(dq1["rule"])  # 11 months checked against 10

    # Batch 2: a corrected 11-month report that is wrong, and a 12-month report whose
    # cumulative figures fall below the ACCEPTED 11-month report (history from THADS_HOME).
    second = tmp_path / "in2"
    bad = _report("80", 2024, 11, factor=2, revision=2)
    bad.money[0]["postponed"] += 3
    bad_path = _write(bad, second, minute=10)
    low_path = _write(_report("80", 2024, 12, factor=1), second, minute=11)
    out2 = ingest(second, home, workers=1)
    assert (out2["commit"]["n_accepted"], out2["commit"]["n_quarantined"]) == (0, 2)
    status = _status(home)
    assert status["THADS_80_2024_11.xlsx"]["status"] == "loaded"  # the good one still stands
    assert status[bad_path.name]["status"] == "quarantined"
    reason = status[bad_path.name]["reasons"][0]
    assert "identity.with_conditions" in reason and "sheet 'Tiền'" in reason
    assert "column 'Có điều kiện'" in reason and "row " in reason
    low = status[low_path.name]
    assert low["status"] == "quarantined"
    assert any("history.cumulative" in r and "Tổng số thụ lý" in r for r in low["reasons"])
    kept = json.loads((home.quarantine / f"{bad_path.name}.reasons.json").read_text())
    assert kept["findings"][0]["rule"] == "identity.with_conditions"
    # The Data Docs index lists both runs.
    index = (home.data_docs / "index.html").read_text(encoding="utf-8")
    assert out1["commit"]["batch_id"] in index and out2["commit"]["batch_id"] in index
    # Each expectation reads as the rule it checks, in the catalogue's words.
    (page,) = (home.data_docs / "validations").glob(f"*/{out2['commit']['batch_id']}/*/*.html")
    html = page.read_text(encoding="utf-8")
    for rule in (RULES["identity.with_conditions"], RULES["history.cumulative"]):
        assert f"{rule.id} ({rule.severity}): {rule.text_en}" in html

    # Alerts of batch 2 reach a real webhook: one Vietnamese message for Long An, one summary.
    server = Webhook()
    try:
        sent = notify.send_batch_alerts(
            out2["commit"]["batch_id"], home, notifiers=[WebhookNotifier(server.url)]
        )
    finally:
        server.stop()
    assert sent["sent"] == 2 and sent["pending"] == 0
    province, summary = server.received
    assert province["province_code"] == "80"
    assert bad_path.name in province["text"] and low_path.name in province["text"]
    assert 'Sheet "Tiền"' in province["text"] and 'cột "Có điều kiện"' in province["text"]
    assert "2 quarantined" in summary["subject"]
