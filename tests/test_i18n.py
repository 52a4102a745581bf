"""Vietnamese number formatting lives once, in thads/i18n.py (Babel's `vi` locale)."""

from __future__ import annotations

import math
import random

import pytest
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

from thads import i18n
from thads.commands import rank
from thads.generate import styles
from thads.notify import messages
from thads.publish.report import fmt


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (5513, 0, "5.513"),  # seed 004
        (93.2, 1, "93,2"),  # seed 004: 93,2 tỷ
        (404_438_921_000, 0, "404.438.921.000"),  # seed 003
        (83.899, 2, "83,90"),
        (-12_000, 0, "-12.000"),
        (-0.001, 2, "0,00"),  # never "-0,00"
        (None, 0, "—"),
        (math.nan, 2, "—"),
    ],
)
def test_vietnamese_numbers(value, decimals, text) -> None:
    assert i18n.vn_number(value, decimals) == text
    assert fmt.number(value, decimals) == text  # the report's formatter is the same one


def test_vietnamese_numbers_are_babels_digits() -> None:
    """vn_number writes the digits itself with CLDR's symbols (speed: the report formats
    ~40.000 numbers); it must say exactly what Babel's format_decimal says for the pattern."""
    rng = random.Random(17)
    values: list[float | int] = [0, 1, -1, 999, 1000, -1000, 10**15 + 7, 0.5, 2.675, 1.005]
    values += [rng.uniform(-1e9, 1e9) for _ in range(2000)]
    values += [rng.uniform(-100, 100) for _ in range(2000)]
    values += [rng.randint(-(10**12), 10**12) for _ in range(500)]
    for value in values:
        for decimals in (0, 1, 2, 3):
            rounded = (
                round(float(value), decimals) if decimals or isinstance(value, float) else value
            )
            expected = format_decimal(
                0 if rounded == 0 else rounded,
                format="#,##0" + ("." + "0" * decimals if decimals else ""),
                locale=i18n.LOCALE,
            )
            assert i18n.vn_number(value, decimals) == expected, (value, decimals)


def test_text_numbers_keep_their_digits() -> None:
    assert i18n.vn_number_text("1234567.5") == "1.234.567,5"
    assert i18n.vn_number_text("40.00") == "40,00"
    assert i18n.vn_number_text("not a number") == "not a number"


def test_the_separators_come_from_the_locale_data() -> None:
    assert (get_group_symbol(i18n.LOCALE), get_decimal_symbol(i18n.LOCALE)) == (".", ",")


def test_one_formatter_everywhere() -> None:
    assert rank.vn_number is i18n.vn_number
    assert styles.vn_number is i18n.vn_number
    assert messages.vn_number_text is i18n.vn_number_text
