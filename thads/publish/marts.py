"""The warehouse marts publish relies on (docs/interfaces.md, "Warehouse marts").

Only the key columns are listed: marts may add columns, and everything they carry is
published. Publish refuses a warehouse that lacks one of these, so a half-built or broken
warehouse never replaces the last good snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from thads.contract import NUMERIC_KEYS, PROVINCE_RANKING_COLUMNS, RANKING_COLUMNS

SCHEMA = "marts"

_NUMERIC = NUMERIC_KEYS
_RANKING = RANKING_COLUMNS


#: mart -> the columns publish, the report and BI users rely on.
MART_COLUMNS: dict[str, tuple[str, ...]] = {
    "fct_province_ranking": PROVINCE_RANKING_COLUMNS,
    "fct_province_ranking_current_boundaries": _RANKING,
    "fct_enforcement": (
        "statistical_year",
        "months",
        "measure",
        "province_code",
        "boundary",
        "period_end",
        "province_name",
        "submission_id",
        *_NUMERIC,
        "rate_pct",
    ),
    "fct_office_enforcement": (
        "statistical_year",
        "months",
        "measure",
        "province_code",
        "office",
        "office_order",
        *_NUMERIC,
    ),
    "fct_national_summary": (
        "statistical_year",
        "months",
        "measure",
        "boundary",
        "n_provinces_reported",
        "n_expected",
        *_NUMERIC,
        "rate_pct",
        "national_target_pct",
        "gap_pp",
    ),
    "fct_data_quality": (
        "submission_id",
        "source_file",
        "province_code",
        "statistical_year",
        "months",
        "rule",
        "severity",
        "outcome",
        "message",
        "province_name",
    ),
    "fct_submissions": (
        "file",
        "province_code",
        "statistical_year",
        "months",
        "status",
        "reasons",
    ),
    "dim_province": (
        "province_key",
        "province_code",
        "boundary",
        "province_name",
        "short_name",
        "current_province_code",
        "current_province_name",
        "lat",
        "lon",
    ),
    "dim_period": (
        "statistical_year",
        "months",
        "period_start",
        "period_end",
        "boundary",
        "n_expected",
    ),
}


class MartsError(RuntimeError):
    """The warehouse lacks a mart or a column the published data promises."""


def table_columns(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[str]]:
    """Every base table of schema `marts` in `catalog` -> its column names in order."""
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_catalog = ? AND table_schema = ? ORDER BY table_name, ordinal_position",
        [catalog, SCHEMA],
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def check_marts(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    """Raise MartsError naming every missing mart/column; return row counts of all marts."""
    tables = table_columns(con, catalog)
    problems: list[str] = []
    for mart, required in MART_COLUMNS.items():
        if mart not in tables:
            problems.append(f"table {SCHEMA}.{mart} is missing")
            continue
        missing = [c for c in required if c not in tables[mart]]
        if missing:
            problems.append(f"table {SCHEMA}.{mart} lacks column(s) {', '.join(missing)}")
    if problems:
        raise MartsError("; ".join(problems))
    return row_counts(con, catalog, tables)


def row_counts(
    con: duckdb.DuckDBPyConnection, catalog: str, tables: Mapping[str, object]
) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in sorted(tables):
        (n,) = con.execute(f'SELECT count(*) FROM "{catalog}"."{SCHEMA}"."{table}"').fetchone()
        counts[table] = int(n)
    return counts
