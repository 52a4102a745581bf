"""Files for a final (province, period): held, told, and released after a reopen.

A file that arrives while its (province, period) is final is not validated or loaded: the
commit step records it as `held` with a finding naming who approved and when, the archive
keeps it, and the province is told in Vietnamese that the period is closed, the file is
kept and the data team decides. After `thads reopen`, the next load parses the held files
again from the archive (their original names and arrival times) and judges them with the
usual rules, in arrival order (contract section 3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ingest.model import ParsedSubmission, SourceFile
from ingest.registry import Registry, from_iso
from thads.approval import state
from thads.config import Paths
from thads.contract import FileNameError, Finding, parse_filename
from thads.notify.alert import Alert

HELD_RULE = "approval.held"


def held_finding(files: Sequence[str], approval: state.Decision) -> Finding:
    """Why a file waits: the approval that made its period final."""
    code, year, months = approval.period
    return Finding.of(
        HELD_RULE,
        ", ".join(files),
        (
            f"the {months}-month report of {year} of province {code} is final: approved by "
            f"{approval.by} at {approval.at}; the file is kept (status held) and is not loaded "
            "unless the data team reopens the period (thads reopen)"
        ),
        observed="final",
        expected="preliminary",
        extra={"approved_by": approval.by, "approved_at": approval.at},
    )


def held_item(p: ParsedSubmission, approval: state.Decision) -> dict[str, Any]:
    """What the commit summary (and the alert step) keeps of a held submission."""
    return {
        "submission_id": p.submission_id,
        "files": p.file_names,
        "province_code": p.province_code,
        "statistical_year": p.statistical_year,
        "months": p.months,
        "approved_by": approval.by,
        "approved_at": approval.at,
    }


def _vn_time(iso_utc: str) -> str:
    from zoneinfo import ZoneInfo

    moment = from_iso(iso_utc)
    assert moment is not None
    return moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M ngày %d/%m/%Y")


def held_alert(code: str, items: Sequence[Mapping[str, Any]], batch_id: str | None) -> Alert:
    """The Vietnamese message to one province about its held files."""
    from thads.notify.messages import province_name, rule_title_vi

    first = items[0]
    name = province_name(code, first["statistical_year"], first["months"])
    who = f"{name[:1].lower()}{name[1:]} (mã {code})" if name else f"mã tỉnh {code}"
    lines = []
    for i, item in enumerate(items, 1):
        lines.append(
            f"{i}. Tệp {', '.join(item['files'])} (báo cáo {item['months']} tháng năm "
            f"{item['statistical_year']}): kỳ báo cáo đã khóa sổ, số liệu đã được phê duyệt "
            f"là số liệu chính thức lúc {_vn_time(item['approved_at'])} "
            f"(người phê duyệt: {item['approved_by']}). Tệp đã được lưu giữ nhưng chưa đưa "
            f"vào kho dữ liệu. [{HELD_RULE}]"
        )
    body = "\n\n".join(
        [
            f"Kính gửi: Cơ quan thi hành án dân sự {who}.",
            f"{rule_title_vi(HELD_RULE)}:",
            *lines,
            "Nhóm dữ liệu sẽ xem xét và quyết định có mở lại kỳ báo cáo để tiếp nhận số liệu "
            "điều chỉnh hay không; đơn vị không cần gửi lại tệp.\n"
            "Trân trọng,\nNhóm dữ liệu THADS Warehouse",
        ]
    )
    return Alert(
        audience="province",
        subject=f"[THADS] {who}: {len(items)} báo cáo gửi sau khi kỳ báo cáo đã khóa sổ",
        body=body,
        province_code=code,
        province_name=name,
        batch_id=batch_id,
        language="vi",
        data={"rule": HELD_RULE, "held": list(items)},
    )


def held_alerts(items: Sequence[Mapping[str, Any]], batch_id: str | None) -> list[Alert]:
    by_province: dict[str, list[Mapping[str, Any]]] = {}
    for item in items:
        by_province.setdefault(str(item["province_code"]), []).append(item)
    return [held_alert(code, group, batch_id) for code, group in sorted(by_province.items())]


# --- after a reopen ---------------------------------------------------------------------


def _archived_file(paths: Paths, f: Mapping[str, Any]) -> SourceFile:
    try:
        filename = parse_filename(f["file"])
    except FileNameError:
        filename = None
    arrival = from_iso(f["arrival_time"])
    assert isinstance(arrival, datetime)
    return SourceFile(
        path=paths.home / f["archive_path"],
        name=f["file"],
        sha256=f["sha256"],
        size=f["size"],
        arrival_time=arrival,
        filename=filename,
    )


def released_submissions(paths: Paths, batch_id: str) -> list[ParsedSubmission]:
    """The held submissions whose period is no longer final, parsed again from the archive
    (same names, contents and arrival times, so the same submission ids), in arrival
    order; the commit step records them with their new status."""
    from ingest.files import group_files
    from ingest.parse import parse_chunk

    with Registry.open(paths, readonly=True) as registry:
        held = state.held_submissions(registry)
        final = state.final_approvals(registry)
    released = [h for h in held if h["period"] not in final]
    candidates = []
    for h in released:
        files = [_archived_file(paths, f) for f in h["files"]]  # type: ignore[attr-defined]
        candidates += group_files(files).candidates
    return parse_chunk(candidates, batch_id)


def releasable(registry: Registry, ids: Sequence[str], final: Mapping[Any, Any]) -> set[str]:
    """Of these submission ids, the `held` ones whose period is no longer final."""
    held = {h["submission_id"]: h["period"] for h in state.held_submissions(registry)}
    return {sid for sid in ids if sid in held and held[sid] not in final}
