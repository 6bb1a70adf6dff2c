"""Staff notifications quote a report's title; for an anonymous report, with the reporter's name
and personal data masked, as every staff view shows it (``text_for``)."""

import pytest
from django.core import mail

from lapor.accounts.testing import submission_data
from lapor.notifications.models import OutboxMessage, WebNotification

pytestmark = pytest.mark.django_db(transaction=True)  # deliveries run on commit


def test_staff_texts_of_an_anonymous_report_mask_the_reporter_in_the_title(net, api):
    reporter = net.user("reporter")  # Budi Santoso
    res = api.post(
        "/api/reports",
        submission_data(
            title="Budi Santoso dipalak di pasar, hubungi 0812-3456-7890",
            topic_id=net.roads.pk,
            region_code="13.74.02.1001",
            is_anonymous=True,
        ),
        user=reporter,
    )
    assert res.json()["state"] == "routed"
    staff_mail = [m for m in mail.outbox if m.to != [reporter.email]]
    assert staff_mail
    for m in staff_mail:
        assert "Budi" not in m.subject + m.body and "3456" not in m.body
    for note in WebNotification.objects.exclude(user=reporter):
        assert "Budi" not in note.title + note.body and "3456" not in note.body
    # The reporter's own acknowledgement quotes their title as written.
    own = [m for m in mail.outbox if m.to == [reporter.email]]
    assert any("Budi Santoso dipalak" in m.body for m in own)
    assert OutboxMessage.objects.exclude(status="sent").count() == 0


def test_staff_texts_of_a_named_report_quote_the_title(net, api):
    res = api.post(
        "/api/reports",
        submission_data(title="Budi Santoso dipalak di pasar", topic_id=net.roads.pk, region_code="13.74.02.1001"),
        user=net.user("reporter"),
    )
    assert res.json()["state"] == "routed"
    assert any("Budi Santoso dipalak" in m.body for m in mail.outbox if m.to == [net.user("liaison").email])
