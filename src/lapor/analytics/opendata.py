"""The open data set: every public report, personal data masked, rebuilt daily into the data dir."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from lapor.reports.selectors import report_public_qs

from .exports import OPEN_HEADER, csv_stream, open_rows


def opendata_path() -> Path:
    return Path(settings.LAPOR_OPENDATA_DIR) / "laporan-publik.csv.gz"


def opendata_build(*, on_row=None) -> dict:
    """Write to a temporary file and rename: readers always get a whole file. ``on_row()`` is
    called after each row (a job's progress)."""
    path = opendata_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    rows = 0

    def counted():
        nonlocal rows
        for row in open_rows(report_public_qs()):
            rows += 1
            if on_row is not None:
                on_row()
            yield row

    with gzip.open(tmp, "wt", encoding="utf-8", newline="") as out:
        for chunk in csv_stream(OPEN_HEADER, counted()):
            out.write(chunk)
    os.replace(tmp, path)
    return {"path": str(path), "rows": rows, "built_at": timezone.now().isoformat()}
