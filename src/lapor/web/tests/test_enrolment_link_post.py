"""The operator's one-time enrolment link from ``lapor setup``: choose a password, enrol the
authenticator, signed in; the link then never works again; expired or altered links never work."""

import re

import pyotp
import pytest

from lapor.accounts.enrolment import enrolment_token, enrolment_url, operator_create
from lapor.accounts.models import AuditLog, TwoFactorDevice, User

PASSWORD = "sandi-operator-2026"


@pytest.fixture
def operator(db):
    user, created = operator_create(email="ops@example.go.id")
    assert created
    return user


def _path(token: str) -> str:
    return f"/akun/aktivasi/{token}/"


def test_the_link_sets_the_password_enrols_two_factor_signs_in_and_then_never_works_again(client, operator, settings):
    settings.LAPOR_STAFF_2FA = True
    token = enrolment_token(operator)
    assert enrolment_url(token) == settings.LAPOR_PUBLIC_URL.rstrip("/") + _path(token)

    page = client.get(_path(token))
    assert page.status_code == 200 and b"ops@example.go.id" in page.content
    assert page["Cache-Control"] == "no-store"
    assert client.get(_path(token)).status_code == 200  # opening it (a mail scanner) does not spend it

    res = client.post(_path(token), {"password": PASSWORD, "password_again": PASSWORD})
    assert res.status_code == 302 and res["Location"] == "/masuk/aktifkan/"
    operator.refresh_from_db()
    assert operator.check_password(PASSWORD)
    assert "_auth_user_id" not in client.session  # not signed in before the second factor

    enrol = client.get("/masuk/aktifkan/")
    secret = re.search(rb'id="totp-secret">([A-Z2-7]+)<', enrol.content).group(1).decode()
    done = client.post("/masuk/aktifkan/", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and b"recovery" in done.content.lower() or b"pemulihan" in done.content.lower()
    assert client.session["_auth_user_id"] == str(operator.pk)
    assert TwoFactorDevice.objects.get(user=operator).confirmed_at is not None
    assert client.get("/petugas/").status_code == 200

    # Spent: neither opening nor submitting the same link works, and the password stays.
    client.post("/keluar/")
    again = client.get(_path(token))
    assert again.status_code == 400 and "tidak berlaku" in again.content.decode()
    reuse = client.post(_path(token), {"password": "sandi-penyerang-99", "password_again": "sandi-penyerang-99"})
    assert reuse.status_code == 400
    operator.refresh_from_db()
    assert operator.check_password(PASSWORD) and not operator.check_password("sandi-penyerang-99")
    assert AuditLog.objects.filter(action="enrolment_complete", target_id=str(operator.pk)).count() == 1


def test_every_link_issued_for_the_account_dies_with_the_first_use(client, operator):
    first, second = enrolment_token(operator), enrolment_token(operator, hours=2)
    assert client.post(_path(second), {"password": PASSWORD, "password_again": PASSWORD}).status_code == 302
    assert client.get(_path(first)).status_code == 400


def test_an_expired_link_does_not_work(client, operator):
    token = enrolment_token(operator, hours=-0.01)
    assert client.get(_path(token)).status_code == 400
    assert client.post(_path(token), {"password": PASSWORD, "password_again": PASSWORD}).status_code == 400
    operator.refresh_from_db()
    assert not operator.has_usable_password()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature altered
        lambda t: "eyJ1IjoxfQ:1xYdmW:abc",  # made up
        lambda t: "x",
    ],
)
def test_an_altered_link_does_not_work(client, operator, mangle):
    res = client.post(_path(mangle(enrolment_token(operator))), {"password": PASSWORD, "password_again": PASSWORD})
    assert res.status_code == 400
    operator.refresh_from_db()
    assert not operator.has_usable_password()


def test_a_link_for_another_account_state_does_not_work_after_deactivation(client, operator):
    token = enrolment_token(operator)
    User.objects.filter(pk=operator.pk).update(is_active=False)
    assert client.get(_path(token)).status_code == 400


@pytest.mark.parametrize(
    "data,field_error",
    [
        ({"password": PASSWORD, "password_again": PASSWORD + "x"}, "tidak sama"),
        ({"password": "pendek", "password_again": "pendek"}, "8"),
        ({"password": "password", "password_again": "password"}, "umum"),
        ({"password": "", "password_again": ""}, "tidak boleh kosong"),
    ],
)
def test_a_bad_password_is_a_400_in_indonesian_and_the_link_still_works(client, operator, data, field_error):
    token = enrolment_token(operator)
    res = client.post(_path(token), data)
    assert res.status_code == 400 and field_error in res.content.decode().lower()
    operator.refresh_from_db()
    assert not operator.has_usable_password()
    assert client.post(_path(token), {"password": PASSWORD, "password_again": PASSWORD}).status_code == 302


def test_the_page_answers_in_english_when_asked(client, operator):
    client.cookies["django_language"] = "en"
    res = client.get(_path("x"))
    assert res.status_code == 400 and "no longer valid" in res.content.decode()
