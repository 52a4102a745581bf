"""The report contract (shared/report_contract.md) as code: names, periods, boundaries, findings.

Every module that needs a fact of the contract imports it from here, so there is one place
to read and one place to change.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

# --- Columns -------------------------------------------------------------------------------

#: The numeric columns of a report, in the order of the official form.
NUMERIC_KEYS: tuple[str, ...] = (
    "carried_over",
    "new_received",
    "total_received",
    "entrusted",
    "recalled",
    "must_enforce",
    "without_conditions",
    "with_conditions",
    "completed",
    "terminated",
    "in_progress",
    "postponed",
    "suspended",
    "other",
)
COLUMN_KEYS: tuple[str, ...] = ("office", *NUMERIC_KEYS)

#: Canonical Vietnamese label of each column, as on the official form.
LABELS: dict[str, str] = {
    "office": "Đơn vị",
    "carried_over": "Năm trước chuyển sang",
    "new_received": "Thụ lý mới",
    "total_received": "Tổng số thụ lý",
    "entrusted": "Ủy thác",
    "recalled": "Thu hồi, hủy quyết định",
    "must_enforce": "Tổng số phải thi hành",
    "without_conditions": "Chưa có điều kiện",
    "with_conditions": "Có điều kiện",
    "completed": "Thi hành xong",
    "terminated": "Đình chỉ",
    "in_progress": "Đang thi hành",
    "postponed": "Hoãn",
    "suspended": "Tạm đình chỉ",
    "other": "Khác",
}

#: Labels of the total row (compared after `fold_label`).
TOTAL_ROW_LABELS: tuple[str, ...] = ("Tổng cộng", "Tổng số", "Toàn tỉnh")

Measure = Literal["cases", "money"]
MEASURES: tuple[Measure, ...] = ("cases", "money")
#: Excel sheet name and CSV file suffix per measure.
SHEET_NAMES: dict[str, str] = {"cases": "Việc", "money": "Tiền"}
CSV_SUFFIXES: dict[str, str] = {"cases": "viec", "money": "tien"}
UNITS: dict[str, str] = {"cases": "việc", "money": "nghìn đồng"}


def strip_diacritics(text: str) -> str:
    """Vietnamese without its marks, case kept: "Uỷ thác" -> "Uy thac", "Đơn vị" -> "Don vi"."""
    text = unicodedata.normalize("NFD", str(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", text.replace("đ", "d").replace("Đ", "D"))


def fold_label(text: str) -> str:
    """Fold a label for comparison: no diacritics, lower case, single spaces, no punctuation.

    "Uỷ thác", "ỦY THÁC" and "Uy thac" all fold to "uy thac"; "đ" folds to "d".
    """
    text = re.sub(r"[^a-z0-9]+", " ", strip_diacritics(text).lower())
    return text.strip()


FOLDED_LABELS: dict[str, str] = {fold_label(label): key for key, label in LABELS.items()}
FOLDED_TOTAL_LABELS: frozenset[str] = frozenset(fold_label(t) for t in TOTAL_ROW_LABELS)


def is_total_label(office: str) -> bool:
    return fold_label(office) in FOLDED_TOTAL_LABELS


#: `marts.fct_province_ranking`, contract section 4 (plus `boundary`): names are an interface.
RANKING_COLUMNS: tuple[str, ...] = (
    "statistical_year",
    "months",
    "measure",
    "province_code",
    "province_name",
    "boundary",
    "completed",
    "terminated",
    "with_conditions",
    "rate_pct",
    "rank",
    "n_ranked",
    "rank_label",
    "n_expected",
    "target_pct",
    "gap_pp",
    # contract 6.2
    "scorecard",
    "completed_rank",
)

#: Contract 6.2: the scorecard is `amber` down to this many percentage points below target
#: (THADS_SCORECARD_AMBER_PP overrides it; passed to dbt as var `scorecard_amber_pp`).
SCORECARD_AMBER_PP = 2.0
SCORECARDS: tuple[str, ...] = ("green", "amber", "red")
#: Section 7: each figure of `marts.fct_province_ranking` is final (approved) or preliminary.
FIGURE_STATUSES: tuple[str, ...] = ("final", "preliminary")
PROVINCE_RANKING_COLUMNS: tuple[str, ...] = (*RANKING_COLUMNS, "figure_status", "approved_at")

# --- Identities ----------------------------------------------------------------------------

#: Each identity as (name, left key, right side as {key: sign}). One list serves the
#: generator, the Great Expectations suite and the dbt tests' documentation.
IDENTITIES: tuple[tuple[str, str, dict[str, int]], ...] = (
    (
        "total_received = carried_over + new_received",
        "total_received",
        {"carried_over": 1, "new_received": 1},
    ),
    (
        "must_enforce = total_received - entrusted - recalled",
        "must_enforce",
        {"total_received": 1, "entrusted": -1, "recalled": -1},
    ),
    (
        "must_enforce = with_conditions + without_conditions",
        "must_enforce",
        {"with_conditions": 1, "without_conditions": 1},
    ),
    (
        "with_conditions = completed + terminated + in_progress + postponed + suspended + other",
        "with_conditions",
        {
            "completed": 1,
            "terminated": 1,
            "in_progress": 1,
            "postponed": 1,
            "suspended": 1,
            "other": 1,
        },
    ),
)


def rate_pct(completed: float, terminated: float, with_conditions: float) -> float | None:
    """(completed + terminated) / with_conditions in percent; None when nothing had conditions."""
    if not with_conditions:
        return None
    return (completed + terminated) * 100.0 / with_conditions


# --- Periods and boundaries ----------------------------------------------------------------

MERGER_YEAR = 2025
#: The first cumulative period reported by the 34 merged provinces (to 30/6/2025).
MERGER_FIRST_MONTHS = 9
FIRST_YEAR = 2019
Boundary = Literal[63, 34]


def boundary_for(statistical_year: int, months: int) -> int:
    """63 legacy provinces through the 8-month report of 2025; 34 from the 9-month report on."""
    if statistical_year > MERGER_YEAR:
        return 34
    if statistical_year == MERGER_YEAR and months >= MERGER_FIRST_MONTHS:
        return 34
    return 63


#: The two boundary sets, legacy then current (the values `boundary_for` answers).
BOUNDARIES: tuple[int, ...] = (63, 34)


def year_boundary(statistical_year: int) -> int | None:
    """The boundary set of every period of the year, or None for a year that holds both
    (the merger year): derived from `boundary_for`, so the switch is written once."""
    found = {boundary_for(statistical_year, months) for months in range(1, 13)}
    return found.pop() if len(found) == 1 else None


def period_start(statistical_year: int) -> date:
    """Statistical year Y starts on 1 October of Y-1."""
    return date(statistical_year - 1, 10, 1)


def period_end(statistical_year: int, months: int) -> date:
    """Last day of the cumulative period: months=1 ends 31/10 of Y-1, months=12 ends 30/9 of Y."""
    if not 1 <= months <= 12:
        raise ValueError(f"months must be 1..12, got {months}")
    month_index = 10 + months - 1  # 10 = October
    year = statistical_year - 1 if month_index <= 12 else statistical_year
    month = month_index if month_index <= 12 else month_index - 12
    return date(year, month, calendar.monthrange(year, month)[1])


# --- Resubmissions (section 3) ------------------------------------------------------------

#: Which accepted version of a period stands: the later arrival (section 6.1's arrival
#: time), then the higher revision; `first_seen` and `id` only make the order total.
#: The registry settles submissions and targets files with `newest_first`; dbt reads the
#: registry's verdict. Changing what wins is an edit here.
PRECEDENCE: tuple[str, ...] = ("arrival_time", "revision", "first_seen", "id")


def newest_first(versions: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Accepted versions of one period, the standing one first (contract section 3).

    Each version maps every name of `PRECEDENCE` to a comparable value (the registry's
    fixed-width UTC ISO strings sort like the moments they name)."""
    return sorted(versions, key=lambda v: tuple(v[k] for k in PRECEDENCE), reverse=True)


# --- File names ----------------------------------------------------------------------------

FILENAME_RE = re.compile(
    r"^THADS_(?P<province_code>\d{2})_(?P<statistical_year>\d{4})_(?P<months>\d{2})"
    r"(?:_r(?P<revision>\d{1,3}))?"
    r"(?:_(?P<csv_measure>viec|tien))?"
    r"\.(?P<ext>xlsx|csv|json)\Z",
    # ASCII: "\d" must not accept Arabic-Indic or full-width digits, and "\Z" (not "$")
    # must not accept a trailing newline: disguised names are refused (issue 12).
    re.IGNORECASE | re.ASCII,
)


@dataclass(frozen=True)
class FileName:
    """The facts a submission's file name carries (contract section 1 and 3)."""

    province_code: str
    statistical_year: int
    months: int
    revision: int
    fmt: Literal["xlsx", "csv", "json"]
    csv_measure: Measure | None  # only for CSV: which of the pair this file is

    @property
    def submission_key(self) -> str:
        """Names the submission: the CSV pair shares it, `_r2` makes a new one."""
        rev = f"_r{self.revision}" if self.revision > 1 else ""
        return f"THADS_{self.province_code}_{self.statistical_year}_{self.months:02d}{rev}"


class FileNameError(ValueError):
    pass


def parse_filename(name: str) -> FileName:
    """Parse `THADS_<code>_<year>_<MM>[_rN][_viec|_tien].<ext>`; raise FileNameError if not."""
    match = FILENAME_RE.match(name)
    if not match:
        raise FileNameError(
            f"file name {name!r} does not follow THADS_<province_code>_<year>_<MM>"
            "[_rN].<xlsx|csv|json> (CSV: ..._viec.csv / ..._tien.csv)"
        )
    fmt = match["ext"].lower()
    csv_tag = (match["csv_measure"] or "").lower()
    if fmt == "csv" and not csv_tag:
        raise FileNameError(f"CSV file {name!r} must end in _viec.csv (cases) or _tien.csv (money)")
    if fmt != "csv" and csv_tag:
        raise FileNameError(f"only CSV files carry _viec/_tien, not {name!r}")
    months = int(match["months"])
    if not 1 <= months <= 12:
        raise FileNameError(f"file name {name!r}: months must be 01..12, got {match['months']}")
    measure: Measure | None = None
    if csv_tag:
        measure = "cases" if csv_tag == "viec" else "money"
    return FileName(
        province_code=match["province_code"],
        statistical_year=int(match["statistical_year"]),
        months=months,
        revision=int(match["revision"]) if match["revision"] else 1,
        fmt=fmt,  # type: ignore[arg-type]
        csv_measure=measure,
    )


def submission_filename(
    province_code: str,
    year: int,
    months: int,
    fmt: str,
    revision: int = 1,
    measure: str | None = None,
) -> str:
    """The inverse of `parse_filename`, for the generator and tests."""
    rev = f"_r{revision}" if revision > 1 else ""
    tag = f"_{CSV_SUFFIXES[measure]}" if measure else ""
    return f"THADS_{province_code}_{year}_{months:02d}{rev}{tag}.{fmt}"


# --- Findings ------------------------------------------------------------------------------

Severity = Literal["error", "warning"]


@dataclass
class Finding:
    """One thing wrong (or suspicious) with one submission, precise enough to fix it.

    `sheet`, `row` and `column` point into the file as the province wrote it: the Excel sheet
    name (or CSV file name / JSON array), the 1-based row number in that sheet, and the column
    label as written in the file's header.
    """

    file: str
    rule: str
    severity: Severity
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    observed: str | None = None
    expected: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Every rule a finding names is in the catalogue, with the catalogue's severity: a
        # new rule is added there first (with its Vietnamese text), never invented in place.
        from thads.rules import rule  # the catalogue imports this module

        known = rule(self.rule)
        if known.severity != self.severity:
            raise ValueError(
                f"rule {self.rule!r} is a {known.severity} in the catalogue, not a {self.severity}"
            )

    @classmethod
    def of(cls, rule_id: str, file: str, message: str, **where: Any) -> Finding:
        """A finding of a catalogued rule, with the catalogue's severity."""
        from thads.rules import rule

        return cls(file=file, rule=rule_id, severity=rule(rule_id).severity, message=message,
                   **where)  # fmt: skip

    def location(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = f"{self.location()}: [{self.severity}] {self.rule}: {self.message}"
        if self.expected is not None or self.observed is not None:
            text += f" (expected {self.expected}, found {self.observed})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
