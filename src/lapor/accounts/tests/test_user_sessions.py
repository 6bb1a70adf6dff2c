"""Where a person is signed in (issue 20): each sign-in is one row, "last seen" is written at most
once every few minutes, and ending a session from another browser really signs that browser out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from lapor.accounts.models import AuditLog, UserSession
from lapor.accounts.sessions import device_words, ip_masked, user_session_end, user_sessions_end_others
from lapor.core.errors import NotFound
from lapor.accounts.testing import signin_staff

ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"


def _browser(user, ua: str, ip: str, *, step: int = 0) -> Client:
    client = Client(HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)
    res = signin_staff(client, user, step_offset=step)
    assert res.status_code == 302, res.content[:300]
    return client


def test_the_device_is_a_few_words_and_the_address_is_cut_to_its_network():
    assert device_words(ANDROID) == "Chrome di Android"
    assert device_words(WINDOWS_FIREFOX) == "Firefox di Windows"
    assert device_words("curl/8.0") == "Peramban tidak dikenal"
    assert ip_masked("203.0.113.77") == "203.0.113.0/24"
    assert ip_masked("2001:db8:abcd:12::1") == "2001:db8:abcd::/48"
    assert ip_masked("unknown") == ""


def test_a_sign_in_is_recorded_and_a_sign_out_removes_it(net):
    user = net.user("liaison")
    phone = _browser(user, ANDROID, "203.0.113.77")
    row = UserSession.objects.get(user=user)
    assert row.ip_prefix == "203.0.113.0/24" and "Android" in row.user_agent
    assert row.session_key == phone.session.session_key
    phone.post("/keluar/")
    assert not UserSession.objects.filter(user=user).exists()


def test_last_seen_is_written_at_most_once_per_interval(net, settings, django_assert_max_num_queries):
    settings.LAPOR_SESSION_SEEN_MINUTES = 5
    user = net.user("liaison")
    phone = _browser(user, ANDROID, "203.0.113.77")
    past = timezone.now() - dt.timedelta(hours=1)
    UserSession.objects.filter(user=user).update(last_seen_at=past)
    phone.get("/saya/keamanan/")
    # the sign-in itself set the mark: within the interval nothing is written
    assert UserSession.objects.get(user=user).last_seen_at == past
    from django.core.cache import cache

    cache.clear()  # the interval has passed
    phone.get("/saya/keamanan/")
    first = UserSession.objects.get(user=user).last_seen_at
    assert first > past
    phone.get("/saya/keamanan/")
    assert UserSession.objects.get(user=user).last_seen_at == first


def test_a_session_from_before_tracking_gets_its_row_on_the_next_visit(net):
    from django.core.cache import cache

    user = net.user("liaison")
    phone = _browser(user, ANDROID, "203.0.113.77")
    UserSession.objects.all().delete()
    cache.clear()
    phone.get("/saya/keamanan/")
    assert UserSession.objects.filter(user=user, session_key=phone.session.session_key).exists()


def test_ending_another_session_signs_that_browser_out(net):
    user = net.user("liaison")
    phone = _browser(user, ANDROID, "203.0.113.77")
    laptop = _browser(user, WINDOWS_FIREFOX, "198.51.100.9", step=1)
    other = UserSession.objects.get(session_key=phone.session.session_key)
    html = laptop.get("/saya/keamanan/").content.decode()
    assert "Chrome di Android" in html and "Firefox di Windows" in html and "Perangkat ini" in html
    assert "203.0.113.0/24" in html and "203.0.113.77" not in html
    res = laptop.post(f"/saya/keamanan/sesi/{other.pk}/keluar/")
    assert res.status_code == 302
    assert phone.get("/petugas/").status_code == 302  # back to the sign-in page
    assert laptop.get("/petugas/").status_code == 200
    assert AuditLog.objects.filter(action="session_revoke", target_id=str(user.pk)).exists()


def test_sign_out_everywhere_else_keeps_this_browser(net):
    user = net.user("liaison")
    phone = _browser(user, ANDROID, "203.0.113.77")
    laptop = _browser(user, WINDOWS_FIREFOX, "198.51.100.9", step=1)
    Client().force_login(user)  # a third browser (the code of this half-minute is spent)
    res = laptop.post("/saya/keamanan/sesi/keluar-semua/", follow=True)
    assert "2 perangkat lain dikeluarkan" in res.content.decode()
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        laptop.session.session_key
    ]
    assert phone.get("/petugas/").status_code == 302


def test_nobody_ends_someone_elses_session_nor_their_own_current_one(net):
    owner, intruder = net.user("liaison"), net.user("dept_admin")
    phone = _browser(owner, ANDROID, "203.0.113.77")
    row = UserSession.objects.get(user=owner)
    other = _browser(intruder, WINDOWS_FIREFOX, "198.51.100.9")
    assert other.post(f"/saya/keamanan/sesi/{row.pk}/keluar/").status_code == 404
    assert phone.get("/petugas/").status_code == 200
    with pytest.raises(NotFound):
        user_session_end(user=owner, session_id=row.pk, current_key=row.session_key)
    assert user_sessions_end_others(user=owner, current_key=row.session_key) == 0
    assert phone.get("/petugas/").status_code == 200


def test_ending_a_session_needs_a_post_with_the_csrf_token(net):
    user = net.user("liaison")
    _browser(user, ANDROID, "203.0.113.77")
    laptop = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=WINDOWS_FIREFOX)
    laptop.force_login(user)
    row = UserSession.objects.filter(user=user).exclude(session_key=laptop.session.session_key).first()
    assert laptop.get(f"/saya/keamanan/sesi/{row.pk}/keluar/").status_code == 405
    assert laptop.post(f"/saya/keamanan/sesi/{row.pk}/keluar/").status_code == 403
    assert UserSession.objects.filter(pk=row.pk).exists()
