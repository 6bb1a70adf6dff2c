"""Issue 16: a guest could file through POST /api/reports as if by SMS, counter or federation; two
guests sending the same Idempotency-Key collided; a key over the limit was cut, not refused; an
incident date had no floor."""

import datetime as dt

import pytest

from lapor.reports.models import Report

BODY = {"title": "Lampu jalan mati", "body": "Sudah dua minggu lampu jalan mati di depan sekolah."}


@pytest.mark.parametrize("channel", ["sms", "counter", "federation", "open311", "partner", "email", "social"])
def test_a_client_cannot_choose_an_internal_channel(net, client, channel):
    res = client.post(
        "/api/reports", {**BODY, "guest_email": "a@example.com", "channel": channel}, content_type="application/json"
    )
    assert res.status_code == 422 and res.json()["code"] == "validation_failed"
    assert not Report.objects.exists()


def test_client_channels_are_accepted(net, client):
    for channel in ("web", "mobile", "api"):
        res = client.post(
            "/api/reports",
            {**BODY, "guest_email": f"{channel}@example.com", "channel": channel},
            content_type="application/json",
        )
        assert res.status_code == 201 and Report.objects.get(tracking_id=res.json()["tracking_id"]).channel == channel


def test_idempotency_keys_are_per_guest(net, client):
    a = client.post(
        "/api/reports",
        {**BODY, "guest_email": "a@example.com"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="1",
    )
    b = client.post(
        "/api/reports",
        {**BODY, "guest_email": "b@example.com"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="1",
    )
    assert a.status_code == b.status_code == 201 and a.json()["tracking_id"] != b.json()["tracking_id"]
    again = client.post(
        "/api/reports",
        {**BODY, "guest_email": "a@example.com"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="1",
    )
    assert again.status_code == 200 and again.json()["tracking_id"] == a.json()["tracking_id"]
    assert Report.objects.count() == 2


def test_a_too_long_idempotency_key_is_refused_not_cut(net, client):
    res = client.post(
        "/api/reports",
        {**BODY, "guest_email": "a@example.com"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k" * 101,
    )
    assert res.status_code == 400 and res.json()["code"] == "idempotency_key_too_long"
    assert not Report.objects.exists()


def test_an_incident_date_has_a_floor(net, client):
    old = (dt.date.today() - dt.timedelta(days=365 * 11)).isoformat()
    res = client.post(
        "/api/reports", {**BODY, "guest_email": "a@example.com", "incident_date": old}, content_type="application/json"
    )
    assert res.status_code == 400 and res.json()["code"] == "incident_date_too_old"
    recent = (dt.date.today() - dt.timedelta(days=365 * 2)).isoformat()
    res = client.post(
        "/api/reports",
        {**BODY, "guest_email": "a@example.com", "incident_date": recent},
        content_type="application/json",
    )
    assert res.status_code == 201


def test_a_guest_phone_written_two_ways_is_one_client_for_idempotency(net, client):
    """The guest's scope is the phone as the project normalises it (+62…), not its raw digits: the same
    key from '0812-3456-7890' and '+62 812 3456 7890' is one guest's retry, not two clients."""
    a = client.post(
        "/api/reports",
        {**BODY, "guest_phone": "0812-3456-7890"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    b = client.post(
        "/api/reports",
        {**BODY, "guest_phone": "+62 812 3456 7890"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert a.status_code == 201 and b.status_code == 200
    assert b.json()["tracking_id"] == a.json()["tracking_id"] and Report.objects.count() == 1
    other = client.post(
        "/api/reports",
        {**BODY, "guest_phone": "0813-1111-2222"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other.status_code == 201 and Report.objects.count() == 2
