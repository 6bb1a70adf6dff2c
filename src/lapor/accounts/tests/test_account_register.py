"""Citizen registration: the same rules for the API and the web form."""

import pytest

from lapor.accounts.models import User


def test_register_by_phone_normalises_the_number(api, db):
    res = api.post(
        "/api/accounts", {"full_name": "Ani Lestari", "phone": "0812-1111-2222", "password": "kuat-sekali-99"}
    )
    assert res.status_code == 202, res.content
    user = User.objects.get()
    assert user.phone == "+6281211112222" and not user.is_active  # active once the link sent by SMS is opened


@pytest.mark.parametrize(
    "payload,code,field",
    [
        ({"full_name": "Ani", "password": "kuat-sekali-99"}, "contact_required", "email"),
        ({"full_name": "Ani", "phone": "12345", "password": "kuat-sekali-99"}, "invalid_phone", "phone"),
        ({"full_name": "Ani", "email": "ani@warga.example", "password": "password"}, "weak_password", "password"),
    ],
)
def test_bad_registrations_name_the_field(api, db, payload, code, field):
    res = api.post("/api/accounts", payload)
    if code == "weak_password":  # the one rule no schema can state (a common password)
        assert res.status_code == 400 and res.json()["code"] == code and res.json()["detail"] == {"field": field}
    else:  # the schema states it (anyOf e-mail/phone, the phone's pattern): 422 naming the field (issue 16)
        assert res.status_code == 422 and res.json()["code"] == "validation_failed"
        assert any(e["loc"][-1] in (field, "payload") for e in res.json()["detail"]), res.json()


def _messages_to(recipient):
    from lapor.notifications.models import OutboxMessage

    return list(OutboxMessage.objects.filter(recipient=recipient).order_by("id"))


def test_registration_never_tells_whether_a_contact_is_taken(api, client, net):
    import re

    """Issue 14: the same answer for a new and a taken e-mail or phone; the owner of a taken contact
    is told instead, on that contact."""
    new = api.post("/api/accounts", {"full_name": "Ani", "email": "ani@warga.example", "password": "kuat-sekali-99"})
    taken = api.post(
        "/api/accounts", {"full_name": "Ani 2", "email": "BUDI@warga.example", "password": "kuat-sekali-99"}
    )
    assert new.status_code == taken.status_code == 202
    assert new.json() == taken.json()
    assert User.objects.filter(email="budi@warga.example").count() == 1
    assert User.objects.get(email="budi@warga.example").full_name == "Budi Santoso"  # untouched
    [told] = _messages_to("budi@warga.example")
    assert "sudah punya akun" in told.payload["subject"] and "/daftar/aktifkan/" not in told.payload["body"]
    [activation] = _messages_to("ani@warga.example")
    assert "/daftar/aktifkan/" in activation.payload["body"]
    page_new = client.post(
        "/daftar/", {"full_name": "Cici", "email": "cici@warga.example", "password": "kuat-sekali-99"}
    )
    page_taken = client.post(
        "/daftar/", {"full_name": "Ani 3", "email": "lain@warga.example", "password": "kuat-sekali-99"}
    )
    assert page_new.status_code == page_taken.status_code == 200
    strip = lambda r: re.sub(r'value="[A-Za-z0-9]{64}"', "", r.content.decode())  # noqa: E731  the CSRF token
    assert 'id="register-sent"' in strip(page_new) and strip(page_new) == strip(page_taken)


def test_a_taken_phone_is_told_by_sms_and_a_weak_password_answers_alike(api, db):
    from lapor.accounts.models import User as U

    U.objects.create_user(phone="081211112222", password="kuat-sekali-99", full_name="Pemilik")
    res = api.post("/api/accounts", {"full_name": "Xena", "phone": "0812 1111 2222", "password": "kuat-sekali-99"})
    assert res.status_code == 202 and U.objects.count() == 1
    assert "sudah punya akun" in _messages_to("+6281211112222")[0].payload["text"]
    # A weak password is refused before the contact is even looked up: the same 400 either way.
    weak_taken = api.post("/api/accounts", {"full_name": "Xena", "phone": "081211112222", "password": "password"})
    weak_new = api.post("/api/accounts", {"full_name": "Xena", "phone": "081299998888", "password": "password"})
    assert weak_taken.status_code == weak_new.status_code == 400 and weak_taken.json() == weak_new.json()


def test_the_activation_link_activates_once_then_the_person_signs_in(api, client, db):
    import re

    api.post("/api/accounts", {"full_name": "Ani", "email": "ani@warga.example", "password": "kuat-sekali-99"})
    assert client.post("/masuk/", {"login": "ani@warga.example", "password": "kuat-sekali-99"}).status_code == 400
    link = re.search(
        r"https?://[^/\s]+(/daftar/aktifkan/\S+/)", _messages_to("ani@warga.example")[0].payload["body"]
    ).group(1)
    res = client.get(link)
    assert res.status_code == 302 and "activated=1" in res["Location"]
    assert "_auth_user_id" not in client.session  # the link activates; it never signs anyone in
    assert User.objects.get(email="ani@warga.example").is_active
    res = client.post("/masuk/", {"login": "ani@warga.example", "password": "kuat-sekali-99"})
    assert res["Location"] == "/saya/"
    assert client.get(link).status_code == 400  # once
    assert client.get("/daftar/aktifkan/Zm9v/bukan-token/").status_code == 400
