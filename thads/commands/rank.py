"""`thads rank`: the province ranking of one period and measure (contract section 4).

Reads `marts.fct_province_ranking` read-only, from the published snapshot
(`serving/thads.duckdb`) when there is one, so it never waits for or blocks a running build;
otherwise from the warehouse itself.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from thads import contract, pipeline
from thads.config import Paths
from thads.i18n import vn_number

#: The columns printed (csv/json), in the order of contract section 4.
COLUMNS: tuple[str, ...] = contract.PROVINCE_RANKING_COLUMNS

MEASURE_LABELS = {"cases": "việc", "money": "tiền, tỷ đồng"}


#: Exit code when the period has accepted reports that are not published yet.
EXIT_NOT_PUBLISHED = 3


class RankError(Exception):
    """Nothing to rank: no warehouse yet, no data for the period, or accepted data not yet
    published. Carries the exit code."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", type=int, required=True, help="statistical year, e.g. 2024")
    parser.add_argument(
        "--months",
        type=int,
        required=True,
        choices=range(1, 13),
        metavar="M",
        help="cumulative months of the report, 1..12",
    )
    parser.add_argument("--measure", required=True, choices=contract.MEASURES)
    parser.add_argument("--format", default="table", choices=("table", "csv", "json"))


def source_database(paths: Paths) -> Path:
    """The published snapshot if there is one, else the warehouse."""
    if paths.snapshot.exists():
        return paths.snapshot
    if paths.warehouse.exists():
        return paths.warehouse
    raise RankError(
        f"no warehouse yet: neither {paths.snapshot} nor {paths.warehouse} exists "
        "(run `thads load --landing DIR` first, or set THADS_HOME / --home)",
        exit_code=2,
    )


def not_published_error(paths: Paths, year: int, months: int) -> RankError | None:
    """When the registry holds accepted reports for the period that no published ranking
    shows yet (the build failed or is still running): the error that says so."""
    accepted = pipeline.accepted_provinces(year, months, paths)
    if not accepted:
        return None
    return RankError(
        f"{len(accepted)} province(s) have an accepted report for {months} months of "
        f"statistical year {year} ({', '.join(sorted(accepted))}), not yet published: the "
        "last build or publish failed or is still running. It is retried by the next load "
        "(`thads load`, or the thads_load DAG every 30 minutes); see the build's alert",
        exit_code=EXIT_NOT_PUBLISHED,
    )


def query(database: Path, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """The rows of one query on `database`, opened read-only, as {column: value} dicts (the
    readers of the published marts: rank, summary, the deadline check)."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        cursor = con.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def load_ranking(paths: Paths, year: int, months: int, measure: str) -> list[dict[str, Any]]:
    """The ranking rows of one period and measure: best first, unranked provinces last."""
    import duckdb

    try:
        database = source_database(paths)
    except RankError as exc:
        raise not_published_error(paths, year, months) or exc from None
    try:
        rows = query(
            database,
            f"select {', '.join(COLUMNS)} from marts.fct_province_ranking "
            "where statistical_year = ? and months = ? and measure = ? "
            "order by rank nulls last, province_code",
            [year, months, measure],
        )
    except duckdb.CatalogException as exc:
        raise RankError(f"{database} has no marts.fct_province_ranking: {exc}") from exc
    except duckdb.Error as exc:
        raise RankError(f"cannot read {database} read-only: {exc}") from exc
    if not rows:
        raise not_published_error(paths, year, months) or RankError(
            f"no ranking for {measure}, {months} months of statistical year {year} in "
            f"{database}: no accepted report for that period has been loaded"
        )
    return rows


# --- Output --------------------------------------------------------------------------------


def _signed(value: float | None) -> str:
    if value is None:
        return "—"
    return ("+" if value >= 0 else "") + vn_number(value, 2)


def format_table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table for people: rates to two decimals, money in billions of đồng."""
    from thads.approval.labels import period_label_vi

    first = rows[0]
    year, months, measure = first["statistical_year"], first["months"], first["measure"]
    start = contract.period_start(year)
    end = contract.period_end(year, months)
    scale, decimals = (1e6, 1) if measure == "money" else (1.0, 0)  # thousands đồng -> tỷ

    def amount(value: float | None) -> str:
        return vn_number(None if value is None else value / scale, decimals)

    header = (
        "Hạng",
        "Mã",
        "Tỉnh/thành phố",
        "Xong",
        "Đình chỉ",
        "Có ĐK",
        "Tỷ lệ %",
        "Chỉ tiêu %",
        "± điểm",
    )
    body = [
        (
            row["rank_label"] or "—",
            row["province_code"],
            row["province_name"],
            amount(row["completed"]),
            amount(row["terminated"]),
            amount(row["with_conditions"]),
            vn_number(row["rate_pct"], 2),
            vn_number(row["target_pct"], 2),
            _signed(row["gap_pp"]),
        )
        for row in rows
    ]
    widths = [max(len(str(r[i])) for r in (header, *body)) for i in range(len(header))]
    left = {1, 2}  # code and name read left-aligned; numbers right-aligned

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            str(c).ljust(w) if i in left else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    title = (
        f"{measure} ({MEASURE_LABELS[measure]}), {months} tháng năm {year} "
        f"({start:%d/%m/%Y}–{end:%d/%m/%Y}): {first['n_ranked']} ranked of "
        f"{first['n_expected']} provinces"
    )
    # Section 7: whether these figures are final; provinces without a report (no figures,
    # `completed` null) do not make a period preliminary.
    reported = [r for r in rows if r["completed"] is not None]
    finals = [r["approved_at"] for r in reported if r["figure_status"] == "final"]
    last = max((a for a in finals if a is not None), default=None)
    status = period_label_vi(len(finals), len(reported), last)
    rule = "-" * len(line(header))
    return "\n".join([title, status, rule, line(header), rule, *(line(b) for b in body)]) + "\n"


def write_csv(rows: list[dict[str, Any]], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def write_json(rows: list[dict[str, Any]], out: TextIO) -> None:
    # approved_at is a timestamp: ISO 8601 in JSON.
    json.dump(rows, out, ensure_ascii=False, indent=1, default=lambda v: v.isoformat())
    out.write("\n")


def run(args: argparse.Namespace) -> int:
    paths = Paths.from_env()
    try:
        rows = load_ranking(paths, args.year, args.months, args.measure)
    except RankError as exc:
        print(f"thads rank: {exc}", file=sys.stderr)
        return exc.exit_code
    if pipeline.publish_pending(paths):
        print(
            "thads rank: note: accepted data is waiting to be published (the last build "
            "failed or is still running); this ranking may not show it yet",
            file=sys.stderr,
        )
    try:
        if args.format == "csv":
            write_csv(rows, sys.stdout)
        elif args.format == "json":
            write_json(rows, sys.stdout)
        else:
            sys.stdout.write(format_table(rows))
        sys.stdout.flush()
    except BrokenPipeError:
        # `thads rank ... | head`: the reader has seen enough; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
