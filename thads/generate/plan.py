"""Province-level plan: per province and year, the carried-over stock and the anchors.

Computed once, in the parent process, for all provinces (it is cheap), because two things
need the whole country at once: the national rate of each year is calibrated to the
published result (2024: 83,88% cases, 51,84% money), and the seed figures must land
exactly (a province is sized to its seed, and steered the year before so that its
carried-over stock fits). Offices are filled in later, per province, in worker processes.

Dynamics per province and measure: C(Y+1) = must_enforce(Y) − done(Y) at 12 months;
must_enforce(Y) = C(Y) + A(Y), A the net new intake (a share of a national intake growing
a few percent a year); with_conditions = must × ws; done = with_conditions × rate.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from thads import reference
from thads.contract import FIRST_YEAR, MEASURES, MERGER_YEAR
from thads.generate.offices import members
from thads.generate.seeds import NATIONAL_WITH_CONDITIONS_2024, PINS, Pin, national_result
from thads.generate.simulate import Anchor

#: Big cities and provinces with heavy dockets (relative size multipliers).
BIG: dict[str, float] = {
    "79": 2.2, "01": 1.0, "74": 2.0, "75": 1.8, "31": 1.5, "48": 1.6, "92": 1.3,
    "40": 1.2, "38": 1.0, "80": 1.4, "56": 1.2, "77": 1.3, "22": 1.2, "89": 1.1,
}  # fmt: skip
#: Money per case is far larger in the cities and industrial provinces (credit and land
#: disputes), so money totals range from tens to tens of thousands of billions of đồng.
MONEY_RICH: dict[str, float] = {
    "79": 9.0, "01": 9.0, "74": 4.0, "75": 3.5, "48": 4.0, "31": 3.0, "92": 2.0,
    "77": 2.5, "56": 2.0, "22": 2.0, "26": 1.5, "27": 1.8, "30": 1.5, "80": 2.0, "93": 2.0,
}  # fmt: skip
GROWTH = {"cases": 1.03, "money": 1.07}
RATE_BOUNDS = {"cases": (0.6, 0.985), "money": (0.15, 0.9)}


@dataclass
class YearPlan:
    code: str
    boundary: int
    year: int
    carried: dict[str, int]
    anchors: dict[str, list[Anchor]]
    ws: dict[str, float]
    rate: dict[str, float]
    pin: Pin | None = None

    def carry_next(self, measure: str) -> int:
        _, must, _, done = self.anchors[measure][-1]
        return must - done


@dataclass
class Params:
    size: dict[str, float]  # share of the national net intake
    ws: dict[str, float]  # with-conditions share of must_enforce
    effect: dict[str, float]  # rate above/below the national result
    rng: random.Random = field(repr=False, default_factory=random.Random)


def national_intake(measure: str, year: int) -> float:
    """Net new per year nationwide: in a steady state it equals what gets done (2024)."""
    w_cases, w_money = NATIONAL_WITH_CONDITIONS_2024
    cases_rate, money_rate = national_result(2024)
    base = w_cases * cases_rate / 100 if measure == "cases" else w_money * money_rate / 100
    return base * GROWTH[measure] ** (year - 2024)


def province_pins(code: str, boundary: int) -> dict[int, Pin]:
    return {
        p.statistical_year: p
        for p in PINS
        if p.office is None and p.province_code == code and boundary == reference.LEGACY
    }


def legacy_params(seed: int) -> dict[str, Params]:
    out: dict[str, Params] = {}
    for province in reference.provinces(reference.LEGACY):
        code = province.code
        rng = random.Random(f"{seed}:province:{code}")
        districts = len(reference.legacy_districts(code))
        cases = districts**1.2 * BIG.get(code, 1.0) * rng.lognormvariate(0, 0.3)
        money = cases * MONEY_RICH.get(code, 0.5) * rng.lognormvariate(0, 0.4)
        out[code] = Params(
            size={"cases": cases, "money": money},
            ws={"cases": rng.gauss(0.68, 0.035), "money": rng.gauss(0.45, 0.06)},
            effect={"cases": rng.gauss(0, 0.035), "money": rng.gauss(0, 0.1)},
            rng=rng,
        )
    for measure in MEASURES:
        total = sum(p.size[measure] for p in out.values())
        for p in out.values():
            p.size[measure] /= total
    # Size the seed provinces to their seed figures (done ≈ net intake in a steady state).
    for pin in PINS:
        if pin.office is not None:
            continue
        p = out[pin.province_code]
        for measure in MEASURES:
            must, with_cond, done = pin.figures(measure)
            yearly = done * 12 / pin.months
            p.size[measure] = yearly / national_intake(measure, pin.statistical_year)
            p.ws[measure] = with_cond / must
            result = national_result(pin.statistical_year)[MEASURES.index(measure)] / 100
            p.effect[measure] = done / with_cond - result
    return out


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def _calibrate(
    rows: list[tuple[int, float, bool]], target: float, bounds: tuple[float, float]
) -> float:
    """Shift δ added to every free rate so that Σdone / Σwith_conditions = target.

    rows: (with_conditions, rate, fixed). Bisection: the national rate grows with δ.
    """
    lo, hi = -0.6, 0.6
    for _ in range(50):
        mid = (lo + hi) / 2
        done = sum(w * (r if fixed else _clamp(r + mid, bounds)) for w, r, fixed in rows)
        total = sum(w for w, _, _ in rows) or 1
        lo, hi = (mid, hi) if done / total < target else (lo, mid)
    return (lo + hi) / 2


def _pin_anchors(pin: Pin, measure: str, carried: int) -> list[Anchor]:
    """The seed's period exactly, then a plausible rest of the year to month 12."""
    must, with_cond, done = pin.figures(measure)
    if must < carried:
        raise ValueError(
            f"{pin.source}: province {pin.province_code} carries {carried} {measure} into "
            f"{pin.statistical_year}, more than the seed's must_enforce {must}"
        )
    if pin.months == 12:
        return [(12, must, with_cond, done)]
    later = 12 - pin.months
    grow = round((must - carried) * later / pin.months)
    must12 = must + grow
    with12 = with_cond + round(grow * with_cond / must)
    done12 = min(with12, done + round(done / pin.months * 1.4 * later))
    return [(pin.months, must, with_cond, done), (12, must12, with12, done12)]


def steer_anchor(carried: int, target_carry: int, ws: float, rate: float, intake: float) -> Anchor:
    """12-month anchor of the year before a seed: land next year's carried-over on target."""
    must = max(round(target_carry / (1 - ws * rate)), carried + round(0.3 * intake))
    done = max(must - target_carry, 0)
    with_cond = min(must, max(round(must * ws), math.ceil(done / 0.97)))
    return (12, must, with_cond, min(done, with_cond))


def make_plans(seed: int, last_year: int) -> dict[tuple[int, str, int], YearPlan]:
    """Plans keyed by (boundary, province code, statistical year), 2019..last_year.

    Legacy provinces through 2025 (all 12 months; the 9-12-month reports of 2025 are the
    merged provinces' and are sums of these), current provinces from 2026.
    """
    plans: dict[tuple[int, str, int], YearPlan] = {}
    params = legacy_params(seed)
    carried: dict[str, dict[str, int]] = {}
    for code, p in params.items():
        carried[code] = {}
        for i, measure in enumerate(MEASURES):
            rate = _clamp(national_result(FIRST_YEAR)[i] / 100 + p.effect[measure], (0.1, 0.98))
            intake = p.size[measure] * national_intake(measure, FIRST_YEAR)
            carried[code][measure] = round(intake * (1 / (p.ws[measure] * rate) - 1))
    boundary = reference.LEGACY
    for year in range(FIRST_YEAR, last_year + 1):
        if year == MERGER_YEAR + 1:
            params, carried = _merge(params, carried, plans)
            boundary = reference.CURRENT
        _plan_year(year, boundary, params, carried, plans)
        for code in params:
            plan = plans[(boundary, code, year)]
            carried[code] = {m: plan.carry_next(m) for m in MEASURES}
    return plans


def _plan_year(
    year: int,
    boundary: int,
    params: dict[str, Params],
    carried: dict[str, dict[str, int]],
    plans: dict[tuple[int, str, int], YearPlan],
) -> None:
    for i, measure in enumerate(MEASURES):
        bounds = RATE_BOUNDS[measure]
        rows: list[tuple[int, float, bool]] = []
        draft: dict[str, tuple[int, int, float, float, list[Anchor] | None]] = {}
        for code, p in params.items():
            rng = p.rng
            C = carried[code][measure]
            intake = p.size[measure] * national_intake(measure, year) * rng.lognormvariate(0, 0.06)
            ws = _clamp(p.ws[measure] + rng.gauss(0, 0.015), (0.2, 0.92))
            noise = rng.gauss(0, 0.02 if measure == "cases" else 0.04)
            rate = _clamp(national_result(year)[i] / 100 + p.effect[measure] + noise, bounds)
            pins = province_pins(code, boundary)
            anchors: list[Anchor] | None = None
            if year in pins:
                anchors = _pin_anchors(pins[year], measure, C)
            elif year + 1 in pins:
                nxt = pins[year + 1]
                must, _, done = nxt.figures(measure)
                target = must - round(done * rng.uniform(0.85, 1.05))
                anchors = [steer_anchor(C, target, ws, rate, intake)]
            must = C + max(round(intake), 0)
            draft[code] = (C, must, ws, rate, anchors)
            if anchors:
                _, _, w, x = anchors[-1]
                rows.append((w, x / w if w else 0.0, True))
            else:
                rows.append((round(must * ws), rate, False))
        shift = _calibrate(rows, national_result(year)[i] / 100, bounds)
        for code, (C, must, ws, rate, anchors) in draft.items():
            if anchors is None:
                with_cond = round(must * ws)
                done = round(with_cond * _clamp(rate + shift, bounds))
                anchors = [(12, must, with_cond, done)]
                rate = _clamp(rate + shift, bounds)
            key = (boundary, code, year)
            plan = plans.get(key)
            if plan is None:
                pins = province_pins(code, boundary)
                plan = plans[key] = YearPlan(code, boundary, year, {}, {}, {}, {}, pins.get(year))
            plan.carried[measure] = C
            plan.anchors[measure] = anchors
            plan.ws[measure] = ws
            plan.rate[measure] = rate


def _merge(
    params: dict[str, Params],
    carried: dict[str, dict[str, int]],
    plans: dict[tuple[int, str, int], YearPlan],
) -> tuple[dict[str, Params], dict[str, dict[str, int]]]:
    """From 2026 on the 34 current provinces carry on from the sum of their members."""
    new_params: dict[str, Params] = {}
    new_carried: dict[str, dict[str, int]] = {}
    for code, olds in members().items():
        size = {m: sum(params[o].size[m] for o in olds) for m in MEASURES}
        weight = {m: [params[o].size[m] / size[m] for o in olds] for m in MEASURES}
        new_params[code] = Params(
            size=size,
            ws={
                m: sum(w * params[o].ws[m] for w, o in zip(weight[m], olds, strict=True))
                for m in MEASURES
            },
            effect={
                m: sum(w * params[o].effect[m] for w, o in zip(weight[m], olds, strict=True))
                for m in MEASURES
            },
            rng=random.Random(f"{params[olds[0]].rng.random()}:current:{code}"),
        )
        new_carried[code] = {m: sum(carried[o][m] for o in olds) for m in MEASURES}
    return new_params, new_carried
