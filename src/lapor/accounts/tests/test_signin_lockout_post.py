"""Repeated failures lock sign-in for a while, per account and per address, without telling
whether an account exists."""

import pytest

PASSWORD = "rahasia-123"


@pytest.fixture
def low_limits(settings):
    settings.LAPOR_LOGIN_LOCKOUT = {"account_failures": 3, "ip_failures": 5, "window_seconds": 900, "lock_seconds": 900}


def _fail(client, login, times, **extra):
    for _ in range(times):
        client.post("/masuk/", {"login": login, "password": "salah-sekali"}, **extra)


def test_an_account_locks_after_repeated_failures_even_for_the_right_password(net, client, low_limits):
    _fail(client, "budi@warga.example", 3)
    res = client.post("/masuk/", {"login": "budi@warga.example", "password": PASSWORD})
    assert res.status_code == 429
    assert "dikunci sementara" in res.content.decode() and "15 menit" in res.content.decode()
    assert "_auth_user_id" not in client.session


def _alert(res) -> str:
    html = res.content.decode()
    return html[html.index('<div class="alert"') :].split("</div>")[0]


def test_a_missing_account_locks_the_same_way_so_nothing_is_revealed(net, client, low_limits):
    _fail(client, "budi@warga.example", 3, REMOTE_ADDR="10.0.0.1")
    _fail(client, "tidak-ada@warga.example", 3, REMOTE_ADDR="10.0.0.2")
    existing = client.post("/masuk/", {"login": "budi@warga.example", "password": "x"}, REMOTE_ADDR="10.0.0.3")
    missing = client.post("/masuk/", {"login": "tidak-ada@warga.example", "password": "x"}, REMOTE_ADDR="10.0.0.4")
    assert existing.status_code == missing.status_code == 429
    assert _alert(existing) == _alert(missing) and "dikunci" in _alert(existing)


def test_the_account_lock_holds_from_another_address_and_the_phone_form_of_the_login(net, client, low_limits, settings):
    from lapor.accounts.models import User

    User.objects.filter(pk=net.user("reporter").pk).update(phone="+6281211112222")
    _fail(client, "081211112222", 3, REMOTE_ADDR="10.0.0.1")
    res = client.post("/masuk/", {"login": "+62 812-1111-2222", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert res.status_code == 429


def test_an_address_locks_after_failures_across_many_accounts(net, client, low_limits):
    for n in range(5):
        client.post("/masuk/", {"login": f"orang{n}@warga.example", "password": "x"}, REMOTE_ADDR="10.1.1.1")
    assert (
        client.post(
            "/masuk/", {"login": "budi@warga.example", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
        ).status_code
        == 429
    )
    assert (
        client.post(
            "/masuk/", {"login": "budi@warga.example", "password": PASSWORD}, REMOTE_ADDR="10.1.1.2"
        ).status_code
        == 302
    )


def test_a_success_clears_the_account_count(net, client, low_limits):
    _fail(client, "budi@warga.example", 2)
    assert client.post("/masuk/", {"login": "budi@warga.example", "password": PASSWORD}).status_code == 302
    client.post("/keluar/")
    _fail(client, "budi@warga.example", 2)
    assert client.post("/masuk/", {"login": "budi@warga.example", "password": PASSWORD}).status_code == 302


def test_the_api_token_endpoint_shares_the_lock_and_answers_429(net, api, low_limits):
    for _ in range(3):
        assert (
            api.post("/api/auth/token", {"login": "budi@warga.example", "password": "x"}).status_code == 401
        )  # wrong credentials (issue 16)
    res = api.post("/api/auth/token", {"login": "budi@warga.example", "password": PASSWORD})
    assert res.status_code == 429 and res.json()["code"] == "login_locked"
    assert res.json()["detail"]["retry_after"] > 0


def test_wrong_authenticator_codes_count_towards_the_lock(net, client, low_limits):
    from lapor.accounts.testing import totp_code, totp_enrol

    liaison = net.user("liaison")
    totp_enrol(liaison)
    client.post("/masuk/", {"login": liaison.email, "password": PASSWORD})
    for _ in range(2):
        client.post("/masuk/kode/", {"code": "000000"})
    client.post("/masuk/kode/", {"code": "000001"})  # the third failure locks
    res = client.post("/masuk/kode/", {"code": totp_code()})
    assert res.status_code == 429 and "_auth_user_id" not in client.session


def test_failures_by_e_mail_and_by_phone_of_the_same_person_count_together(net, client, low_limits, api):
    """Issue 14: an attacker may not get twice the guesses by alternating the person's contacts."""
    from lapor.accounts.models import User

    User.objects.filter(pk=net.user("reporter").pk).update(phone="+6281211112222")
    _fail(client, "budi@warga.example", 1, REMOTE_ADDR="10.0.0.1")
    _fail(client, "0812-1111-2222", 1, REMOTE_ADDR="10.0.0.2")
    res = client.post(
        "/api/auth/token",
        {"login": "BUDI@warga.example", "password": "salah-sekali"},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.3",
    )
    assert res.status_code == 401
    res = client.post("/masuk/", {"login": "081211112222", "password": PASSWORD}, REMOTE_ADDR="10.0.0.4")
    assert res.status_code == 429 and "_auth_user_id" not in client.session
    # Another person is not affected.
    assert (
        client.post(
            "/masuk/", {"login": "lain@warga.example", "password": PASSWORD}, REMOTE_ADDR="10.0.0.5"
        ).status_code
        == 302
    )
