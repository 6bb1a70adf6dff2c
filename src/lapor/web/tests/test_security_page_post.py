"""A staff member's own two-step sign-in from the web (issue 20): new recovery codes after a fresh
authenticator code; the old codes stop working; a wrong code changes nothing."""

from __future__ import annotations

import re

from django.utils import timezone

from lapor.accounts.models import AuditLog, RecoveryCode
from lapor.accounts.twofactor import recovery_codes_issue, twofactor_verify
from lapor.accounts.testing import totp_code, totp_enrol


def test_staff_renew_their_recovery_codes_with_a_fresh_code(net, client):
    user = net.user("liaison")
    secret = totp_enrol(user)
    old = recovery_codes_issue(user=user)
    client.force_login(user)
    html = client.get("/saya/keamanan/").content.decode()
    assert "Aktif sejak" in html and f"{len(old)} kode pemulihan belum dipakai" in html
    res = client.post("/saya/keamanan/", {"code": "000000"})
    assert res.status_code == 400 and "Kode salah" in res.content.decode()
    assert twofactor_verify(user=user, code=old[0])  # still valid: a wrong code renews nothing
    res = client.post("/saya/keamanan/", {"code": totp_code(secret)})
    html = res.content.decode()
    assert res.status_code == 200 and res["Cache-Control"] == "private, no-store"
    new = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", html)
    assert len(new) == RecoveryCode.objects.filter(user=user).count() and new
    assert not twofactor_verify(user=user, code=old[1])  # the old ones stopped working
    assert AuditLog.objects.filter(action="recovery_codes_renewed", target_id=str(user.pk)).exists()


def test_a_citizen_has_nothing_to_renew(net, client):
    client.force_login(net.user("reporter"))
    res = client.post("/saya/keamanan/", {"code": "123456"})
    assert res.status_code == 200 and "Tidak diperlukan untuk akun warga" in res.content.decode()


def test_no_recovery_codes_left_is_a_prompt_to_make_new_ones(net, client):
    user = net.user("liaison")
    totp_enrol(user)
    recovery_codes_issue(user=user)
    RecoveryCode.objects.filter(user=user).update(used_at=timezone.now())
    client.force_login(user)
    html = client.get("/saya/keamanan/").content.decode()
    assert "0 kode pemulihan" not in html
    assert "Kode pemulihan Anda sudah habis. Buat kode baru sekarang" in html
    assert '<details class="card" open>' in html  # the form to make them is open


def test_a_browser_signed_out_from_another_says_so_on_the_sign_in_page(net):
    from django.test import Client

    from lapor.accounts.models import UserSession

    user = net.user("reporter")  # no second step: both browsers sign in with the password alone
    phone, laptop = Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Chrome/120"), Client()
    for browser in (phone, laptop):
        browser.post("/masuk/", {"login": user.email, "password": "rahasia-123"})
    row = UserSession.objects.get(session_key=phone.session.session_key)
    html = laptop.get("/saya/keamanan/").content.decode()
    assert "Alamat jaringan (perkiraan lokasi)" in html and "Jaringan 127" not in html
    assert laptop.post(f"/saya/keamanan/sesi/{row.pk}/keluar/").status_code == 302
    res = phone.get("/saya/", follow=True)
    assert res.redirect_chain[-1][0].startswith("/masuk/")
    assert "Perangkat ini sudah dikeluarkan dari akun Anda lewat perangkat lain." in res.content.decode()
    again = phone.get("/masuk/").content.decode()  # said once
    assert "lewat perangkat lain" not in again
