"""What the report shows, read from a published snapshot (schema `marts`).

Plain dataclasses out, so the template and the SVG code never touch SQL, and tests can
check the numbers the report will print against the marts directly.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
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


def load(con: duckdb.DuckDBPyConnection) -> ReportData:
    periods = _periods(con)
    provinces = _provinces(con)
    merged = _merged_from(con)
    return ReportData(
        periods=periods,
        ranking=_ranking(con, provinces, merged),
        national=_national(con),
        trend=_trend(con),
        quality=_quality(con),
        issues=_issues(con),
        merger=_merger(con),
        info=_info(con),
    )


def _periods(con: duckdb.DuckDBPyConnection) -> list[Period]:
    rows = _rows(
        con,
        """
        SELECT DISTINCT r.statistical_year, r.months, p.n_expected, p.period_start, p.period_end
        FROM marts.fct_province_ranking r
        LEFT JOIN marts.dim_period p USING (statistical_year, months)
        ORDER BY r.statistical_year DESC, r.months DESC
        """,
    )
    out = []
    for r in rows:
        y, m = int(r["statistical_year"]), int(r["months"])
        boundary = contract.boundary_for(y, m)
        out.append(
            Period(
                y,
                m,
                boundary,
                int(r["n_expected"] or boundary),
                r["period_start"] or contract.period_start(y),
                r["period_end"] or contract.period_end(y, m),
            )
        )
    return out


def _provinces(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, str], dict]:
    rows = _rows(con, "SELECT * FROM marts.dim_province")
    return {(int(r["boundary"]), r["province_code"]): r for r in rows}


def _merged_from(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Current province code -> the short names of the legacy provinces it absorbed."""
    out: dict[str, list[str]] = defaultdict(list)
    for r in _rows(
        con,
        "SELECT current_province_code, short_name FROM marts.dim_province "
        "WHERE boundary = 63 ORDER BY current_province_code, province_code",
    ):
        out[r["current_province_code"]].append(r["short_name"])
    return dict(out)


def _ranking(
    con: duckdb.DuckDBPyConnection,
    provinces: dict[tuple[int, str], dict],
    merged: dict[str, list[str]],
) -> dict[tuple[str, str], list[RankRow]]:
    rows = _rows(
        con,
        """
        SELECT statistical_year, months, measure, province_code, province_name, boundary,
            completed, terminated, with_conditions, rate_pct, rank, n_ranked, rank_label,
            target_pct, gap_pp
        FROM marts.fct_province_ranking
        ORDER BY statistical_year, months, measure, rank NULLS LAST, rate_pct DESC NULLS LAST,
            province_name
        """,
    )
    out: dict[tuple[str, str], list[RankRow]] = defaultdict(list)
    for r in rows:
        key = f"{int(r['statistical_year'])}-{int(r['months']):02d}"
        boundary = int(r["boundary"])
        ref = provinces.get((boundary, r["province_code"]), {})
        done = None
        if r["completed"] is not None or r["terminated"] is not None:
            done = (r["completed"] or 0) + (r["terminated"] or 0)
        legacy = merged.get(r["province_code"], []) if boundary == 34 else []
        out[(key, r["measure"])].append(
            RankRow(
                province_code=r["province_code"],
                province_name=r["province_name"] or ref.get("province_name", r["province_code"]),
                short_name=ref.get("short_name") or r["province_name"] or r["province_code"],
                rank=None if r["rank"] is None else int(r["rank"]),
                n_ranked=int(r["n_ranked"]),
                rank_label=r["rank_label"],
                done=done,
                with_conditions=r["with_conditions"],
                rate_pct=r["rate_pct"],
                target_pct=r["target_pct"],
                gap_pp=r["gap_pp"],
                lat=ref.get("lat"),
                lon=ref.get("lon"),
                reported=r["with_conditions"] is not None,
                merged_from=legacy if len(legacy) > 1 else [],
            )
        )
    return dict(out)


def _national(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], National]:
    rows = _rows(
        con,
        """
        SELECT statistical_year, months, measure, rate_pct, national_target_pct, gap_pp,
            n_provinces_reported, n_expected, completed + terminated AS done, with_conditions
        FROM marts.fct_national_summary
        """,
    )
    return {
        (f"{int(r['statistical_year'])}-{int(r['months']):02d}", r["measure"]): National(
            measure=r["measure"],
            statistical_year=int(r["statistical_year"]),
            months=int(r["months"]),
            rate_pct=r["rate_pct"],
            target_pct=r["national_target_pct"],
            gap_pp=r["gap_pp"],
            n_reported=int(r["n_provinces_reported"] or 0),
            n_expected=int(r["n_expected"] or 0),
            done=float(r["done"] or 0),
            with_conditions=float(r["with_conditions"] or 0),
        )
        for r in rows
    }


def _trend(con: duckdb.DuckDBPyConnection) -> dict[str, list[National]]:
    """Per measure, one point per statistical year: its 12-month report, or the latest
    cumulative report of a year still running."""
    national = _national(con)
    latest: dict[tuple[str, int], National] = {}
    for point in national.values():
        k = (point.measure, point.statistical_year)
        if k not in latest or point.months > latest[k].months:
            latest[k] = point
    out: dict[str, list[National]] = {m: [] for m in contract.MEASURES}
    for (measure, _), point in sorted(latest.items(), key=lambda kv: kv[0][1]):
        out.setdefault(measure, []).append(point)
    return out


#: contract.boundary_for in SQL, for tables that carry only the period.
_BOUNDARY = """CASE WHEN {t}.statistical_year IS NULL THEN NULL
    WHEN {t}.statistical_year > 2025 OR ({t}.statistical_year = 2025 AND {t}.months >= 9)
    THEN 34 ELSE 63 END"""
_SUBMISSIONS_WITH_NAMES = f"""
    SELECT s.*, coalesce(d.province_name, s.province_code) AS province_name,
        {_BOUNDARY.format(t="s")} AS boundary
    FROM marts.fct_submissions s
    LEFT JOIN marts.dim_province d ON d.province_code = s.province_code
        AND d.boundary = {_BOUNDARY.format(t="s")}
"""


def _reasons(raw: Any) -> list[str]:
    """`reasons` is a JSON list of strings; tolerate a plain string or a list type."""
    if raw is None:
        return []
    if isinstance(raw, list):
        return [str(r) for r in raw]
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return [str(raw)]
    return [str(r) for r in value] if isinstance(value, list) else [str(value)]


def _quality(con: duckdb.DuckDBPyConnection) -> list[QualityRow]:
    by_province: dict[tuple[int | None, str | None], QualityRow] = {}

    def row_for(code: str | None, name: str | None, boundary: int | None) -> QualityRow:
        if code is None:
            boundary = None
        key = (boundary, code)
        if key not in by_province:
            label = name or code or "Không xác định (tên tệp không đúng quy định)"
            by_province[key] = QualityRow(code, label, boundary)
        return by_province[key]

    subs = _rows(con, _SUBMISSIONS_WITH_NAMES + " ORDER BY s.arrival_time, s.file")
    for s in subs:
        row = row_for(s["province_code"], s["province_name"], s["boundary"])
        row.files += 1
        status = s["status"]
        if status in ("loaded", "superseded", "duplicate", "quarantined"):
            setattr(row, status, getattr(row, status) + 1)
        if status == "quarantined":
            reasons = _reasons(s["reasons"])
            if reasons:  # rows come in arrival order: the last one wins
                row.last_reason, row.last_reason_more = reasons[0], len(reasons) - 1
    warnings = _rows(
        con,
        f"""
        SELECT province_code, province_name, {_BOUNDARY.format(t="q")} AS boundary,
            count(*) AS n
        FROM marts.fct_data_quality q
        WHERE outcome = 'fail' AND severity = 'warning'
        GROUP BY ALL
        """,
    )
    for w in warnings:
        row_for(w["province_code"], w["province_name"], w["boundary"]).warnings += int(w["n"])
    return sorted(
        by_province.values(),
        key=lambda r: (-(r.quarantined + r.warnings), r.province_code or "~", r.province_name),
    )


def _issues(con: duckdb.DuckDBPyConnection) -> dict[str, list[Issue]]:
    out: dict[str, list[Issue]] = defaultdict(list)
    for s in _rows(
        con,
        _SUBMISSIONS_WITH_NAMES
        + " WHERE s.status = 'quarantined' AND s.statistical_year IS NOT NULL"
        " ORDER BY s.province_code, s.file",
    ):
        key = f"{int(s['statistical_year'])}-{int(s['months']):02d}"
        reasons = _reasons(s["reasons"]) or ["(không có lý do)"]
        for reason in reasons:
            out[key].append(Issue(s["province_name"], s["file"], "quarantined", reason))
    for w in _rows(
        con,
        """
        SELECT statistical_year, months, province_name, source_file, message
        FROM marts.fct_data_quality
        WHERE outcome = 'fail' AND severity = 'warning' AND statistical_year IS NOT NULL
        ORDER BY province_code, source_file
        """,
    ):
        key = f"{int(w['statistical_year'])}-{int(w['months']):02d}"
        out[key].append(
            Issue(w["province_name"] or "", w["source_file"], "warning", w["message"] or "")
        )
    return dict(out)


def _merger(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, list[str]]]:
    rows = _rows(
        con,
        """
        SELECT c.province_code, c.province_name,
            list(l.short_name ORDER BY l.province_code) AS legacy
        FROM marts.dim_province c
        LEFT JOIN marts.dim_province l
            ON l.boundary = 63 AND l.current_province_code = c.province_code
        WHERE c.boundary = 34
        GROUP BY ALL
        ORDER BY c.province_code
        """,
    )
    return [(r["province_code"], r["province_name"], list(r["legacy"] or [])) for r in rows]


def _info(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The publish info written into the snapshot, if this is one."""
    try:
        rows = _rows(con, "SELECT * FROM publish.info")
    except duckdb.CatalogException:
        return {}
    return rows[0] if rows else {}
