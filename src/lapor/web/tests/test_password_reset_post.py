"""Lupa kata sandi (issue #20): a registered citizen sets a new password with a code sent to their
own e-mail or by SMS to their phone; the answer never tells whether a contact is registered; a
code works once, for a few tries; codes and requests are rate-limited."""

import re

import pytest
from django.test import Client, override_settings

from lapor.accounts.models import PasswordResetCode
from lapor.accounts.password_reset import CODE_TRIES, CODES_PER_HOUR
from lapor.accounts.testing import user_make
from lapor.notifications.models import OutboxMessage

NEW = "kata-sandi-baru-99"


def _code(recipient: str) -> str:
    msg = OutboxMessage.objects.filter(recipient=recipient).order_by("-id").first()
    text = msg.payload.get("body") or msg.payload.get("text")
    return re.search(r"\b(\d{6})\b", text).group(1)


def _reset(client, login, code, password=NEW):
    return client.post("/masuk/lupa/kode/", {"login": login, "code": code, "password": password})


@pytest.mark.parametrize("by", ["email", "sms"])
def test_a_citizen_resets_the_password_by_email_or_sms_code_and_signs_in(db, client, by):
    user = user_make("Budi Santoso", email="budi@warga.example")
    user.phone = "+6281234567890"
    user.save(update_fields=["phone"])
    login = "budi@warga.example" if by == "email" else "0812-3456-7890"
    res = client.post("/masuk/lupa/", {"login": login})
    assert res.status_code == 302 and res["Location"] == "/masuk/lupa/kode/"
    recipient = user.email if by == "email" else user.phone
    msg = OutboxMessage.objects.get(recipient=recipient)
    assert msg.channel == by
    page = client.get("/masuk/lupa/kode/").content.decode()
    assert f'value="{login}"' in page  # the contact comes along to the second step
    res = _reset(client, login, _code(recipient))
    assert res.status_code == 302 and res["Location"] == "/masuk/"
    user.refresh_from_db()
    assert user.check_password(NEW)
    fresh = Client()
    res = fresh.post("/masuk/", {"login": login, "password": NEW})
    assert res.status_code == 302
    assert _reset(Client(), login, _code(recipient), "lain-lagi-123").status_code == 400  # once only


def test_an_unknown_contact_gets_the_same_answer_and_no_message(db, client):
    res = client.post("/masuk/lupa/", {"login": "siapa@tidak.ada"})
    assert res.status_code == 302 and res["Location"] == "/masuk/lupa/kode/"
    assert not OutboxMessage.objects.exists()
    assert "Bila siapa@tidak.ada terdaftar" in client.get("/masuk/lupa/kode/").content.decode()


def test_wrong_codes_count_and_the_code_dies_after_a_few_tries(db, client):
    user = user_make("Siti", email="siti@warga.example")
    client.post("/masuk/lupa/", {"login": user.email})
    right = _code(user.email)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(CODE_TRIES):
        res = _reset(client, user.email, wrong)
        assert res.status_code == 400 and "Kode salah atau sudah tidak berlaku" in res.content.decode()
    assert _reset(client, user.email, right).status_code == 400  # too late even for the right one
    user.refresh_from_db()
    assert not user.check_password(NEW)


def test_at_most_a_few_codes_an_hour_per_account(db, client):
    user = user_make("Siti", email="siti@warga.example")
    for _ in range(CODES_PER_HOUR + 2):
        client.post("/masuk/lupa/", {"login": user.email})
    assert PasswordResetCode.objects.filter(user=user).count() == CODES_PER_HOUR
    assert OutboxMessage.objects.filter(recipient=user.email).count() == CODES_PER_HOUR


def test_a_weak_new_password_is_refused_next_to_its_field(db, client):
    user = user_make("Siti", email="siti@warga.example")
    client.post("/masuk/lupa/", {"login": user.email})
    res = _reset(client, user.email, _code(user.email), "123")
    assert res.status_code == 400
    assert PasswordResetCode.objects.get(user=user).used_at is None


@override_settings(LAPOR_RATES={"login": "3/60"})
def test_the_pages_share_the_sign_in_rate_limit_per_source(db, client):
    codes = [client.post("/masuk/lupa/", {"login": f"x{i}@warga.example"}).status_code for i in range(5)]
    assert codes[:3] == [302, 302, 302] and codes[-1] == 429


def test_in_english(db, client):
    client.cookies["django_language"] = "en"
    html = client.get("/masuk/lupa/").content.decode()
    assert "Forgot your password" in html
    assert "Forgot your password?" in client.get("/masuk/").content.decode()
