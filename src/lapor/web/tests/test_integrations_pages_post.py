"""Partner systems and peer deployments set up from the web (issue 20): the platform operator
creates, edits, rotates and switches them off; every other role gets 403; keys are shown once;
field errors come back next to the field, in the reader's language."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from lapor.accounts.models import ApiToken, AuditLog
from lapor.notifications.models import OutboxMessage
from lapor.partners import services as setup
from lapor.partners.models import Partner, Peer

PAGES_GET = [
    "/petugas/mitra/",
    "/petugas/mitra/{p}/",
    "/petugas/mitra/{p}/kunci-baru/",
    "/petugas/federasi/",
    "/petugas/federasi/{q}/",
    "/petugas/federasi/{q}/kunci-baru/",
]
PAGES_POST = PAGES_GET + [
    "/petugas/mitra/{p}/kunci-api/",
    "/petugas/mitra/{p}/rahasia-webhook/",
    "/petugas/mitra/{p}/status/",
    "/petugas/mitra/{p}/kirim-ulang/",
    "/petugas/federasi/{q}/kunci/",
    "/petugas/federasi/{q}/status/",
    "/petugas/federasi/{q}/kirim-ulang/",
]


@pytest.fixture
def both(net):
    made = setup.partner_create(actor=net.user("platform"), name="Sambat Online", webhook_url="https://s.test/h")
    peer, _secret = setup.peer_create(
        actor=net.user("platform"), name="Provinsi Sumbar", slug="sumbar", base_url="https://prov.test"
    )
    return made, peer


def _client(user, lang: str = "id") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


@pytest.mark.parametrize("role", ["city_admin", "dept_admin", "liaison", "unit_staff", "reporter"])
def test_every_other_role_gets_403_and_nothing_changes(net, both, role):
    made, peer = both
    client = _client(net.user(role))
    before = (AuditLog.objects.count(), Partner.objects.count(), Peer.objects.count())
    for page in PAGES_GET:
        url = page.format(p=made.partner.pk, q=peer.pk)
        assert client.get(url).status_code == 403, url
    for page in PAGES_POST:
        url = page.format(p=made.partner.pk, q=peer.pk)
        res = client.post(url, {"name": "X", "slug": "x", "base_url": "https://x.test", "is_active": "0"})
        assert res.status_code == 403, url
    assert (AuditLog.objects.count(), Partner.objects.count(), Peer.objects.count()) == before
    assert "/petugas/mitra/" not in client.get("/petugas/").content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(both):
    res = Client().get("/petugas/mitra/")
    assert res.status_code == 302 and res["Location"].startswith("/masuk/")


def test_the_operator_adds_a_partner_and_sees_its_key_once(net):
    client = _client(net.user("platform"))
    assert "/petugas/mitra/" in client.get("/petugas/").content.decode()  # linked from the staff menu
    res = client.post(
        "/petugas/mitra/",
        {"name": "Sambat Online", "webhook_url": "https://s.test/h", "default_channel": "partner"},
        follow=True,
    )
    html = res.content.decode()
    assert res.status_code == 200 and res["Cache-Control"] == "private, no-store"
    key = re.search(r'data-testid="api-key">(lpr_[^<]+)<', html).group(1)
    secret = re.search(r'data-testid="secret">([^<]+)<', html).group(1)
    partner = Partner.objects.get(name="Sambat Online")
    assert secret == partner.webhook_secret
    detail = client.get(f"/petugas/mitra/{partner.pk}/").content.decode()
    assert key not in detail and secret not in detail and secret[-4:] in detail
    assert "Sambat Online" in client.get("/petugas/mitra/").content.decode()


def test_field_errors_are_shown_by_the_field_in_the_readers_language(net, both):
    client = _client(net.user("platform"), "en")
    res = client.post("/petugas/mitra/", {"name": "sambat online", "webhook_url": "nope", "default_channel": "partner"})
    html = res.content.decode()
    assert res.status_code == 400
    assert "A partner system with this name already exists." in html
    res = client.post("/petugas/mitra/", {"name": "Baru", "webhook_url": "nope", "default_channel": "partner"})
    assert res.status_code == 400 and "Enter a full web address" in res.content.decode()
    res = client.post("/petugas/federasi/", {"name": "P", "slug": "bukan slug", "base_url": "https://p.test"})
    html = res.content.decode()
    assert res.status_code == 400 and "This field is required." in html  # the direction
    res = client.post(
        "/petugas/federasi/", {"name": "P", "slug": "bukan slug", "base_url": "https://p.test", "direction": "both"}
    )
    assert res.status_code == 400 and "Use lower-case letters" in res.content.decode()
    client = _client(net.user("platform"), "id")
    res = client.post("/petugas/mitra/", {"name": "Baru", "webhook_url": "nope", "default_channel": "partner"})
    assert res.status_code == 400 and "Masukkan alamat web lengkap" in res.content.decode()


def test_edit_rotate_and_disable_a_partner(net, both):
    made, _peer = both
    client = _client(net.user("platform"))
    url = f"/petugas/mitra/{made.partner.pk}/"
    res = client.post(url, {"name": "Sambat", "webhook_url": "https://s.test/v2", "default_channel": "api"})
    assert res.status_code == 302
    made.partner.refresh_from_db()
    assert (made.partner.name, made.partner.webhook_url, made.partner.default_channel) == (
        "Sambat",
        "https://s.test/v2",
        "api",
    )
    html = client.post(url + "kunci-api/", follow=True).content.decode()
    assert re.search(r'data-testid="api-key">lpr_', html)
    html = client.post(url + "rahasia-webhook/", follow=True).content.decode()
    made.partner.refresh_from_db()
    assert made.partner.webhook_secret in html
    assert client.post(url + "status/", {"is_active": "0"}).status_code == 302
    made.partner.refresh_from_db()
    assert not made.partner.is_active
    assert AuditLog.objects.filter(target_type="partner", target_id=str(made.partner.pk)).count() == 5


def test_a_failed_delivery_is_listed_with_a_retry_button(net, both):
    made, _peer = both
    dead = OutboxMessage.objects.create(
        channel="webhook",
        recipient="https://s.test/h",
        dedupe_key=f"partner:{made.partner.pk}:event:9",
        status=OutboxMessage.Status.DEAD,
        attempts=8,
        last_error="HTTP 500 from receiver",
    )
    client = _client(net.user("platform"), "en")
    html = client.get(f"/petugas/mitra/{made.partner.pk}/").content.decode()
    assert "Failed permanently" in html and ">dead<" not in html and "8 attempts" in html
    assert str(dead.delivery_id) in html
    res = client.post(f"/petugas/mitra/{made.partner.pk}/kirim-ulang/", {"delivery_id": str(dead.delivery_id)})
    assert res.status_code == 302
    dead.refresh_from_db()
    assert dead.status == OutboxMessage.Status.PENDING
    res = client.post(f"/petugas/mitra/{made.partner.pk}/kirim-ulang/", {"delivery_id": "bukan"}, follow=True)
    assert "Message not found." in res.content.decode()


def test_the_operator_adds_and_edits_a_peer(net):
    client = _client(net.user("platform"))
    platform_agency = net.city  # a city cannot stand for a deployment
    res = client.post(
        "/petugas/federasi/",
        {"name": "Provinsi", "slug": "prov", "base_url": "https://prov.test", "direction": "outbound", "agency": ""},
        follow=True,
    )
    peer = Peer.objects.get(slug="prov")
    assert res.status_code == 200 and peer.secret in res.content.decode()
    detail = client.get(f"/petugas/federasi/{peer.pk}/").content.decode()
    assert peer.secret not in detail and "Kita meneruskan ke sana" in detail
    res = client.post(
        f"/petugas/federasi/{peer.pk}/",
        {
            "name": "Provinsi",
            "slug": "prov",
            "base_url": "https://prov.test",
            "direction": "both",
            "agency": str(platform_agency.pk),
        },
    )
    assert res.status_code == 400  # not a choice: only platform and province agencies are offered
    res = client.post(
        f"/petugas/federasi/{peer.pk}/",
        {"name": "Provinsi Sumbar", "slug": "prov", "base_url": "https://prov.test", "direction": "both"},
    )
    assert res.status_code == 302
    given = "r" * 30
    html = client.post(f"/petugas/federasi/{peer.pk}/kunci/", {"secret": given}, follow=True).content.decode()
    peer.refresh_from_db()
    assert peer.secret == given and given in html and peer.name == "Provinsi Sumbar"
    assert client.post(f"/petugas/federasi/{peer.pk}/status/", {"is_active": "0"}).status_code == 302
    peer.refresh_from_db()
    assert not peer.is_active


def test_forms_need_the_csrf_token(net, both):
    made, _peer = both
    client = Client(enforce_csrf_checks=True)
    client.force_login(net.user("platform"))
    assert client.post(f"/petugas/mitra/{made.partner.pk}/kunci-api/").status_code == 403
    assert client.post("/petugas/mitra/", {"name": "X", "default_channel": "partner"}).status_code == 403
    assert Partner.objects.count() == 1


def test_the_lists_cost_the_same_few_queries_for_one_or_many(net, both, django_assert_max_num_queries):
    client = _client(net.user("platform"))
    client.get("/petugas/mitra/")  # warm the session and the user
    for i in range(30):
        setup.partner_create(actor=net.user("platform"), name=f"Mitra {i}")
        setup.peer_create(actor=net.user("platform"), name=f"Kota {i}", slug=f"kota-{i}", base_url="https://k.test")
    with django_assert_max_num_queries(8):
        html = client.get("/petugas/mitra/").content.decode()
    assert html.count("lpr_") == 31
    with django_assert_max_num_queries(8):
        assert client.get("/petugas/federasi/").content.decode().count("/petugas/federasi/") > 30


def test_a_new_key_is_shown_once_on_a_page_a_reload_does_not_rotate(net, both):
    """POST-redirect-GET: reloading the shown-once page neither makes another key (the copied one
    would then fail) nor shows the key again."""
    made, peer = both
    client = _client(net.user("platform"))
    res = client.post(f"/petugas/mitra/{made.partner.pk}/kunci-api/")
    assert res.status_code == 302
    shown = client.get(res["Location"])
    html = shown.content.decode()
    assert shown["Cache-Control"] == "private, no-store"
    key = re.search(r'data-testid="api-key">(lpr_[^<]+)<', html).group(1)
    assert f"lpr_{key.split('_')[1]}_…" in html  # what the detail page shows of it later
    assert 'href="/petugas/mitra/"' in html  # "Selesai" goes back to the list
    again = client.get(res["Location"], follow=True)
    assert key not in again.content.decode() and again.redirect_chain[-1][0] == f"/petugas/mitra/{made.partner.pk}/"
    assert ApiToken.objects.filter(user_id=made.partner.user_id, is_active=True).count() == 1
    assert ApiToken.objects.get(user_id=made.partner.user_id, is_active=True).digest == ApiToken.hash(key)
    # A reload after adding a partner does not post the form again ("name already exists").
    res = client.post(
        "/petugas/mitra/", {"name": "Kanal Baru", "webhook_url": "https://k.test/h", "default_channel": "partner"}
    )
    assert res.status_code == 302 and client.get(res["Location"]).status_code == 200
    # A peer's shared key: the same, on its own page.
    res = client.post(f"/petugas/federasi/{peer.pk}/kunci/", {"secret": "s" * 30})
    assert res.status_code == 302
    assert "s" * 30 in client.get(res["Location"]).content.decode()
    assert "s" * 30 not in client.get(res["Location"], follow=True).content.decode()


def test_every_problem_of_a_new_peer_is_shown_at_once(net, both):
    """The walk-through needed three submits to learn of three mistakes."""
    client = _client(net.user("platform"))
    res = client.post("/petugas/federasi/", {"name": "", "slug": "bukan slug", "base_url": "nope"})
    html = res.content.decode()
    assert res.status_code == 400
    assert "Nama wajib diisi." in html or "Bidang ini tidak boleh kosong." in html
    assert "Pakai huruf kecil, angka dan tanda hubung saja" in html
    assert "Masukkan alamat web lengkap" in html
    res = client.post(
        "/petugas/federasi/", {"name": "Lain", "slug": "sumbar", "base_url": "https://lain.test", "direction": "both"}
    )
    assert res.status_code == 400 and "Sudah ada sistem LAPOR lain dengan kode ini." in res.content.decode()


def test_the_federation_pages_speak_plain_indonesian(net, both):
    _made, peer = both
    client = _client(net.user("platform"))
    for url in ("/petugas/federasi/", f"/petugas/federasi/{peer.pk}/"):
        main = client.get(url).content.decode().split('<main id="main"', 1)[1]
        for jargon in ("deployment", "Deployment", "peer ", "LAPOR_FEDERATION_ID", "webhook"):
            assert jargon not in re.sub(r"<[^>]+>", " ", main), (url, jargon)
    detail = client.get(f"/petugas/federasi/{peer.pk}/").content.decode()
    assert "Pengiriman terakhir ke sistem ini" in detail
    assert "Tambah sistem LAPOR lain" in client.get("/petugas/federasi/").content.decode()


def test_every_problem_of_a_new_partner_is_shown_at_once(net, both):
    client = _client(net.user("platform"))
    res = client.post("/petugas/mitra/", {"name": "sambat online", "webhook_url": "nope", "default_channel": "partner"})
    html = res.content.decode()
    assert res.status_code == 400
    assert "Sudah ada sistem mitra dengan nama ini." in html and "Masukkan alamat web lengkap" in html
    res = client.post("/petugas/mitra/", {"name": "", "webhook_url": "nope", "default_channel": "partner"})
    assert res.status_code == 400 and "Masukkan alamat web lengkap" in res.content.decode()
