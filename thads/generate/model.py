"""Numbers of one report: a consistent province total split over its offices.

Everything here is integer arithmetic (cases, and money in thousands of đồng), so every
identity of the contract holds exactly, for every office row and for the total row.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from thads.contract import (
    IDENTITIES,
    MEASURES,
    NUMERIC_KEYS,
    boundary_for,
    submission_filename,
)

Row = dict[str, int]

#: Keys `complete_totals` accepts besides NUMERIC_KEYS: "done" = completed + terminated,
#: "rate_pct" = done / with_conditions in percent (articles quote these two).
EXTRA_TOTAL_KEYS: tuple[str, ...] = ("done", "rate_pct")

#: Typical shares used to fill what a caller did not give (per measure). Why these values:
#: with/must from seeds 001/002 (cases ~0.70, money ~0.45), carried-over share of the total
#: received (money backlogs are larger than case backlogs), small entrusted/recalled shares.
DEFAULT_SHARES: dict[str, dict[str, float]] = {
    "cases": {
        "with_share": 0.68,
        "rate": 0.84,
        "carried_share": 0.5,
        "entrusted": 0.015,
        "recalled": 0.004,
        "terminated": 0.02,
        "postponed": 0.04,
        "suspended": 0.02,
        "other": 0.02,
    },
    "money": {
        "with_share": 0.45,
        "rate": 0.5,
        "carried_share": 0.72,
        "entrusted": 0.02,
        "recalled": 0.004,
        "terminated": 0.015,
        "postponed": 0.05,
        "suspended": 0.03,
        "other": 0.02,
    },
}


def zero_row() -> Row:
    return dict.fromkeys(NUMERIC_KEYS, 0)


def sum_rows(rows: Sequence[Mapping[str, int]]) -> Row:
    total = zero_row()
    for row in rows:
        for key in NUMERIC_KEYS:
            total[key] += row[key]
    return total


def identity_errors(row: Mapping[str, int]) -> list[str]:
    """The contract identities (and non-negativity) this row breaks; empty when it is correct."""
    errors = [f"{key} is negative ({row[key]})" for key in NUMERIC_KEYS if row[key] < 0]
    for name, left, right in IDENTITIES:
        value = sum(sign * row[key] for key, sign in right.items())
        if row[left] != value:
            errors.append(f"{name}: {row[left]} != {value}")
    return errors


@dataclass
class Report:
    """One submission's content: office rows per measure (the total row is derived).

    `cases[i]` and `money[i]` are the rows of `offices[i]`; money is in thousands of đồng.
    """

    province_code: str
    statistical_year: int
    months: int
    offices: list[str]
    cases: list[Row]
    money: list[Row]
    province_name: str = ""
    total_label: str = "Tổng cộng"
    revision: int = 1
    submitted_at: datetime | None = None
    boundary: int = field(default=0)

    def __post_init__(self) -> None:
        if not self.boundary:
            self.boundary = boundary_for(self.statistical_year, self.months)
        if not (len(self.offices) == len(self.cases) == len(self.money)):
            raise ValueError("offices, cases and money must have one entry per office")

    def office_rows(self, measure: str) -> list[Row]:
        return self.cases if measure == "cases" else self.money

    def total(self, measure: str) -> Row:
        return sum_rows(self.office_rows(measure))

    def labelled_rows(self, measure: str) -> list[tuple[str, Row]]:
        """(office label, row) for every office, then the total row."""
        rows = list(zip(self.offices, self.office_rows(measure), strict=True))
        rows.append((self.total_label, self.total(measure)))
        return rows

    def errors(self) -> list[str]:
        """Every broken identity, naming measure and office; empty for a correct report."""
        out = []
        for measure in MEASURES:
            for office, row in self.labelled_rows(measure):
                out += [f"{measure}/{office}: {e}" for e in identity_errors(row)]
        return out

    def filename(self, fmt: str, measure: str | None = None) -> str:
        return submission_filename(
            self.province_code, self.statistical_year, self.months, fmt, self.revision, measure
        )

    @property
    def submission_key(self) -> str:
        return self.filename("x")[: -len(".x")]


# --- Integer allocation --------------------------------------------------------------------

_WEIGHT_SCALE = 1_000_000


def allocate(total: int, weights: Sequence[float], caps: Sequence[int] | None = None) -> list[int]:
    """Split `total` into len(weights) non-negative integers proportional to `weights`.

    The parts sum exactly to `total` and never exceed `caps` (water filling: a part that would
    pass its cap is held at the cap and the rest is shared again). Integer arithmetic, so the
    result is exact for money in the hundreds of billions too.
    """
    n = len(weights)
    if total < 0:
        raise ValueError(f"cannot allocate a negative total ({total})")
    cap = list(caps) if caps is not None else [total] * n
    if sum(cap) < total:
        raise ValueError(f"cannot allocate {total}: the caps only hold {sum(cap)}")
    w = [max(0, round(x * _WEIGHT_SCALE)) for x in weights]
    result = [0] * n
    active = [i for i in range(n) if cap[i] > 0]
    remaining = total
    while remaining > 0:
        wsum = sum(w[i] for i in active)
        if wsum == 0:  # no weight left: share evenly among those with room
            for i in active:
                w[i] = 1
            wsum = len(active)
        over = [i for i in active if remaining * w[i] > (cap[i] - result[i]) * wsum]
        if over:
            for i in over:
                remaining -= cap[i] - result[i]
                result[i] = cap[i]
            active = [i for i in active if i not in over]
            continue
        floors = {i: remaining * w[i] // wsum for i in active}
        give = remaining - sum(floors.values())
        by_remainder = sorted(active, key=lambda i: (-(remaining * w[i] % wsum), i))
        for i in active:
            result[i] += floors[i]
        for i in by_remainder[:give]:
            result[i] += 1
        remaining = 0
    return result


def jitter(weights: Sequence[float], rng: random.Random, spread: float) -> list[float]:
    return [w * rng.uniform(1 - spread, 1 + spread) for w in weights]


# --- Totals from what an article says ------------------------------------------------------


def complete_totals(
    partial: Mapping[str, float], measure: str = "cases", rng: random.Random | None = None
) -> Row:
    """A full, consistent total row from the few figures a source gives.

    `partial` may hold any NUMERIC_KEYS plus "done" (completed + terminated) and "rate_pct".
    Given figures are kept exactly; the rest is filled with typical shares (DEFAULT_SHARES,
    jittered a little by `rng`). Raises ValueError if the given figures contradict each other
    or leave nothing to start from.

    Seed 002 (Hậu Giang, 11 months 2024): complete_totals({"must_enforce": 11410,
    "with_conditions": 7942, "done": 6113}, "cases") keeps those three and fills the rest.
    """
    rng = rng or random.Random(0)
    shares = {k: v * rng.uniform(0.9, 1.1) for k, v in DEFAULT_SHARES[measure].items()}
    shares["rate"] = min(shares["rate"], 0.99)
    unknown = set(partial) - set(NUMERIC_KEYS) - set(EXTRA_TOTAL_KEYS)
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}; use {NUMERIC_KEYS + EXTRA_TOTAL_KEYS}")
    g: dict[str, int] = {k: round(v) for k, v in partial.items() if k in NUMERIC_KEYS}
    rate = partial.get("rate_pct")
    parts = ("completed", "terminated", "in_progress", "postponed", "suspended", "other")

    done = round(partial["done"]) if "done" in partial else None
    if done is None and "completed" in g and "terminated" in g:
        done = g["completed"] + g["terminated"]

    w = g.get("with_conditions")
    if w is None and all(k in g for k in parts):
        w = sum(g[k] for k in parts)
    if w is None and "must_enforce" in g and "without_conditions" in g:
        w = g["must_enforce"] - g["without_conditions"]
    if w is None and done is not None:
        w = round(done * 100 / rate) if rate else round(done / shares["rate"])
    m = g.get("must_enforce")
    if m is None and w is not None and "without_conditions" in g:
        m = w + g["without_conditions"]
    if m is None and all(k in g for k in ("total_received", "entrusted", "recalled")):
        m = g["total_received"] - g["entrusted"] - g["recalled"]
    if w is None and m is not None:
        w = round(m * shares["with_share"])
    if w is None:
        raise ValueError("give at least one of must_enforce, with_conditions, done")
    if m is None:
        m = round(w / shares["with_share"])
    if done is None:
        done = round(w * (rate / 100 if rate else shares["rate"]))

    row = zero_row()
    row["must_enforce"], row["with_conditions"] = m, w
    row["without_conditions"] = m - w
    if "completed" in g:
        row["completed"] = g["completed"]
        row["terminated"] = g.get("terminated", done - g["completed"])
    else:
        row["terminated"] = g.get("terminated", round(done * shares["terminated"]))
        row["completed"] = done - row["terminated"]
    stock = w - done
    for key in ("postponed", "suspended", "other"):
        row[key] = g.get(key, round(stock * shares[key]))
    row["in_progress"] = g.get(
        "in_progress", stock - row["postponed"] - row["suspended"] - row["other"]
    )
    row["entrusted"] = g.get("entrusted", round(m * shares["entrusted"]))
    row["recalled"] = g.get("recalled", round(m * shares["recalled"]))
    row["total_received"] = m + row["entrusted"] + row["recalled"]
    if "carried_over" in g:
        row["carried_over"] = g["carried_over"]
    elif "new_received" in g:
        row["carried_over"] = row["total_received"] - g["new_received"]
    else:
        row["carried_over"] = round(row["total_received"] * shares["carried_share"])
    row["new_received"] = row["total_received"] - row["carried_over"]

    mismatched = [k for k, v in g.items() if row[k] != v]
    errors = identity_errors(row)
    if mismatched or errors:
        given = {k: g[k] for k in mismatched}
        raise ValueError(f"figures contradict each other: given {given}; {errors}")
    return row


# --- Splitting a total over offices --------------------------------------------------------


def split_totals(
    total: Mapping[str, int],
    weights: Sequence[float],
    rng: random.Random,
    spread: float = 0.15,
) -> list[Row]:
    """Split one consistent total row over offices (sizes ~ `weights`) so every office row is
    consistent, non-negative, and the rows sum exactly to `total`.

    The ten free figures are shared in order; each later one in proportion to (and capped
    by) what the earlier ones left in each office, so no office can go negative. The four
    derived ones (total_received, must_enforce, with_conditions, in_progress) follow.
    """
    errors = identity_errors(total)
    if errors:
        raise ValueError(f"the total row is not consistent: {errors}")
    n = len(weights)
    rows = [zero_row() for _ in range(n)]

    def put(key: str, weights_: Sequence[float], caps: Sequence[int] | None = None) -> list[int]:
        parts = allocate(total[key], jitter(weights_, rng, spread), caps)
        for row, value in zip(rows, parts, strict=True):
            row[key] = value
        return parts

    c = put("carried_over", weights)
    nr = put("new_received", weights)
    tr = [a + b for a, b in zip(c, nr, strict=True)]
    e = put("entrusted", tr, tr)
    room = [a - b for a, b in zip(tr, e, strict=True)]
    r = put("recalled", tr, room)
    m = [a - b - d for a, b, d in zip(tr, e, r, strict=True)]
    u = put("without_conditions", m, m)
    w = [a - b for a, b in zip(m, u, strict=True)]
    left = list(w)
    for key in ("completed", "terminated", "postponed", "suspended", "other"):
        part = put(key, w if key in ("completed", "terminated") else left, left)
        left = [a - b for a, b in zip(left, part, strict=True)]
    for row, tr_o, m_o, w_o, ip in zip(rows, tr, m, w, left, strict=True):
        row["total_received"], row["must_enforce"] = tr_o, m_o
        row["with_conditions"], row["in_progress"] = w_o, ip
    return rows


def office_weights(n: int, rng: random.Random) -> list[float]:
    """Relative office sizes: the provincial office (first) handles the big cases."""
    weights = [rng.lognormvariate(0, 0.35) for _ in range(n)]
    if n:
        weights[0] *= 1.6
    return weights


def build_report(
    province_code: str,
    year: int,
    months: int,
    cases_totals: Mapping[str, float],
    money_totals: Mapping[str, float],
    n_offices: int | None = None,
    rng: random.Random | None = None,
    *,
    offices: Sequence[str] | None = None,
    total_label: str = "Tổng cộng",
    revision: int = 1,
    submitted_at: datetime | None = None,
) -> Report:
    """One report whose total row matches the given province totals, split over offices.

    `cases_totals` / `money_totals` take any NUMERIC_KEYS plus "done" and "rate_pct" (see
    `complete_totals`); money is in thousands of đồng. Office names default to the real
    offices of the province in the boundary set of the period (`offices.office_names`),
    cut or extended to `n_offices`.
    """
    from thads.generate.offices import office_names, province_title

    rng = rng or random.Random(f"{province_code}:{year}:{months}")
    boundary = boundary_for(year, months)
    names = list(offices) if offices else office_names(province_code, boundary, n_offices)
    weights = office_weights(len(names), rng)
    cases = split_totals(complete_totals(cases_totals, "cases", rng), weights, rng)
    money = split_totals(complete_totals(money_totals, "money", rng), weights, rng)
    return Report(
        province_code=province_code,
        statistical_year=year,
        months=months,
        offices=names,
        cases=cases,
        money=money,
        province_name=province_title(province_code, boundary),
        total_label=total_label,
        revision=revision,
        submitted_at=submitted_at,
        boundary=boundary,
    )
