"""The Django admin never shows an anonymous reporter's identity (issue 14, item 10).

A platform operator, signed in to /admin/ with both steps, opens every changelist, every search
by each canary, every change, history and (for accounts) delete page of every model the admin
registers — the list comes from the admin site itself, so a new ModelAdmin is covered without
editing this test. The identity of the anonymous reporters (a guest and a registered citizen) is
found nowhere; the audited reveal on the staff report page is the only way.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from lapor.accounts.models import User
from lapor.accounts.testing import signin_staff
from lapor.reports import services

GUEST = {"name": "Zubaidah Kanariwati", "email": "kanari.zubaidah@warga.example", "phone": "081377712345"}
CITIZEN = {"name": "Marlina Burungkenari", "email": "marlina.kenari@warga.example"}
CANARIES = [
    GUEST["name"],
    "Zubaidah",
    "Kanariwati",
    GUEST["email"],
    "81377712345",
    "377712345",
    CITIZEN["name"],
    "Burungkenari",
    CITIZEN["email"],
]


def _anonymous(reporter=None, **guest):
    who = guest.get("guest_name") or reporter.full_name
    sub = services.Submission(
        title=f"Pungli di kantor kelurahan, lapor oleh {who}",
        body=f"Saya {who}, hubungi saya di {GUEST['phone']} atau {GUEST['email']}. Petugas minta uang Rp200.000.",
        address=f"Rumah {who}, Jl. Mawar 3",
        is_anonymous=True,
        **guest,
    )
    report, _secret = services.report_submit(submission=sub, reporter=reporter)
    return report


@pytest.fixture
def scene(net, client):
    from lapor.intake.models import InboundMessage, SocialDraft
    from lapor.notifications.models import OutboxMessage, WebNotification

    citizen = User.objects.create_user(email=CITIZEN["email"], password="rahasia-123", full_name=CITIZEN["name"])
    guest_report = _anonymous(guest_name=GUEST["name"], guest_email=GUEST["email"], guest_phone=GUEST["phone"])
    citizen_report = _anonymous(citizen)
    services.report_reply(
        report=citizen_report,
        actor=services.Actor(user=citizen, is_reporter=True),
        body=f"Saya {CITIZEN['name']} menambahkan bukti, telepon {GUEST['phone']}.",
    )
    services.report_event_external(
        report=citizen_report,
        actor=services.Actor(user=citizen, is_reporter=True),
        action="peer_sent",
        reason=f"Dikirim atas nama {CITIZEN['name']}",
        data={"from": CITIZEN["email"]},
    )
    WebNotification.objects.create(
        user=citizen,
        report=citizen_report,
        kind="submitted",
        title=citizen_report.title,
        body=citizen_report.body,
        delivery_id="00000000-0000-0000-0000-00000000c0de",
    )
    SocialDraft.objects.create(
        network="x",
        kind="mention",
        post_id="kanari-post-1",
        author_handle="@zubaidah_kanariwati",
        text=f"Lapor pungli! {GUEST['name']}",
        url="https://x.example/zubaidah_kanariwati/1",
        payload={"user": "zubaidah_kanariwati"},
        status="converted",
        report=guest_report,
    )
    InboundMessage.objects.create(
        channel="sms",
        external_id=f"sms-{GUEST['phone']}",
        report=guest_report,
        response={"from": GUEST["phone"], "name": GUEST["name"]},
    )
    assert OutboxMessage.objects.exists()  # the reporters' notifications are in the outbox too
    platform = net.user("platform")
    platform.is_staff = platform.is_superuser = True
    platform.save()
    assert signin_staff(client, platform, next="/admin/")["Location"] == "/admin/"
    return {"citizen": citizen, "reports": [guest_report, citizen_report]}


def _hits(html: str) -> list[str]:
    low = html.lower()
    return [c for c in CANARIES if c.lower() in low]


def _pages(scene):
    """Every admin page of every registered model: changelist, searches, change, history."""
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        changelist = reverse("admin:%s_%s_changelist" % info)
        yield changelist, model
        if model_admin.search_fields:
            for canary in ("Zubaidah", "Burungkenari", GUEST["phone"], CITIZEN["email"]):
                yield f"{changelist}?q={canary}", model  # the echoed query is left out of the check
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:40]:
            yield reverse("admin:%s_%s_change" % info, args=[pk]), model
            yield reverse("admin:%s_%s_history" % info, args=[pk]), model


def test_no_admin_page_shows_an_anonymous_reporters_identity(scene, client):
    checked = 0
    for url, model in _pages(scene):
        res = client.get(url)
        assert res.status_code in (200, 302), (url, res.status_code)
        if res.status_code != 200:
            continue
        html = res.content.decode()
        if "?q=" in url:
            html = html.replace(url.split("?q=", 1)[1], "")
        hits = _hits(html)
        if model is User:
            # The account list shows the person, as it shows every account; it never ties them to a report.
            assert not any(r.tracking_id in html for r in scene["reports"]), url
            hits = [h for h in hits if h not in (CITIZEN["name"], "Burungkenari", CITIZEN["email"])]
        assert hits == [], f"{url}: {hits}"
        checked += 1
    assert checked > 60
    # The report's page says where the identity is: the audited reveal.
    report = scene["reports"][1]
    html = client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert "Pelapor (anonim)" in html and f"/petugas/laporan/{report.tracking_id}/" in html
    events = client.get(reverse("admin:reports_reportevent_changelist")).content.decode()
    assert "Pelapor (anonim)" in events


def test_deleting_the_citizen_does_not_list_their_anonymous_reports(scene, client):
    citizen = scene["citizen"]
    html = client.get(reverse("admin:accounts_user_delete", args=[citizen.pk])).content.decode()
    assert res_ok(html) and not any(r.tracking_id in html for r in scene["reports"])
    # Were reports deletable here, the list of what protects the account would summarise them.
    from lapor.accounts.admin import UserAdmin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = User.objects.get(is_superuser=True)
    deleted, _counts, _perms, protected = UserAdmin(User, admin.site).get_deleted_objects([citizen], request)
    flat = str(deleted) + str(protected)
    assert not any(r.tracking_id in flat for r in scene["reports"]) and "laporan anonim" in flat


def res_ok(html: str) -> bool:
    return "<h1" in html


def test_a_named_report_still_shows_its_reporter_to_operators(scene, client, net):
    sub = services.Submission(title="Jalan rusak berat di depan sekolah", body="Jalan rusak berat sejak bulan lalu.")
    report, _secret = services.report_submit(submission=sub, reporter=net.user("reporter"))
    html = client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert "Budi Santoso" in html and "Jalan rusak berat" in html
    assert timezone.now()
