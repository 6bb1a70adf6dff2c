"""Server-side SVG charts: no JavaScript, readable on a phone, and each one shown next to the table
with the same numbers. The SVG's own units are about a CSS pixel at 360 px (the viewBox is 340
wide), so a 13-unit label reads as 13 px text on a phone. Each chart has its axes, its unit and,
for lines, a legend in the page (``legend``); a partial last period is drawn dotted and said so."""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = 13
WIDTH = 340
INK, BEFORE, GRID = "#1f6f8b", "#777", "#ccc"


def _ticks(peak: float) -> list[int]:
    """Round numbers for a y axis from 0 to at least ``peak``, at most five of them."""
    if peak <= 0:
        return [0, 1]
    for step in (m * 10**k for k in range(12) for m in (1, 2, 5)):
        if peak / step <= 4:
            return list(range(0, math.ceil(peak / step) * step + 1, step))
    return [0, math.ceil(peak)]


def bar_chart(rows: list[tuple[str, float]], *, title: str, unit: str, bar: int = 16) -> SafeString:
    """Horizontal bars, one row per label: the whole label on its own line above the bar (a topic
    name is never cut on a phone), the number and its unit at the bar's end."""
    rows = rows[:12]
    if not rows:
        return mark_safe("")
    peak = max((v for _l, v in rows), default=0) or 1
    row_h = FONT + 6 + bar + 10
    height = len(rows) * row_h + FONT + 8
    parts = [
        (
            f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        )
    ]
    for i, (label, value) in enumerate(rows):
        y = i * row_h
        w = max(1, int((WIDTH - 70) * value / peak))
        text = str(label)
        short = text if len(text) <= 46 else text[:45] + "…"
        parts.append(
            f'<text x="0" y="{y + FONT}" font-size="{FONT}"><title>{escape(text)}</title>{escape(short)}</text>'
            f'<rect x="0" y="{y + FONT + 5}" width="{w}" height="{bar}" fill="{INK}"/>'
            f'<text x="{w + 5}" y="{y + FONT + 5 + bar - 3}" font-size="{FONT}">{value:g}</text>'
        )
    axis_y = len(rows) * row_h
    parts.append(
        f'<line x1="0" y1="{axis_y}" x2="{WIDTH - 70}" y2="{axis_y}" stroke="{GRID}"/>'
        f'<text x="0" y="{axis_y + FONT + 4}" font-size="{FONT}">0</text>'
        f'<text x="{WIDTH - 70}" y="{axis_y + FONT + 4}" font-size="{FONT}" text-anchor="end">'
        f"{peak:g} {escape(unit)}</text></svg>"
    )
    return mark_safe("".join(parts))


def line_chart(
    series: list[tuple[str, float, float]], *, title: str, unit: str, partial_last: bool = False, height: int = 190
) -> SafeString:
    """Two lines over the same x positions: the period (solid) and the one before (dashed). The y
    axis is labelled with round numbers and the unit; a partial last point (the current month or
    week, still counting) is joined by a dotted segment."""
    if not series:
        return mark_safe("")
    left, right, top, bottom = 44, 10, FONT + 8, FONT + 12
    peak = max(max(a, b) for _l, a, b in series) or 1
    ticks = _ticks(peak)
    scale_top = ticks[-1] or 1
    n = max(len(series) - 1, 1)
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    x = lambda i: left + plot_w * i / n  # noqa: E731
    y = lambda v: top + plot_h - plot_h * v / scale_top  # noqa: E731
    pts = lambda k: [f"{x(i):.1f},{y(row[k]):.1f}" for i, row in enumerate(series)]  # noqa: E731
    now, before = pts(1), pts(2)
    parts = [
        (
            f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        ),
        f'<text x="0" y="{FONT}" font-size="{FONT}">{escape(unit)}</text>',
    ]
    for t in ticks:
        parts.append(
            f'<line x1="{left}" y1="{y(t):.1f}" x2="{WIDTH - right}" y2="{y(t):.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 4}" y="{y(t) + 4:.1f}" font-size="{FONT}" text-anchor="end">{t:g}</text>'
        )
    parts.append(
        f'<polyline points="{" ".join(before)}" fill="none" stroke="{BEFORE}" stroke-dasharray="5 4" stroke-width="2"/>'
    )
    solid = now[:-1] if partial_last and len(now) > 1 else now
    parts.append(f'<polyline points="{" ".join(solid)}" fill="none" stroke="{INK}" stroke-width="2.5"/>')
    if partial_last and len(now) > 1:
        parts.append(
            f'<polyline points="{now[-2]} {now[-1]}" fill="none" stroke="{INK}" stroke-width="2.5" '
            f'stroke-dasharray="2 3"/><circle cx="{now[-1].split(",")[0]}" cy="{now[-1].split(",")[1]}" r="3.5" '
            f'fill="#fff" stroke="{INK}" stroke-width="2"/>'
        )
    every = max(1, (len(series) + 3) // 4)  # at most about 4 x labels: each readable at 360 px
    for i, (label, _a, _b) in enumerate(series):
        if i % every == 0 or i == len(series) - 1:
            anchor = "start" if i == 0 else ("end" if i == len(series) - 1 else "middle")
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 2}" font-size="{FONT}" text-anchor="{anchor}">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))
