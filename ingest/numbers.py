"""Vietnamese numbers as provinces write them, to float.

Rules (report_contract.md, domain.md "Numbers as Vietnamese documents write them"):
- `.` groups thousands and `,` is the decimal mark: "5.513" = 5513, "93,2" = 93.2,
  "1.234.567" = 1234567, "1.234,5" = 1234.5. A space (or no-break space) may group too.
- Numeric cells (int/float from Excel or JSON) are taken as they are: a float cell 1.5 is
  1.5; only TEXT is read the Vietnamese way, so the text "1.529" is 1529.
- Blank (None, "", only spaces) is 0: the contract says a blank cell is zero.
- A lone dash ("-", "–", "—") is 0: Vietnamese forms use it for "nothing" exactly like a
  blank cell, and refusing it would quarantine reports that are correct on paper.
- A leading minus is kept ("-5" = -5.0) so that validation can say "negative" instead of
  the parser saying "not a number"; the no-negatives rule belongs to validation.
- Anything else is NOT guessed: "1.5" (a dot not followed by groups of three digits),
  "1,234,567" (English grouping), "12%", "5 việc", booleans and dates are errors.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta

#: Thousands grouped by "." or spaces, optional decimal part after ",".
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:(?:\.\d{3})+|(?:[ \u00a0\u202f]\d{3})+)(?:,\d+)?$")
#: Digits with an optional decimal part after ",".
_PLAIN = re.compile(r"^[+-]?\d+(?:,\d+)?$")
_DASHES = frozenset({"-", "–", "—"})


class NotANumber(ValueError):
    """The text of a cell that is not a number in any form the contract allows."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(reason)
        self.text = text
        self.reason = reason


def parse_vn_number(value: object) -> float:
    """One cell to float, or raise NotANumber (carrying the text found and why)."""
    kind = type(value)
    if kind is float:  # the common case first: Excel cells come as floats
        if value != value or value in (math.inf, -math.inf):  # type: ignore[comparison-overlap]
            raise NotANumber(str(value), "not a finite number")
        return value  # type: ignore[return-value]
    if kind is int:  # JSON numbers
        return float(value)  # type: ignore[arg-type]
    if kind is str:
        return parse_vn_text(value)  # type: ignore[arg-type]
    # bool is an int subclass: an Excel TRUE must not become 1.
    if isinstance(value, bool):
        raise NotANumber(str(value), "a true/false cell is not a number")
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            raise NotANumber(str(value), "not a finite number")
        return number
    if value is None:
        return 0.0
    if isinstance(value, datetime | date | time | timedelta):
        # Excel turns "1.5" typed into a cell into a date: say so instead of guessing.
        raise NotANumber(str(value), "a date/time cell is not a number")
    if not isinstance(value, str):
        raise NotANumber(repr(value), f"a {type(value).__name__} is not a number")
    return parse_vn_text(value)


def parse_vn_text(raw: str) -> float:
    if raw.isdigit() and raw.isascii():  # "2311": most numbers as text need nothing more
        return float(raw)
    text = raw.strip().replace("\u00a0", " ").replace("\u202f", " ").strip()
    if not text or text in _DASHES:
        return 0.0
    if _PLAIN.match(text):
        return float(text.replace(",", "."))
    if _GROUPED.match(text):
        return float(text.replace(".", "").replace(" ", "").replace(",", "."))
    if re.fullmatch(r"[+-]?\d+\.\d+", text):
        reason = (
            "'.' groups thousands in Vietnamese numbers (groups of three digits); "
            "write a decimal with ',' (e.g. 93,2)"
        )
    else:
        reason = "not a number (Vietnamese style: 1.234.567 or 93,2; blank = 0)"
    raise NotANumber(raw, reason)
