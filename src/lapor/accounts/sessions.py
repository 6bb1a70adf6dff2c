"""Where a person is signed in (issue 20, Keamanan akun): one UserSession row per signed-in browser,
written at sign-in, touched at most once every LAPOR_SESSION_SEEN_MINUTES, gone at sign-out or when
the person ends it from another browser (which deletes the Django session too: that browser is out).

The rows keep no full address and no full user agent: the address cut to its /24 (/48 for IPv6),
the user agent cut to 300 characters and shown as a few words ("Chrome di Android")."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lapor.core.errors import NotFound
from lapor.core.ratelimit import client_ip

from .audit import audit_record
from .models import User, UserSession

# (pattern, name) in order: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = [
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"SamsungBrowser/", "Samsung Internet"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Safari/", "Safari"),
]
_SYSTEMS = [
    (r"Android", "Android"),
    (r"iPhone", "iPhone"),
    (r"iPad", "iPad"),
    (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"CrOS", "ChromeOS"),
    (r"Linux", "Linux"),
]


def device_words(user_agent: str) -> str:
    """ "Chrome di Android", "Firefox di Windows"; never the raw user agent."""
    ua = user_agent or ""
    browser = next((name for pattern, name in _BROWSERS if re.search(pattern, ua)), "")
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, ua)), "")
    if browser and system:
        return _("%(browser)s di %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Peramban tidak dikenal")


def ip_masked(ip: str) -> str:
    """203.0.113.7 -> 203.0.113.0/24; an IPv6 address to its /48; anything else to nothing."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _seen_every() -> dt.timedelta:
    return dt.timedelta(minutes=max(int(settings.LAPOR_SESSION_SEEN_MINUTES), 1))


def _age() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def _request_fields(request) -> dict:
    return {
        "user_agent": (request.META.get("HTTP_USER_AGENT") or "")[:300],
        "ip_prefix": ip_masked(client_ip(request)),
    }


def _row_write(user: User, key: str, request) -> None:
    now = timezone.now()
    try:
        with transaction.atomic():
            UserSession.objects.update_or_create(
                session_key=key, defaults={"user": user, "last_seen_at": now, **_request_fields(request)}
            )
    except IntegrityError:  # a twin request wrote it first
        pass


def session_started(sender, request, user, **kwargs) -> None:
    """user_logged_in: the new session (login() has already cycled its key). Old rows of this
    person whose sessions have run out go at the same time: the table prunes itself at sign-in."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    if request is None or not key or not isinstance(user, User):
        return
    UserSession.objects.filter(user=user, last_seen_at__lt=timezone.now() - _age()).delete()
    _row_write(user, key, request)
    cache.set(_seen_key(key), 1, timeout=int(_seen_every().total_seconds()))


def session_ended(sender, request, user, **kwargs) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


def _seen_key(session_key: str) -> str:
    return f"lapor:session-seen:{session_key}"


class SessionSeenMiddleware:
    """Last seen, cheaply: a cache mark per session lets one write through every few minutes; the
    other requests cost a cache lookup. A session signed in before tracking began gets its row here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            self._touch(request)
        return self.get_response(request)

    def _touch(self, request) -> None:
        user = getattr(request, "user", None)
        key = request.session.session_key if isinstance(user, User) and user.is_authenticated else None
        if (
            not isinstance(user, User)
            or not key
            or not cache.add(_seen_key(key), 1, timeout=int(_seen_every().total_seconds()))
        ):
            return
        if not UserSession.objects.filter(session_key=key, user=user).update(last_seen_at=timezone.now()):
            _row_write(user, key, request)


# --- Reads ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionView:
    id: int
    device: str
    ip_prefix: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    current: bool


def user_session_list(*, user: User, current_key: str | None) -> list[SessionView]:
    """The person's live sessions, the current one first, then the most recently seen."""
    rows = UserSession.objects.filter(user=user, last_seen_at__gte=timezone.now() - _age()).order_by(
        "-last_seen_at", "-id"
    )
    out = [
        SessionView(
            id=row.pk,
            device=device_words(row.user_agent),
            ip_prefix=row.ip_prefix,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            current=bool(current_key) and row.session_key == current_key,
        )
        for row in rows[:50]
    ]
    return sorted(out, key=lambda s: not s.current)


# --- Writes ---------------------------------------------------------------------------------------


ENDED_ELSEWHERE = "lapor_ended_elsewhere"  # the only thing left in a session ended from another browser


def _django_session_end(session_key: str) -> None:
    """That browser is signed out: its session keeps nothing but a note that it was ended from
    another device, so the sign-in page it lands on can say why (session_ended_elsewhere)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    session = store(session_key=session_key)
    if not session.exists(session_key):
        return
    session.clear()
    session[ENDED_ELSEWHERE] = True
    session.save()


def session_ended_elsewhere(session) -> bool:
    """Whether this (now signed-out) browser was signed out from another one; asked once."""
    return bool(session.pop(ENDED_ELSEWHERE, False))


@transaction.atomic
def user_session_end(*, user: User, session_id: int, current_key: str | None) -> None:
    """Sign one of the person's other browsers out. The current one signs out with Keluar."""
    row = UserSession.objects.filter(user=user, pk=session_id).first()
    if row is None or (current_key and row.session_key == current_key):
        raise NotFound(_("Sesi tidak ditemukan atau sudah berakhir."), code="unknown_session")
    _django_session_end(row.session_key)
    row.delete()
    audit_record(action="session_revoke", actor=user, target=user, detail={"sessions": 1})


@transaction.atomic
def user_sessions_end_others(*, user: User, current_key: str | None) -> int:
    """Sign out everywhere else; returns how many browsers were signed out."""
    rows = list(UserSession.objects.filter(user=user).exclude(session_key=current_key or ""))
    for row in rows:
        _django_session_end(row.session_key)
    UserSession.objects.filter(pk__in=[r.pk for r in rows]).delete()
    audit_record(action="session_revoke", actor=user, target=user, detail={"sessions": len(rows)})
    return len(rows)


def connect() -> None:
    user_logged_in.connect(session_started, dispatch_uid="sessions_started")
    user_logged_out.connect(session_ended, dispatch_uid="sessions_ended")
