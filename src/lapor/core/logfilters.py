"""Log filters named in ``settings.LOGGING``."""

from __future__ import annotations

import logging


class ClientErrorOneLine(logging.Filter):
    """A 4xx answer (403 Forbidden, 400 SuspiciousOperation, …) is logged by Django with the
    exception's whole traceback: dozens of lines for a refusal that is not a fault. It keeps its one
    line ("Forbidden (Permission denied): /path"); a 5xx keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 500) < 500:
            record.exc_info, record.exc_text = None, None
        return True
