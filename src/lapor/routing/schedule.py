"""When the routing model was last retrained (core/scheduler.py asks, through
settings.LAPOR_JOB_EVIDENCE): the older of the two models' ``CURRENT`` pointers."""

from __future__ import annotations

import datetime as dt


def retrain_last() -> dt.datetime | None:
    from .suggest import LABELS, models_root  # heavy: suggest loads scikit-learn

    times = []
    for label in LABELS:
        try:
            times.append(
                dt.datetime.fromtimestamp((models_root(label) / "CURRENT").stat().st_mtime, tz=dt.timezone.utc)
            )
        except OSError:
            return None
    return min(times) if times else None
