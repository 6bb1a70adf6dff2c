"""Over real HTTP (CSRF enforced) a guest without cookies can submit, and a session cannot skip CSRF."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

REPORT = {
    "title": "Jalan berlubang",
    "body": "Lubang besar di depan pasar membahayakan pengendara.",
    "guest_email": "warga@example.org",
    "channel": "web",
}


def test_a_guest_without_cookies_submits_with_csrf_enforced(net):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/reports", REPORT, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["guest_secret"]


def test_a_signed_in_session_without_csrf_token_is_refused(net, django_user_model):
    user = django_user_model.objects.create_user(email="w@example.org", password="rahasia-123")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/api/reports", REPORT, content_type="application/json")
    assert response.status_code == 403
