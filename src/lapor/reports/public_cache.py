"""A few seconds' shared cache of the anonymous public list and search (GET /api/public/reports).

Freshness: each entry is keyed by the full query string, the language and the masking rules, and
stamped with the version current when it was read; the version is a random token in Django's cache (core/cacheversion.py)
(Redis, shared by every process: without it the cache is off, LAPOR_PUBLIC_CACHE_SECONDS = 0).
Whatever can take something out of public view is a recorded event — a report made confidential or
anonymous (privacy), archived (spam, duplicate), sent back to verification (Bukan Wewenang) — and
replaces the version at once and again when its transaction commits, so no entry read before the
change is served after it. Other changes (a new state label, a new report) show within the TTL.
The version is read before the database, so an entry is never newer than its stamp claims.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Callable

from django.conf import settings
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from lapor.api.render import rendered
from lapor.core import masking
from lapor.core.cacheversion import VersionToken, cache_key

from . import lifecycle as lc
from .models import ReportEvent
from .signals import event_recorded

log = logging.getLogger(__name__)

VERSION_KEY = "lapor:public-reports:version"
VERSION = VersionToken(VERSION_KEY)
# The masking rules in force: a deploy that changes them never serves entries masked by the old ones.
MASKING = hashlib.sha256(
    repr(
        sorted((name, getattr(value, "pattern", value)) for name, value in vars(masking).items() if name.isupper())
    ).encode()
).hexdigest()[:12]
HIDING_STATES = {lc.State.SUBMITTED, lc.State.ARCHIVED}  # report_public_qs leaves these out


def public_cache_bump() -> None:
    """Forget every cached public page: now, and again when the current transaction commits."""
    VERSION.replace()


@receiver(event_recorded, dispatch_uid="public_cache_on_event")
def _on_event(sender, event: ReportEvent, **_kwargs) -> None:
    # a new report waiting for verification was never public: submissions leave the cache alone
    hiding = event.to_state in HIDING_STATES and event.kind != ReportEvent.Kind.SUBMITTED
    if hiding or event.kind == ReportEvent.Kind.PRIVACY:
        public_cache_bump()


def public_page_response(request: HttpRequest, build: Callable[[], dict]) -> HttpResponse:
    """The response for ``build()``'s body, from the cache when an entry of the current version is
    there; ``Age``: seconds since its data was read."""
    seconds = settings.LAPOR_PUBLIC_CACHE_SECONDS
    if not seconds:
        return rendered(request, build())
    key = cache_key("lapor:public-reports", MASKING, request.GET.urlencode())
    try:
        found = cache.get_many([VERSION_KEY, key])  # one round trip for the token and the entry
        version = found.get(VERSION_KEY) or VERSION.current()
    except Exception:
        log.warning("public cache unavailable", exc_info=True)
        return rendered(request, build())
    entry = found.get(key)
    if version is not None and entry is not None and entry[0] == version:
        _version, read_at, content_type, content = entry
        response = HttpResponse(content, content_type=content_type)
    else:
        read_at = time.time()
        response = rendered(request, build())
        if version is not None:
            try:
                cache.set(key, (version, read_at, response["Content-Type"], response.content), seconds)
            except Exception:
                log.warning("public cache not written", exc_info=True)
    response["Age"] = str(max(0, int(time.time() - read_at)))
    return response
