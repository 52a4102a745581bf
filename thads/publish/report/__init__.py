"""The static HTML report: `serving/report/index.html`, one file that opens from disk.

No server, no CDN, no network: CSS is inline, charts are SVG drawn in Python (`charts`,
`tilemap`), and a few lines of inline JavaScript switch between periods (without
JavaScript the latest period shows). jinja2 autoescaping escapes every value, including the
office names and reasons provinces wrote.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from thads import contract, reference
from thads.publish.report import charts, data, fmt, tilemap

TEMPLATES = Path(__file__).parent / "templates"
MEASURE_LABELS = {"cases": "Việc", "money": "Tiền"}
MEASURE_UNITS = {"cases": "việc", "money": "tỷ đồng"}
COLORS = {"cases": "#1d4ed8", "money": "#047857", "target": "#9ca3af"}
#: Every cumulative period of this many latest statistical years is selectable; earlier
#: years show their last report (the 12-month one). Keeps the single file a few MB at most:
#: the full history is in the snapshot and the Parquet files.
ALL_PERIODS_YEARS = 2


def selectable_periods(periods: list[data.Period]) -> list[data.Period]:
    """Latest first: all periods of the last ALL_PERIODS_YEARS years, then one per year."""
    if not periods:
        return []
    latest_year = max(p.statistical_year for p in periods)
    last_of_year: dict[int, data.Period] = {}
    for p in periods:
        if (
            p.statistical_year not in last_of_year
            or p.months > last_of_year[p.statistical_year].months
        ):
            last_of_year[p.statistical_year] = p
    keep = [
        p
        for p in periods
        if p.statistical_year > latest_year - ALL_PERIODS_YEARS
        or last_of_year[p.statistical_year] is p
    ]
    return sorted(keep, key=lambda p: (p.statistical_year, p.months), reverse=True)


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        num=fmt.number,
        pct=fmt.pct,
        pp=fmt.points,
        billions=fmt.billions,
        day=fmt.day,
        sign_class=_sign_class,
    )
    return env


def _sign_class(value: float | None) -> str:
    """CSS class of a gap: green at or over target, red under, plain when unknown."""
    if value is None or value != value:
        return ""
    return "pos" if value >= 0 else "neg"


def _amount(measure: str, value: float | None) -> str:
    return fmt.billions(value) if measure == "money" else fmt.number(value)


def _trend_charts(report: data.ReportData) -> list[dict[str, Any]]:
    out = []
    for measure in contract.MEASURES:
        points = report.trend.get(measure, [])
        categories = [
            str(p.statistical_year) + ("" if p.months == 12 else f" ({p.months} th)")
            for p in points
        ]
        series = [
            charts.Series("Tỷ lệ thực hiện", [p.rate_pct for p in points], COLORS[measure]),
            charts.Series(
                "Chỉ tiêu toàn quốc",
                [p.target_pct for p in points],
                COLORS["target"],
                dashed=True,
                value_labels=False,
            ),
        ]
        title = f"Tỷ lệ thi hành xong về {MEASURE_LABELS[measure].lower()}, toàn quốc"
        out.append(
            {
                "measure": measure,
                "title": title,
                "svg": charts.line_chart(categories, series, title=title),
                "partial": [p for p in points if p.months != 12],
            }
        )
    return out


def _period_view(report: data.ReportData, period: data.Period) -> dict[str, Any]:
    period_label = fmt.period_label(period.statistical_year, period.months)
    measures = []
    for measure in contract.MEASURES:
        rows = report.ranking.get((period.key, measure), [])
        tiles = [
            tilemap.Tile(
                r.province_code,
                r.province_name,
                r.short_name,
                r.lat,
                r.lon,
                r.rate_pct,
                r.rank_label,
                r.gap_pp,
            )
            for r in rows
            if r.lat is not None and r.lon is not None
        ]
        label = MEASURE_LABELS[measure]
        measures.append(
            {
                "measure": measure,
                "label": label,
                "unit": MEASURE_UNITS[measure],
                "rows": rows,
                "amount": lambda v, m=measure: _amount(m, v),
                "national": report.national.get((period.key, measure)),
                "map": tilemap.tile_map(tiles, title=f"Tỷ lệ về {label.lower()}, {period_label}"),
                "n_ranked": rows[0].n_ranked if rows else 0,
            }
        )
    issues = report.issues.get(period.key, [])
    compliance = report.compliance.get(period.key, [])
    comparison = [
        {
            "measure": measure,
            "label": MEASURE_LABELS[measure],
            "unit": MEASURE_UNITS[measure],
            "rows": report.comparison[(period.key, measure)],
            "amount": lambda v, m=measure: _amount(m, v),
            "change": lambda v, pct, m=measure: fmt.change(v, pct, m),
        }
        for measure in contract.MEASURES
        if report.comparison.get((period.key, measure))
    ]
    return {
        "comparison": comparison,
        "previous_label": fmt.period_label(period.statistical_year - 1, period.months),
        "compliance": {
            "rows": compliance,
            "late": [c for c in compliance if c.status in ("late", "rejected", "missing")],
            "counts": {
                label: sum(1 for c in compliance if c.status_label == label)
                for label in dict.fromkeys(c.status_label for c in compliance)
            },
            "deadline": compliance[0].deadline_day if compliance else None,
            "rates": report.reporting_rates.get((period.statistical_year, period.boundary)),
        },
        "period": period,
        "label": period_label,
        "measures": measures,
        "issues": issues,
        "n_quarantined": len({i.file for i in issues if i.kind == "quarantined"}),
        "merger_note": period.boundary == reference.CURRENT,
        "pre_merger_2025": period.statistical_year == contract.MERGER_YEAR
        and period.boundary == reference.LEGACY,
    }


def _province_trends(report: data.ReportData) -> list[dict[str, Any]]:
    """Both views of the merger, each with a table per measure (current view first)."""
    views: dict[int, dict[str, Any]] = {}
    for (boundary, measure), view in report.province_trends.items():
        entry = views.setdefault(boundary, {"boundary": boundary, "tables": []})
        entry["tables"].append(
            {
                "measure": measure,
                "label": MEASURE_LABELS[measure],
                "years": [
                    (year, str(year) if months == 12 else f"{year} ({months} th)")
                    for year, months in view.points.items()
                ],
                "provinces": view.provinces,
            }
        )
    return list(views.values())


def render(con: duckdb.DuckDBPyConnection, generated_at: datetime | None = None) -> str:
    """The report's HTML, from a connection whose default catalog holds schema `marts`."""
    report = data.load(con)
    generated_at = generated_at or datetime.now(UTC)
    template = _environment().get_template("index.html.j2")
    html = template.render(
        generated=generated_at.astimezone(UTC).strftime("%d/%m/%Y %H:%M UTC"),
        info=report.info,
        periods=[_period_view(report, p) for p in selectable_periods(report.periods)],
        older_months_dropped=len(selectable_periods(report.periods)) < len(report.periods),
        trend=_trend_charts(report),
        province_trends=_province_trends(report),
        legacy_boundary=reference.LEGACY,
        quality=report.quality,
        merger=[m for m in report.merger if len(m[2]) > 1],
        unchanged=[m for m in report.merger if len(m[2]) <= 1],
        merger_first=fmt.period_label(contract.MERGER_YEAR, contract.MERGER_FIRST_MONTHS),
        merger_last_legacy=fmt.period_label(contract.MERGER_YEAR, contract.MERGER_FIRST_MONTHS - 1),
        trend_years=sorted({p.statistical_year for ps in report.trend.values() for p in ps}),
        current_boundary=reference.CURRENT,
        current_valid_from=reference.CURRENT_VALID_FROM,
    )
    # Template indentation is for people reading the template, not for the browser.
    return re.sub(r"\n[ \t]+", "\n", html)
