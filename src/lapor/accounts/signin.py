"""Signing in safely: lockout after repeated failures, per account and per address.

The account key is the person (failures by their e-mail and by their phone number count together);
a login that matches nobody is keyed as typed (normalised), so an address that does not exist locks
exactly like one that does: the answer never tells whether an account exists. While
locked, the password is not even checked, so a correct guess during the lock reveals nothing.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from lapor.core.errors import DomainError
from lapor.core.ratelimit import client_ip, window_count

from .models import User
from .phones import phone_normalize

log = logging.getLogger(__name__)


class LoginLocked(DomainError):
    status = 429
    code = "login_locked"

    def __init__(self, seconds: int):
        minutes = max(1, math.ceil(seconds / 60))
        super().__init__(
            _(
                "Terlalu banyak percobaan masuk yang gagal. Akun atau alamat ini dikunci sementara; "
                "coba lagi dalam %(minutes)s menit."
            )
            % {"minutes": minutes},
            detail={"retry_after": seconds},
        )
        self.retry_after = seconds


def _config() -> dict:
    return {
        "account_failures": 10,
        "ip_failures": 50,
        "window_seconds": 900,
        "lock_seconds": 900,
        **settings.LAPOR_LOGIN_LOCKOUT,
    }


def _login_key(login: str) -> str:
    """The person behind the login when there is one (their e-mail and phone count together), else
    the login as typed: an unknown address still locks like a known one."""
    login = (login or "").strip()
    phone = phone_normalize(login) if "@" not in login else None
    normal = phone or login.lower()

    lookup = {"phone": phone} if phone else {"email__iexact": login}
    owner = User.objects.filter(**lookup).values_list("pk", flat=True).first() if login else None
    if owner is not None:
        normal = f"user:{owner}"
    return hashlib.sha256(normal.encode()).hexdigest()[:32]


def _subjects(request, login: str) -> list[tuple[str, int]]:
    cfg = _config()
    return [
        (f"acct:{_login_key(login)}", cfg["account_failures"]),
        (f"ip:{hashlib.sha256(client_ip(request).encode()).hexdigest()[:32]}", cfg["ip_failures"]),
    ]


def signin_locked_for(request, login: str) -> int:
    """Seconds until sign-in is allowed again for this login or this address (0: not locked)."""
    now = time.time()
    try:
        until = [cache.get(f"lock:{subject}") for subject, _limit in _subjects(request, login)]
    except Exception:
        log.warning("lockout cache unavailable", exc_info=True)
        return 0
    remaining = [u - now for u in until if u and u > now]
    return math.ceil(max(remaining)) if remaining else 0


def signin_failed(request, login: str) -> None:
    cfg = _config()
    try:
        for subject, limit in _subjects(request, login):
            key = f"fail:{subject}"
            count = window_count(cache, key, window=cfg["window_seconds"])
            if count >= limit:
                cache.set(f"lock:{subject}", time.time() + cfg["lock_seconds"], timeout=cfg["lock_seconds"])
                cache.delete(key)
                log.warning("sign-in locked for %s after %s failures", subject.split(":")[0], count)
    except Exception:
        log.warning("lockout cache unavailable", exc_info=True)


def signin_succeeded(request, login: str) -> None:
    try:
        cache.delete(f"fail:acct:{_login_key(login)}")
    except Exception:
        log.warning("lockout cache unavailable", exc_info=True)


def signin_authenticate(request, *, login: str, password: str):
    """The user for these credentials, or None; raises LoginLocked while locked."""
    locked = signin_locked_for(request, login)
    if locked:
        raise LoginLocked(locked)
    user = authenticate(request, username=login, password=password)
    if user is None:
        signin_failed(request, login)
    return user
