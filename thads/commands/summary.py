"""`thads summary --province CODE --from YYYY[-MM] --to YYYY-MM [--format table|json]`:
term totals as province leaders report a term (contract 6.4).

The arithmetic is dbt's (`marts.fct_term_totals`): the 12-month reports of every complete
year plus the cumulative report of the last one, summed on current boundaries, the rate on
the sums. A term from month MM > 1 of a statistical year (`--from 2021-10`: from July 2021)
leaves out what that year's (MM-1)-month report had already finished. This command only picks
the row and prints it, from the published snapshot when there is one.
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
    "from_months",
    "to_year",
    "to_months",
    "term_start",
    "term_end",
    "n_reports",
    "n_reports_expected",
    "is_complete",
    "reports_included",
    "report_before_term",
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
        help="start of the term: a statistical year YYYY (from 1 October of YYYY-1), or its "
        "month YYYY-MM (2021-10: from July 2021, the 10th month of statistical year 2021)",
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
    paths: Paths, province: str, start: tuple[int, int], to_year: int, to_months: int
) -> list[dict[str, Any]]:
    """The term's rows (one per measure) from marts.fct_term_totals; `start` is the first
    (statistical year, month) of the term."""
    import duckdb

    from_year, from_months = start
    database = source_database(paths)
    try:
        rows = query(
            database,
            f"select {', '.join(COLUMNS)} from marts.fct_term_totals "
            "where province_code = ? and from_year = ? and from_months = ? and to_year = ? "
            "and to_months = ? order by measure",
            [province, from_year, from_months, to_year, to_months],
        )
    except duckdb.CatalogException as exc:
        raise RankError(f"{database} has no marts.fct_term_totals: {exc}") from exc
    except duckdb.Error as exc:
        raise RankError(f"cannot read {database}: {exc}") from exc
    start_text = str(from_year) if from_months == 1 else f"{from_year}-{from_months:02d}"
    if not rows:
        before = (
            ""
            if from_months == 1
            else f" (or, to start in month {from_months}, no {from_months - 1}-month report of "
            f"{from_year}: that report says what was finished before the term)"
        )
        raise RankError(
            f"no term for province {province} from {start_text} to {to_year}-{to_months:02d} "
            f"in {database}: the {to_months}-month report of {to_year} is not in the "
            "warehouse on current boundaries (check the code is one of the 34 current ones)"
            + before
        )
    incomplete = [r for r in rows if not r["is_complete"]]
    if incomplete:
        needed = (
            f"the 12-month report of each year {from_year}..{to_year - 1} and the "
            f"{to_months}-month report of {to_year}"
        )
        if from_months > 1:
            needed += f", and the {from_months - 1}-month report of {from_year} (the cases "
            needed += "finished before the term, left out)"
        have = incomplete[0]["reports_included"]
        raise RankError(
            f"the term of province {province} from {start_text} to {to_year}-{to_months:02d} "
            f"needs {incomplete[0]['n_reports_expected']} reports ({needed}); "
            f"the warehouse has, of those summed, {have}"
        )
    return rows


def _term_label(row: dict[str, Any]) -> str:
    """ "giai đoạn 2021 đến hết tháng 02/2024" (seed 000), or from a month: "giai đoạn từ
    tháng 07/2021 đến hết tháng 02/2024"."""
    end: date = row["term_end"]
    start: date = row["term_start"]
    begins = str(row["from_year"]) if row["from_months"] == 1 else f"từ tháng {start:%m/%Y}"
    return f"giai đoạn {begins} đến hết tháng {end:%m/%Y}"


def format_table(rows: list[dict[str, Any]]) -> str:
    first = rows[0]
    lines = [
        f"{first['province_name']} ({first['province_code']}), {_term_label(first)} "
        f"({first['term_start']:%d/%m/%Y}–{first['term_end']:%d/%m/%Y})",
        f"Báo cáo cộng dồn: {first['reports_included']}"
        + (
            f" (trừ phần đã thi hành xong trước kỳ theo báo cáo {first['report_before_term']})"
            if first["report_before_term"]
            else ""
        ),
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
    start = (from_year, from_months or 1)
    if to_months is None or (to_year, to_months) < start:
        print("thads summary: --to must be YYYY-MM, not before --from", file=sys.stderr)
        return 2
    try:
        rows = load_term(Paths.from_env(), args.province.zfill(2), start, to_year, to_months)
    except RankError as exc:
        print(f"thads summary: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_table(rows))
    return 0
