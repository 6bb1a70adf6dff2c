"""Sign in by e-mail or phone, registration, sign out, and the language switcher."""

from lapor.accounts.models import User
from lapor.accounts.testing import signin_staff


def test_register_with_phone_then_sign_in_with_the_phone(db, client):
    import re

    from lapor.notifications.models import OutboxMessage

    res = client.post("/daftar/", {"full_name": "Rina Wati", "phone": "0812-1111-2222", "password": "kopi-tubruk-99"})
    assert res.status_code == 200 and 'id="register-sent"' in res.content.decode()
    user = User.objects.get(full_name="Rina Wati")
    assert user.phone == "+6281211112222"
    sms = OutboxMessage.objects.get(channel="sms", recipient="+6281211112222").payload["text"]
    assert client.get(re.search(r"(/daftar/aktifkan/\S+/)", sms).group(1)).status_code == 302
    res = client.post("/masuk/", {"login": "081211112222", "password": "kopi-tubruk-99"})
    assert res.status_code == 302 and res["Location"] == "/saya/"


def test_registration_needs_email_or_phone_and_a_unique_email(net, client):
    res = client.post("/daftar/", {"full_name": "Tanpa Kontak", "password": "kopi-tubruk-99"})
    assert res.status_code == 400 and "Isi e-mail atau nomor telepon." in res.content.decode()
    res = client.post("/daftar/", {"full_name": "Budi", "email": "BUDI@warga.example", "password": "kopi-tubruk-99"})
    assert res.status_code == 200 and "sudah terdaftar" not in res.content.decode()  # never told here
    assert User.objects.filter(email__iexact="budi@warga.example").count() == 1


def test_wrong_password_is_a_400_with_a_plain_message(net, client):
    res = client.post("/masuk/", {"login": "budi@warga.example", "password": "salah"})
    assert res.status_code == 400 and "kata sandi salah" in res.content.decode()


def test_staff_lands_in_the_inbox_and_next_must_be_local(net, client):
    # Staff confirm with an authenticator code (lapor.accounts.twofactor) before landing.
    res = signin_staff(client, net.user("liaison"))
    assert res["Location"] == "/petugas/"
    client.post("/keluar/")
    res = signin_staff(client, net.user("liaison"), next="https://evil.example/", step_offset=1)
    assert res["Location"] == "/petugas/"


def test_pages_default_to_indonesian_and_switch_to_english(db, client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert 'lang="id"' in html and "Buat laporan" in html
    res = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert res.status_code == 302
    html = client.get("/").content.decode()
    assert 'lang="en"' in html and "File a report" in html


def test_sign_in_uses_the_accounts_language_unless_the_browser_chose_one(net, client):
    user = net.user("reporter")
    user.language = "en"
    user.save()
    res = client.post("/masuk/", {"login": user.email, "password": "rahasia-123"})
    assert res.cookies["django_language"].value == "en"
    other = net.user("stranger")
    client.post("/keluar/")
    client.cookies["django_language"] = "en"
    res = client.post("/masuk/", {"login": other.email, "password": "rahasia-123"})
    assert "django_language" not in res.cookies  # the visitor's own choice stays
