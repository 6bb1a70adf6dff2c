"""One report's whole journey through federation, both deployments' real doors, services and
outbox: a citizen files at the city, the city forwards it to the province, the province answers,
the citizen replies on their tracking page, the province answers again, the citizen accepts and
rates the answer; the report ends done on both sides, and the city's copy never went overdue."""

import datetime as dt
import json

from django.test import override_settings
from django.utils import formats, timezone, translation

from lapor.accounts.testing import submission_data, token_make
from lapor.notifications.models import OutboxMessage
from lapor.partners.models import FederationLink
from lapor.partners.signing import signature_valid
from lapor.reports import services
from lapor.reports.models import Message, Report, ReportEvent
from lapor.reports.services import Actor
from lapor.reports.sweep import reports_sweep

from .test_federation_answer import peer_answers, remote_of
from .test_federation_roundtrip import PROVINCE, SECRET, forward, two_deployments  # noqa: F401 (fixture)

FIRST = "Jalan provinsi di km 12 sudah ditimbun pada 3 Desember."
REPLY = "Terima kasih, tetapi lubang di sisi kiri belum ditutup."
SECOND = "Sisi kiri sudah diaspal pada 10 Desember; foto terlampir di kantor UPTD."


def sweep_far_ahead(origin) -> None:
    """Forty and fifty days on: a copy whose clock runs would be overdue and escalated by now (the
    sweep runs over both deployments' rows here: the province's own copy may go overdue there)."""
    for days in (40, 50):
        reports_sweep(now=timezone.now() + dt.timedelta(days=days))
    origin.refresh_from_db()
    assert (origin.is_overdue, origin.escalation_level, origin.due_at) == (False, 0, None), origin.state


def assert_peer_due_shown(client, origin, remote) -> None:
    """The city stored the province's deadline, and the citizen's tracking page, their own list and
    the API say, in both languages, who handles it and by when."""
    origin.refresh_from_db()
    assert remote.due_at is not None and origin.due_at is None
    assert (origin.peer_due_at, origin.peer_due_name) == (remote.due_at, "LAPOR Sumatera Barat")
    moment = timezone.localtime(remote.due_at)
    for lang, words, month in (
        ("id", "Ditangani LAPOR Sumatera Barat, paling lambat", "id"),
        ("en", "Handled by LAPOR Sumatera Barat, due", "en"),
    ):
        with translation.override(month):
            day = formats.date_format(moment, "j F Y")
        client.post("/i18n/setlang/", {"language": lang, "next": "/"})
        page = client.get(f"/lacak/{origin.tracking_id}/").content.decode()
        assert f"{words} {day}." in page, lang
        mine = client.get("/saya/").content.decode()
        assert f"{words[:1].lower()}{words[1:]} {day}" in mine
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    api = client.get(f"/api/reports/{origin.tracking_id}").json()
    assert api["due_at"] is None and api["peer_due"]["peer"] == "LAPOR Sumatera Barat"
    assert api["peer_due"]["is_late"] is False
    assert dt.datetime.fromisoformat(api["peer_due"]["due_at"].replace("Z", "+00:00")) == remote.due_at


def reporter_told(origin, text: str) -> bool:
    told = OutboxMessage.objects.filter(report=origin, recipient="budi@warga.example")
    return any(text in (m.payload.get("body") or "") for m in told)


def test_one_report_from_filing_to_rating_across_two_deployments(
    net, client, transport, two_deployments, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    citizen = {"Authorization": f"Bearer {token_make(net.user('reporter'))}"}
    # 1. The citizen files at the city.
    with capture(execute=True):
        res = client.post(
            "/api/reports",
            json.dumps(submission_data(title="Jalan provinsi amblas", topic_id=net.roads.pk, region_code="13.74.02")),
            content_type="application/json",
            headers=citizen,
        )
    assert res.status_code == 201, res.content
    origin = Report.objects.get(tracking_id=res.json()["tracking_id"])
    if origin.state == "submitted":
        with capture(execute=True):
            services.report_route(report=origin, actor=Actor(user=net.user("platform")), agency=net.city)

    # 2. The city forwards it to the province; its clock waits.
    with capture(execute=True):
        assert forward(client, net, origin).status_code == 201
    remote = remote_of(origin)
    sweep_far_ahead(origin)
    # The province told the city its deadline with its signed status: the citizen reads it there.
    client.force_login(net.user("reporter"))
    remote.refresh_from_db()
    assert_peer_due_shown(client, origin, remote)

    # 3. The province hands it to another agency there (its deadline there told again), then
    # answers; the citizen is told and reads it, and the province's deadline is no longer shown.
    with override_settings(LAPOR_FEDERATION_ID="sumbar"), capture(execute=True):
        platform = Actor(user=net.user("platform"))
        if remote.state == "submitted":
            services.report_route(report=remote, actor=platform, agency=net.other_city)
        else:
            services.report_forward(report=remote, actor=platform, agency=net.other_city, reason="Wewenang kota")
    remote.refresh_from_db()
    assert_peer_due_shown(client, origin, remote)
    peer_answers(net, remote, capture, body=FIRST)
    origin.refresh_from_db()
    assert origin.peer_due_at is None  # followed up there: the reporter's reply window, not the peer's
    assert origin.state == "followed_up" and reporter_told(origin, FIRST)
    assert FIRST in client.get(f"/lacak/{origin.tracking_id}/").content.decode()

    # 4. The citizen replies on the tracking page; the reply travels to the province, signed.
    with capture(execute=True):
        res = client.post(f"/lacak/{origin.tracking_id}/balas/", {"body": REPLY})
    assert res.status_code == 302, res.content
    relayed = [s for s in transport.to(PROVINCE) if s["path"] == "/federation/reporter"]
    assert len(relayed) == 1 and signature_valid(SECRET, relayed[0]["body"], relayed[0]["headers"]["X-Lapor-Signature"])
    remote.refresh_from_db()
    reply = Message.objects.get(report=remote, kind="reply")
    assert reply.body == REPLY and reply.author == remote.reporter  # the origin's service user, not the citizen
    assert remote.state == "in_progress"
    step = ReportEvent.objects.get(report=origin, action="federate_relay", data__step="reply")
    assert step.is_public and "LAPOR Sumatera Barat" in step.reason
    assert (
        "Tanggapan pelapor diteruskan ke LAPOR Sumatera Barat"
        in client.get(f"/lacak/{origin.tracking_id}/").content.decode()
    )
    origin.refresh_from_db()
    assert origin.state == "in_progress"
    sweep_far_ahead(origin)  # back in the province's hands: the city's clock waits again
    remote.refresh_from_db()
    assert_peer_due_shown(client, origin, remote)  # the province's new deadline after the reply

    # 5. The province answers again; the second answer comes home as today.
    peer_answers(net, remote, capture, body=SECOND)
    origin.refresh_from_db()
    assert origin.state == "followed_up" and reporter_told(origin, SECOND)
    answers = list(Message.objects.filter(report=origin, kind="follow_up").values_list("body", flat=True))
    assert answers == [FIRST, SECOND]

    # 6. The citizen accepts the answer and rates it; the province sees the rating.
    with capture(execute=True):
        assert client.post(f"/lacak/{origin.tracking_id}/selesai/").status_code == 302
    with capture(execute=True):
        res = client.post(f"/lacak/{origin.tracking_id}/nilai/", {"satisfied": "yes", "rating": 4, "comment": "Cepat"})
    assert res.status_code == 302, res.content
    origin.refresh_from_db()
    remote.refresh_from_db()
    assert (origin.state, origin.rating) == ("done", 4)
    assert origin.peer_due_at is None
    assert (remote.state, remote.rating, remote.rating_comment) == ("done", 4, "Cepat")
    steps = list(
        ReportEvent.objects.filter(report=origin, action="federate_relay").values_list("data__step", flat=True)
    )
    assert steps == ["reply", "complete", "rate"]
    link = FederationLink.objects.get(report=origin, direction="outbound")
    assert (link.remote_state, link.remote_status) == ("done", "closed")

    # Every relay was delivered; the city's copy never went overdue nor escalated.
    relays = OutboxMessage.objects.filter(recipient=f"http://{PROVINCE}/federation/reporter")
    assert relays.count() == 3 and set(relays.values_list("status", flat=True)) == {"sent"}
    assert not ReportEvent.objects.filter(report=origin, kind__in=("overdue", "escalated")).exists()
    with override_settings(LAPOR_FEDERATION_ID="sumbar"):
        assert Report.objects.filter(channel="federation").count() == 1  # one report at the province, throughout
