"""Per-source rate limits on the entry points a stranger can hammer.

A fixed-window counter (opened by each source's first hit) in Django's cache (Redis in production via LAPOR_CACHE_URL; the embedded
default is LocMemCache, which counts per process: with N web workers a source gets up to N times
the limit). Limits are ``count/seconds`` per client IP, configurable one by one with
``LAPOR_RATE_<NAME>`` (e.g. ``LAPOR_RATE_SUBMIT=30/60``); ``0`` or ``off`` switches one off.

When the cache itself is down the limiter lets requests through (and logs it): a citizen's report
matters more than a throttle.

The client IP is REMOTE_ADDR, unless REMOTE_ADDR is one of LAPOR_TRUSTED_PROXIES (addresses or
CIDR ranges); only then is the proxy header (LAPOR_CLIENT_IP_HEADER, X-Forwarded-For by default)
read, right to left, skipping the trusted proxies. Without trusted proxies the header is ignored,
so nobody can pick their own address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

# The defaults are generous: one mobile carrier's NAT puts many citizens behind one address.
DEFAULT_RATES = {
    "submit": "30/60",  # reports filed (API and web form)
    "login": "30/60",  # sign-in attempts (web and POST /api/auth/token); lockout is separate
    "resend": "10/3600",  # "send my private link again" requests (each may send an e-mail or SMS)
    "track": "120/60",  # tracking lookups (guessing a tracking id or a guest secret)
    "webhook": "600/60",  # SMS gateway, mail relay, social networks
    "federation": "600/60",  # peers and partners pushing reports
    "upload": "120/600",  # attachment files (web forms and API), per source AND per signed-in account
}


@dataclass(frozen=True)
class Rule:
    name: str
    methods: frozenset[str]
    pattern: re.Pattern
    guest_only: bool = False  # skip requests that carry a bearer token (staff scripts)


RULES = [
    Rule("submit", frozenset({"POST"}), re.compile(r"^/api/reports/?$")),
    Rule("submit", frozenset({"POST"}), re.compile(r"^/lapor/$")),
    Rule(
        "login",
        frozenset({"POST"}),
        re.compile(
            r"^/(masuk/|masuk/kode/|masuk/aktifkan/|masuk/lupa/|masuk/lupa/kode/"
            r"|api/auth/token/?)$"
        ),
    ),
    Rule("resend", frozenset({"POST"}), re.compile(r"^/lacak/kirim-ulang/$")),
    Rule("track", frozenset({"GET", "POST"}), re.compile(r"^/(lacak|k)/")),
    Rule("track", frozenset({"GET"}), re.compile(r"^/api/reports/[^/]+/?$"), guest_only=True),
    Rule("webhook", frozenset({"POST", "GET"}), re.compile(r"^/intake/")),
    Rule("federation", frozenset({"POST"}), re.compile(r"^/(federation/|open311/v2/requests|api/partners/)")),
]


def rate_for(name: str) -> tuple[int, int] | None:
    """(count, seconds) for a bucket, or None when it is switched off."""
    configured = settings.LAPOR_RATES.get(name) or DEFAULT_RATES.get(name, "")
    if not configured or str(configured).strip().lower() in {"0", "off", "none"}:
        return None
    count, _sep, seconds = str(configured).partition("/")
    return int(count), int(seconds or 60)


def _networks() -> list:
    nets = []
    for item in settings.LAPOR_TRUSTED_PROXIES or []:
        try:
            nets.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            log.warning("LAPOR_TRUSTED_PROXIES: ignoring %r", item)
    return nets


def _trusted(address: str, nets: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in nets)


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    nets = _networks()
    if not nets or not _trusted(remote, nets):
        return remote
    header = settings.LAPOR_CLIENT_IP_HEADER
    raw = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
    hops = [h.strip() for h in raw.split(",") if h.strip()]
    for hop in reversed(hops):  # the right-most hop that is not one of our proxies is the client
        if not _trusted(hop, nets):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a forged, unparsable header: fall back to the proxy itself
    return remote


def _cache():
    return caches[settings.LAPOR_RATELIMIT_CACHE]


def window_count(cache, key: str, *, window: int) -> int:
    """Count one event under ``key``; return the count so far (1: a new window). The window opens at
    the first event and lasts ``window`` seconds (the counter's expiry), so there is no shared boundary
    at which everybody's count resets at once. The one counter behind the rate limits and the sign-in
    lockout (accounts/signin.py)."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=window)
        return 1


def hit(bucket: str, key: str, *, limit: int, window: int) -> int:
    """Count one hit; return 0 when allowed, else the seconds until the window resets."""
    now = time.time()
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"rl:{bucket}:{digest}"
    try:
        cache = _cache()
        count = window_count(cache, cache_key, window=window)
        if count == 1:
            cache.set(f"{cache_key}:t", now, timeout=window)
            return 0
        if count <= limit:
            return 0
        started = cache.get(f"{cache_key}:t") or now
    except Exception:  # the cache is down: fail open, never block a report on a throttle
        log.warning("rate limit cache unavailable; letting %s through", bucket, exc_info=True)
        return 0
    return max(1, math.ceil(started + window - now))


def limited_response(request, retry_after: int):
    message = _("Terlalu banyak permintaan dari alamat Anda. Silakan coba lagi dalam %(seconds)s detik.") % {
        "seconds": retry_after
    }
    if request.path.startswith(("/api/", "/intake/", "/federation/", "/open311/")):
        response = JsonResponse({"code": "rate_limited", "message": message}, status=429)
    else:
        try:
            response = render(request, "web/error.html", {"error": message}, status=429)
        except Exception:  # no template (a trimmed deployment): plain text is fine
            response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def rule_for(request) -> Rule | None:
    for rule in RULES:
        if request.method in rule.methods and rule.pattern.match(request.path):
            if rule.guest_only and request.META.get("HTTP_AUTHORIZATION"):
                continue
            return rule
    return None


def upload_limited(request, *, user=None, files: int = 1) -> int:
    """Count ``files`` uploaded files against the 'upload' rate, per source address and per account
    (so neither many accounts behind one address nor one account from many addresses gets around
    it). Returns 0 when allowed, else the seconds to wait (answer with limited_response)."""
    rate = rate_for("upload")
    if rate is None or files <= 0:
        return 0
    keys = [f"ip:{client_ip(request)}"]
    if user is not None and getattr(user, "pk", None):
        keys.append(f"user:{user.pk}")
    waits = [hit("upload", key, limit=rate[0], window=rate[1]) for key in keys for _file in range(files)]
    retry_after = max(waits, default=0)
    if retry_after:
        log.info("rate limited: upload")
    return retry_after


def request_file_count(request) -> int:
    return sum(len(request.FILES.getlist(name)) for name in request.FILES)


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rule = rule_for(request)
        if rule is not None:
            rate = rate_for(rule.name)
            if rate is not None:
                retry_after = hit(rule.name, client_ip(request), limit=rate[0], window=rate[1])
                if retry_after:
                    log.info("rate limited: %s %s", request.method, rule.name)  # no path: it may hold a secret
                    return limited_response(request, retry_after)
        return self.get_response(request)
