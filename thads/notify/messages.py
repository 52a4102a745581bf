"""What the alerts say, composed from the data-quality rows of one batch.

One message per affected province, in Vietnamese, listing per file every failing location
as the province wrote it (sheet, row, column label), what the report says and what was
expected, so the office can fix the file and send it again; one summary for the data team.
The data-quality rows (docs/interfaces.md "Validation results") carry everything needed,
so alerts can be composed again from `raw/data_quality/<batch_id>.parquet` at any time.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pandas as pd

from thads import reference
from thads.contract import boundary_for
from thads.i18n import vn_number_text
from thads.notify.alert import Alert
from thads.rules import RULES

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_BOUND = re.compile(r"^(>=|<=)\s*(-?\d+(?:\.\d+)?)$")
_PERCENT = re.compile(r"^(-?\d+(?:\.\d+)?)%$")


def vn_value(text: Any, rule: str = "") -> str:
    """Observed/expected as a Vietnamese reader writes them; other text unchanged."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    text = str(text)
    if rule in ("period.year", "period.months") or rule == "header.province_code":
        return text  # years and codes are not amounts
    if _NUMBER.match(text):
        return vn_number_text(text)
    if m := _BOUND.match(text):
        return ("≥ " if m[1] == ">=" else "≤ ") + vn_number_text(m[2])
    if m := _PERCENT.match(text):
        return vn_number_text(m[1]) + "%"
    return text


def rule_title_vi(rule_id: str) -> str | None:
    known = RULES.get(rule_id)
    return known.title_vi if known else None


_ANY_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def localised_value(rule_id: str, which: str, value: Any, boundary: int | None) -> str:
    """`observed` or `expected` in Vietnamese: the catalogue's template where the finding's
    value is English words ("a number", "a code of the 63 provinces"), else the value with
    its numbers written the Vietnamese way."""
    text = vn_value(value, rule_id)
    known = RULES.get(rule_id)
    template = getattr(known, f"{which}_vi", None) if known else None
    if not template or not text or (boundary is None and "{boundary}" in template):
        return text
    raw = "" if value is None else str(value)
    nums = [vn_number_text(n) for n in _ANY_NUMBER.findall(raw)]
    try:
        return template.format(observed=raw, expected=raw, nums=nums, boundary=boundary)
    except (IndexError, KeyError):  # a value without the numbers the template names
        return text


def province_name(code: str | None, year: Any, months: Any) -> str | None:
    if not code:
        return None
    try:
        boundary = boundary_for(int(year), int(months))
    except (TypeError, ValueError):
        boundary = reference.LEGACY
    for b in (boundary, reference.LEGACY, reference.CURRENT):
        province = reference.province_by_code(b).get(code)
        if province:
            return province.name
    return None


def _is_set(value: Any) -> bool:
    # Parquet round-trips give pd.NA for missing ints (source_row), NaN for floats.
    if value is None or value is pd.NA:
        return False
    if isinstance(value, float) and pd.isna(value):
        return False
    return value != ""


def report_boundary(year: Any, months: Any) -> int | None:
    if _is_set(year) and _is_set(months):
        try:
            return boundary_for(int(year), int(months))
        except (TypeError, ValueError):
            return None
    return None


def _period_vi(year: Any, months: Any) -> str:
    if _is_set(year) and _is_set(months):
        return f"báo cáo {int(months)} tháng năm {int(year)}"
    return "báo cáo"


def finding_line_vi(row: Mapping[str, Any]) -> str:
    """One failing location in Vietnamese: where, what the rule says, found vs expected."""
    where = []
    if _is_set(row.get("sheet")):
        where.append(f'sheet "{row["sheet"]}"')
    if _is_set(row.get("source_row")):
        where.append(f"dòng {int(row['source_row'])}")
    if _is_set(row.get("column_label")):
        where.append(f'cột "{row["column_label"]}"')
    place = ", ".join(where) if where else "toàn báo cáo"
    rule = str(row["rule"])
    title = rule_title_vi(rule)
    text = f"{place[:1].upper()}{place[1:]}: {title or row['message']}."
    boundary = report_boundary(row.get("statistical_year"), row.get("months"))
    observed = localised_value(rule, "observed", row.get("observed"), boundary)
    expected = localised_value(rule, "expected", row.get("expected"), boundary)
    if observed:
        text += f" Số liệu trong báo cáo: {observed}."
    if expected:
        text += f" Giá trị đúng: {expected}."
    if title and RULES[rule].stage != "validation":
        text += f" Chi tiết: {row['message']}."
    return text + f" [{rule}]"


def _submission_block_vi(index: int, rows: pd.DataFrame) -> str:
    first = rows.iloc[0]
    files = str(first["source_file"])
    fails = rows[rows["outcome"] == "fail"]
    errors = fails[fails["severity"] == "error"]
    warnings = fails[fails["severity"] == "warning"]
    period = _period_vi(first["statistical_year"], first["months"])
    if len(errors):
        head = (
            f"{index}. Tệp {files} ({period}): KHÔNG ĐƯỢC TIẾP NHẬN, có {len(errors)} lỗi"
            + (f" và {len(warnings)} cảnh báo" if len(warnings) else "")
            + ". Đề nghị đơn vị sửa và gửi lại báo cáo (có thể đặt tên kèm số lần gửi, "
            "ví dụ ..._r2)."
        )
    else:
        head = (
            f"{index}. Tệp {files} ({period}): ĐÃ TIẾP NHẬN, có {len(warnings)} cảnh báo. "
            "Đề nghị đơn vị kiểm tra lại; nếu số liệu có sai sót, gửi lại báo cáo đã sửa."
        )
    lines = [head]
    for _, row in pd.concat([errors, warnings]).iterrows():
        lines.append("   - " + ("" if row["severity"] == "error" else "(Cảnh báo) ") +
                     finding_line_vi(row))  # fmt: skip
    return "\n".join(lines)


def _records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    cols = [
        "source_file", "rule", "severity", "sheet", "source_row", "column_label",
        "observed", "expected", "message",
    ]  # fmt: skip
    out = []
    for rec in rows[cols].to_dict("records"):
        out.append({k: (None if not _is_set(v) else v) for k, v in rec.items()})
    for rec in out:
        if rec["source_row"] is not None:
            rec["source_row"] = int(rec["source_row"])
    return out


def province_alert(code: str, rows: pd.DataFrame, batch_id: str | None) -> Alert:
    """The Vietnamese message for one province: every affected file of the batch."""
    first = rows.iloc[0]
    name = province_name(code, first["statistical_year"], first["months"])
    fails = rows[rows["outcome"] == "fail"]
    by_sub = [g for _, g in fails.groupby("submission_id", sort=False)]
    by_sub.sort(key=lambda g: str(g.iloc[0]["source_file"]))
    refused = sum(1 for g in by_sub if (g["severity"] == "error").any())
    warned = len(by_sub) - refused
    parts = []
    if refused:
        parts.append(f"{refused} báo cáo bị từ chối")
    if warned:
        parts.append(f"{warned} báo cáo có cảnh báo")
    who = f"{name[:1].lower()}{name[1:]} (mã {code})" if name else f"mã tỉnh {code}"
    subject = f"[THADS] {who}: " + ", ".join(parts)
    blocks = [_submission_block_vi(i, g) for i, g in enumerate(by_sub, 1)]
    body = "\n\n".join(
        [
            f"Kính gửi: Cơ quan thi hành án dân sự {who}.",
            "Hệ thống THADS Warehouse đã kiểm tra các báo cáo thống kê thi hành án dân sự "
            f"đơn vị gửi{f' (lô {batch_id})' if batch_id else ''}. Kết quả như sau:",
            *blocks,
            "Vị trí lỗi ghi theo đúng tên sheet, số dòng và tên cột trong tệp đơn vị đã gửi.\n"
            "Trân trọng,\nNhóm dữ liệu THADS Warehouse",
        ]
    )
    data = {
        "n_refused": refused,
        "n_warned": warned,
        "findings": _records(fails),
    }
    return Alert(
        audience="province",
        subject=subject,
        body=body,
        province_code=code,
        province_name=name,
        batch_id=batch_id,
        language="vi",
        data=data,
    )


def team_summary(
    dq: pd.DataFrame, batch_id: str | None, counts: Mapping[str, Any] | None = None
) -> Alert:
    """The data team's summary of one batch (English)."""
    subs = dq.groupby("submission_id", sort=False)
    fails = dq[dq["outcome"] == "fail"]
    error_subs = set(fails.loc[fails["severity"] == "error", "submission_id"])
    warn_subs = set(fails.loc[fails["severity"] == "warning", "submission_id"]) - error_subs
    n = subs.ngroups
    subject = (
        f"[THADS] batch {batch_id or '?'}: {n} submissions checked, {len(error_subs)} "
        f"quarantined, {len(warn_subs)} loaded with warnings"
    )
    lines = [subject.removeprefix("[THADS] ") + "."]
    if counts:
        lines.append("Load: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    by_rule = Counter(zip(fails["severity"], fails["rule"], strict=True))
    if by_rule:
        lines.append("")
        lines.append("Failing locations by rule:")
        for (severity, rule), count in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {count:6d}  {severity:7s}  {rule}")
    if error_subs:
        lines.append("")
        lines.append("Quarantined:")
        for sid in sorted(error_subs):
            rows = fails[(fails["submission_id"] == sid) & (fails["severity"] == "error")]
            first = rows.iloc[0]
            where = ", ".join(
                str(x)
                for x in (
                    first["sheet"] if _is_set(first["sheet"]) else None,
                    f"row {int(first['source_row'])}" if _is_set(first["source_row"]) else None,
                    f"column {first['column_label']!r}" if _is_set(first["column_label"]) else None,
                )
                if x
            )
            more = f" (+{len(rows) - 1} more)" if len(rows) > 1 else ""
            lines.append(
                f"  {first['source_file']} [{first['province_code']}]: {first['rule']}"
                f"{' at ' + where if where else ''}{more}"
            )
    affected = sorted({str(c) for c in fails["province_code"].dropna()})
    lines.append("")
    lines.append(
        f"Province messages: {len(affected)} ({', '.join(affected) if affected else 'none'})."
    )
    data = {
        "n_submissions": n,
        "n_quarantined": len(error_subs),
        "n_warned": len(warn_subs),
        "by_rule": {f"{s}:{r}": c for (s, r), c in by_rule.items()},
        "quarantined": sorted(error_subs),
        "counts": dict(counts or {}),
    }
    return Alert(
        audience="data_team",
        subject=subject,
        body="\n".join(lines),
        batch_id=batch_id,
        language="en",
        data=data,
    )


def compose_alerts(
    dq: pd.DataFrame, batch_id: str | None = None, counts: Mapping[str, Any] | None = None
) -> list[Alert]:
    """Province messages (one per province with a failing row) then the team summary."""
    if dq is None or dq.empty:
        return []
    if batch_id is None and "batch_id" in dq.columns and dq["batch_id"].notna().any():
        batch_id = str(dq["batch_id"].dropna().iloc[0])
    fails = dq[(dq["outcome"] == "fail") & dq["province_code"].notna()]
    alerts = [
        province_alert(str(code), rows, batch_id)
        for code, rows in sorted(fails.groupby("province_code"), key=lambda kv: str(kv[0]))
    ]
    alerts.append(team_summary(dq, batch_id, counts))
    return alerts
