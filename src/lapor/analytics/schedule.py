"""When the analytics jobs last ran, read from what they left behind (core/scheduler.py asks, through
settings.LAPOR_JOB_EVIDENCE): a restart does not redo the daily work."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils import timezone

from .models import RollupRun
from .opendata import opendata_path
from .pdf import pdf_path


def mtime(path: Path) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc)
    except OSError:
        return None


def _rollup_last(*, full: bool) -> dt.datetime | None:
    runs = RollupRun.objects.filter(finished_at__isnull=False)
    if full:
        runs = runs.filter(full=True)
    return runs.order_by("-started_at").values_list("started_at", flat=True).first()


def refresh_last() -> dt.datetime | None:
    """The newest finished roll-up of either kind."""
    return _rollup_last(full=False)


def refresh_full_last() -> dt.datetime | None:
    return _rollup_last(full=True)


def opendata_last() -> dt.datetime | None:
    return mtime(opendata_path())


def monthly_pdfs_last() -> dt.datetime | None:
    """The newest PDF of last month."""
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    folder = pdf_path(0, month).parent
    times = [mtime(p) for p in folder.glob(f"instansi-*-{month:%Y-%m}.pdf")] if folder.is_dir() else []
    return max((t for t in times if t), default=None)
