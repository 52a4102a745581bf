"""A small warehouse with the marts of docs/interfaces.md, built directly in DuckDB.

Stands in for the dbt build in the publish/report/export tests until the real build lands
(and stays useful afterwards: it is fast and lets a test choose the data). Numbers are
generated, deterministic per seed, and follow the domain identities; rankings, roll-ups and
national sums are computed by DuckDB SQL from the generated facts, never typed in.

Deliberate oddities, so tests can see them handled:
- two provinces tie on cases in every period (same completed/terminated/with_conditions);
- one province has zero money with conditions in one period (rate and rank null);
- one province of the latest period did not report (n_ranked < n_expected);
- office names and quarantine reasons carrying HTML and spreadsheet formulas.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from thads import contract, reference

#: Periods of the default warehouse: two per year, and around the 2025 merger.
DEFAULT_PERIODS: tuple[tuple[int, int], ...] = (
    *((y, m) for y in range(2019, 2025) for m in (6, 12)),
    (2025, 3),
    (2025, 8),
    (2025, 9),
    (2025, 12),
)
NATIONAL_TARGETS = {2024: (83.25, 46.45), 2025: (83.90, 51.90)}
FIXTURE_TARGETS = (81.0, 40.0)  # years the brief gives no national target for
HOSTILE_OFFICE = '=HYPERLINK("http://evil.example","<script>alert(1)</script> bấm & xem")'
HOSTILE_REASON = "=cmd|' /C calc'!A0 <img src=x onerror=alert(1)>"
#: Text that a spreadsheet would run as a formula, one per trigger character; these land in
#: fct_data_quality.observed of the latest period's refused file.
FORMULA_TEXTS = ("=1+1", "+1+1", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1")
SKIPPED_PROVINCE = "12"  # does not report in the latest period
ZERO_MONEY = ("14", 2024, 6)  # no money with conditions: rate null


def _period_end(year: int, months: int) -> date:
    return contract.period_end(year, months)


def _deadline(end: date) -> date:
    day, left = end, 4
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    edges = [0, *cuts, total]
    return [edges[i + 1] - edges[i] for i in range(parts)]


def _facts(rng: random.Random, measure: str, months: int, scale: float) -> dict[str, float]:
    """One province's numbers for a cumulative period, consistent with the identities."""
    if measure == "cases":
        with_cond = int(rng.uniform(1500, 30000) * scale * (0.55 + 0.45 * months / 12))
        final_rate = rng.uniform(0.72, 0.96)
    else:  # thousands of đồng
        with_cond = int(rng.uniform(8e7, 4e9) * scale * (0.55 + 0.45 * months / 12))
        final_rate = rng.uniform(0.28, 0.62)
    rate = final_rate * (months / 12) ** 0.7
    done = int(with_cond * rate)
    terminated = int(done * rng.uniform(0.02, 0.08))
    completed = done - terminated
    in_progress, postponed, suspended, other = _split(rng, with_cond - done, 4)
    without = int(with_cond * rng.uniform(0.25, 0.6))
    must = with_cond + without
    entrusted, recalled = int(must * 0.01), int(must * 0.005)
    total = must + entrusted + recalled
    carried = int(total * rng.uniform(0.45, 0.7))
    values = {
        "carried_over": carried,
        "new_received": total - carried,
        "total_received": total,
        "entrusted": entrusted,
        "recalled": recalled,
        "must_enforce": must,
        "without_conditions": without,
        "with_conditions": with_cond,
        "completed": completed,
        "terminated": terminated,
        "in_progress": in_progress,
        "postponed": postponed,
        "suspended": suspended,
        "other": other,
    }
    return {k: float(v) for k, v in values.items()}


def _zero(values: dict[str, float]) -> dict[str, float]:
    """A report where nothing had conditions (everything without conditions)."""
    out = dict.fromkeys(values, 0.0)
    out.update(
        carried_over=values["carried_over"],
        new_received=values["new_received"],
        total_received=values["total_received"],
        entrusted=values["entrusted"],
        recalled=values["recalled"],
        must_enforce=values["must_enforce"],
        without_conditions=values["must_enforce"],
    )
    return out


def _dim_province() -> pd.DataFrame:
    mapping = reference.legacy_to_current()
    current = reference.province_by_code(reference.CURRENT)
    rows = []
    for boundary in (reference.LEGACY, reference.CURRENT):
        for p in reference.provinces(boundary):
            cur = current[mapping[p.code] if boundary == reference.LEGACY else p.code]
            rows.append(
                {
                    "province_key": f"{boundary}-{p.code}",
                    "province_code": p.code,
                    "boundary": boundary,
                    "province_name": p.name,
                    "short_name": p.short_name,
                    "current_province_code": cur.code,
                    "current_province_name": cur.name,
                    "valid_from": date(2019, 10, 1) if boundary == 63 else date(2025, 7, 1),
                    "valid_to": date(2025, 6, 30) if boundary == 63 else None,
                    "lat": p.lat,
                    "lon": p.lon,
                }
            )
    return pd.DataFrame(rows)


def _office_names(p: reference.Province, boundary: int) -> list[str]:
    if boundary == reference.LEGACY:
        head = f"Cục THADS {p.name.lower().replace('tỉnh ', 'tỉnh ')}"
        districts = reference.legacy_districts(p.code)[:1] or ("Huyện 1",)
        return [head, f"Chi cục THADS {districts[0].lower()}"]
    return [f"Thi hành án dân sự {p.name.lower()}", "Phòng THADS khu vực 1"]


def build_warehouse(
    path: Path,
    periods: tuple[tuple[int, int], ...] = DEFAULT_PERIODS,
    seed: int = 7,
    version: int = 1,
) -> dict[str, int]:
    """(Re)build the marts in the DuckDB file `path`, like a dbt build would; return counts.

    Every mart carries `build_version = version` so a reader can tell builds apart.
    """
    rng = random.Random(seed)
    dim_province = _dim_province()
    scale = {code: rng.uniform(0.4, 2.5) for code in dim_province["province_code"].unique()}
    latest = max(periods)
    enforcement, offices, submissions, quality, targets = [], [], [], [], []
    t0 = datetime(2019, 1, 1, tzinfo=UTC)
    for year in sorted({y for y, _ in periods}):
        for boundary in {contract.boundary_for(y, m) for y, m in periods if y == year}:
            for p in reference.provinces(boundary):
                targets.append(
                    {
                        "statistical_year": year,
                        "boundary": boundary,
                        "province_code": p.code,
                        "cases": round(rng.uniform(78, 86), 2),
                        "money": round(rng.uniform(36, 52), 2),
                    }
                )
    for year, months in periods:
        boundary = contract.boundary_for(year, months)
        provinces = reference.provinces(boundary)
        end = _period_end(year, months)
        tie_source: dict[str, float] | None = None
        for index, p in enumerate(provinces):
            if (year, months) == latest and p.code == SKIPPED_PROVINCE:
                continue
            sub_id = f"THADS_{p.code}_{year}_{months:02d}@{rng.getrandbits(48):012x}"
            arrival = datetime.combine(end, datetime.min.time(), UTC) + timedelta(days=3)
            for measure in contract.MEASURES:
                values = _facts(rng, measure, months, scale[p.code])
                if measure == "cases" and index in (3, 4):  # a tie, every period
                    tie_source = tie_source or values
                    values = dict(tie_source)
                if measure == "money" and (p.code, year, months) == ZERO_MONEY:
                    values = _zero(values)
                enforcement.append(
                    {
                        "statistical_year": year,
                        "months": months,
                        "measure": measure,
                        "province_code": p.code,
                        "boundary": boundary,
                        "period_end": end,
                        "province_name": p.name,
                        "submission_id": sub_id,
                        **values,
                    }
                )
                names = _office_names(p, boundary)
                if p.code == "80" and boundary == 63:
                    names = [*names, HOSTILE_OFFICE]
                for order, office in enumerate(names):
                    share = 0.6 if order == 0 else 0.4 / (len(names) - 1)
                    offices.append(
                        {
                            "statistical_year": year,
                            "months": months,
                            "measure": measure,
                            "province_code": p.code,
                            "boundary": boundary,
                            "province_name": p.name,
                            "submission_id": sub_id,
                            "office": office,
                            "office_order": order,
                            **{k: round(v * share) for k, v in values.items()},
                        }
                    )
            file = f"THADS_{p.code}_{year}_{months:02d}.xlsx"
            submissions.append(
                {
                    "file": file,
                    "sha256": f"{rng.getrandbits(256):064x}",
                    "submission_id": sub_id,
                    "submission_key": sub_id.split("@")[0],
                    "province_code": p.code,
                    "statistical_year": year,
                    "months": months,
                    "revision": 1,
                    "fmt": "xlsx",
                    "arrival_time": arrival,
                    "first_seen": arrival,
                    "status": "loaded",
                    "reasons": "[]",
                    "batch_id": f"b{year}{months:02d}",
                }
            )
            for rule in ("identities", "total_row_is_sum", "cumulative_not_decreasing"):
                failed = rule == "cumulative_not_decreasing" and rng.random() < 0.04
                quality.append(
                    {
                        "submission_id": sub_id,
                        "source_file": file,
                        "province_code": p.code,
                        "statistical_year": year,
                        "months": months,
                        "measure": "cases" if failed else None,
                        "rule": rule,
                        "severity": "warning" if failed else "error",
                        "outcome": "fail" if failed else "pass",
                        "message": (
                            f"Tổng số thụ lý giảm so với báo cáo trước ({file})" if failed else ""
                        ),
                        "observed": None,
                        "expected": None,
                        "sheet": "Việc" if failed else None,
                        "source_row": 9 if failed else None,
                        "column_label": "Tổng số thụ lý" if failed else None,
                        "batch_id": f"b{year}{months:02d}",
                        "checked_at": arrival,
                        "province_name": p.name,
                    }
                )
        # A refused file per period: a hostile reason, to be escaped/neutralised downstream.
        bad = provinces[(year * 7 + months) % len(provinces)]
        bad_file = f"THADS_{bad.code}_{year}_{months:02d}_r2.xlsx"
        reason = (
            f"{bad_file}, sheet 'Việc', row 12, column 'Có điều kiện': [error] identities: "
            "Có điều kiện ≠ Thi hành xong + Đình chỉ + ..."
        )
        reasons = [reason, HOSTILE_REASON] if (year, months) == latest else [reason]
        submissions.append(
            {
                "file": bad_file,
                "sha256": f"{rng.getrandbits(256):064x}",
                "submission_id": f"THADS_{bad.code}_{year}_{months:02d}_r2@{'0' * 12}",
                "submission_key": f"THADS_{bad.code}_{year}_{months:02d}_r2",
                "province_code": bad.code,
                "statistical_year": year,
                "months": months,
                "revision": 2,
                "fmt": "xlsx",
                "arrival_time": t0,
                "first_seen": t0,
                "status": "quarantined",
                "reasons": json.dumps(reasons, ensure_ascii=False),
                "batch_id": f"b{year}{months:02d}",
            }
        )
        # One failing location per planted text in the latest period (one otherwise).
        planted = FORMULA_TEXTS if (year, months) == latest else FORMULA_TEXTS[:1]
        for source_row, observed in enumerate(planted, start=12):
            quality.append(
                {
                    "submission_id": f"THADS_{bad.code}_{year}_{months:02d}_r2@{'0' * 12}",
                    "source_file": bad_file,
                    "province_code": bad.code,
                    "statistical_year": year,
                    "months": months,
                    "measure": "cases",
                    "rule": "identities",
                    "severity": "error",
                    "outcome": "fail",
                    "message": reasons[-1],
                    "observed": observed,
                    "expected": "2",
                    "sheet": "Việc",
                    "source_row": source_row,
                    "column_label": "Có điều kiện",
                    "batch_id": f"b{year}{months:02d}",
                    "checked_at": t0,
                    "province_name": bad.name,
                }
            )
    # A file whose name could not be parsed: no province, no period.
    submissions.append(
        {
            "file": "bao cao thang 9.xlsx",
            "sha256": f"{rng.getrandbits(256):064x}",
            "submission_id": None,
            "submission_key": None,
            "province_code": None,
            "statistical_year": None,
            "months": None,
            "revision": None,
            "fmt": "xlsx",
            "arrival_time": t0,
            "first_seen": t0,
            "status": "quarantined",
            "reasons": json.dumps(["file name 'bao cao thang 9.xlsx' does not follow ..."]),
            "batch_id": "b0",
        }
    )

    dim_period = pd.DataFrame(
        [
            {
                "statistical_year": y,
                "months": m,
                "period_start": contract.period_start(y),
                "period_end": _period_end(y, m),
                "boundary": contract.boundary_for(y, m),
                "n_expected": contract.boundary_for(y, m),
                "report_deadline": _deadline(_period_end(y, m)),
            }
            for y, m in periods
        ]
    )
    national_targets = pd.DataFrame(
        [
            {
                "statistical_year": y,
                "measure": measure,
                "national_target_pct": NATIONAL_TARGETS.get(y, FIXTURE_TARGETS)[i],
            }
            for y in sorted({y for y, _ in periods})
            for i, measure in enumerate(contract.MEASURES)
        ]
    )
    frames = {
        "enf": pd.DataFrame(enforcement),
        "offices": pd.DataFrame(offices),
        "subs": pd.DataFrame(submissions),
        "dq": pd.DataFrame(quality),
        "tgt": pd.DataFrame(targets),
        "dim_province": dim_province,
        "dim_period": dim_period,
        "ntgt": national_targets,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        for name, frame in frames.items():
            con.register(f"src_{name}", frame)
        con.execute(_SQL.replace("{version}", str(int(version))))
        counts = {
            t: con.execute(f"SELECT count(*) FROM marts.{t}").fetchone()[0]
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
            ).fetchall()
        }
    finally:
        con.close()
    return counts


_RATE = "CASE WHEN with_conditions > 0 THEN (completed + terminated) * 100.0 / with_conditions END"
_RANK_COLUMNS = """
    rank_base AS (
        SELECT *, {rate} AS rate_pct FROM base
    ),
    ranked AS (
        SELECT *,
            CASE WHEN rate_pct IS NOT NULL THEN rank() OVER (
                PARTITION BY statistical_year, months, measure, rate_pct IS NULL
                ORDER BY rate_pct DESC) END AS rank,
            count(rate_pct) OVER (PARTITION BY statistical_year, months, measure) AS n_ranked
        FROM rank_base
    )
    SELECT statistical_year, months, measure, province_code, province_name, boundary,
        completed, terminated, with_conditions, rate_pct, rank, n_ranked,
        CASE WHEN rank IS NOT NULL THEN rank || '/' || n_ranked END AS rank_label,
        n_expected, target_pct, rate_pct - target_pct AS gap_pp, {version} AS build_version
    FROM ranked
""".replace("{rate}", _RATE)

_SQL = (
    """
CREATE SCHEMA IF NOT EXISTS marts;
CREATE OR REPLACE TABLE marts.dim_province AS SELECT * FROM src_dim_province;
CREATE OR REPLACE TABLE marts.dim_period AS
SELECT *, {version} AS build_version FROM src_dim_period;
CREATE OR REPLACE TABLE marts.fct_enforcement AS
SELECT e.*, """
    + _RATE
    + """ AS rate_pct,
    must_enforce - (completed + terminated) AS carried_to_next_year,
    NULL::DOUBLE AS rate_pct_last_year, NULL::DOUBLE AS rate_change_pp,
    NULL::DOUBLE AS with_conditions_last_year, {version} AS build_version
FROM src_enf e;
CREATE OR REPLACE TABLE marts.fct_office_enforcement AS
SELECT *, {version} AS build_version FROM src_offices;
CREATE OR REPLACE TABLE marts.fct_submissions AS
SELECT *, {version} AS build_version FROM src_subs;
CREATE OR REPLACE TABLE marts.fct_data_quality AS
SELECT *, {version} AS build_version FROM src_dq;
CREATE OR REPLACE TABLE marts.fct_province_ranking AS
WITH expected AS (
    SELECT p.statistical_year, p.months, p.n_expected, d.province_code, d.province_name,
        d.boundary, m.measure
    FROM src_dim_period p
    JOIN src_dim_province d ON d.boundary = p.boundary
    CROSS JOIN (VALUES ('cases'), ('money')) m(measure)
),
base AS (
    SELECT x.*, e.completed, e.terminated, e.with_conditions,
        CASE x.measure WHEN 'cases' THEN t.cases ELSE t.money END AS target_pct
    FROM expected x
    LEFT JOIN src_enf e USING (statistical_year, months, measure, province_code)
    LEFT JOIN src_tgt t ON t.statistical_year = x.statistical_year
        AND t.boundary = x.boundary AND t.province_code = x.province_code
),
"""
    + _RANK_COLUMNS
    + """;
CREATE OR REPLACE TABLE marts.fct_province_ranking_current_boundaries AS
WITH rolled AS (
    SELECT e.statistical_year, e.months, e.measure, d.current_province_code AS province_code,
        sum(e.completed) AS completed, sum(e.terminated) AS terminated,
        sum(e.with_conditions) AS with_conditions
    FROM src_enf e
    JOIN src_dim_province d ON d.boundary = e.boundary AND d.province_code = e.province_code
    GROUP BY ALL
),
expected AS (
    SELECT p.statistical_year, p.months, d.province_code, d.province_name, m.measure
    FROM src_dim_period p
    CROSS JOIN (SELECT * FROM src_dim_province WHERE boundary = 34) d
    CROSS JOIN (VALUES ('cases'), ('money')) m(measure)
),
base AS (
    SELECT x.*, 34 AS boundary, 34 AS n_expected, r.completed, r.terminated, r.with_conditions,
        CASE WHEN x.statistical_year > 2025 OR (x.statistical_year = 2025 AND x.months >= 9)
            THEN CASE x.measure WHEN 'cases' THEN t.cases ELSE t.money END END AS target_pct
    FROM expected x
    LEFT JOIN rolled r USING (statistical_year, months, measure, province_code)
    LEFT JOIN src_tgt t ON t.statistical_year = x.statistical_year
        AND t.boundary = 34 AND t.province_code = x.province_code
),
"""
    + _RANK_COLUMNS
    + """;
CREATE OR REPLACE TABLE marts.fct_national_summary AS
WITH sums AS (
    SELECT statistical_year, months, measure, any_value(boundary) AS boundary,
        count(*) AS n_provinces_reported,
        sum(carried_over) AS carried_over, sum(new_received) AS new_received,
        sum(total_received) AS total_received, sum(entrusted) AS entrusted,
        sum(recalled) AS recalled, sum(must_enforce) AS must_enforce,
        sum(without_conditions) AS without_conditions, sum(with_conditions) AS with_conditions,
        sum(completed) AS completed, sum(terminated) AS terminated,
        sum(in_progress) AS in_progress, sum(postponed) AS postponed,
        sum(suspended) AS suspended, sum(other) AS other
    FROM src_enf GROUP BY statistical_year, months, measure
)
SELECT s.*, s.boundary AS n_expected, """
    + _RATE
    + """ AS rate_pct,
    n.national_target_pct, """
    + _RATE
    + """ - n.national_target_pct AS gap_pp, {version} AS build_version
FROM sums s JOIN src_ntgt n USING (statistical_year, measure);
"""
)
