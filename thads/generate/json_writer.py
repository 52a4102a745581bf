"""JSON writer: the contract's schema, with `submitted_at` in Vietnam time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from thads.contract import MEASURES, NUMERIC_KEYS
from thads.generate.model import Report

VIETNAM = timezone(timedelta(hours=7))


def to_payload(report: Report) -> dict[str, Any]:
    submitted = report.submitted_at or datetime.now(UTC)
    payload: dict[str, Any] = {
        "province_code": report.province_code,
        "statistical_year": report.statistical_year,
        "months": report.months,
        "submitted_at": submitted.astimezone(VIETNAM).isoformat(timespec="seconds"),
    }
    for measure in MEASURES:
        rows = []
        for office, row in report.labelled_rows(measure):
            rows.append({"office": office, **{k: row[k] for k in NUMERIC_KEYS}})
        payload[measure] = rows
    return payload


def write_payload(payload: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def write_json(report: Report, path: str | Path) -> Path:
    """Write `report` as contract JSON at `path` (name it `report.filename("json")`)."""
    return write_payload(to_payload(report), Path(path))
