"""Inline SVG line charts, drawn in Python: the report needs no JavaScript library and no
network. Every piece of text goes through `escape`."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from thads.publish.report import fmt


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    color: str
    dashed: bool = False
    value_labels: bool = True


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = max(span, 1e-9) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _y_range(values: list[float]) -> tuple[float, float, float]:
    low, high = min(values), max(values)
    pad = max((high - low) * 0.15, 2.0)
    step = _nice_step(high - low + 2 * pad)
    return math.floor((low - pad) / step) * step, math.ceil((high + pad) / step) * step, step


def line_chart(
    categories: list[str],
    series: list[Series],
    *,
    title: str,
    width: int = 620,
    height: int = 300,
    value_fmt: Callable[[float | None], str] = fmt.pct,
    css_class: str = "chart",
) -> Markup:
    """A line per series over the categories (x), with a labelled y axis and a legend."""
    left, right, top, bottom = 52, 18, 44, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    if not values or not categories:
        return Markup(
            f'<svg class="{css_class}" width="{width}" height="60" role="img" '
            f'aria-label="{escape(title)}"><text x="8" y="30">{escape(title)}: '
            "chưa có dữ liệu</text></svg>"
        )
    y_min, y_max, step = _y_range(values)

    def x_at(i: int) -> float:
        return left + (plot_w * (i + 0.5) / len(categories))

    def y_at(v: float) -> float:
        return top + plot_h * (1 - (v - y_min) / (y_max - y_min))

    parts = [
        f'<svg class="{css_class}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    tick = y_min
    while tick <= y_max + step / 2:
        y = y_at(tick)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">'
            f"{escape(fmt.number(tick, 0 if step >= 1 else 1))}%</text>"
        )
        tick += step
    for i, cat in enumerate(categories):
        parts.append(
            f'<text x="{x_at(i):.1f}" y="{height - bottom + 18}" class="axis" '
            f'text-anchor="middle">{escape(cat)}</text>'
        )
    legend_x = left
    for s in series:
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 22}" y1="16" y2="16" stroke="{s.color}" '
            f'stroke-width="3"{dash}/><text x="{legend_x + 28}" y="20" class="legend">'
            f"{escape(s.name)}</text>"
        )
        legend_x += 40 + 7.2 * len(s.name)
    for s in series:
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        run: list[str] = []
        for i, v in enumerate([*s.values, None]):
            if v is None:
                if len(run) > 1:
                    parts.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{s.color}" '
                        f'stroke-width="2.5"{dash} class="series"/>'
                    )
                run = []
                continue
            run.append(f"{x_at(i):.1f},{y_at(v):.1f}")
        for i, v in enumerate(s.values):
            if v is None:
                continue
            x, y = x_at(i), y_at(v)
            tip = f"{s.name} — {categories[i]}: {value_fmt(v)}"
            radius = 3 if s.dashed else 4.5
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{s.color}" '
                f'class="point"><title>{escape(tip)}</title></circle>'
            )
            if s.value_labels:
                parts.append(
                    f'<text x="{x:.1f}" y="{y - 10:.1f}" class="value" text-anchor="middle">'
                    f"{escape(value_fmt(v))}</text>"
                )
    parts.append("</svg>")
    return Markup("".join(parts))
