"""Staff confirm every sign-in with a TOTP code; citizens never do; tokens need the code too."""

import re

import pyotp
import pytest

from lapor.accounts.models import RecoveryCode, TwoFactorDevice
from lapor.accounts.testing import TOTP_TEST_SECRET, signin_staff, totp_code, totp_enrol

PASSWORD = "rahasia-123"


def _password_step(client, user, **extra):
    return client.post("/masuk/", {"login": user.email, "password": PASSWORD, **extra})


def _enrol_link(user) -> str:
    from lapor.notifications.models import OutboxMessage

    message = OutboxMessage.objects.filter(channel="email", recipient=user.email).order_by("-id").first()
    return re.search(r"https?://[^/\s]+(/masuk/aktifkan/tautan/[^/\s]+/)", message.payload["body"]).group(1)


def _secret_on(page) -> str:
    return re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page.content.decode()).group(1)


def _enrol_with_link(client, user) -> str:
    """Password step, the e-mailed link opened in the same browser: the secret this session shows."""
    assert _password_step(client, user)["Location"] == "/masuk/aktifkan/"
    client.get("/masuk/aktifkan/")  # asks for the proof and e-mails the link
    assert client.get(_enrol_link(user))["Location"] == "/masuk/aktifkan/"
    return _secret_on(client.get("/masuk/aktifkan/"))


def test_staff_without_a_device_enrol_then_land_in_the_inbox_with_recovery_codes(net, client):
    liaison = net.user("liaison")
    res = _password_step(client, liaison)
    assert res["Location"] == "/masuk/aktifkan/"
    assert "_auth_user_id" not in client.session  # not signed in after the password alone
    page = client.get("/masuk/aktifkan/")
    html = page.content.decode()
    assert 'id="totp-secret"' not in html and "otpauth://" not in html  # no secret on the password alone
    assert "p***@test.example" in html
    assert client.get(_enrol_link(liaison))["Location"] == "/masuk/aktifkan/"
    page = client.get("/masuk/aktifkan/")
    html = page.content.decode()
    secret = _secret_on(page)
    assert "<svg" in html and "otpauth://totp/" in html and page["Cache-Control"] == "no-store"
    assert not TwoFactorDevice.objects.filter(user=liaison).exists()  # the secret is in the session only
    assert client.post("/masuk/aktifkan/", {"code": "000000"}).status_code == 400
    res = client.post("/masuk/aktifkan/", {"code": pyotp.TOTP(secret).now()})
    assert res.status_code == 200 and 'href="/petugas/"' in res.content.decode()
    assert client.session["_auth_user_id"] == str(liaison.pk)
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", res.content.decode())
    assert len(codes) == 10
    stored = set(RecoveryCode.objects.filter(user=liaison).values_list("digest", flat=True))
    assert not stored & set(codes)  # only hashes are kept
    device = TwoFactorDevice.objects.get(user=liaison)
    assert device.confirmed_at is not None and device.secret == secret


def test_a_stolen_password_alone_never_sees_or_uses_an_enrolment_secret(net, client):
    """Issue 14 item 9: the victim's session A sees its secret; the attacker's session B, with the
    password only, gets no secret, and A's secret does not work in B."""
    from django.test import Client

    liaison = net.user("liaison")
    secret_a = _enrol_with_link(client, liaison)
    victims_link = _enrol_link(liaison)
    attacker = Client()
    assert _password_step(attacker, liaison)["Location"] == "/masuk/aktifkan/"
    html = attacker.get("/masuk/aktifkan/").content.decode()
    assert secret_a not in html and 'id="totp-secret"' not in html
    res = attacker.post("/masuk/aktifkan/", {"code": pyotp.TOTP(secret_a).now()})
    assert res.status_code == 400 and "_auth_user_id" not in attacker.session
    assert attacker.get("/petugas/").status_code == 302
    # The victim's link opened in the attacker's browser does not count there either.
    assert attacker.get(victims_link).status_code == 400
    assert 'id="totp-secret"' not in attacker.get("/masuk/aktifkan/").content.decode()
    assert not TwoFactorDevice.objects.filter(user=liaison).exists()


def test_each_attempt_has_its_own_secret_and_an_old_one_fails(net, client):
    from django.test import Client

    liaison = net.user("liaison")
    secret_a = _enrol_with_link(client, liaison)
    other = Client()
    secret_b = _enrol_with_link(other, liaison)
    assert secret_a != secret_b
    assert other.post("/masuk/aktifkan/", {"code": pyotp.TOTP(secret_a).now()}).status_code == 400
    assert "_auth_user_id" not in other.session


def test_an_enrolment_secret_expires_after_ten_minutes(net, client, monkeypatch):
    import time as real_time

    from lapor.web.views import twofactor as view

    liaison = net.user("liaison")
    secret = _enrol_with_link(client, liaison)
    now = real_time.time()
    monkeypatch.setattr(view.time, "time", lambda: now + 11 * 60)
    page = client.get("/masuk/aktifkan/")
    assert _secret_on(page) != secret  # a new secret for the next try
    assert client.post("/masuk/aktifkan/", {"code": pyotp.TOTP(secret).now()}).status_code == 400
    assert "_auth_user_id" not in client.session


def test_enrolment_without_the_emailed_proof_is_refused(net, client):
    liaison = net.user("liaison")
    _password_step(client, liaison)
    client.get("/masuk/aktifkan/")
    res = client.post("/masuk/aktifkan/", {"code": "123456"})
    assert res.status_code == 400 and 'id="totp-secret"' not in res.content.decode()
    assert client.post("/masuk/aktifkan/", {"ticket": "abcdef-abcdef-abcdef"}).status_code == 400
    assert client.get("/masuk/aktifkan/tautan/bukan-tautan-asli/").status_code == 400
    assert 'id="totp-secret"' not in client.get("/masuk/aktifkan/").content.decode()
    assert "_auth_user_id" not in client.session and not TwoFactorDevice.objects.filter(user=liaison).exists()


def test_a_link_works_once_and_only_with_the_password_step(net, client):
    from django.test import Client

    liaison = net.user("liaison")
    _enrol_with_link(client, liaison)
    link = _enrol_link(liaison)
    assert Client().get(link).status_code == 400  # no password step in that browser
    fresh = Client()
    _password_step(fresh, liaison)
    fresh.get("/masuk/aktifkan/")
    assert fresh.get(link).status_code == 400  # spent, and asked for by another session


def test_an_administrator_issued_code_replaces_the_link_once(net, client):
    from django.core.management import call_command
    from io import StringIO

    liaison = net.user("liaison")
    out = StringIO()
    call_command("totp", "issue", liaison.email, stdout=out)
    code = out.getvalue().strip().rsplit(" ", 1)[1]
    _password_step(client, liaison)
    client.get("/masuk/aktifkan/")
    assert client.post("/masuk/aktifkan/", {"ticket": code})["Location"] == "/masuk/aktifkan/"
    secret = _secret_on(client.get("/masuk/aktifkan/"))
    assert client.post("/masuk/aktifkan/", {"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert client.session["_auth_user_id"] == str(liaison.pk)
    from django.test import Client

    again = Client()
    _password_step(again, net.user("dept_admin"))
    again.get("/masuk/aktifkan/")
    assert again.post("/masuk/aktifkan/", {"ticket": code}).status_code == 400  # spent, and not theirs


def test_enrolled_staff_need_the_code_and_a_wrong_code_keeps_them_out(net, client):
    liaison = net.user("liaison")
    totp_enrol(liaison)
    assert _password_step(client, liaison)["Location"] == "/masuk/kode/"
    res = client.post("/masuk/kode/", {"code": "123456"})
    assert res.status_code == 400 and "Kode verifikasi salah" in res.content.decode()
    assert client.get("/petugas/").status_code == 302  # still signed out
    res = client.post("/masuk/kode/", {"code": totp_code()})
    assert res["Location"] == "/petugas/" and client.get("/petugas/").status_code == 200


def test_a_code_works_once(net, client):
    liaison = net.user("liaison")
    totp_enrol(liaison)
    code = totp_code()
    _password_step(client, liaison)
    assert client.post("/masuk/kode/", {"code": code}).status_code == 302
    client.post("/keluar/")
    _password_step(client, liaison)
    assert client.post("/masuk/kode/", {"code": code}).status_code == 400


def test_a_recovery_code_signs_in_once(net, client):
    from lapor.accounts.twofactor import recovery_codes_issue

    liaison = net.user("liaison")
    totp_enrol(liaison)
    code = recovery_codes_issue(user=liaison)[0]
    _password_step(client, liaison)
    assert client.post("/masuk/kode/", {"code": code.upper()})["Location"] == "/petugas/"
    client.post("/keluar/")
    _password_step(client, liaison)
    assert client.post("/masuk/kode/", {"code": code}).status_code == 400


def test_the_code_page_without_a_password_step_sends_back_to_sign_in(net, client):
    totp_enrol(net.user("liaison"))
    assert client.post("/masuk/kode/", {"code": totp_code()})["Location"].startswith("/masuk/")
    assert client.get("/masuk/aktifkan/")["Location"].startswith("/masuk/")


def test_citizens_sign_in_without_a_second_step(net, client):
    res = _password_step(client, net.user("reporter"))
    assert res["Location"] == "/saya/"


def test_switched_off_staff_sign_in_with_the_password(net, client, settings):
    settings.LAPOR_STAFF_2FA = False
    assert _password_step(client, net.user("liaison"))["Location"] == "/petugas/"


def test_the_admin_login_form_is_not_a_way_around(net, client):
    res = client.get("/admin/login/?next=/admin/accounts/auditlog/")
    assert res.status_code == 302 and res["Location"].startswith("/masuk/?next=")
    res = client.post("/admin/login/", {"username": net.user("platform").email, "password": PASSWORD})
    assert res.status_code == 302 and "_auth_user_id" not in client.session


def test_staff_reach_the_admin_after_the_two_steps(net, client):
    platform = net.user("platform")
    platform.is_staff = platform.is_superuser = True
    platform.save()
    res = signin_staff(client, platform, next="/admin/")
    assert res["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("otp, code", [(None, "otp_required"), ("000000", "invalid_otp")])
def test_api_token_for_staff_needs_the_otp(net, api, otp, code):
    totp_enrol(net.user("liaison"))
    body = {"login": net.user("liaison").email, "password": PASSWORD}
    if otp:
        body["otp"] = otp
    res = api.post("/api/auth/token", body)
    assert res.status_code == 400 and res.json()["code"] == code


def test_api_token_for_staff_with_the_otp_and_for_citizens_without(net, api):
    totp_enrol(net.user("liaison"))
    res = api.post("/api/auth/token", {"login": net.user("liaison").email, "password": PASSWORD, "otp": totp_code()})
    assert res.status_code == 200 and res.json()["token"].startswith("lpr_")
    res = api.post("/api/auth/token", {"login": net.user("reporter").email, "password": PASSWORD})
    assert res.status_code == 200


def test_api_token_for_staff_not_yet_enrolled_says_how_to_enrol(net, api):
    res = api.post("/api/auth/token", {"login": net.user("liaison").email, "password": PASSWORD, "otp": "123456"})
    assert res.status_code == 403 and res.json()["code"] == "otp_enrolment_required"


def test_totp_command_prints_the_current_code_outside_production(net, capsys):
    from django.core.management import call_command

    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not enrolled"):  # it never creates a device nor shows a secret
        call_command("totp", "code", net.user("liaison").email)
    assert not TwoFactorDevice.objects.filter(user=net.user("liaison")).exists()
    totp_enrol(net.user("liaison"))
    call_command("totp", "code", net.user("liaison").email)
    assert capsys.readouterr().out.strip() in {totp_code(TOTP_TEST_SECRET, step_offset=o) for o in (-1, 0, 1)}
