"""While a peer deployment holds a forwarded report, the origin agency's staff are told that the
reporter's reply was passed on to the peer (no deadline, nothing to do); the peer's staff get the
usual "the reporter replied" notice, since they hold it."""

import pytest

from lapor.notifications.models import OutboxMessage
from lapor.reports import services
from lapor.reports.services import Actor

from .helpers import report_make
from .test_federation_reporter_relay import forwarded_and_answered
from .test_federation_roundtrip import two_deployments  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("two_deployments")


def told(user, kind: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(recipient=user.email, dedupe_key__contains=f":{kind}:"))


def test_origin_staff_hear_the_reply_went_to_the_peer_and_the_peers_staff_are_asked_to_act(
    net, client, transport, django_capture_on_commit_callbacks
):
    origin = report_make(net)
    forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reply(report=origin, actor=Actor(user=net.user("reporter")), body="Masih berlubang.")

    city_admin = net.user("city_admin")
    assert told(city_admin, "staff_replied") == []
    (notice,) = told(city_admin, "staff_reply_relayed")
    assert "LAPOR Sumatera Barat" in notice.payload["subject"]
    assert "Tidak ada tindakan" in notice.payload["body"] and "Masih berlubang." in notice.payload["body"]
    # the province holds it: its staff are asked to act, as for any reporter's reply
    assert told(net.user("other_admin"), "staff_replied") != []


def test_a_reply_on_a_report_no_peer_holds_is_the_usual_notice(
    net, client, transport, django_capture_on_commit_callbacks
):
    origin = report_make(net)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_follow_up(report=origin, actor=Actor(user=net.user("city_admin")), body="Sudah ditambal.")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reply(report=origin, actor=Actor(user=net.user("reporter")), body="Belum rapi.")
    assert told(net.user("city_admin"), "staff_replied") != []
    assert told(net.user("city_admin"), "staff_reply_relayed") == []
