"""What the report shows, read from a published snapshot.

dbt shapes every table the report prints (`reporting.rpt_report_*`,
dbt_project/models/reporting/): names, boundaries, merged provinces, print order, trend
points. Python only selects those rows, in dbt's order, into plain dataclasses, so the
template and the SVG code never touch SQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

import duckdb

from thads import contract


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


@dataclass(frozen=True)
class Period:
    statistical_year: int
    months: int
    boundary: int
    n_expected: int
    period_start: date
    period_end: date
    n_reported: int = 0
    n_final: int = 0  # provinces whose figures are final (contract section 7)
    last_approved_at: datetime | None = None

    @property
    def figure_label(self) -> str:
        """ "Số liệu sơ bộ" or "Số liệu chính thức (phê duyệt ngày ...)"."""
        from thads.approval.labels import period_label_vi

        return period_label_vi(self.n_final, self.n_reported, self.last_approved_at)

    @property
    def key(self) -> str:
        return f"{self.statistical_year}-{self.months:02d}"


@dataclass
class RankRow:
    province_code: str
    province_name: str
    short_name: str
    rank: int | None
    n_ranked: int  # the mart's n_ranked (contract section 4), the same on every row of a period
    rank_label: str | None
    done: float | None  # completed + terminated
    with_conditions: float | None
    rate_pct: float | None
    target_pct: float | None
    gap_pp: float | None
    lat: float | None
    lon: float | None
    reported: bool
    merged_from: list[str] = field(default_factory=list)  # legacy short names (34 only)
    scorecard: str | None = None  # contract 6.2: green | amber | red


@dataclass(frozen=True)
class ComplianceRow:
    """One expected province of a period (contract 6.1), as rpt_report_compliance prints it."""

    province_code: str
    province_name: str
    status: str  # on_time | late | rejected | missing | not_due
    status_label: str  # Vietnamese
    working_days_late: int | None
    deadline_day: date


@dataclass(frozen=True)
class ComparisonRow:
    """One current province against the same period last year (contract 6.3), as
    rpt_report_comparison prints it; the `_prev` values and changes are None when last
    year's figure is incomplete."""

    province_code: str
    short_name: str
    done: float
    done_prev: float | None
    done_change: float | None
    done_change_pct: float | None
    rate_pct: float | None
    rate_pct_prev: float | None
    rate_change_pp: float | None


@dataclass
class ProvinceTrend:
    """One province's rate per statistical year in one view of the merger (34 or 63)."""

    province_code: str
    short_name: str
    rates: dict[int, float | None] = field(default_factory=dict)  # statistical year -> rate


@dataclass
class TrendView:
    """rpt_report_province_trends of one view and measure: the years' points (year ->
    cumulative months of the report used) and one row per province of the view."""

    view_boundary: int
    measure: str
    points: dict[int, int] = field(default_factory=dict)
    provinces: list[ProvinceTrend] = field(default_factory=list)


@dataclass(frozen=True)
class ReportingRates:
    """The nation's reporting and on-time rates of one statistical year (contract 6.1)."""

    n_expected: int
    n_reported: int
    n_on_time: int
    reporting_rate_pct: float | None
    on_time_rate_pct: float | None


@dataclass
class National:
    measure: str
    statistical_year: int
    months: int
    rate_pct: float | None
    target_pct: float | None
    gap_pp: float | None
    n_reported: int
    n_expected: int
    done: float
    with_conditions: float


@dataclass
class QualityRow:
    province_code: str | None
    province_name: str
    boundary: int | None  # 63 legacy / 34 current: the same name can be both (Lào Cai)
    files: int = 0
    loaded: int = 0
    superseded: int = 0
    duplicate: int = 0
    quarantined: int = 0
    warnings: int = 0
    last_reason: str | None = None
    last_reason_more: int = 0


@dataclass
class Issue:
    province_name: str
    file: str
    kind: str  # "quarantined" | "warning"
    message: str


@dataclass
class ReportData:
    periods: list[Period]  # latest first
    ranking: dict[tuple[str, str], list[RankRow]]  # (period key, measure) -> rows by rank
    national: dict[tuple[str, str], National]
    trend: dict[str, list[National]]  # measure -> one point per year (last report of it)
    quality: list[QualityRow]
    issues: dict[str, list[Issue]]  # period key -> issues
    merger: list[tuple[str, str, list[str]]]  # current code, current name, legacy names
    info: dict[str, Any]
    compliance: dict[str, list[ComplianceRow]] = field(default_factory=dict)  # period key
    reporting_rates: dict[tuple[int, int], ReportingRates] = field(default_factory=dict)
    #: (period key, measure) -> provinces against last year, in print order
    comparison: dict[tuple[str, str], list[ComparisonRow]] = field(default_factory=dict)
    #: (view boundary, measure) -> per-province trend, views 34 then 63
    province_trends: dict[tuple[int, str], TrendView] = field(default_factory=dict)


#: The dbt schema holding what the report prints (dbt_project/models/reporting/).
REPORTING_SCHEMA = "reporting"


def _select(con: duckdb.DuckDBPyConnection, model: str, order_by: str) -> list[dict]:
    """Every row of one reporting model, in the order dbt gives for printing."""
    return _rows(con, f"SELECT * FROM {REPORTING_SCHEMA}.{model} ORDER BY {order_by}")


def load(con: duckdb.DuckDBPyConnection) -> ReportData:
    national = _national(con)
    return ReportData(
        periods=_periods(con),
        ranking=_ranking(con),
        national=national,
        trend=_trend(con, national),
        quality=_quality(con),
        issues=_issues(con),
        merger=_merger(con),
        info=_info(con),
        compliance=_compliance(con),
        reporting_rates=_reporting_rates(con),
        comparison=_comparison(con),
        province_trends=_province_trends(con),
    )


def _comparison(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[ComparisonRow]]:
    out: dict[tuple[str, str], list[ComparisonRow]] = defaultdict(list)
    for r in _select(con, "rpt_report_comparison", "period_key, measure, display_order"):
        out[(r["period_key"], r["measure"])].append(
            ComparisonRow(**{f.name: r[f.name] for f in fields(ComparisonRow)})
        )
    return dict(out)


def _province_trends(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, str], TrendView]:
    views: dict[tuple[int, str], TrendView] = {}
    rows: dict[tuple[int, str, str], ProvinceTrend] = {}
    order = "view_boundary, measure, display_order, statistical_year"
    for r in _select(con, "rpt_report_province_trends", order):
        boundary, measure, code = int(r["view_boundary"]), r["measure"], r["province_code"]
        view = views.setdefault((boundary, measure), TrendView(boundary, measure))
        view.points[int(r["statistical_year"])] = int(r["months"])
        if (boundary, measure, code) not in rows:
            rows[(boundary, measure, code)] = ProvinceTrend(code, r["short_name"])
            view.provinces.append(rows[(boundary, measure, code)])
        rows[(boundary, measure, code)].rates[int(r["statistical_year"])] = r["rate_pct"]
    for view in views.values():
        view.points = dict(sorted(view.points.items()))
    # the current view first: it is the one comparable across the merger
    return dict(sorted(views.items(), key=lambda kv: (kv[0][0], kv[0][1] != "cases")))


def _compliance(con: duckdb.DuckDBPyConnection) -> dict[str, list[ComplianceRow]]:
    out: dict[str, list[ComplianceRow]] = defaultdict(list)
    for r in _select(con, "rpt_report_compliance", "period_key, display_order"):
        out[r["period_key"]].append(
            ComplianceRow(
                province_code=r["province_code"],
                province_name=r["province_name"] or r["province_code"],
                status=r["status"],
                status_label=r["status_label"],
                working_days_late=r["working_days_late"],
                deadline_day=r["deadline_day"],
            )
        )
    return dict(out)


def _reporting_rates(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, int], ReportingRates]:
    return {
        (int(r["statistical_year"]), int(r["boundary"])): ReportingRates(
            int(r["n_expected"]),
            int(r["n_reported"]),
            int(r["n_on_time"]),
            r["reporting_rate_pct"],
            r["on_time_rate_pct"],
        )
        for r in _select(con, "rpt_report_reporting_rates", "statistical_year, boundary")
    }


def _periods(con: duckdb.DuckDBPyConnection) -> list[Period]:
    return [
        Period(
            int(r["statistical_year"]),
            int(r["months"]),
            int(r["boundary"]),
            int(r["n_expected"]),
            r["period_start"],
            r["period_end"],
            int(r["n_reported"]),
            int(r["n_final"]),
            r["last_approved_at"],
        )
        for r in _select(con, "rpt_report_periods", "statistical_year DESC, months DESC")
    ]


def _ranking(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[RankRow]]:
    out: dict[tuple[str, str], list[RankRow]] = defaultdict(list)
    for r in _select(con, "rpt_report_ranking", "period_key, measure, display_order"):
        out[(r["period_key"], r["measure"])].append(
            RankRow(
                province_code=r["province_code"],
                province_name=r["province_name"],
                short_name=r["short_name"],
                rank=None if r["rank"] is None else int(r["rank"]),
                n_ranked=int(r["n_ranked"]),
                rank_label=r["rank_label"],
                done=r["done"],
                with_conditions=r["with_conditions"],
                rate_pct=r["rate_pct"],
                target_pct=r["target_pct"],
                gap_pp=r["gap_pp"],
                lat=r["lat"],
                lon=r["lon"],
                reported=bool(r["reported"]),
                merged_from=list(r["merged_from"]),
                scorecard=r["scorecard"],
            )
        )
    return dict(out)


def _national(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], National]:
    return {
        (r["period_key"], r["measure"]): National(
            measure=r["measure"],
            statistical_year=int(r["statistical_year"]),
            months=int(r["months"]),
            rate_pct=r["rate_pct"],
            target_pct=r["target_pct"],
            gap_pp=r["gap_pp"],
            n_reported=int(r["n_reported"]),
            n_expected=int(r["n_expected"]),
            done=float(r["done"]),
            with_conditions=float(r["with_conditions"]),
        )
        for r in _select(con, "rpt_report_national", "period_key, measure")
    }


def _trend(
    con: duckdb.DuckDBPyConnection, national: dict[tuple[str, str], National]
) -> dict[str, list[National]]:
    """Per measure, one point per statistical year, oldest first (dbt marks the points)."""
    out: dict[str, list[National]] = {m: [] for m in contract.MEASURES}
    for r in _select(con, "rpt_report_national", "statistical_year, measure"):
        if r["is_trend_point"]:
            out.setdefault(r["measure"], []).append(national[(r["period_key"], r["measure"])])
    return out


def _quality(con: duckdb.DuckDBPyConnection) -> list[QualityRow]:
    return [
        QualityRow(
            province_code=r["province_code"],
            province_name=r["province_name"],
            boundary=None if r["boundary"] is None else int(r["boundary"]),
            files=int(r["files"]),
            loaded=int(r["loaded"]),
            superseded=int(r["superseded"]),
            duplicate=int(r["duplicate"]),
            quarantined=int(r["quarantined"]),
            warnings=int(r["warnings"]),
            last_reason=r["last_reason"],
            last_reason_more=int(r["last_reason_more"]),
        )
        for r in _select(con, "rpt_report_quality", "display_order")
    ]


def _issues(con: duckdb.DuckDBPyConnection) -> dict[str, list[Issue]]:
    out: dict[str, list[Issue]] = defaultdict(list)
    for r in _select(con, "rpt_report_issues", "period_key, display_order"):
        out[r["period_key"]].append(Issue(r["province_name"], r["file"], r["kind"], r["message"]))
    return dict(out)


def _merger(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, list[str]]]:
    return [
        (r["province_code"], r["province_name"], list(r["legacy_short_names"]))
        for r in _select(con, "rpt_report_merger", "province_code")
    ]


def _info(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The publish info written into the snapshot, if this is one."""
    try:
        rows = _rows(con, "SELECT * FROM publish.info")
    except duckdb.CatalogException:
        return {}
    return rows[0] if rows else {}
