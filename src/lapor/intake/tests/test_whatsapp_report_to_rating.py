"""One report through the WhatsApp door, from the citizen's first message to their rating: every
answer reaches the citizen on WhatsApp through the outbox and the fake Cloud API."""

from lapor.notifications.services import outbox_flush
from lapor.reports.models import Message, Report
from lapor.reports.services import Actor, report_follow_up, report_route

from . import fake_cloud_api as wa
from .test_whatsapp_receive import WA_ID, cloud, send  # noqa: F401 (fixture)


def test_one_whatsapp_report_from_the_first_message_to_the_citizens_rating(net, client, cloud):  # noqa: F811
    tid = send(client, cloud, wa.text_message("wamid.E1", "LAPOR Jembatan gantung di Bukit Surungan putus talinya"))[
        "tracking_id"
    ]
    assert tid in cloud.texts(WA_ID)[-1]  # acknowledgement with the tracking id

    report_route(report=Report.objects.get(tracking_id=tid), actor=Actor(user=net.user("platform")), agency=net.dept)
    report_follow_up(
        report=Report.objects.get(tracking_id=tid),
        actor=Actor(user=net.user("liaison")),
        body="Mohon kirim foto kerusakan dan titik lokasinya.",
    )
    outbox_flush()
    assert "Mohon kirim foto kerusakan" in cloud.texts(WA_ID)[-1] and "NILAI" in cloud.texts(WA_ID)[-1]

    # the citizen just writes back: it is the answer to the report waiting for them
    out = send(client, cloud, wa.text_message("wamid.E2", "Talinya putus di sisi timur, dekat musala."))
    assert out == {"status": "ok", "action": "reply", "tracking_id": tid}
    assert Report.objects.get(tracking_id=tid).state == "in_progress"

    report_follow_up(
        report=Report.objects.get(tracking_id=tid),
        actor=Actor(user=net.user("liaison")),
        body="Tali jembatan sudah diganti oleh Bidang Bina Marga pada 3 Desember.",
    )
    outbox_flush()
    assert "sudah diganti" in cloud.texts(WA_ID)[-1]

    out = send(client, cloud, wa.text_message("wamid.E3", f"NILAI {tid} 5 cepat dan jelas, terima kasih"))
    assert out == {"status": "ok", "action": "rate", "tracking_id": tid}
    report = Report.objects.get(tracking_id=tid)
    assert report.state == "done" and report.rating == 5 and report.rating_comment == "cepat dan jelas, terima kasih"
    assert "penilaian" in cloud.texts(WA_ID)[-1]
    assert [m.kind for m in Message.objects.filter(report=report).order_by("id")] == ["follow_up", "reply", "follow_up"]
    assert not cloud.refused
