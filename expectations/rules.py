"""The validation rules by name: severity, what each means (English for the team, Vietnamese
for the province office that must fix its report).

A rule name is stable: it is stored in `raw/data_quality`, charted in BI and quoted in the
reasons of a quarantined file, so renaming one breaks history. Add new names instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from thads.contract import IDENTITIES, Severity


@dataclass(frozen=True)
class Rule:
    name: str
    severity: Severity
    title_en: str
    title_vi: str


def _rules(*items: Rule) -> dict[str, Rule]:
    return {r.name: r for r in items}


#: contract identity name -> rule name. Every identity of `thads.contract.IDENTITIES` must
#: appear here (checked below), so a new identity cannot slip past validation.
IDENTITY_RULES: dict[str, str] = {
    IDENTITIES[0][0]: "identity.total_received",
    IDENTITIES[1][0]: "identity.must_enforce_received",
    IDENTITIES[2][0]: "identity.must_enforce_conditions",
    IDENTITIES[3][0]: "identity.with_conditions",
}

RULES: dict[str, Rule] = _rules(
    Rule(
        "identity.total_received",
        "error",
        "total_received = carried_over + new_received",
        "Tổng số thụ lý phải bằng Năm trước chuyển sang cộng Thụ lý mới",
    ),
    Rule(
        "identity.must_enforce_received",
        "error",
        "must_enforce = total_received - entrusted - recalled",
        "Tổng số phải thi hành phải bằng Tổng số thụ lý trừ Ủy thác và Thu hồi, hủy quyết định",
    ),
    Rule(
        "identity.must_enforce_conditions",
        "error",
        "must_enforce = with_conditions + without_conditions",
        "Tổng số phải thi hành phải bằng Có điều kiện cộng Chưa có điều kiện",
    ),
    Rule(
        "identity.with_conditions",
        "error",
        "with_conditions = completed + terminated + in_progress + postponed + suspended + other",
        "Có điều kiện phải bằng Thi hành xong + Đình chỉ + Đang thi hành + Hoãn + Tạm đình chỉ"
        " + Khác",
    ),
    Rule(
        "value.no_negative",
        "error",
        "no figure is negative",
        "Số liệu không được âm",
    ),
    Rule(
        "rate.done_within_conditions",
        "error",
        "completed + terminated <= with_conditions",
        "Thi hành xong cộng Đình chỉ không được lớn hơn Có điều kiện",
    ),
    Rule(
        "total.sum_of_offices",
        "error",
        "the total row is the sum of the office rows",
        "Dòng tổng cộng phải bằng tổng các dòng đơn vị",
    ),
    Rule(
        "total.one_row",
        "error",
        "exactly one total row per sheet",
        "Mỗi biểu phải có đúng một dòng tổng cộng",
    ),
    Rule(
        "office.unique",
        "error",
        "one row per office in a sheet",
        "Mỗi đơn vị chỉ được báo cáo một dòng trong một biểu",
    ),
    Rule(
        "header.province_code",
        "error",
        "province code valid in the boundary set of the period (63 up to the 8-month report "
        "of 2025, 34 from the 9-month report on)",
        "Mã tỉnh phải thuộc danh mục tỉnh của kỳ báo cáo (63 tỉnh đến báo cáo 8 tháng năm "
        "2025, 34 tỉnh từ báo cáo 9 tháng năm 2025)",
    ),
    Rule(
        "period.months",
        "error",
        "the cumulative period is 1..12 months",
        "Kỳ báo cáo phải từ 1 đến 12 tháng",
    ),
    Rule(
        "period.year",
        "error",
        "the statistical year is within the accepted range",
        "Năm thống kê phải nằm trong khoảng được chấp nhận",
    ),
    Rule(
        "history.cumulative",
        "error",
        "cumulative figures never decrease from the previous accepted period of the same year, "
        "nor exceed an accepted later one",
        "Số liệu lũy kế không được nhỏ hơn kỳ báo cáo trước, và không được lớn hơn kỳ báo cáo "
        "sau đã được tiếp nhận, của cùng năm thống kê",
    ),
    Rule(
        "history.carried_over",
        "warning",
        "carried_over equals last year's 12-month carried-to-next-year "
        "(must_enforce - completed - terminated)",
        "Năm trước chuyển sang phải bằng số chuyển sang năm sau của báo cáo 12 tháng năm trước"
        " (Tổng số phải thi hành − Thi hành xong − Đình chỉ)",
    ),
    Rule(
        "history.outlier_rate",
        "warning",
        "the rate is in line with the same period of earlier years (modified z-score)",
        "Tỷ lệ thi hành xong khác thường so với cùng kỳ các năm trước",
    ),
    Rule(
        "history.outlier_new_received",
        "warning",
        "new_received is in line with the same period of earlier years (modified z-score)",
        "Số thụ lý mới khác thường so với cùng kỳ các năm trước",
    ),
)

_missing = {name for name, _, _ in IDENTITIES} - set(IDENTITY_RULES)
if _missing:  # a contract change without a rule: fail at import, not silently in production
    raise RuntimeError(f"contract identities without a validation rule: {sorted(_missing)}")


def rule(name: str) -> Rule:
    return RULES[name]
