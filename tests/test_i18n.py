"""Vietnamese number formatting lives once, in thads/i18n.py (Babel's `vi` locale)."""

from __future__ import annotations

import math

import pytest
from babel.numbers import get_decimal_symbol, get_group_symbol

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
