"""Figures from the seed articles that the generated landing zone reproduces exactly.

Money is in thousands of đồng. A pin fixes (must_enforce, with_conditions, done) at one
cumulative period, where done = completed + terminated (the numerator of the rate). Where
an article gives a rate but not the with-conditions base, the base is the smallest whole
number that gives that rate at the article's precision; where it gives no must_enforce, a
typical share is used (and said so below).
"""

from __future__ import annotations

from dataclasses import dataclass

from thads.contract import rate_pct


@dataclass(frozen=True)
class Pin:
    source: str
    province_code: str
    statistical_year: int
    months: int
    #: None for the province total; else the office label as it appears in the report.
    office: str | None
    cases: tuple[int, int, int]  # must_enforce, with_conditions, done
    money: tuple[int, int, int]

    def figures(self, measure: str) -> tuple[int, int, int]:
        return self.cases if measure == "cases" else self.money


PINS: tuple[Pin, ...] = (
    # seed 002: Hậu Giang, 1/10/2023-30/8/2024: must 11.410 cases, 7.942 with conditions,
    # 6.113 done (76,97%); money must 3.343 tỷ, 508 tỷ done at 33,89% of with-conditions.
    Pin(
        "seed 002", "93", 2024, 11, None,
        cases=(11_410, 7_942, 6_113),
        money=(3_343_000_000, 1_498_967_247, 508_000_000),
    ),
    # seed 003: Nghệ An 2020: 14.186 cases done at 83,4%; 404.438.921.000 đồng at 40,5%.
    # must_enforce is not in the article: typical shares (0,69 cases, 0,43 money).
    Pin(
        "seed 003", "40", 2020, 12, None,
        cases=(24_650, 17_010, 14_186),
        money=(2_322_360_000, 998_614_620, 404_438_921),
    ),
    # seed 001: the Cần Giuộc district office (Long An), year 2022: 1.529 of 1.875 cases
    # (81,55%), must 2.561; money 56,1 of 123 tỷ (45,6%), must 211 tỷ.
    Pin(
        "seed 001", "80", 2022, 12, "Chi cục THADS Huyện Cần Giuộc",
        cases=(2_561, 1_875, 1_529),
        money=(211_000_000, 123_000_000, 56_100_000),
    ),
)  # fmt: skip

#: Province targets the seeds state: (code, year) -> (cases %, money %).
SEED_TARGETS: dict[tuple[str, int], tuple[float, float]] = {
    ("93", 2024): (83.35, 46.75),  # seed 002
    ("40", 2020): (80.0, 38.0),  # seed 003: 83,4 = target + 3,4; 40,5 = target + 2,5
}

#: National targets per statistical year (domain.md for 2024 and 2025; earlier years rise
#: towards them, later years continue the trend).
NATIONAL_TARGETS: dict[int, tuple[float, float]] = {
    2019: (78.0, 33.5),
    2020: (80.0, 36.5),
    2021: (80.5, 38.5),
    2022: (81.5, 40.5),
    2023: (82.5, 43.5),
    2024: (83.25, 46.45),
    2025: (83.90, 51.90),
}

#: National results (cases %, money %) the generator calibrates each year's 12-month
#: figures to; 2024 is the published result (83,88% / 51,84%).
NATIONAL_RESULTS: dict[int, tuple[float, float]] = {
    2019: (81.0, 41.0),
    2020: (80.6, 39.5),
    2021: (80.2, 38.8),
    2022: (82.0, 43.0),
    2023: (83.1, 47.5),
    2024: (83.88, 51.84),
    2025: (84.5, 52.6),
}

#: 2024 national with-conditions base, cases and money (thousands of đồng): the scale.
NATIONAL_WITH_CONDITIONS_2024: tuple[int, int] = (739_974, 224_775_000_000)


def national_target(year: int) -> tuple[float, float]:
    last = max(NATIONAL_TARGETS)
    if year in NATIONAL_TARGETS:
        return NATIONAL_TARGETS[year]
    cases, money = NATIONAL_TARGETS[last]
    return (min(cases + 0.3 * (year - last), 90.0), min(money + 0.8 * (year - last), 60.0))


def national_result(year: int) -> tuple[float, float]:
    last = max(NATIONAL_RESULTS)
    if year in NATIONAL_RESULTS:
        return NATIONAL_RESULTS[year]
    cases, money = NATIONAL_RESULTS[last]
    return (min(cases + 0.3 * (year - last), 90.0), min(money + 0.6 * (year - last), 60.0))


def check_pins() -> list[str]:
    """Self-check of the table above against the articles' rounded rates."""
    expected = {
        "seed 002": ((76.97, 2), (33.89, 2)),
        "seed 003": ((83.4, 1), (40.5, 1)),
        "seed 001": ((81.55, 2), (45.6, 1)),
    }
    errors = []
    for pin in PINS:
        for got, (want, digits) in zip((pin.cases, pin.money), expected[pin.source], strict=True):
            rate = rate_pct(got[2], 0, got[1])
            if rate is None or round(rate, digits) != want:
                errors.append(f"{pin.source}: rate {rate} does not round to {want}")
    return errors
