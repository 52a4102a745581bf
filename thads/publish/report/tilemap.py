"""A tile map of provinces coloured by rate, laid out from their coordinates.

Each province gets one square on a grid. Its ideal cell comes from its latitude/longitude
(from `vietnamadminunits`, via `dim_province`); crowded deltas push a province to the
nearest free cell. The result keeps Vietnam's shape with every province equally visible,
which a plain dot map does not (the Red River and Mekong deltas would be a smudge).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from thads.publish.report import fmt

#: Light to dark, colour-blind safe (ColorBrewer YlGnBu, 5 classes).
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
DARK_FROM = 3  # classes from this index on get white text
NO_DATA = "#e5e7eb"
BELOW_TARGET = "#c2410c"
COS_LAT = math.cos(math.radians(16))  # Vietnam's middle latitude, for a fair aspect ratio


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    short_name: str
    lat: float
    lon: float
    rate_pct: float | None
    rank_label: str | None
    gap_pp: float | None


def layout(points: dict[str, tuple[float, float]], cell_deg: float) -> dict[str, tuple[int, int]]:
    """code -> (col, row): the nearest free grid cell to each (lat, lon)."""
    if not points:
        return {}
    xs = {c: lon * COS_LAT for c, (lat, lon) in points.items()}
    ys = {c: -lat for c, (lat, lon) in points.items()}
    x0, y0 = min(xs.values()), min(ys.values())
    ideal = {c: ((xs[c] - x0) / cell_deg, (ys[c] - y0) / cell_deg) for c in points}
    taken: dict[tuple[int, int], str] = {}
    placed: dict[str, tuple[int, int]] = {}
    # Isolated provinces first would steal delta cells; place the crowded ones first so they
    # stay near home and the spill-over goes outward.
    crowd = {
        c: sum(1 for d in points if d != c and math.dist(ideal[c], ideal[d]) < 1.5) for c in points
    }
    for code in sorted(points, key=lambda c: (-crowd[c], c)):
        fx, fy = ideal[code]
        best: tuple[float, tuple[int, int]] | None = None
        radius = 0
        while best is None or radius <= math.ceil(best[0]) + 1:
            for col in range(math.floor(fx) - radius, math.floor(fx) + radius + 2):
                for row in range(math.floor(fy) - radius, math.floor(fy) + radius + 2):
                    if (col, row) in taken:
                        continue
                    d = math.dist((col, row), (fx, fy))
                    if best is None or d < best[0] - 1e-9:
                        best = (d, (col, row))
            radius += 1
        assert best is not None
        taken[best[1]] = code
        placed[code] = best[1]
    min_col = min(c for c, _ in placed.values())
    min_row = min(r for _, r in placed.values())
    return {code: (c - min_col, r - min_row) for code, (c, r) in placed.items()}


def _candidates(name: str) -> list[str]:
    """Ever longer labels for one name: "Hà Giang" -> HG, HGi, HàG, HàGi."""
    words = [w for w in name.replace("-", " ").split() if w]
    initials = [w[0].upper() for w in words]
    last = words[-1]
    first = words[0]
    out = ["".join(initials)]
    out.append("".join(initials[:-1]) + last[:2].capitalize())
    if len(words) > 1:
        out.append(first[:2].capitalize() + "".join(initials[1:]))
        out.append(first[:2].capitalize() + "".join(initials[1:-1]) + last[:2].capitalize())
    return [unicodedata.normalize("NFC", c) for c in out]


def abbreviations(names: dict[str, str]) -> dict[str, str]:
    """code -> a short label unique within `names`: the initials of the short name ("Hồ Chí
    Minh" -> "HCM"); clashing names take more letters ("Hà Nam" HNa / "Hà Nội" HNộ,
    "Hà Giang" HàG / "Hậu Giang" HậG); the code as a last resort."""
    candidates = {code: _candidates(name) for code, name in names.items()}
    level = dict.fromkeys(names, 0)
    for _ in range(8):
        labels = {c: candidates[c][min(level[c], len(candidates[c]) - 1)] for c in names}
        seen: dict[str, list[str]] = {}
        for code, label in labels.items():
            seen.setdefault(label, []).append(code)
        clashes = [codes for codes in seen.values() if len(codes) > 1]
        if not clashes:
            return labels
        for codes in clashes:
            for code in codes:
                level[code] += 1
    return {c: labels[c] if len(seen[labels[c]]) == 1 else c for c in names}


@dataclass(frozen=True)
class Scale:
    edges: tuple[float, ...]  # len(PALETTE) + 1 ascending class edges

    @classmethod
    def for_values(cls, values: Sequence[float]) -> Scale:
        lo, hi = math.floor(min(values)), math.ceil(max(values))
        if hi - lo < len(PALETTE):
            hi = lo + len(PALETTE)
        step = (hi - lo) / len(PALETTE)
        return cls(tuple(lo + i * step for i in range(len(PALETTE) + 1)))

    def index(self, value: float) -> int:
        for i in range(len(PALETTE)):
            if value < self.edges[i + 1]:
                return i
        return len(PALETTE) - 1


def tile_map(tiles: list[Tile], *, title: str, tile: int = 34, gap: int = 3) -> Markup:
    if not tiles:
        return Markup("")
    cell_deg = 0.78 if len(tiles) <= 40 else 0.6
    positions = layout({t.code: (t.lat, t.lon) for t in tiles}, cell_deg)
    abbr = abbreviations({t.code: t.short_name for t in tiles})
    rates = [t.rate_pct for t in tiles if t.rate_pct is not None]
    scale = Scale.for_values(rates) if rates else None
    cols = max(c for c, _ in positions.values()) + 1
    rows = max(r for _, r in positions.values()) + 1
    pitch = tile + gap
    legend_h = 58
    width, height = cols * pitch + gap, rows * pitch + gap + legend_h
    parts = [
        f'<svg class="tilemap" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for t in sorted(tiles, key=lambda t: t.code):
        col, row = positions[t.code]
        x, y = gap + col * pitch, gap + row * pitch
        if t.rate_pct is None or scale is None:
            fill, ink = NO_DATA, "#6b7280"
        else:
            i = scale.index(t.rate_pct)
            fill, ink = PALETTE[i], "#ffffff" if i >= DARK_FROM else "#1f2937"
        below = t.gap_pp is not None and t.gap_pp < 0
        stroke = f' stroke="{BELOW_TARGET}" stroke-width="2.5"' if below else ""
        tip = f"{t.name}: {fmt.pct(t.rate_pct)}"
        if t.rank_label:
            tip += f", hạng {t.rank_label}"
        if t.gap_pp is not None:
            tip += f", so với chỉ tiêu {fmt.points(t.gap_pp)} điểm %"
        rate = fmt.number(t.rate_pct, 0) if t.rate_pct is not None else "—"
        parts.append(
            f'<g class="tile" data-province="{escape(t.code)}"><title>{escape(tip)}</title>'
            f'<rect x="{x}" y="{y}" width="{tile}" height="{tile}" rx="4" fill="{fill}"{stroke}/>'
            f'<text x="{x + tile / 2}" y="{y + 14}" text-anchor="middle" class="abbr" '
            f'fill="{ink}">{escape(abbr[t.code])}</text>'
            f'<text x="{x + tile / 2}" y="{y + 27}" text-anchor="middle" class="rate" '
            f'fill="{ink}">{escape(rate)}</text></g>'
        )
    parts.append(_legend(scale, gap, rows * pitch + gap + 10))
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(scale: Scale | None, x: float, y: float) -> str:
    out = []
    if scale is not None:
        for i, color in enumerate(PALETTE):
            label = f"{fmt.number(scale.edges[i], 0)}–{fmt.number(scale.edges[i + 1], 0)}%"
            out.append(
                f'<rect x="{x + i * 58}" y="{y}" width="56" height="12" fill="{color}"/>'
                f'<text x="{x + i * 58 + 28}" y="{y + 25}" text-anchor="middle" '
                f'class="legend-small">{escape(label)}</text>'
            )
    out.append(
        f'<rect x="{x}" y="{y + 34}" width="12" height="12" fill="#fff" stroke="{BELOW_TARGET}" '
        f'stroke-width="2.5"/><text x="{x + 18}" y="{y + 44}" class="legend-small">'
        "dưới chỉ tiêu</text>"
        f'<rect x="{x + 110}" y="{y + 34}" width="12" height="12" fill="{NO_DATA}"/>'
        f'<text x="{x + 128}" y="{y + 44}" class="legend-small">chưa có số liệu</text>'
    )
    return "".join(out)
