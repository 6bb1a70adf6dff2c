"""Server-side SVG charts: no JavaScript, readable on a phone (they scale to the width), and
each one is shown next to the table with the same numbers."""
from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def bar_chart(rows: list[tuple[str, float]], *, title: str, width: int = 320, bar: int = 18) -> SafeString:
    """Horizontal bars: one row per label."""
    rows = rows[:12]
    peak = max((v for _l, v in rows), default=0) or 1
    height = len(rows) * (bar + 6) + 4
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(rows):
        y = i * (bar + 6) + 2
        w = max(1, int((width - 150) * value / peak))
        parts.append(f'<text x="0" y="{y + bar - 5}" font-size="11">{escape(str(label)[:22])}</text>'
                     f'<rect x="120" y="{y}" width="{w}" height="{bar}" fill="#1f6f8b"/>'
                     f'<text x="{124 + w}" y="{y + bar - 5}" font-size="11">{value:g}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(series: list[tuple[str, float, float]], *, title: str, width: int = 320, height: int = 140) -> SafeString:
    """Two lines: the period (solid) and the previous period (dashed), over the same x positions."""
    if not series:
        return mark_safe("")
    peak = max(max(a, b) for _l, a, b in series) or 1
    n = max(len(series) - 1, 1)
    x = lambda i: 30 + (width - 40) * i / n  # noqa: E731
    y = lambda v: height - 20 - (height - 30) * v / peak  # noqa: E731
    now = " ".join(f"{x(i):.1f},{y(a):.1f}" for i, (_l, a, _b) in enumerate(series))
    before = " ".join(f"{x(i):.1f},{y(b):.1f}" for i, (_l, _a, b) in enumerate(series))
    labels = "".join(f'<text x="{x(i):.1f}" y="{height - 4}" font-size="9" text-anchor="middle">{escape(label)}</text>'
                     for i, (label, _a, _b) in enumerate(series) if i % max(1, len(series) // 6) == 0)
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'<text x="0" y="10" font-size="9">{peak:g}</text>'
        f'<polyline points="{before}" fill="none" stroke="#999" stroke-dasharray="4 3" stroke-width="1.5"/>'
        f'<polyline points="{now}" fill="none" stroke="#1f6f8b" stroke-width="2"/>{labels}</svg>')
