"""Citizen registration: the same rules for the API and the web form."""
import pytest

from lapor.accounts.models import User


def test_register_by_phone_normalises_the_number(api, db):
    res = api.post("/api/accounts", {"full_name": "Ani Lestari", "phone": "0812-1111-2222", "password": "kuat-sekali-99"})
    assert res.status_code == 201, res.content
    assert User.objects.get().phone == "+6281211112222"


@pytest.mark.parametrize("payload,code,field", [
    ({"full_name": "Ani", "password": "kuat-sekali-99"}, "contact_required", "email"),
    ({"full_name": "Ani", "phone": "12345", "password": "kuat-sekali-99"}, "invalid_phone", "phone"),
    ({"full_name": "Ani", "email": "ani@warga.example", "password": "password"}, "weak_password", "password"),
])
def test_bad_registrations_name_the_field(api, db, payload, code, field):
    res = api.post("/api/accounts", payload)
    assert res.status_code == 400 and res.json()["code"] == code and res.json()["detail"] == {"field": field}


def test_a_second_account_with_the_same_contact_is_a_conflict(api, client, db):
    api.post("/api/accounts", {"full_name": "Ani", "email": "ani@warga.example", "password": "kuat-sekali-99"})
    res = api.post("/api/accounts", {"full_name": "Ani 2", "email": "ANI@warga.example", "password": "kuat-sekali-99"})
    assert res.status_code == 409 and res.json()["code"] == "account_exists"
    page = client.post("/daftar/", {"full_name": "Ani 3", "email": "ani@warga.example", "password": "kuat-sekali-99"})
    assert page.status_code == 400 and User.objects.count() == 1
