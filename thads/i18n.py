"""Numbers as Vietnamese documents write them, through Babel's CLDR data for `vi`.

"." groups thousands and "," is the decimal mark (domain.md): 5.513 cases, 93,2 tỷ đồng,
404.438.921.000 đồng. Every place that shows a number to a Vietnamese reader (the HTML
report, `thads rank`, the province alerts, the generator's text cells) formats it here.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from babel.numbers import (
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
)

LOCALE = "vi"
MISSING = "—"
#: CLDR's symbols for `vi`, read once: the report formats ~40.000 numbers per publish, and
#: Babel's format_decimal re-parses the locale and the pattern on each call (~5 s of a
#: publish under cProfile). `vn_number` writes Python's "#,##0.00" digits with them
#: (tests/test_i18n.py holds it equal to format_decimal).
_DECIMAL = get_decimal_symbol(LOCALE)
_GROUP = get_group_symbol(LOCALE)
_MINUS = get_minus_sign_symbol(LOCALE)
_SWAP = str.maketrans({",": _GROUP, ".": _DECIMAL, "-": _MINUS})


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def vn_number(value: float | int | None, decimals: int = 0) -> str:
    """1529 -> "1.529"; 93.2 with decimals=1 -> "93,2"; None/NaN -> "—" (never "0")."""
    if _is_missing(value):
        return MISSING
    rounded = round(float(value), decimals) if decimals or isinstance(value, float) else value
    if rounded == 0:
        rounded = 0  # never "-0" / "-0,00"
    # `rounded` has at most `decimals` decimals already, so the fixed-point digits are
    # exactly Babel's for the pattern "#,##0.00" (groups of three).
    exact = isinstance(rounded, int) and not decimals  # an int keeps every digit
    text = f"{rounded:,}" if exact else f"{rounded:,.{decimals}f}"
    return text.translate(_SWAP)


def vn_number_text(text: str) -> str:
    """A plain number written as text ("1234567.5") the Vietnamese way ("1.234.567,5"),
    keeping exactly the digits it had; text that is not a plain number is returned as is."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if not value.is_finite():
        return text
    decimals = max(0, -int(value.as_tuple().exponent))
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)
