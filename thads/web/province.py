"""What a province sees of its own submissions on the check page: every file it sent (by
token: only its own province code), the status in Vietnamese, and for refused or warned
files the findings as the alert words them (from `raw/data_quality`, the same rows the
alerts are composed from). Files still waiting in the landing zone show as pending."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from thads.config import Paths

#: Registry statuses (docs/interfaces.md) as a province office reads them.
STATUS_VI: dict[str, str] = {
    "loaded": "Đã tiếp nhận",
    "superseded": "Đã tiếp nhận, đã được thay bằng bản gửi sau",
    "duplicate": "Trùng với báo cáo đã gửi trước",
    "quarantined": "Bị từ chối",
    "held": "Tạm giữ: số liệu kỳ này đã được phê duyệt chính thức",
    "pending": "Đang chờ xử lý",
}


def _vietnam_time(text: str | None) -> str:
    """An arrival time (UTC, ISO) as a Vietnamese office reads it: 03/09/2024 08:15."""
    from ingest.registry import from_iso
    from thads.reporting_calendar import VIETNAM

    moment = from_iso(text) if text else None
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") if moment else ""


def _period_vi(year: Any, months: Any) -> str:
    return f"{int(months)} tháng năm {int(year)}" if year and months else ""


def _findings_vi(paths: Paths, rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """submission_id -> Vietnamese lines of its failing checks, from the batches' rows."""
    import pandas as pd

    from thads.notify.messages import finding_line_vi

    out: dict[str, list[str]] = {}
    wanted = {r["submission_id"] for r in rows}
    for batch_id in sorted({r["batch_id"] for r in rows if r.get("batch_id")}):
        path = paths.data_quality / f"{batch_id}.parquet"
        if not path.exists():
            continue
        dq = pd.read_parquet(path)
        fails = dq[(dq["outcome"] == "fail") & dq["submission_id"].isin(wanted)]
        fails = fails.sort_values(["severity", "sheet", "source_row"], na_position="first")
        for rec in fails.to_dict("records"):
            prefix = "" if rec["severity"] == "error" else "(Cảnh báo) "
            out.setdefault(rec["submission_id"], []).append(prefix + finding_line_vi(rec))
    return out


def own_submissions(paths: Paths, province_code: str, landing: Path | None) -> list[dict]:
    """The province's files, newest first: file, period, status, status_vi, findings."""
    from ingest.files import list_landing
    from ingest.registry import Registry
    from thads.contract import FileNameError, parse_filename

    with Registry.open(paths, readonly=True) as registry:
        rows = [
            r
            for r in registry.listing()
            if r["province_code"] == province_code and r["fmt"] != "targets"
        ]
    findings = _findings_vi(paths, rows)
    out = [
        {
            "file": r["file"],
            "period": _period_vi(r["statistical_year"], r["months"]),
            "arrival_time": r["arrival_time"],
            "arrival_vi": _vietnam_time(r["arrival_time"]),
            "status": r["status"],
            "status_vi": STATUS_VI.get(r["status"], r["status"]),
            "findings": findings.get(r["submission_id"], []),
        }
        for r in rows
    ]
    seen = {r["file"] for r in rows}
    if landing is not None and landing.is_dir():
        for path in list_landing(landing):
            try:
                name = parse_filename(path.name)
            except FileNameError:
                continue
            if name.province_code == province_code and path.name not in seen:
                out.append(
                    {
                        "file": path.name,
                        "period": _period_vi(name.statistical_year, name.months),
                        "arrival_time": "",
                        "arrival_vi": "",
                        "status": "pending",
                        "status_vi": STATUS_VI["pending"],
                        "findings": [],
                    }
                )
    pending = [r for r in out if r["status"] == "pending"]
    done = sorted(
        (r for r in out if r["status"] != "pending"), key=lambda r: str(r["arrival_time"])
    )
    return pending + done[::-1]
