"""`thads check FILE...`: a dry run of the load's parsing and validation.

The same parser (`ingest.parse.parse_paths`) and the same rules (`expectations`) as
`thads load`, with the accepted history of THADS_HOME when there is one (so "cumulative
figures never decrease" is checked against what is already loaded). Nothing is loaded,
archived or written. A file for a final (approved) period would be held, not loaded: it says
so, naming the approval (contract section 7). Exit code 0: every file would load (warnings
allowed); 1: at least one would be quarantined or held; 2: a FILE does not exist.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_QUARANTINE, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="submission files (a CSV submission is its _viec.csv and _tien.csv pair)",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument(
        "--lang",
        choices=("en", "vi"),
        default="en",
        help="language of the table's messages (vi: as the alerts to provinces word them)",
    )
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="do not compare with the accepted history in THADS_HOME",
    )


def check_files(
    files: list[Path], use_history: bool = True, paths: Any = None
) -> list[dict[str, Any]]:
    """Parse and validate `files`; one dict per submission (see `run` for the shape).
    `paths`: whose accepted history to compare with (default THADS_HOME); the check page
    of `thads serve` calls this too."""
    from expectations import validate_batch
    from expectations.history import empty_history, load_history
    from ingest.parse import parse_paths
    from ingest.registry import Registry
    from thads.approval.held import held_finding
    from thads.approval.state import final_approvals
    from thads.config import Paths

    paths = paths or Paths.from_env()
    parsed = parse_paths([str(f) for f in files])
    history = load_history(paths) if use_history else empty_history()
    result = validate_batch(parsed, history, data_docs_dir=None, batch_id="check")
    with Registry.open(paths, readonly=True) as registry:
        final = final_approvals(registry)
    out = []
    for sub in parsed:
        findings = result.all_findings(sub)
        status = "would_quarantine" if sub.submission_id in result.quarantined else "would_load"
        approval = final.get((sub.province_code, sub.statistical_year, sub.months))  # type: ignore[arg-type]
        if approval is not None:
            status = "would_hold"
            findings = [held_finding(sub.file_names, approval), *findings]
        out.append(
            {
                "submission_id": sub.submission_id,
                "files": sub.file_names,
                "province_code": sub.province_code,
                "statistical_year": sub.statistical_year,
                "months": sub.months,
                "status": status,
                "errors": sum(f.severity == "error" for f in findings),
                "warnings": sum(f.severity == "warning" for f in findings),
                "findings": [f.to_dict() for f in findings],
            }
        )
    return out


def run(args: argparse.Namespace) -> int:
    files = [Path(f) for f in args.files]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        print(f"thads check: no such file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    from ingest.files import TARGETS_RE

    for f in files:
        if TARGETS_RE.match(f.name):
            print(f"thads check: {f.name} is a targets file, not a submission", file=sys.stderr)
    report = check_files(files, use_history=not args.no_history)
    if args.format == "json":
        json.dump(report, sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
    else:
        print_table(report, args.lang)
    bad = any(r["status"] in ("would_quarantine", "would_hold") for r in report)
    return EXIT_QUARANTINE if bad else EXIT_OK


#: The table's words in each language (`--lang vi`: what a province office reads).
WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "title": "{n} submissions checked: {ok} would load, {bad} would be quarantined",
        "columns": ("file", "status", "severity", "rule", "where", "found", "expected",
                    "message"),
        "held": ", {held} held (period final)",
        "would_quarantine": "QUARANTINE", "would_load": "ok", "would_hold": "HELD",
        "error": "error", "warning": "warning",
        "sheet": "sheet {}", "row": "row {}", "column": "column '{}'",
    },
    "vi": {
        "title": "Đã kiểm tra {n} báo cáo: {ok} sẽ được tiếp nhận, {bad} sẽ bị từ chối",
        "columns": ("tệp", "kết quả", "mức độ", "quy tắc", "vị trí", "số liệu trong báo cáo",
                    "giá trị đúng", "nội dung"),
        "held": ", {held} tạm giữ (số liệu kỳ đã được phê duyệt chính thức)",
        "would_quarantine": "TỪ CHỐI", "would_load": "đạt", "would_hold": "TẠM GIỮ",
        "error": "lỗi", "warning": "cảnh báo",
        "sheet": 'sheet "{}"', "row": "dòng {}", "column": 'cột "{}"',
    },
}  # fmt: skip


def _where(f: dict[str, Any], lang: str = "en") -> str:
    words = WORDS[lang]
    parts = []
    if f.get("sheet"):
        parts.append(words["sheet"].format(f["sheet"]))
    if f.get("row") is not None:
        parts.append(words["row"].format(f["row"]))
    if f.get("column"):
        parts.append(words["column"].format(f["column"]))
    return ", ".join(parts)


def _message(f: dict[str, Any], lang: str) -> str:
    if lang == "vi":
        from thads.notify.messages import rule_title_vi

        return rule_title_vi(f["rule"]) or f["message"]
    return f["message"]


def print_table(report: list[dict[str, Any]], lang: str = "en") -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from thads.notify.messages import localised_value, report_boundary
    from thads.safe_text import safe_text  # names and cells come from outside

    def value(text: Any, rule: str, which: str, r: dict[str, Any]) -> str:
        if text is None:
            return ""
        if lang != "vi":
            return safe_text(str(text))
        boundary = report_boundary(r["statistical_year"], r["months"])
        return safe_text(localised_value(rule, which, text, boundary))

    words = WORDS[lang]
    n_bad = sum(r["status"] == "would_quarantine" for r in report)
    n_held = sum(r["status"] == "would_hold" for r in report)
    table = Table(
        title=words["title"].format(n=len(report), ok=len(report) - n_bad - n_held, bad=n_bad)
        + (words["held"].format(held=n_held) if n_held else ""),
        show_lines=False,
    )
    for name in words["columns"]:
        table.add_column(name, overflow="fold")
    for r in report:
        files = escape(safe_text(", ".join(r["files"])))
        status = words[r["status"]]
        if not r["findings"]:
            table.add_row(files, status, "", "", "", "", "", "")
        for f in r["findings"]:
            table.add_row(
                files,
                status,
                words[f["severity"]],
                f["rule"],
                escape(safe_text(_where(f, lang))),
                escape(value(f["observed"], f["rule"], "observed", r)),
                escape(value(f["expected"], f["rule"], "expected", r)),
                escape(safe_text(_message(f, lang))),
            )
    Console(width=220 if not sys.stdout.isatty() else None).print(table)
