"""Vietnamese numbers (domain.md "Numbers as Vietnamese documents write them")."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from ingest.numbers import NotANumber, parse_vn_number


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("5.513", 5513.0),  # seed 004: five thousand five hundred thirteen
        ("93,2", 93.2),  # seed 004: 93,2 tỷ đồng
        ("1.234.567", 1234567.0),
        ("404.438.921.000", 404438921000.0),  # seed 003, a full amount in đồng
        ("1.234,5", 1234.5),
        ("1.529", 1529.0),  # text: Vietnamese grouping
        (1.5, 1.5),  # a float CELL is a float, not Vietnamese text
        (1529, 1529.0),
        (0.0, 0.0),
        ("2311", 2311.0),
        (" 2.311 ", 2311.0),
        ("1 234 567", 1234567.0),  # space grouping
        ("1\u00a0234", 1234.0),  # no-break space grouping
        ("", 0.0),  # blank = 0
        ("   ", 0.0),
        (None, 0.0),
        ("-", 0.0),  # a dash is a written zero
        ("–", 0.0),
        ("-12", -12.0),  # kept negative: validation, not parsing, refuses it
        ("-12.000", -12000.0),
    ],
)
def test_vietnamese_numbers(cell, expected):
    assert parse_vn_number(cell) == expected


@pytest.mark.parametrize(
    "cell",
    [
        "1.5",
        "12.34",
        "1,234,567",
        "12%",
        "5 việc",
        "l.529",
        "1.5O9",
        "#REF!",
        "1.23",
        "abc",
        "1..2",
    ],
)
def test_text_that_is_not_a_number_is_refused_with_the_text(cell):
    with pytest.raises(NotANumber) as info:
        parse_vn_number(cell)
    assert info.value.text == cell
    assert info.value.reason


def test_dot_decimal_text_says_why():
    with pytest.raises(NotANumber, match="groups thousands"):
        parse_vn_number("93.2")


@pytest.mark.parametrize("cell", [True, False, datetime(2024, 1, 5), math.nan, math.inf])
def test_non_numeric_cells_are_refused(cell):
    with pytest.raises(NotANumber):
        parse_vn_number(cell)
