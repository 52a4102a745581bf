"""The two baselines every cycle scenario is measured against, in the same run.

- The floor: read every file of the zone once (python-calamine for workbooks, the standard
  library for CSV and JSON) and rank every period with ONE DuckDB statement on the raw layer
  the load wrote. Nothing can load and rank the same data faster than reading it once; the
  statement's ranking is checked against the published fct_province_ranking, so the floor
  computes the same thing.
- The naive way: what one would write first, per submission: `pandas.read_excel` of the
  workbook, our parser for the tidy rows, one Great Expectations run on that submission
  alone, and a pandas re-ranking of its period. Timed on a sample spread over the zone and
  extrapolated to every submission (plus the one `import great_expectations`).
"""

from __future__ import annotations

import csv
import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from ingest.files import Candidate, discover
from thads.config import Paths

#: The ranking of contract section 4 from the raw layer alone: the standing accepted version
#: of each province's report, the total row, the rate, competition rank within the period.
FLOOR_RANKING_SQL = """
with standing as (
    select distinct submission_id from read_parquet($submissions)
    where status = 'loaded' and superseded_by is null
),
totals as (
    select r.statistical_year, r.months, r.measure, r.province_code,
        case when coalesce(r.with_conditions, 0) = 0 then null
            else (r.completed + r.terminated) * 100.0 / r.with_conditions end as rate_pct
    from read_parquet($rows, hive_partitioning = true) as r
    inner join standing using (submission_id)
    where r.is_total
)
select statistical_year, months, measure, province_code, rate_pct,
    case when rate_pct is not null then rank() over (
        partition by statistical_year, months, measure, rate_pct is null
        order by rate_pct desc) end as rank
from totals
"""


@dataclass
class Floor:
    read_seconds: float
    rank_seconds: float
    n_files: int
    ranked_rows: int
    agreeing_rows: int

    @property
    def seconds(self) -> float:
        return self.read_seconds + self.rank_seconds


def read_every_file(landing: Path) -> int:
    """Every file read once, cells and all: the least any loader has to do."""
    from python_calamine import CalamineWorkbook

    n = 0
    for path in sorted(landing.iterdir()):
        if path.suffix == ".xlsx":
            workbook = CalamineWorkbook.from_path(str(path))
            for name in workbook.sheet_names:
                workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        elif path.suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                list(csv.reader(handle))
        elif path.suffix == ".json":
            json.loads(path.read_bytes())
        else:
            continue
        n += 1
    return n


def floor(landing: Path, paths: Paths) -> Floor:
    """Time the floor on `landing` and the raw layer of `paths` (after a load of it)."""
    started = time.perf_counter()
    n_files = read_every_file(landing)
    read_seconds = time.perf_counter() - started
    params = {
        "submissions": str(paths.submissions_export),
        "rows": str(paths.report_rows / "**" / "*.parquet"),
    }
    with duckdb.connect() as con:
        started = time.perf_counter()
        ranking = con.execute(FLOOR_RANKING_SQL, params).df()
        rank_seconds = time.perf_counter() - started
    ranked = ranking[ranking["rank"].notna()]
    agreeing = _agreeing(ranked, paths.snapshot)
    return Floor(read_seconds, rank_seconds, n_files, len(ranked), agreeing)


def _agreeing(ranked: pd.DataFrame, snapshot: Path) -> int:
    """Rows where the floor's rank equals the published fct_province_ranking's."""
    with duckdb.connect(str(snapshot), read_only=True) as con:
        con.register("floor_ranking", ranked)
        return con.execute(
            """
            select count(*) from floor_ranking as f
            inner join marts.fct_province_ranking as p
                on p.statistical_year = f.statistical_year and p.months = f.months
                and p.measure = f.measure and p.province_code = f.province_code
                and p.rank = f.rank
            """
        ).fetchone()[0]


@dataclass
class Naive:
    per_submission: float
    gx_import: float
    sample: int
    n_submissions: int

    @property
    def extrapolated(self) -> float:
        return self.gx_import + self.per_submission * self.n_submissions


def spread_sample(candidates: list[Candidate], n: int) -> list[Candidate]:
    """`n` workbooks evenly spread over the zone (years, provinces and styles vary)."""
    workbooks = sorted(
        (c for c in candidates if c.files[0].path.suffix == ".xlsx"), key=lambda c: c.submission_key
    )
    step = max(1, len(workbooks) // n)
    return workbooks[::step][:n]


def naive(landing: Path, n_submissions: int, sample_size: int) -> Naive:
    """Time the naive way per submission on a spread sample (module docstring)."""
    from expectations.gx_run import import_gx
    from expectations.validate import validate_batch
    from ingest.parse import parse_candidate

    started = time.perf_counter()
    import_gx()
    gx_import = time.perf_counter() - started
    sample = spread_sample(discover(landing).candidates, sample_size)
    totals: list[dict[str, object]] = []
    seconds = []
    for candidate in sample:
        started = time.perf_counter()
        pd.read_excel(candidate.files[0].path, sheet_name=None, header=None, engine="openpyxl")
        parsed = parse_candidate(candidate)
        validate_batch([parsed])
        if parsed.rows is not None and len(parsed.rows):
            rows = parsed.rows[parsed.rows["is_total"]]
            totals.extend(rows.to_dict("records"))
            frame = pd.DataFrame(totals)
            period = frame[
                (frame["statistical_year"] == rows["statistical_year"].iat[0])
                & (frame["months"] == rows["months"].iat[0])
            ]
            rate = (period["completed"] + period["terminated"]) / period["with_conditions"]
            rate.groupby(period["measure"]).rank(method="min", ascending=False)
        seconds.append(time.perf_counter() - started)
    return Naive(statistics.mean(seconds), gx_import, len(sample), n_submissions)
