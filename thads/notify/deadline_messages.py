"""The deadline check's messages (contract 6.1): one Vietnamese letter to each province that
had no accepted report when its deadline passed (or whose report came in after it), and one
summary for the data team."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from thads import contract
from thads.notify.alert import Alert
from thads.reporting_calendar import VIETNAM

#: Contract 6.1 statuses the check writes about: no accepted report by the deadline, or late.
NOT_REPORTED = ("missing", "rejected")
LATE = "late"


def _period_vi(year: int, months: int) -> str:
    start, end = contract.period_start(year), contract.period_end(year, months)
    return f"báo cáo {months} tháng năm {year} (từ {start:%d/%m/%Y} đến {end:%d/%m/%Y})"


def _local(moment: str) -> str:
    return f"{datetime.fromisoformat(moment).astimezone(VIETNAM):%H:%M ngày %d/%m/%Y}"


def province_deadline_alert(row: Mapping[str, Any], report: Mapping[str, Any]) -> Alert:
    """The letter to one province: what was due, by when, and what the warehouse had."""
    year, months = report["statistical_year"], report["months"]
    deadline = date.fromisoformat(report["deadline"])
    code, name = row["province_code"], row.get("province_name") or ""
    who = f"{name[:1].lower()}{name[1:]} (mã {code})" if name else f"mã tỉnh {code}"
    status = row["status"]
    if status == "missing":
        subject = f"[THADS] {who}: chưa gửi báo cáo {months} tháng năm {year}, đã quá hạn"
        finding = (
            f"Đến {_local(report['judged_at'])}, hệ thống chưa nhận được tệp báo cáo nào "
            "của đơn vị cho kỳ này. Đề nghị đơn vị gửi báo cáo ngay."
        )
    elif status == "rejected":
        subject = (
            f"[THADS] {who}: báo cáo {months} tháng năm {year} chưa được tiếp nhận, đã quá hạn"
        )
        finding = (
            f"Đơn vị đã gửi tệp (lần đầu lúc {_local(row['first_arrival_at'])}) nhưng đến "
            f"{_local(report['judged_at'])} chưa có tệp nào đạt yêu cầu kiểm tra. Đề nghị đơn "
            "vị sửa theo thông báo lỗi đã nhận và gửi lại báo cáo."
        )
    else:
        days = row.get("working_days_late")
        subject = f"[THADS] {who}: báo cáo {months} tháng năm {year} gửi chậm {days} ngày làm việc"
        finding = (
            f"Báo cáo của đơn vị được tiếp nhận lúc {_local(row['accepted_arrival_at'])}, "
            f"chậm {days} ngày làm việc so với thời hạn. Đề nghị đơn vị gửi đúng hạn ở các kỳ sau."
        )
    body = "\n\n".join(
        [
            f"Kính gửi: Cơ quan thi hành án dân sự {who}.",
            f"Theo chế độ báo cáo thống kê thi hành án dân sự, {_period_vi(year, months)} "
            f"phải gửi chậm nhất trong ngày {deadline:%d/%m/%Y} (ngày làm việc thứ 4 sau ngày "
            "kết thúc kỳ báo cáo, không kể ngày nghỉ lễ, Tết).",
            finding,
            "Trân trọng,\nNhóm dữ liệu THADS Warehouse",
        ]
    )
    return Alert(
        audience="province",
        subject=subject,
        body=body,
        province_code=code,
        province_name=name or None,
        language="vi",
        data={
            "statistical_year": year,
            "months": months,
            "deadline": report["deadline"],
            "status": status,
            "working_days_late": row.get("working_days_late"),
        },
    )


def team_deadline_summary(report: Mapping[str, Any]) -> Alert:
    """The data team's view: every province without an accepted report, then the late ones."""
    year, months = report["statistical_year"], report["months"]
    deadline = date.fromisoformat(report["deadline"])
    missing, late = report["missing"], report["late"]
    label = f"{months} tháng năm {year}"
    subject = (
        f"[THADS] {len(missing)}/{report['boundary']} province(s) without an accepted report "
        f"for {label} (deadline {deadline:%d/%m/%Y})"
    )
    lines = [
        f"Period: {label} ({contract.period_start(year):%d/%m/%Y} - "
        f"{contract.period_end(year, months):%d/%m/%Y}), deadline {deadline:%d/%m/%Y}, "
        f"judged at {_local(report['judged_at'])} by what had arrived by then.",
        "",
    ]
    for row in missing:
        lines.append(f"- {row['province_code']} {row.get('province_name') or ''}: {row['status']}")
    if late:
        lines += ["", "Reported after the deadline:"]
        for row in late:
            lines.append(
                f"  {row['province_code']} {row.get('province_name') or ''}: "
                f"{row['working_days_late']} working day(s) late"
            )
    return Alert(
        audience="data_team",
        subject=subject,
        body="\n".join(lines),
        language="en",
        data={"statistical_year": year, "months": months, "n_missing": len(missing)},
    )
