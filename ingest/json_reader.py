"""JSON submissions (contract section 1): one object with both measures as arrays of rows.

The sheet of a JSON row is its array (`cases` / `money`), its source row the 1-based index
in that array, its column label the key. The content's province_code, statistical_year and
months must agree with the file name.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from functools import partial
from typing import Any

from ingest.grid import Expect
from ingest.limits import LimitExceeded, Limits
from ingest.numbers import NotANumber, parse_vn_number
from ingest.readers import ReadResult, Source, content
from ingest.schema import MeasureRows
from thads.contract import MEASURES, NUMERIC_KEYS, Finding, is_total_label


def read_json(
    source: Source, file: str, sha256: str, expect: Expect | None, limits: Limits | None = None
) -> ReadResult:
    """Read a JSON report. Raises LimitExceeded for nesting deeper than `limits.json_depth`
    (checked before decoding: the decoder recurses), a number literal longer than
    `limits.digits` or more than `limits.rows` rows."""
    limits = limits or Limits.from_env()
    result = ReadResult(parts=None)

    def error(rule: str, message: str, **where: Any) -> None:
        result.findings.append(Finding.of(rule, file, message, **where))

    try:
        text = content(source).decode("utf-8-sig")
        depth = nesting_depth(text, limits.json_depth)
        if depth > limits.json_depth:
            raise LimitExceeded(
                "the nesting depth", f"more than {limits.json_depth}", limits.json_depth
            )
        doc = json.loads(
            text,
            parse_int=partial(_number, int, limits.digits),
            parse_float=partial(_number, float, limits.digits),
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = {"row": exc.lineno} if isinstance(exc, json.JSONDecodeError) else {}
        error("parse.invalid_json", f"not valid UTF-8 JSON ({exc})", **where)
        return result
    if not isinstance(doc, dict):
        error("parse.invalid_json", f"the top level must be an object, not {type(doc).__name__}")
        return result

    _check_identity(doc, expect, error)
    result.submitted_at = _submitted_at(doc, file, result)
    for key in ("province_code", "statistical_year", "months"):
        if key in doc:
            result.header[key] = str(doc[key])

    for measure in MEASURES:
        items = doc.get(measure)
        if items is None:
            error(
                "parse.missing_sheet",
                f"no '{measure}' array of rows",
                sheet=measure,
                expected=measure,
                observed=", ".join(doc) or "empty object",
            )
            continue
        if not isinstance(items, list):
            error(
                "parse.invalid_json",
                f"'{measure}' must be an array of rows, not {type(items).__name__}",
                sheet=measure,
            )
            continue
        if len(items) > limits.rows:
            raise LimitExceeded("the number of rows", len(items), limits.rows, sheet=measure)
        rows = _read_rows(items, measure, file, sha256, result)
        for key in ("office", *NUMERIC_KEYS):
            result.labels[(measure, key)] = (measure, key)
        result.parts = {**(result.parts or {}), measure: rows}
    return result


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def nesting_depth(text: str, stop_at: int) -> int:
    """The deepest nesting of arrays/objects (strings skipped), scanning no further than
    one level past `stop_at`: no recursion, whatever the input."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_at:
                    break
        elif token in ("]", "}"):
            depth -= 1
    return deepest


def _number(kind: type, digits: int, literal: str) -> int | float:
    """A JSON number literal, refused when longer than the digits limit allows (a
    300-digit integer overflows every sum after it)."""
    if sum(ch.isdigit() for ch in literal) > digits + 6:  # room for decimals, exponent
        raise LimitExceeded("a number's digits", len(literal), digits + 6)
    return kind(literal)


def _check_identity(doc: dict[str, Any], expect: Expect | None, error) -> None:
    for key in ("province_code", "statistical_year", "months"):
        if key not in doc:
            error("parse.missing_field", f"no '{key}' field", column=key, expected=key)
    if expect is None:
        return
    code = doc.get("province_code")
    if code is not None:
        found = str(code).strip().zfill(2)
        if found != expect.province_code:
            error(
                "parse.header_code_mismatch",
                f"province_code {code!r} in the content but {expect.province_code} in the "
                "file name",
                column="province_code",
                expected=expect.province_code,
                observed=str(code),
            )
    for key, wanted in (("statistical_year", expect.statistical_year), ("months", expect.months)):
        value = doc.get(key)
        if value is None:
            continue
        try:
            same = int(str(value).strip()) == wanted and not isinstance(value, bool | float)
        except ValueError:
            same = False
        if not same:
            error(
                "parse.header_period_mismatch",
                f"{key} {value!r} in the content but {wanted} in the file name",
                column=key,
                expected=str(wanted),
                observed=str(value),
            )


def _submitted_at(doc: dict[str, Any], file: str, result: ReadResult) -> datetime | None:
    value = doc.get("submitted_at")
    if value is None:
        return None
    try:
        stamp = datetime.fromisoformat(str(value))
    except ValueError:
        stamp = None
    if stamp is None or stamp.tzinfo is None:
        result.findings.append(
            Finding.of(
                "parse.bad_submitted_at",
                file,
                "submitted_at must be an ISO 8601 time with a UTC offset, e.g. "
                "2024-09-03T08:15:00+07:00",
                column="submitted_at",
                observed=str(value),
            )
        )
        return None
    return stamp


def _read_rows(
    items: list[Any], measure: str, file: str, sha256: str, result: ReadResult
) -> MeasureRows:
    rows = MeasureRows(measure=measure, sheet=measure, source_file=file, sha256=sha256)

    def error(rule: str, message: str, **where: Any) -> None:
        result.findings.append(Finding.of(rule, file, message, sheet=measure, **where))

    missing_everywhere = {
        key
        for key in ("office", *NUMERIC_KEYS)
        if items and all(isinstance(it, dict) and key not in it for it in items)
    }
    for key in sorted(missing_everywhere):
        error("parse.missing_column", f"no row has the key '{key}'", column=key, expected=key)
    seen: dict[str, int] = {}
    total_found = False
    for index, item in enumerate(items, start=1):
        if total_found:
            result.findings.append(
                Finding.of(
                    "parse.rows_after_total",
                    file,
                    "rows after the total row are not read",
                    sheet=measure,
                    row=index,
                )
            )
            break
        if not isinstance(item, dict):
            error(
                "parse.invalid_json", f"row must be an object, not {type(item).__name__}", row=index
            )
            continue
        office = item.get("office")
        office = "" if office is None else str(office).strip()
        values: list[float] = []
        for key in NUMERIC_KEYS:
            if key not in item:
                values.append(math.nan)
                if key not in missing_everywhere:
                    error("parse.missing_column", f"row has no '{key}'", row=index, column=key)
                continue
            try:
                values.append(parse_vn_number(item[key]))
            except NotANumber as exc:
                values.append(math.nan)
                error(
                    "parse.not_a_number",
                    exc.reason,
                    row=index,
                    column=key,
                    observed=repr(exc.text),
                    expected="a number",
                )
        total = bool(office) and is_total_label(office)
        if not office:
            error("parse.blank_office", "a row has no office name", row=index, column="office")
        elif not total:
            if office in seen:
                error(
                    "parse.duplicate_office",
                    f"office {office!r} appears twice (rows {seen[office]} and {index})",
                    row=index,
                    column="office",
                    observed=office,
                )
            else:
                seen[office] = index
        rows.add(office, total, index, values)
        total_found = total
    if not total_found:
        error(
            "parse.missing_total_row",
            "no total row (office 'Tổng cộng')",
            column="office",
            expected="Tổng cộng",
            observed="end of array",
        )
    return rows
