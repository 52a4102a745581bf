"""`thads summary --province CODE --from YYYY[-MM] --to YYYY-MM [--format table|json]`:
term totals as province leaders report a term (contract 6.4).

The arithmetic is dbt's (`marts.fct_term_totals`): the 12-month reports of every complete
year plus the cumulative report of the last one, summed on current boundaries, the rate on
the sums. This command only picks the row and prints it, from the published snapshot when
there is one.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date
from typing import Any

from thads.commands.rank import RankError, query, source_database, vn_number
from thads.config import Paths

COLUMNS: tuple[str, ...] = (
    "province_code",
    "province_name",
    "measure",
    "from_year",
    "to_year",
    "to_months",
    "term_start",
    "term_end",
    "n_reports",
    "n_reports_expected",
    "is_complete",
    "reports_included",
    "must_enforce",
    "with_conditions",
    "completed",
    "terminated",
    "done",
    "rate_pct",
)
MEASURE_LABELS = {"cases": "Về việc", "money": "Về tiền (tỷ đồng)"}


def statistical_month(text: str) -> tuple[int, int | None]:
    """ "2024-05" -> (2024, 5), "2021" -> (2021, None); months are cumulative (1..12)."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?", text.strip())
    if not match or (match[2] and not 1 <= int(match[2]) <= 12):
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected a statistical year YYYY or YYYY-MM with MM the cumulative "
            "months 01..12 (February 2024 is 2024-05)"
        )
    return int(match[1]), int(match[2]) if match[2] else None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--province", required=True, help="current (34) province code, e.g. 80")
    parser.add_argument(
        "--from",
        dest="start",
        required=True,
        type=statistical_month,
        help="first statistical year of the term, YYYY (or YYYY-01)",
    )
    parser.add_argument(
        "--to",
        dest="end",
        required=True,
        type=statistical_month,
        help="last report of the term, YYYY-MM (statistical year, cumulative months)",
    )
    parser.add_argument("--format", default="table", choices=("table", "json"))


def load_term(
    paths: Paths, province: str, from_year: int, to_year: int, to_months: int
) -> list[dict[str, Any]]:
    """The term's rows (one per measure) from marts.fct_term_totals."""
    import duckdb

    database = source_database(paths)
    try:
        rows = query(
            database,
            f"select {', '.join(COLUMNS)} from marts.fct_term_totals "
            "where province_code = ? and from_year = ? and to_year = ? and to_months = ? "
            "order by measure",
            [province, from_year, to_year, to_months],
        )
    except duckdb.CatalogException as exc:
        raise RankError(f"{database} has no marts.fct_term_totals: {exc}") from exc
    except duckdb.Error as exc:
        raise RankError(f"cannot read {database}: {exc}") from exc
    if not rows:
        raise RankError(
            f"no term for province {province} from {from_year} to {to_year}-{to_months:02d} "
            f"in {database}: the {to_months}-month report of {to_year} is not in the "
            "warehouse on current boundaries (check the code is one of the 34 current ones)"
        )
    incomplete = [r for r in rows if not r["is_complete"]]
    if incomplete:
        have = incomplete[0]["reports_included"]
        raise RankError(
            f"the term of province {province} from {from_year} to {to_year}-{to_months:02d} "
            f"needs {incomplete[0]['n_reports_expected']} reports (the 12-month report of each "
            f"year {from_year}..{to_year - 1} and the {to_months}-month report of {to_year}); "
            f"the warehouse has {have}"
        )
    return rows


def _term_label(row: dict[str, Any]) -> str:
    end: date = row["term_end"]
    return f"giai đoạn {row['from_year']} đến hết tháng {end:%m/%Y}"


def format_table(rows: list[dict[str, Any]]) -> str:
    first = rows[0]
    lines = [
        f"{first['province_name']} ({first['province_code']}), {_term_label(first)} "
        f"({first['term_start']:%d/%m/%Y}–{first['term_end']:%d/%m/%Y})",
        f"Báo cáo cộng dồn: {first['reports_included']}",
    ]
    for row in rows:
        scale, decimals = (1e6, 1) if row["measure"] == "money" else (1.0, 0)

        def amount(value: float, scale: float = scale, decimals: int = decimals) -> str:
            return vn_number(value / scale, decimals)

        lines += [
            "",
            MEASURE_LABELS[row["measure"]],
            f"  Tổng số phải thi hành: {amount(row['must_enforce'])}",
            f"  Có điều kiện thi hành: {amount(row['with_conditions'])}",
            f"  Thi hành xong và đình chỉ: {amount(row['done'])}",
            f"  Tỷ lệ: {vn_number(row['rate_pct'], 2)}%",
        ]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    (from_year, from_months), (to_year, to_months) = args.start, args.end
    if from_months not in (None, 1):
        print(
            "thads summary: --from must be a statistical year (YYYY or YYYY-01): cumulative "
            "reports cannot be split inside a year",
            file=sys.stderr,
        )
        return 2
    if to_months is None or to_year < from_year:
        print("thads summary: --to must be YYYY-MM, not before --from", file=sys.stderr)
        return 2
    try:
        rows = load_term(Paths.from_env(), args.province.zfill(2), from_year, to_year, to_months)
    except RankError as exc:
        print(f"thads summary: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_table(rows))
    return 0
