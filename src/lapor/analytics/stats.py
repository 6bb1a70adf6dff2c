"""Pure statistics: percentiles from histograms, rates, and the unusual-volume test."""

from __future__ import annotations

import math
from dataclasses import dataclass

# An alert: this week's count c against the trailing 8 weeks' mean m (a Poisson rate, so its
# variance is m too). Unusual when c >= ALERT_MIN_COUNT and z = (c - m) / sqrt(max(m, 1)) >= ALERT_Z.
ALERT_WEEKS = 8
ALERT_MIN_COUNT = 10
ALERT_Z = 3.0


def percentile(hist: dict[int, int], q: float) -> int | None:
    """Nearest-rank percentile of integer values given as {value: count}: the smallest value v
    with at least ceil(q * N) observations <= v."""
    total = sum(hist.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= rank:
            return value
    return max(hist)


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def change(now: int, before: int) -> float | None:
    return round((now - before) / before, 4) if before else None


@dataclass(frozen=True)
class Alert:
    key: str
    count: int
    baseline: float
    z: float


def alert_check(
    key: str, history: list[int], current: int, *, min_count: int = ALERT_MIN_COUNT, z_min: float = ALERT_Z
) -> Alert | None:
    """``history``: the trailing weeks' counts (oldest first, zeros included)."""
    if current < min_count or not history:
        return None
    mean = sum(history) / len(history)
    z = (current - mean) / math.sqrt(max(mean, 1.0))
    if z < z_min:
        return None
    return Alert(key=key, count=current, baseline=round(mean, 2), z=round(z, 2))


def alerts_detect(series: dict[str, dict[str, int]], weeks: list[str], **kw) -> list[Alert]:
    """``series``: key -> {week start (ISO) -> count}; ``weeks``: the trailing weeks then the
    current week, oldest first. Returns the unusual keys, most unusual first."""
    *history_weeks, current_week = weeks
    found = []
    for key, counts in series.items():
        alert = alert_check(key, [counts.get(w, 0) for w in history_weeks], counts.get(current_week, 0), **kw)
        if alert:
            found.append(alert)
    return sorted(found, key=lambda a: (-a.z, a.key))
