"""Numbers as Vietnamese documents write them: "1.529", "81,55%", "56,1 tỷ".

`.` groups thousands and `,` is the decimal mark (domain.md). Missing values print as an
em dash so a blank cell is never mistaken for zero.
"""

from __future__ import annotations

import math
from datetime import date

from thads.i18n import MISSING, vn_number

#: Money is counted in thousands of đồng; one tỷ (billion) đồng is a million of those.
THOUSANDS_PER_BILLION = 1_000_000


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def number(x: float | None, decimals: int = 0) -> str:
    """1529 -> "1.529"; 93.2 (decimals=1) -> "93,2" (Babel, `thads.i18n`)."""
    return vn_number(x, decimals)


def pct(x: float | None, decimals: int = 2) -> str:
    """81.55 -> "81,55%"."""
    return MISSING if _missing(x) else f"{number(x, decimals)}%"


def points(x: float | None, decimals: int = 2) -> str:
    """A gap in percentage points, always signed: +0,05 / -2,10."""
    if _missing(x):
        return MISSING
    text = number(x, decimals)
    return text if text.startswith("-") or float(x) == 0 else f"+{text}"


def billions(thousand_dong: float | None, decimals: int = 1) -> str:
    """Money from the forms (thousands of đồng) in tỷ đồng: 56_100_000 -> "56,1"."""
    if _missing(thousand_dong):
        return MISSING
    return number(float(thousand_dong) / THOUSANDS_PER_BILLION, decimals)


def day(d: date | None) -> str:
    return MISSING if d is None else d.strftime("%d/%m/%Y")


def period_label(statistical_year: int, months: int) -> str:
    """ "12 tháng năm 2024" — the name of a cumulative report."""
    return f"{months} tháng năm {statistical_year}"


def change(value: float | None, change_pct: float | None, measure: str) -> str:
    """A change against the same period last year as the ministry's articles word it:
    "tăng 267 việc, tương ứng 7,00%", "giảm 1,2 tỷ đồng, tương ứng 3,10%", "không đổi"
    (money from the forms, thousands of đồng, in tỷ đồng)."""
    if _missing(value):
        return MISSING
    if value == 0:
        return "không đổi"
    size = abs(float(value))
    amount = f"{billions(size)} tỷ đồng" if measure == "money" else f"{number(size)} việc"
    text = f"{'tăng' if value > 0 else 'giảm'} {amount}"
    return text if _missing(change_pct) else f"{text}, tương ứng {pct(abs(change_pct))}"
