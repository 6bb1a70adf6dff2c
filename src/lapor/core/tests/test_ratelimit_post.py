"""Per-source rate limits: a clear 429 (JSON + Retry-After for machines, a page for people),
counted per client address, the proxy header believed only from configured proxies."""

import pytest

from lapor.accounts.testing import submission_data


@pytest.fixture
def tight(settings):
    settings.LAPOR_RATES = {"submit": "2/60", "login": "2/60", "track": "2/60", "webhook": "2/60", "federation": "2/60"}
    return settings


def test_api_submission_past_the_limit_is_a_429_with_retry_after(net, api, tight):
    for _ in range(2):
        assert api.post("/api/reports", submission_data(guest_email="a@example.com")).status_code == 201
    res = api.post("/api/reports", submission_data(guest_email="a@example.com"))
    assert res.status_code == 429
    assert res.json()["code"] == "rate_limited" and "coba lagi" in res.json()["message"]
    assert 1 <= int(res["Retry-After"]) <= 60


def test_another_address_is_counted_apart(net, api, client, tight):
    for _ in range(3):
        api.post("/api/reports", submission_data(guest_email="a@example.com"))
    res = client.post(
        "/api/reports",
        submission_data(guest_email="a@example.com"),
        content_type="application/json",
        REMOTE_ADDR="10.9.9.9",
    )
    assert res.status_code == 201


def test_web_form_submission_past_the_limit_gets_a_friendly_page(net, client, tight):
    data = {
        "type": "complaint",
        "title": "Jalan berlubang di depan pasar",
        "body": "Lubang besar membahayakan pengendara motor.",
        "guest_email": "warga@example.com",
    }
    for _ in range(2):
        client.post("/lapor/", data)
    res = client.post("/lapor/", data)
    assert res.status_code == 429 and res["Retry-After"]
    html = res.content.decode()
    assert "<html" in html and "Terlalu banyak permintaan" in html
    assert "Content-Security-Policy" in res  # still a page of the site, with its headers


def test_sign_in_attempts_are_limited_on_the_web_and_the_api(net, client, api, tight):
    for _ in range(2):
        client.post("/masuk/", {"login": "budi@warga.example", "password": "salah"})
    assert client.post("/masuk/", {"login": "budi@warga.example", "password": "salah"}).status_code == 429
    assert api.post("/api/auth/token", {"login": "x@example.com", "password": "y"}).status_code == 429


def test_tracking_lookups_by_guests_are_limited_but_staff_tokens_are_not(net, api, client, tight):
    res = api.post("/api/reports", submission_data(guest_email="a@example.com"))
    tracking_id, secret = res.json()["tracking_id"], res.json()["guest_secret"]
    for _ in range(2):
        api.get(f"/api/reports/{tracking_id}", secret=secret)
    assert api.get(f"/api/reports/{tracking_id}", secret=secret).status_code == 429
    assert api.get(f"/api/reports/{tracking_id}", user=net.user("platform")).status_code == 200
    for _ in range(2):
        client.get(f"/lacak/{tracking_id}/k/salah/")
    assert client.get(f"/lacak/{tracking_id}/k/salah/").status_code == 429


@pytest.mark.parametrize("path", ["/intake/sms", "/intake/email", "/intake/social/x", "/federation/inbound"])
def test_webhooks_and_federation_are_limited_per_source(db, client, tight, path):
    for _ in range(2):
        assert client.post(path, "{}", content_type="application/json").status_code != 429
    res = client.post(path, "{}", content_type="application/json")
    assert res.status_code == 429 and res.json()["code"] == "rate_limited"


def test_the_forwarded_header_is_ignored_without_trusted_proxies(net, client, tight):
    for n in range(3):
        res = client.post("/masuk/", {"login": "a@b.c", "password": "x"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert res.status_code == 429  # one client spoofing three addresses is still one client


def test_the_forwarded_header_is_believed_from_a_trusted_proxy(net, client, tight):
    tight.LAPOR_TRUSTED_PROXIES = ["127.0.0.0/8"]
    for n in range(3):
        res = client.post(
            "/masuk/", {"login": "a@b.c", "password": "x"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 127.0.0.1"
        )
    assert res.status_code == 400  # three real clients behind the proxy
    res = client.post("/masuk/", {"login": "a@b.c", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.0")
    res = client.post("/masuk/", {"login": "a@b.c", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.0")
    assert res.status_code == 429


def test_a_limit_can_be_switched_off(net, api, tight):
    tight.LAPOR_RATES = {**tight.LAPOR_RATES, "submit": "off"}
    for _ in range(3):
        assert api.post("/api/reports", submission_data(guest_email="a@example.com")).status_code == 201


def test_a_broken_cache_lets_reports_through(net, api, tight):
    tight.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }  # nothing listens there
    from django.core.cache import caches

    caches._settings = None  # re-read CACHES
    try:
        for _ in range(3):
            assert api.post("/api/reports", submission_data(guest_email="a@example.com")).status_code == 201
    finally:
        tight.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lapor"}}
