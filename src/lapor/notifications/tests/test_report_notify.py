"""Report events become reporter and staff notifications, in the outbox of the same transaction."""

import datetime as dt

import pytest

from django.core import mail
from django.utils import timezone

from lapor.accounts.testing import submission_data
from lapor.notifications.digest import staff_digests_send
from lapor.notifications.models import NotificationPreference, OutboxMessage, WebNotification
from lapor.notifications.notify import reply_window_warnings
from lapor.reports.models import Report

pytestmark = pytest.mark.django_db(transaction=True)  # deliveries run on commit


@pytest.fixture(autouse=True, params=["inline", "deferred"])
def fanout_mode(request, settings):
    """Every test here twice: the messages written by the change itself, and written by the
    "fanout" outbox row's delivery (in-process after commit here, by a worker with a broker)."""
    settings.LAPOR_NOTIFY_FANOUT = request.param
    return request.param


def test_guest_gets_an_acknowledgement_email_with_the_tracking_id(net, api):
    res = api.post("/api/reports", submission_data(guest_email="warga@example.com"))
    tid = res.json()["tracking_id"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["warga@example.com"]
    assert tid in mail.outbox[0].subject and tid in mail.outbox[0].body
    assert OutboxMessage.objects.get(channel="email").status == "sent"


def test_citizen_who_chose_web_only_gets_the_web_list_and_no_email(net, api):
    user = net.user("reporter")
    user.language, user.notify_by = "en", ["web"]
    user.save()
    tid = api.post("/api/reports", submission_data(), user=user).json()["tracking_id"]
    note = WebNotification.objects.get(user=user)
    assert tid in note.title and note.url.rstrip("/").endswith(tid)
    listed = api.get("/api/notifications", user=user).json()
    assert [n["tracking_id"] for n in listed] == [tid]
    assert mail.outbox == []  # web only, as chosen


def test_staff_hear_of_a_new_anonymous_report_without_the_reporters_identity(net, api):
    reporter = net.user("reporter")
    res = api.post(
        "/api/reports",
        submission_data(topic_id=net.roads.pk, region_code="13.74.02.1001", is_anonymous=True),
        user=reporter,
    )
    assert res.json()["state"] == "routed"
    staff_msgs = [m for m in mail.outbox if m.to != [reporter.email]]
    assert {m.to[0] for m in staff_msgs} >= {net.user("dept_admin").email, net.user("liaison").email}
    for m in staff_msgs:
        assert "Budi" not in m.body + m.subject and reporter.email not in m.body
    staff_web = WebNotification.objects.filter(user=net.user("liaison"))
    assert staff_web.count() == 1 and "Budi" not in staff_web[0].body


def test_follow_up_reaches_the_reporter_with_its_text(net, api):
    reporter = net.user("reporter")
    tid = api.post(
        "/api/reports", submission_data(topic_id=net.roads.pk, region_code="13.74.02.1001"), user=reporter
    ).json()["tracking_id"]
    mail.outbox.clear()
    api.post(f"/api/reports/{tid}/follow-up", {"body": "Sudah kami tambal."}, user=net.user("liaison"))
    to_reporter = [m for m in mail.outbox if m.to == [reporter.email]]
    assert len(to_reporter) == 1 and "Sudah kami tambal." in to_reporter[0].body


def test_reply_window_warning_goes_out_once_two_working_days_ahead(net, api):
    reporter = net.user("reporter")
    tid = api.post(
        "/api/reports", submission_data(topic_id=net.roads.pk, region_code="13.74.02.1001"), user=reporter
    ).json()["tracking_id"]
    api.post(f"/api/reports/{tid}/follow-up", {"body": "Selesai."}, user=net.user("liaison"))
    report = Report.objects.get(tracking_id=tid)
    assert reply_window_warnings(now=report.due_at - dt.timedelta(days=20)) == 0  # too early
    now = report.due_at - dt.timedelta(hours=30)
    assert reply_window_warnings(now=now) >= 1
    assert reply_window_warnings(now=now) >= 1  # idempotent: same dedupe keys
    warnings = OutboxMessage.objects.filter(dedupe_key__contains=":reply_warning:")
    assert warnings.count() == 2  # web + email, once each


def test_daily_digest_replaces_immediate_staff_email(net, api):
    liaison = net.user("liaison")
    NotificationPreference.objects.create(user=liaison, daily_digest=True)
    api.post(
        "/api/reports", submission_data(topic_id=net.roads.pk, region_code="13.74.02.1001"), user=net.user("reporter")
    )
    assert not [m for m in mail.outbox if m.to == [liaison.email]]
    assert WebNotification.objects.filter(user=liaison).count() == 1
    assert staff_digests_send(now=timezone.now() + dt.timedelta(seconds=1)) == 1
    digest = [m for m in mail.outbox if m.to == [liaison.email]]
    assert len(digest) == 1 and "Ringkasan harian" in digest[0].subject


def test_operators_list_and_retry_dead_letters(net, api, settings):
    settings.LAPOR_OUTBOX_MAX_ATTEMPTS = 1
    settings.LAPOR_SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # a gateway that refuses every connection
    from lapor.notifications.services import outbox_enqueue

    msg = outbox_enqueue(channel="sms", recipient="+6281234567890", payload={"text": "x"})
    msg.refresh_from_db()
    assert msg.status == "dead"
    assert api.get("/api/notifications/outbox/dead", user=net.user("dept_admin")).status_code == 403
    listed = api.get("/api/notifications/outbox/dead", user=net.user("platform")).json()
    assert [d["delivery_id"] for d in listed] == [str(msg.delivery_id)] and "recipient" not in listed[0]
    res = api.post(f"/api/notifications/outbox/{msg.delivery_id}/retry", user=net.user("platform"))
    assert res.status_code == 200 and res.json()["attempts"] == 1
    assert api.post("/api/notifications/outbox/not-a-uuid/retry", user=net.user("platform")).status_code == 404


def test_staff_with_two_grants_in_the_agency_hear_once_and_inactive_staff_not_at_all(net, api):
    from lapor.accounts.models import Role, RoleAssignment

    liaison = net.user("liaison")
    RoleAssignment.objects.create(user=liaison, role=Role.UNIT_STAFF, agency=net.dept)
    gone = net.user("dept_admin")
    gone.is_active = False
    gone.save()
    api.post(
        "/api/reports", submission_data(topic_id=net.roads.pk, region_code="13.74.02.1001"), user=net.user("reporter")
    )
    assert len([m for m in mail.outbox if m.to == [liaison.email]]) == 1
    assert WebNotification.objects.filter(user=liaison).count() == 1
    assert not [m for m in mail.outbox if m.to == [gone.email]]
    assert not WebNotification.objects.filter(user=gone).exists()
