"""Office-level simulation: a statistical year of cumulative monthly figures per office.

A year of one office is fixed by its carried-over stock C and a few *anchors*
(months, must_enforce, with_conditions, done) — always month 12, plus the month of a seed
figure when there is one. Between anchors the cumulative figures follow seeded monthly
intensity curves, all in integers, so that:

- every flow (new, total received, entrusted, recalled, must_enforce, completed,
  terminated) and with/without conditions never decreases from month to month;
- carried_over is the same all year; every identity of the contract holds each month;
- the anchors are met exactly; next year's C is must_enforce − done at month 12.

Rows here are tuples in `contract.NUMERIC_KEYS` order (cheap to sum and to pickle).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from thads.contract import NUMERIC_KEYS
from thads.generate.model import allocate, jitter

Tuple14 = tuple[int, ...]
#: (months, must_enforce, with_conditions, done) at one cumulative period.
Anchor = tuple[int, int, int, int]

ZERO: Tuple14 = (0,) * len(NUMERIC_KEYS)


def add(a: Tuple14, b: Tuple14) -> Tuple14:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def to_dict(row: Tuple14) -> dict[str, int]:
    return dict(zip(NUMERIC_KEYS, row, strict=True))


@dataclass(frozen=True)
class Shares:
    """Per-mille shares that split flows and stocks; drawn once per office and year."""

    entrusted: int  # of net new cases
    recalled: int
    terminated: int  # of done
    postponed: int  # of the stock still open with conditions
    suspended: int
    other: int

    @classmethod
    def draw(cls, measure: str, rng: random.Random) -> Shares:
        if measure == "cases":
            return cls(
                rng.randint(15, 35), rng.randint(3, 9), rng.randint(8, 30),
                rng.randint(20, 60), rng.randint(8, 25), rng.randint(5, 25),
            )  # fmt: skip
        return cls(
            rng.randint(10, 40), rng.randint(2, 8), rng.randint(5, 25),
            rng.randint(30, 80), rng.randint(15, 40), rng.randint(5, 30),
        )  # fmt: skip


def curve(rng: random.Random, rising: float = 0.0) -> list[int]:
    """Cumulative integer intensities for months 0..12 (index 0 is 0).

    `rising` > 0 makes later months heavier (offices push to close cases before 30/9).
    """
    out = [0]
    for month in range(1, 13):
        out.append(out[-1] + round(1000 * rng.uniform(0.75, 1.25) * (1 + rising * month / 12)))
    return out


def trajectory(
    carried: int,
    anchors: Sequence[Anchor],
    shares: Shares,
    g: Sequence[int],
    h: Sequence[int],
) -> list[Tuple14]:
    """Cumulative rows for months 1..12 of one office (see the module docstring).

    `g` drives net new cases (must_enforce − carried), `h` drives done; anchors are sorted
    by month and the last one is month 12.
    """
    if anchors[-1][0] != 12:
        raise ValueError("the last anchor must be month 12")
    rows: list[Tuple14] = []
    prev_m, prev_M, prev_W, prev_X = 0, carried, None, 0
    for m_b, M_b, W_b, X_b in anchors:
        if not (carried <= M_b and 0 <= X_b <= W_b <= M_b):
            raise ValueError(f"inconsistent anchor {(m_b, M_b, W_b, X_b)} for carried {carried}")
        gspan, hspan = g[m_b] - g[prev_m], h[m_b] - h[prev_m]
        for m in range(prev_m + 1, m_b + 1):
            M = prev_M + (M_b - prev_M) * (g[m] - g[prev_m]) // gspan
            if prev_W is None:  # first segment: the with-conditions share is steady
                W = M * W_b // M_b if M_b else 0
            else:
                W = min(M, prev_W + (W_b - prev_W) * (g[m] - g[prev_m]) // gspan)
            X = min(W, prev_X + (X_b - prev_X) * (h[m] - h[prev_m]) // hspan)
            rows.append(_row(carried, M, W, X, shares))
        prev_m, prev_M, prev_W, prev_X = m_b, M_b, W_b, X_b
    return rows


def _row(C: int, M: int, W: int, X: int, s: Shares) -> Tuple14:
    A = M - C
    E = A * s.entrusted // 1000
    R = A * s.recalled // 1000
    N = A + E + R
    T = X * s.terminated // 1000
    stock = W - X
    P = stock * s.postponed // 1000
    S = stock * s.suspended // 1000
    Oth = stock * s.other // 1000
    return (C, N, C + N, E, R, M, M - W, W, X - T, T, stock - P - S - Oth, P, S, Oth)


# --- Sharing a province's anchors over its offices -----------------------------------------


def allocate_fixed(
    total: int,
    weights: Sequence[float],
    caps: Sequence[int] | None,
    fixed: dict[int, int],
) -> list[int]:
    """`allocate`, with some parts given in advance (pinned offices)."""
    free = [i for i in range(len(weights)) if i not in fixed]
    rest = total - sum(fixed.values())
    parts = allocate(
        rest, [weights[i] for i in free], [caps[i] for i in free] if caps is not None else None
    )
    out = [0] * len(weights)
    for i, v in fixed.items():
        out[i] = v
    for i, v in zip(free, parts, strict=True):
        out[i] = v
    return out


def share_anchors(
    carried: Sequence[int],
    anchors: Sequence[Anchor],
    weights: Sequence[float],
    rng: random.Random,
    pinned: dict[int, list[Anchor]] | None = None,
) -> list[list[Anchor]]:
    """Office anchors that sum exactly to the province anchors.

    Net new cases go by office size; with_conditions by must_enforce; done by
    with_conditions — each with a little jitter, so offices differ in rate, and capped so
    no office ends up with done > with_conditions > must_enforce. `pinned[i]` gives office
    i's anchors outright (a seed figure for one district).
    """
    pinned = pinned or {}
    n = len(carried)
    out: list[list[Anchor]] = [[] for _ in range(n)]
    prev_M = list(carried)
    prev_W = [0] * n
    prev_X = [0] * n
    first = True
    for k, (m, M, W, X) in enumerate(anchors):
        pin = {i: a[k] for i, a in pinned.items()}
        grow = allocate_fixed(
            M - sum(prev_M), jitter(weights, rng, 0.25), None,
            {i: a[1] - prev_M[i] for i, a in pin.items()},
        )  # fmt: skip
        Ms = [a + b for a, b in zip(prev_M, grow, strict=True)]
        w_base = Ms if first else grow
        W_room = [a - b for a, b in zip(Ms, prev_W, strict=True)]
        dW = allocate_fixed(
            W - sum(prev_W), jitter(w_base, rng, 0.12), W_room,
            {i: a[2] - prev_W[i] for i, a in pin.items()},
        )  # fmt: skip
        Ws = [a + b for a, b in zip(prev_W, dW, strict=True)]
        X_room = [a - b for a, b in zip(Ws, prev_X, strict=True)]
        x_base = Ws if first else dW
        dX = allocate_fixed(
            X - sum(prev_X), jitter(x_base, rng, 0.12), X_room,
            {i: a[3] - prev_X[i] for i, a in pin.items()},
        )  # fmt: skip
        Xs = [a + b for a, b in zip(prev_X, dX, strict=True)]
        for i in range(n):
            out[i].append((m, Ms[i], Ws[i], Xs[i]))
        prev_M, prev_W, prev_X, first = Ms, Ws, Xs, False
    return out
