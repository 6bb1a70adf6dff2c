"""Setting up partners and peers (issue 20, from the web): only a platform operator may; a key or
secret is handed out once and the old one stops working; every change is in the audit log."""

from __future__ import annotations

import json

import pytest

from lapor.accounts.models import AuditLog
from lapor.core.errors import NotFound, PermissionDenied, ValidationFailed
from lapor.notifications.models import OutboxMessage
from lapor.partners import services as setup
from lapor.partners.models import Partner, Peer
from lapor.partners.selectors import delivery_list, partner_api_key_prefix

URL = "/api/partners/reports"
ROAD = {"title": "Jalan berlubang", "body": "Lubang di depan pasar membahayakan.", "region_code": "13.74.02"}


def _submit(client, key: str):
    return client.post(
        URL, json.dumps(ROAD), content_type="application/json", headers={"Authorization": f"Bearer {key}"}
    )


def _partner(net, name="Sambat Online"):
    return setup.partner_create(actor=net.user("platform"), name=name, webhook_url="https://sambat.test/hook")


def test_a_new_partner_gets_a_working_key_shown_once_and_is_audited(net, client):
    made = _partner(net)
    assert made.api_key.startswith("lpr_") and len(made.webhook_secret) >= 32
    assert _submit(client, made.api_key).status_code == 201
    assert partner_api_key_prefix(made.partner) == made.api_key[: len("lpr_") + 8] + "_…"
    assert setup.secret_masked(made.webhook_secret) == "••••••" + made.webhook_secret[-4:]
    entry = AuditLog.objects.get(action="partner_create")
    assert entry.actor == net.user("platform") and entry.target_id == str(made.partner.pk)
    assert made.api_key not in json.dumps(entry.detail) and made.webhook_secret not in json.dumps(entry.detail)


def test_a_new_api_key_ends_the_old_one(net, client):
    made = _partner(net)
    new = setup.partner_api_key_rotate(actor=net.user("platform"), partner=made.partner)
    assert new.api_key != made.api_key
    assert _submit(client, made.api_key).status_code in (401, 403)
    assert _submit(client, new.api_key).status_code == 201
    assert AuditLog.objects.filter(action="partner_key_rotate", target_id=str(made.partner.pk)).exists()


def test_a_disabled_partner_is_refused_until_enabled_again(net, client):
    made = _partner(net)
    setup.partner_active_set(actor=net.user("platform"), partner=made.partner, is_active=False)
    res = _submit(client, made.api_key)
    assert res.status_code == 403 and res.json()["code"] == "not_a_partner"
    setup.partner_active_set(actor=net.user("platform"), partner=made.partner, is_active=True)
    assert _submit(client, made.api_key).status_code == 201
    assert [a.action for a in AuditLog.objects.filter(action__startswith="partner_").order_by("id")] == [
        "partner_create",
        "partner_disable",
        "partner_enable",
    ]


def test_a_new_webhook_secret_replaces_the_old(net):
    made = _partner(net)
    rotated = setup.partner_webhook_secret_rotate(actor=net.user("platform"), partner=made.partner)
    made.partner.refresh_from_db()
    assert rotated.webhook_secret == made.partner.webhook_secret != made.webhook_secret


def test_partner_fields_are_checked_with_the_field_named(net):
    _partner(net)
    platform = net.user("platform")
    cases = [
        ({"name": "sambat online"}, "name"),
        ({"name": " "}, "name"),
        ({"name": "Lain", "webhook_url": "ftp://x"}, "webhook_url"),
        ({"name": "Lain", "default_channel": "sms"}, "default_channel"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationFailed) as err:
            setup.partner_create(actor=platform, **kwargs)
        assert err.value.detail["field"] == field, kwargs
    assert Partner.objects.count() == 1


@pytest.mark.parametrize("role", ["city_admin", "dept_admin", "liaison", "unit_staff", "overseer", "reporter"])
def test_only_the_platform_operator_sets_up_partners_and_peers(net, role):
    made = _partner(net)
    peer, _secret = setup.peer_create(
        actor=net.user("platform"), name="Provinsi", slug="sumbar-prov", base_url="https://prov.test"
    )
    actor = net.user(role)
    calls = [
        lambda: setup.partner_create(actor=actor, name="X"),
        lambda: setup.partner_update(
            actor=actor, partner=made.partner, name="X", webhook_url="", default_channel="partner"
        ),
        lambda: setup.partner_active_set(actor=actor, partner=made.partner, is_active=False),
        lambda: setup.partner_api_key_rotate(actor=actor, partner=made.partner),
        lambda: setup.partner_webhook_secret_rotate(actor=actor, partner=made.partner),
        lambda: setup.partner_get(actor=actor, partner_id=made.partner.pk),
        lambda: setup.peer_create(actor=actor, name="Y", slug="y", base_url="https://y.test"),
        lambda: setup.peer_update(
            actor=actor, peer=peer, name="Y", slug="y", base_url="https://y.test", direction="both", agency=None
        ),
        lambda: setup.peer_active_set(actor=actor, peer=peer, is_active=False),
        lambda: setup.peer_secret_rotate(actor=actor, peer=peer),
        lambda: setup.peer_by_id(actor=actor, peer_id=peer.pk),
        lambda: setup.delivery_retry(actor=actor, owner=peer, delivery_id="x"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    made.partner.refresh_from_db()
    peer.refresh_from_db()
    assert made.partner.name == "Sambat Online" and made.partner.is_active and peer.is_active
    assert Partner.objects.count() == 1 and Peer.objects.count() == 1


def test_a_peer_takes_the_other_sides_secret_or_gets_a_new_one(net):
    platform = net.user("platform")
    given = "k" * 40
    peer, secret = setup.peer_create(
        actor=platform, name="Provinsi", slug="Sumbar-Prov", base_url="https://prov.test/", secret=given
    )
    assert secret == given and peer.slug == "sumbar-prov"
    other, made = setup.peer_create(actor=platform, name="Pusat", slug="pusat", base_url="https://pusat.test")
    assert len(made) >= 32 and other.secret == made
    _peer, rotated = setup.peer_secret_rotate(actor=platform, peer=other)
    other.refresh_from_db()
    assert rotated == other.secret != made
    for kwargs, field in [
        ({"slug": "pusat"}, "slug"),
        ({"slug": "bukan slug"}, "slug"),
        ({"slug": "baru", "base_url": ""}, "base_url"),
        ({"slug": "baru", "direction": "sideways"}, "direction"),
        ({"slug": "baru", "agency": net.dept}, "agency"),
        ({"slug": "baru", "secret": "pendek"}, "secret"),
    ]:
        args = {"name": "Baru", "base_url": "https://baru.test", **kwargs}
        with pytest.raises(ValidationFailed) as err:
            setup.peer_create(actor=platform, **args)
            assert err.value.detail["field"] == field, kwargs
    assert AuditLog.objects.filter(action="peer_create").count() == 2
    assert AuditLog.objects.filter(action="peer_secret_rotate", target_id=str(other.pk)).exists()


def test_a_failed_webhook_is_retried_only_through_its_own_partner(net):
    made = _partner(net)
    other = _partner(net, "Aplikasi Lain")
    dead = OutboxMessage.objects.create(
        channel="webhook",
        recipient="https://sambat.test/hook",
        dedupe_key=f"partner:{made.partner.pk}:event:1",
        status=OutboxMessage.Status.DEAD,
        attempts=8,
        last_error="HTTP 500 from receiver",
    )
    assert [m.pk for m in delivery_list(made.partner, failed=True)] == [dead.pk]
    assert delivery_list(other.partner) == []
    with pytest.raises(NotFound):
        setup.delivery_retry(actor=net.user("platform"), owner=other.partner, delivery_id=str(dead.delivery_id))
    setup.delivery_retry(actor=net.user("platform"), owner=made.partner, delivery_id=str(dead.delivery_id))
    dead.refresh_from_db()
    assert dead.status == OutboxMessage.Status.PENDING and dead.attempts == 0
    assert AuditLog.objects.filter(action="webhook_retry", target_id=str(made.partner.pk)).exists()


def test_a_peers_deliveries_are_those_addressed_to_its_doors(net):
    peer, _secret = setup.peer_create(
        actor=net.user("platform"), name="Provinsi", slug="prov", base_url="https://prov.test"
    )
    mine = OutboxMessage.objects.create(channel="webhook", recipient="https://prov.test/federation/status")
    OutboxMessage.objects.create(channel="webhook", recipient="https://other.test/federation/status")
    assert [m.pk for m in delivery_list(peer)] == [mine.pk]


def test_a_peer_with_several_mistakes_names_them_all(net):
    with pytest.raises(ValidationFailed) as err:
        setup.peer_create(actor=net.user("platform"), name="", slug="bukan slug", base_url="nope", direction="x")
    fields = [e["field"] for e in err.value.detail["errors"]]
    assert fields == ["name", "slug", "base_url", "direction"]
