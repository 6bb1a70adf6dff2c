"""The canary crawl (issue 14): unique canaries are planted in anonymous and confidential reports
filed through every door, staff act on them, and then every URL pattern of the site and every
operation of the API schema is crawled as every role, with searches for each canary, every
analytics scope and export format, Open311, the open-data file, the outbox, notifications, the
webhooks sent to a peer and the server log. Each answer is scanned for the canaries its viewer may
not see. One assertion lists every finding as (role, surface, canary) with an example URL.

What may be seen (docs/security.md, "The canary crawl"):
- an anonymous reporter's name, NIK, phone, e-mail and social handle: only the reporter; the
  platform admin only through the audited reveal (which must leave an IDENTITY_VIEWED event);
- the address an anonymous reporter typed: only the reporter and the platform admin (staff see it
  masked);
- any text of a confidential report: only the reporter and staff whose scope holds it;
- a place name is never partly masked because a word of it is also in the reporter's name.

New URL patterns and API operations are crawled without editing this file: they are enumerated
from the resolver and the OpenAPI schema, and the crawl fails if one was neither requested nor
listed in ALLOWLIST with a reason.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import time
from email.message import EmailMessage

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from lapor.accounts.readonly import overseer_allowed
from lapor.accounts.testing import token_make, user_make
from lapor.reports import services
from lapor.reports.models import Attachment, Report, ReportEvent
from lapor.reports.services import Actor

from . import canary as cy

pytestmark = pytest.mark.slow  # runs in `make test` and CI; about a minute on an idle machine

SECRET = "canary-webhook-secret"
PEER_SECRET = "canary-peer-secret"
PROVINCE = "sumbar.test"

# Patterns never requested, each with its reason. Everything else in the resolver is crawled.
ALLOWLIST = {
    "keluar/": "sign-out ends the crawling session (it shows nothing of a report)",
    "admin/logout/": "sign-out ends the crawling session",
}

ANON_IDENTITY = {**cy.A_IDENTITY, **cy.A2_IDENTITY}
EVERYTHING_OF_A = {**ANON_IDENTITY, **cy.A_ADDRESS_CANARY, **cy.A_CONFIDENTIAL, **cy.PLACE_MASKED}
# A named reporter's whole e-mail: staff in scope see the name and the contact partly masked
# (projection.contact_mask); the whole contact only through the audited reveal (REVEAL_SURFACES). The
# Django admin is the platform operator's own tool for accounts: contacts are shown there.
WHOLE_CONTACT = {"whole-contact:C": "kp8841"}  # B typed her own e-mail into her report: as stored for staff
# role -> canaries it may never see (on any surface)
FORBIDDEN = {
    "public": {**EVERYTHING_OF_A, **cy.B_CONFIDENTIAL, **cy.C_NAMED},
    "owner_a": {**cy.B_CONFIDENTIAL, **cy.PLACE_MASKED, **cy.C_NAMED},
    "owner_b": {**EVERYTHING_OF_A, **cy.C_NAMED},
    "agency_admin": {**ANON_IDENTITY, **cy.A_ADDRESS_CANARY, **cy.PLACE_MASKED, **WHOLE_CONTACT},
    "liaison": {**ANON_IDENTITY, **cy.A_ADDRESS_CANARY, **cy.PLACE_MASKED, **WHOLE_CONTACT},
    # C's named report stays at the department: the unit below it is out of its scope.
    "unit_staff": {**ANON_IDENTITY, **cy.A_ADDRESS_CANARY, **cy.PLACE_MASKED, **cy.C_NAMED, **WHOLE_CONTACT},
    "overseer": {**ANON_IDENTITY, **cy.A_ADDRESS_CANARY, **cy.PLACE_MASKED, **WHOLE_CONTACT},
    "admin_out": {**EVERYTHING_OF_A, **cy.B_CONFIDENTIAL, **cy.C_NAMED},  # agency admin of another city
    "platform": {**ANON_IDENTITY, **cy.PLACE_MASKED, **WHOLE_CONTACT},  # identity only through the audited reveal
}
STAFF_ROLES = ("agency_admin", "liaison", "unit_staff", "overseer", "admin_out", "platform")
REVEAL_SURFACES = ("/api/reports/{tracking_id}/reporter", "petugas/laporan/<str:tracking_id>/identitas/")
# Account administration lists accounts by name: that is not the link between a person and an
# anonymous report, which is what the platform admin may only see through the reveal.
PLATFORM_ACCOUNT_SURFACES = ("admin/accounts/",)
# An admin "add" form lists every account in its reporter field: names, not linked to any report.
PLATFORM_ACCOUNT_SUFFIXES = ("/add/",)
# The crawl requests every report for these views (where each door's stored data is shown) and a
# representative few (REPRESENTATIVE doors) for every other pattern with a tracking id.
ALL_DOORS_SURFACES = (
    "lacak/<str:tracking_id>/",
    "petugas/laporan/<str:tracking_id>/",
    "/api/reports/{tracking_id}",
    "/api/public/reports/{tracking_id}",
    "/api/reports/{tracking_id}/timeline",
    "open311/v2/requests/(?P<request_id>[-\\w]+)\\.(?P<fmt>[a-z]+)",
)
REPRESENTATIVE = ("web-guest-anon", "api-citizen-anon-conf", "api-citizen-conf", "social", "sms")
# The overseer is read-only everywhere, except for the settings of their own account.
OWN_ACCOUNT_PATHS = ("/api/notifications", "/api/auth/", "/api/accounts")
OPEN_TO_EVERYONE = {"/api/reports"}  # anyone, a guest or any account, may file a report as a citizen
STAFF_ONLY_QUERY = ("scope",)  # scope is a staff parameter: citizens and the public get one variant
LOG_FORBIDDEN = {**EVERYTHING_OF_A, **cy.B_CONFIDENTIAL, **cy.C_NAMED}


# --- Planting ---------------------------------------------------------------------------------------


class World:
    """Everything planted: the reports by door, their guest secrets and attachments, the crawlers."""

    def __init__(self):
        self.reports: dict[str, Report] = {}
        self.secrets: dict[str, str] = {}  # tracking id -> guest secret
        self.attachments: list[tuple[str, int]] = []  # (tracking id, attachment id)
        self.drafts: list[int] = []
        self.jobs: list[str] = []  # finished export jobs, each role's own: their files are downloaded
        self.users: dict[str, object] = {}
        self.tokens: dict[str, str] = {}
        self.clients: dict[str, Client] = {}

    @property
    def tids(self) -> list[str]:
        return [r.tracking_id for r in self.reports.values()]

    def anonymous_tids(self) -> set[str]:
        return {
            r.tracking_id
            for r in Report.objects.filter(pk__in=[r.pk for r in self.reports.values()], is_anonymous=True)
        }


def _signed(client, path, body: bytes, content_type="application/json"):
    from lapor.intake.tests.helpers import signed_post

    return signed_post(client, path, body, secret=SECRET, content_type=content_type)


def _api(client, method, path, data=None, token=None, **headers):
    extra = {"HTTP_ACCEPT_LANGUAGE": "id"}
    if token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    for k, v in headers.items():
        extra["HTTP_" + k.upper().replace("-", "_")] = v
    if method == "GET":
        return client.get(path, data or {}, **extra)
    return client.generic(method, path, json.dumps(data or {}), content_type="application/json", **extra)


def plant(net, world: World, transport, cloud=None) -> None:
    from lapor.partners.models import Partner, Peer

    a = user_make(cy.A_NAME, email=cy.A_EMAIL)
    a.phone = cy.A_PHONE_PLUS
    a.save(update_fields=["phone"])
    a2 = user_make(cy.A2_NAME, email="kanarisari.p@kanari-surel.example")
    b = user_make(cy.B_NAME, email=cy.B_EMAIL)
    c = user_make(cy.C_NAME, email=cy.C_EMAIL)
    platform = net.user("platform")
    platform.is_staff = platform.is_superuser = True  # the operator also reaches the Django admin
    platform.save(update_fields=["is_staff", "is_superuser"])
    world.users = {
        "public": None,
        "owner_a": a,
        "owner_b": b,
        "agency_admin": net.user("dept_admin"),
        "liaison": net.user("liaison"),
        "unit_staff": net.user("unit_staff"),
        "overseer": net.user("overseer"),
        "admin_out": net.user("other_admin"),
        "platform": platform,
    }
    world.tokens = {role: token_make(u) for role, u in world.users.items() if u is not None}
    roads, region = net.roads.pk, "13.74.02"
    tok_a = world.tokens["owner_a"]

    def keep(door, tid, secret=None):
        world.reports[door] = Report.objects.get(tracking_id=tid)
        if secret:
            world.secrets[tid] = secret

    # 1. Web form, guest, anonymous, with a photo, a PDF and a DOCX whose metadata name A.
    guest = Client()
    res = guest.post(
        "/lapor/",
        {
            "type": "complaint",
            "title": f"Pungli surat pindah di kecamatan, lapor oleh {cy.A_NAME}",
            "body": cy.A_BODY,
            "topic": str(roads),
            "province": "13",
            "regency": "13.74",
            "district": region,
            "address": cy.A_ADDRESS,
            "guest_name": cy.A_NAME,
            "guest_email": cy.A_EMAIL,
            "guest_phone": cy.A_PHONE_08,
            "is_anonymous": "on",
            "attachments": [
                SimpleUploadedFile(f"foto {cy.A_NAME}.jpg", cy.PHOTO, content_type="image/jpeg"),
                SimpleUploadedFile("bukti.pdf", cy.PDF, content_type="application/pdf"),
                SimpleUploadedFile(
                    "bukti.docx",
                    cy.DOCX,
                    content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ),
            ],
        },
    )
    assert res.status_code == 302, res.content.decode()[:3000]
    report = Report.objects.order_by("-pk").first()
    page = guest.get(res["Location"]).content.decode()
    secret = re.search(rf"/lacak/{report.tracking_id}/k/([^/\"]+)/", page)
    keep("web-guest-anon", report.tracking_id, secret.group(1) if secret else None)

    # 2. Web form, signed-in citizen A, anonymous and confidential.
    web_a = Client()
    web_a.force_login(a)
    form = {
        "type": "complaint",
        "title": "Xerokanari: pungutan di puskesmas",
        "body": cy.A_BODY,
        "topic": str(roads),
        "province": "13",
        "regency": "13.74",
        "district": region,
        "address": cy.A_ADDRESS,
        "is_anonymous": "on",
        "is_confidential": "on",
    }
    res = web_a.post("/lapor/", form)
    if res.status_code == 200:
        # the same text nearby: the form first offers report 1 (public projection, masked) to support.
        # (Whether report 1 ranks as "nearby" is the similarity search's call, which differs between
        # SQLite and PostgreSQL; test_submit_nearby_post.py tests the check itself on both.)
        page = res.content.decode()
        assert 'data-testid="nearby"' in page, page[:3000]
        assert cy.A_NAME not in page.split('data-testid="nearby"')[1].split("</section>")[0]
        res = web_a.post("/lapor/", {**form, "nearby_seen": "1"})
    assert res.status_code == 302, res.content.decode()[:3000]
    keep("web-citizen-anon-conf", Report.objects.order_by("-pk").first().tracking_id)

    # 3. API, guest, anonymous.
    api = Client()
    res = _api(
        api,
        "POST",
        "/api/reports",
        {
            "title": f"Pungli KTP oleh petugas, saya {cy.A_NAME}",
            "body": cy.A_BODY,
            "topic_id": roads,
            "region_code": region,
            "address": cy.A_ADDRESS,
            "is_anonymous": True,
            "guest_name": cy.A_NAME,
            "guest_email": cy.A_EMAIL,
            "guest_phone": cy.A_PHONE_62,
            "channel": "mobile",
        },
    )
    assert res.status_code == 201, res.content
    keep("api-guest-anon", res.json()["tracking_id"], res.json().get("guest_secret"))

    # 4. API, citizen A, anonymous and confidential; 5. API, citizen B, confidential (named).
    res = _api(
        api,
        "POST",
        "/api/reports",
        {
            "title": f"Xerokanari pungli izin usaha ({cy.A_NAME})",
            "body": cy.A_BODY + " Xerokanari.",
            "topic_id": roads,
            "region_code": region,
            "address": cy.A_ADDRESS,
            "is_anonymous": True,
            "is_confidential": True,
            "latitude": -0.4631,
            "longitude": 100.4003,
        },
        token=tok_a,
    )
    assert res.status_code == 201, res.content
    keep("api-citizen-anon-conf", res.json()["tracking_id"])
    res = _api(
        api,
        "POST",
        "/api/reports",
        {
            "title": "Yakokanari gratifikasi pengadaan",
            "body": f"Saya {cy.B_NAME} ({cy.B_EMAIL}) melihat Yakokanari.",
            "topic_id": roads,
            "region_code": region,
            "is_confidential": True,
        },
        token=world.tokens["owner_b"],
    )
    assert res.status_code == 201, res.content
    keep("api-citizen-conf", res.json()["tracking_id"])
    # 5b. API, citizen C, named and public: her name and e-mail are for the agency that handles it,
    # never for the public, other citizens or staff outside its scope.
    res = _api(
        api,
        "POST",
        "/api/reports",
        {
            "title": "Lampu jalan padam di depan sekolah",
            "body": "Lampu jalan padam sejak seminggu.",
            "topic_id": roads,
            "region_code": region,
        },
        token=token_make(c),
    )
    assert res.status_code == 201, res.content
    keep("api-citizen-named", res.json()["tracking_id"])
    # 6. API, citizen A2, anonymous; her surname is a word of the city's name.
    res = _api(
        api,
        "POST",
        "/api/reports",
        {
            "title": "Jalan rusak di Padang Panjang",
            "body": f"Jalan di Padang Panjang depan pasar rusak. Saya {cy.A2_NAME}.",
            "topic_id": roads,
            "region_code": "13.74",
            "is_anonymous": True,
        },
        token=world.tokens.get("owner_a") and token_make(a2),
    )
    assert res.status_code == 201, res.content
    keep("api-citizen-anon-place", res.json()["tracking_id"])

    # 7. SMS from A's phone; 8. e-mail from A with the photo. Neither door can ask for anonymity:
    # the platform admin turns both switches on (a stricter report is always allowed).
    res = _signed(
        Client(),
        "/intake/sms",
        json.dumps(
            {"sender": cy.A_PHONE_62, "message_id": "canary-1", "text": "LAPOR Xerokanari " + cy.A_BODY}
        ).encode(),
    )
    assert res.status_code == 200, res.content
    keep("sms", res.json()["tracking_id"])
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = (
        f"{cy.A_NAME} <{cy.A_EMAIL}>",
        "lapor@lapor.go.id",
        f"Xerokanari: {cy.A_NAME} lapor",
    )
    msg["Message-ID"] = "<canary-1@kanari-surel.example>"
    msg.set_content(cy.A_BODY)
    msg.add_attachment(cy.PHOTO, maintype="image", subtype="jpeg", filename=f"{cy.A_NAME}.jpg")
    res = _signed(Client(), "/intake/email", msg.as_bytes(), content_type="message/rfc822")
    assert res.status_code == 200, res.content
    keep("email", res.json()["tracking_id"])
    # 8b. WhatsApp from A's number, under her profile name, with a photo whose metadata name her.
    from lapor.intake.tests import fake_cloud_api as wa

    cloud.media_add("880001", cy.PHOTO)
    cloud.customer_wrote(cy.A_PHONE_62)
    res = wa.signed(
        Client(),
        wa.webhook(
            cy.A_PHONE_62,
            wa.image_message("wamid.canary-1", "880001", caption="LAPOR Xerokanari " + cy.A_BODY),
            name=cy.A_NAME,
        ),
    )
    assert res.status_code == 200, res.content
    keep("whatsapp", res.json()["messages"][0]["tracking_id"])
    for door in ("sms", "email", "whatsapp"):
        services.report_privacy_set(
            report=world.reports[door],
            actor=Actor(user=platform),
            is_anonymous=True,
            is_confidential=True,
            reason="Pelapor meminta dirahasiakan",
        )

    # 9. Social: a mention by A's handle, converted by staff into an anonymous report.
    post = {
        "for_user_id": "1708",
        "tweet_create_events": [
            {
                "id_str": "1899000000000000077",
                "created_at": "Mon Jun 03 02:10:00 +0000 2024",
                "text": f"@LAPOR1708 petugas kecamatan minta uang surat pindah. Saya {cy.A_NAME} HP {cy.A_PHONE_08}",
                "user": {"id_str": "77", "screen_name": cy.A_HANDLE},
            }
        ],
    }
    assert _signed(Client(), "/intake/social/x", json.dumps(post).encode()).status_code == 200
    from lapor.intake.models import SocialDraft

    draft = SocialDraft.objects.get(author_handle=cy.A_HANDLE)
    world.drafts.append(draft.pk)
    res = _api(
        api,
        "POST",
        f"/api/intake/social/{draft.pk}/convert",
        {"title": "Pungli surat pindah di kecamatan", "topic_id": roads, "region_code": region, "is_anonymous": True},
        token=world.tokens["platform"],
    )
    assert res.status_code == 201, res.content
    keep("social", res.json()["tracking_id"])

    # 10. Open311 POST, anonymous.
    res = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": token_make(net.user("stranger")),
            "service_code": net.roads.slug,
            "lat": "-0.4631",
            "long": "100.4003",
            "description": cy.A_BODY,
            "email": cy.A_EMAIL,
            "phone": cy.A_PHONE_08,
            "first_name": "Zubaidah",
            "last_name": "Kanarimurni",
            "address_string": cy.A_ADDRESS,
            "attribute[is_anonymous]": "true",
            "attribute[title]": f"Pungli oleh petugas, lapor {cy.A_NAME}",
        },
    )
    assert res.status_code == 201, res.content
    keep("open311", res.json()[0]["service_request_id"])

    # 11. Counter (assisted entry by the liaison), anonymous.
    res = _api(
        api,
        "POST",
        "/api/intake/assisted",
        {
            "channel": "counter",
            "consent": True,
            "title": f"Pungli di loket, {cy.A_NAME}",
            "body": cy.A_BODY,
            "topic_id": roads,
            "region_code": region,
            "address": cy.A_ADDRESS,
            "is_anonymous": True,
            "citizen_name": cy.A_NAME,
            "citizen_email": cy.A_EMAIL,
            "citizen_phone": cy.A_PHONE_08,
        },
        token=world.tokens["liaison"],
    )
    assert res.status_code == 201, res.content
    keep("counter", res.json()["tracking_id"], res.json().get("guest_secret"))

    # 12. Partner API, anonymous (the partner files for the citizen who told it). The door has no
    # field for the citizen's name, so nothing can know the words of it: her NIK, phone, e-mail
    # and address are the canaries here.
    from django.contrib.auth import get_user_model

    partner_user = get_user_model().objects.create_user(full_name="Aplikasi Sambat")
    Partner.objects.create(name="Aplikasi Sambat", user=partner_user, webhook_url="http://partner.test/hook")
    res = _api(
        api,
        "POST",
        "/api/partners/reports",
        {
            "title": "Pungli izin keramaian",
            "body": cy.A_BODY.replace(cy.A_NAME, "warga"),
            "topic_id": roads,
            "region_code": region,
            "address": cy.A_ADDRESS,
            "is_anonymous": True,
            "external_ref": "SAMBAT-KANARI",
        },
        token=token_make(partner_user),
    )
    assert res.status_code == 201, res.content
    keep("partner", res.json()["tracking_id"])

    # Staff act: route what waits, dispose, note, follow-up quoting the phone, Bukan Wewenang, reply.
    for door, report in world.reports.items():
        report.refresh_from_db()
        if report.state == "submitted":
            services.report_route(report=report, actor=Actor(user=platform), agency=net.dept)
    dept_admin, liaison, unit_staff = (Actor(user=net.user(k)) for k in ("dept_admin", "liaison", "unit_staff"))
    for door in ("web-guest-anon", "api-guest-anon", "counter"):
        services.report_dispose(report=Report.objects.get(pk=world.reports[door].pk), actor=dept_admin, unit=net.unit)
    for door, report in world.reports.items():
        if door in ("api-citizen-conf", "api-citizen-named", "api-citizen-anon-place"):
            continue  # not A's reports: her phone in them would not be her report's identity
        report = Report.objects.get(pk=report.pk)
        services.report_note(report=report, actor=liaison, body=f"Catatan: pelapor bisa dihubungi di {cy.A_PHONE_08}.")
    services.report_follow_up(
        report=Report.objects.get(pk=world.reports["web-guest-anon"].pk),
        actor=unit_staff,
        body=f"Kami sudah menghubungi {cy.A_PHONE_08} a.n. {cy.A_NAME}; petugas diperiksa.",
    )
    # The guest answers on the track page (private link) with files named after her (web reply form).
    guest_tid = world.reports["web-guest-anon"].tracking_id
    replier = Client()
    assert replier.get(f"/lacak/{guest_tid}/k/{world.secrets[guest_tid]}/").status_code == 302
    res = replier.post(
        f"/lacak/{guest_tid}/balas/",
        {
            "body": "Belum beres, lihat foto dan berkasnya.",
            "attachments": [
                SimpleUploadedFile(f"balasan {cy.A_NAME}.jpg", cy.PHOTO, content_type="image/jpeg"),
                SimpleUploadedFile(f"{cy.A_NAME} bukti.pdf", cy.PDF, content_type="application/pdf"),
            ],
        },
    )
    assert res.status_code == 302, res.content.decode()[:3000]
    services.report_follow_up(
        report=Report.objects.get(pk=world.reports["api-citizen-anon-conf"].pk),
        actor=liaison,
        body=f"Sudah kami telepon ke {cy.A_PHONE_PLUS}. Xerokanari ditindak.",
    )
    services.report_reply(
        report=Report.objects.get(pk=world.reports["api-citizen-anon-conf"].pk),
        actor=Actor(user=a, is_reporter=True),
        body=f"Tambahan dari saya, {cy.A_NAME}: Xerokanari.",
    )
    services.report_not_authority(
        report=Report.objects.get(pk=world.reports["api-guest-anon"].pk),
        actor=unit_staff,
        reason="Bukan wewenang bidang kami",
    )
    services.report_follow_up(
        report=Report.objects.get(pk=world.reports["api-citizen-anon-place"].pk),
        actor=liaison,
        body="Jalan di Padang Panjang akan diperbaiki.",
    )
    # An attachment through the API, by the reporter.
    res = api.post(
        f"/api/reports/{world.reports['api-citizen-anon-conf'].tracking_id}/attachments",
        {"file": SimpleUploadedFile(f"{cy.A_NAME}.jpg", cy.PHOTO, content_type="image/jpeg")},
        HTTP_AUTHORIZATION=f"Bearer {tok_a}",
    )
    assert res.status_code in (200, 201), res.content

    # 13. Federation: the city forwards A's anonymous, confidential report to the province's deployment.
    Peer.objects.create(
        name="LAPOR Sumatera Barat",
        slug="sumbar",
        base_url=f"http://{PROVINCE}",
        secret=PEER_SECRET,
        direction=Peer.Direction.OUTBOUND,
    )
    Peer.objects.create(
        name="LAPOR Padang Panjang",
        slug="padangpanjang",
        base_url="http://padangpanjang.test/",
        secret=PEER_SECRET,
        direction=Peer.Direction.INBOUND,
    )
    res = _api(
        api,
        "POST",
        f"/api/federation/reports/{world.reports['api-citizen-anon-conf'].tracking_id}/forward",
        {"peer": "sumbar", "reason": "Kewenangan provinsi"},
        token=token_make(net.user("city_admin")),
    )
    assert res.status_code == 201, res.content
    # Export, as staff do.
    month = timezone.now().strftime("%Y-%m")
    assert (
        _api(
            api,
            "GET",
            "/api/analytics/export",
            {"from": month, "to": month, "format": "csv"},
            token=world.tokens["agency_admin"],
        ).status_code
        == 200
    )

    for report in world.reports.values():
        report.refresh_from_db()
    world.attachments = [
        (a.report.tracking_id, a.pk)
        for a in Attachment.objects.filter(report__in=list(world.reports.values())).select_related("report")
    ]


def plant_jobs(world: World) -> None:
    """Each staff role asks for background exports (CSV in its own scope, XLSX of the public scope),
    run here to the end: the crawl downloads every file (``job_id``) as every role, so a file is
    scanned for what its requester may not see, and for what another person may not see of it."""
    from lapor.analytics import jobs

    month = timezone.now().strftime("%Y-%m")
    api = Client()
    for role in STAFF_ROLES:
        for params in ({"format": "csv"}, {"format": "xlsx", "scope": "p"}):
            res = _api(
                api, "POST", "/api/analytics/exports", {"from": month, "to": month, **params}, world.tokens[role]
            )
            assert res.status_code == 202, (role, res.content)
            assert jobs.job_run(res.json()["id"]) == "done", role
            world.jobs.append(res.json()["id"])


# --- Crawling ---------------------------------------------------------------------------------------


class Crawler:
    def __init__(self, world: World, ledger: cy.Ledger, net):
        self.world, self.ledger, self.net = world, ledger, net
        self.month = timezone.now().strftime("%Y-%m")
        self.clients: dict[str, Client] = {}
        self._baseline: dict[str, set[str]] = {}
        self.files: set[str] = set()  # surfaces that answered with a file, by type
        for role, user in world.users.items():
            c = Client()
            if user is not None:
                c.force_login(user)
            self.clients[role] = c

    def public_baseline(self, view: str) -> set[str]:
        """The canaries the public already sees on a view before any write (reported on their own)."""
        if view not in self._baseline:
            res = Client().get(view, HTTP_ACCEPT_LANGUAGE="id")
            self._baseline[view] = set(cy.hits(cy.response_text(res), FORBIDDEN["public"]))
        return self._baseline[view]

    def get(self, role: str, surface: str, path: str, data=None, *, api: bool = False, forbidden=None) -> str:
        client = self.clients[role]
        extra = {"HTTP_ACCEPT_LANGUAGE": "id"}
        if api and role in self.world.tokens:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.world.tokens[role]}"
        res = client.get(path, data or {}, **extra)
        return self.scan(role, surface, res, path, data, forbidden)

    def scan(self, role, surface, res, path, data=None, forbidden=None) -> str:
        self.ledger.requests += 1
        self.ledger.per_surface[surface] += 1
        self.ledger.statuses[f"{res.status_code // 100}xx"] += 1
        where = path + (("?" + "&".join(f"{k}={v}" for k, v in data.items())) if data else "")
        if res.status_code >= 500:
            self.ledger.errors.setdefault((role, surface), f"{where} -> {res.status_code}")
        text = cy.response_text(res)
        kind = res.get("Content-Type", "").split(";")[0]
        if (
            res.status_code < 300
            and kind
            and not kind.startswith(("text/html", "application/json", "text/xml", "application/xml"))
        ):
            surface = f"{surface} [{kind}]"  # an attachment or export: name its type
            self.files.add(surface)
        rules = dict(FORBIDDEN[role] if forbidden is None else forbidden)
        if role == "platform" and (
            any(s in surface for s in REVEAL_SURFACES)
            or surface.startswith(PLATFORM_ACCOUNT_SURFACES)
            or (surface.startswith("admin/") and surface.endswith(PLATFORM_ACCOUNT_SUFFIXES))
        ):
            rules = {k: v for k, v in rules.items() if k not in ANON_IDENTITY}
        if role == "platform" and (surface.startswith("admin/") or any(r in surface for r in REVEAL_SURFACES)):
            rules = {k: v for k, v in rules.items() if k not in WHOLE_CONTACT}
        if data and data.get("q"):  # what the viewer typed, echoed back (search box, links), is not a leak
            text = cy.strip_echo(text, data["q"])
        self.ledger.check(role, surface, text, rules, where)
        return text

    # Path parameters by name. Returns a list of value dicts for a pattern's parameters.
    def combos(self, params: list[str], pattern=None, surface: str = "") -> list[dict]:
        w, n = self.world, self.net
        if not params:
            return [{}]
        from lapor.accounts.models import RoleAssignment

        singles = {
            "agency_id": [n.dept.pk, n.other_city.pk],
            "assignment_id": list(RoleAssignment.objects.filter(agency=n.dept).values_list("pk", flat=True)[:1]) or [1],
            "template_id": [1],
            "fmt": ["json", "xml"],
            "code": [n.roads.slug],
            "network": ["x"],
            "draft_id": w.drafts or [1],
            "month": [self.month],
            "plan_id": [1],
            "cluster_id": [1],
            "flag_id": [1],
            "notification_id": [1],
            "delivery_id": ["00000000-0000-0000-0000-000000000000"],
            "action": self._staff_actions(),
            "url": ["kanari-tidak-ada/"],
            "job_id": w.jobs or ["00000000-0000-0000-0000-000000000000"],
        }
        combos: list[dict] = []
        if "attachment_id" in params:
            base = [{"tracking_id": t, "attachment_id": a} for t, a in w.attachments]
        elif "secret" in params:
            base = [{"tracking_id": t, "secret": s} for t, s in w.secrets.items()]
        elif "tracking_id" in params or "request_id" in params or "token" in params:
            tids = w.tids if surface in ALL_DOORS_SURFACES else [w.reports[d].tracking_id for d in REPRESENTATIVE]
            base = [{"tracking_id": t, "request_id": t, "token": t} for t in tids]
        else:
            base = [{}]
        rest = [p for p in params if p not in ("tracking_id", "attachment_id", "secret", "request_id", "token")]
        lists = []
        for p in rest:
            if p == "object_id":
                lists.append(self._admin_ids(pattern))
            elif p == "app_label":
                lists.append(cy.regex_alternatives(pattern, p) or ["reports"])
            elif p == "content_type_id":
                from django.contrib.contenttypes.models import ContentType

                lists.append([ContentType.objects.get_for_model(Report).pk])
            else:
                lists.append(singles.get(p, ["1"]))
        # Each report with each value of the other parameters, cycled rather than multiplied: every
        # value and every report is requested, at a bounded cost.
        others = list(itertools.product(*lists)) or [()]
        for i in range(max(len(base), len(others))):
            combos.append({**base[i % len(base)], **dict(zip(rest, others[i % len(others)]))})
        return combos

    def _staff_actions(self) -> list[str]:
        from lapor.web.views.staff import ACTIONS

        return list(ACTIONS)

    def _admin_ids(self, pattern) -> list:
        admin = getattr(pattern.callback, "model_admin", None)
        if admin is None:
            return ["1"]
        model = admin.model
        reports = list(self.world.reports.values())
        if model is Report:
            return [r.pk for r in reports]
        fields = {f.name for f in model._meta.get_fields()}
        qs = model._default_manager.all()
        if not pattern.route.endswith("/change/"):
            return (
                [r.pk for r in reports[:1]] if model is Report else (list(qs.values_list("pk", flat=True)[:1]) or ["1"])
            )
        if "report" in fields:
            qs = qs.filter(report__in=reports)
            if model is ReportEvent:
                qs = qs.filter(kind="submitted")  # the event that names who filed it
                return list(qs.values_list("pk", flat=True)) or ["1"]
            return list(qs.order_by("-pk").values_list("pk", flat=True)[:4]) or ["1"]
        return list(qs.order_by("-pk").values_list("pk", flat=True)[:3]) or ["1"]

    def query_variants(self, route: str) -> list[dict]:
        if route.startswith("analytics/"):
            scopes = ["", "n", "p", f"a:{self.net.other_city.pk}", "r:13"]
            formats = ("", "csv", "xlsx") if route.endswith("laporan") else ("",)
            return [
                {"from": self.month, "to": self.month, **({"scope": s} if s else {}), **({"format": f} if f else {})}
                for s in scopes
                for f in formats
            ]
        return [{}]


def crawl_urls(crawler: Crawler, schema_paths: set[str]) -> None:
    ledger = crawler.ledger
    for pattern in cy.url_patterns():
        route = pattern.route
        if route in ALLOWLIST:
            continue
        if route.startswith("api/") and cy.api_route_key(route) in schema_paths:
            ledger.crawled_patterns.add(route)  # crawled operation by operation from the schema
            continue
        # The Django admin needs is_staff, which only the platform operator has here; the public
        # proves the sign-in wall.
        roles = ("public", "platform") if route.startswith("admin/") else tuple(FORBIDDEN)
        for values in crawler.combos(pattern.params, pattern, route):
            path = cy.url_fill(pattern, values)
            if "secret" in values:
                # A private link makes whoever holds it the guest reporter (the secret goes into the
                # session): it is followed by a throwaway client, never by a crawling role.
                crawler.scan("owner_guest", route, Client().get(path, follow=True), path, forbidden={})
                continue
            for i, query in enumerate(crawler.query_variants(route)):
                for role in roles:
                    if role in ("public", "owner_a", "owner_b") and i and "scope" in query:
                        continue  # scope is a staff parameter
                    crawler.get(role, route, path, query, api=route.startswith("api/"))
        ledger.crawled_patterns.add(route)


QUERY_VARIANTS = {
    "scope": lambda c: ["", "n", "p", f"a:{c.net.other_city.pk}", "r:13"],
    "format": lambda c: ["csv", "xlsx"],
    "status": lambda c: ["new", "converted", "dismissed"],
    "from": lambda c: [c.month],
    "to": lambda c: [c.month],
    "reason": lambda c: ["Audit kanari"],
}


def _op_combos(crawler: Crawler, op: dict, path: str) -> list[tuple[str, dict]]:
    params = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
    out = []
    for values in crawler.combos(params, surface=path):
        concrete = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
        query_names = [
            p["name"] for p in op.get("parameters", []) if p["in"] == "query" and p["name"] in QUERY_VARIANTS
        ]
        lists = [QUERY_VARIANTS[name](crawler) for name in query_names]
        for combo in itertools.product(*lists):
            out.append((concrete, {k: v for k, v in zip(query_names, combo) if v != ""}))
    return out


def crawl_operations(crawler: Crawler, schema: dict) -> None:
    ledger, w, n = crawler.ledger, crawler.world, crawler.net
    targets = {w.reports[d].tracking_id for d in ("web-guest-anon", "api-citizen-anon-conf")}
    body_values = {
        "reason": "Alasan uji kanari",
        "body": "Petugas kecamatan meminta uang untuk surat pindah.",
        "title": "Pungli surat pindah di kantor kecamatan",
        "text": "Pungli surat pindah di kantor kecamatan",
        "agency_id": n.dept.pk,
        "unit_id": n.unit.pk,
        "is_anonymous": False,
        "is_confidential": False,
        "peer": "sumbar",
        "rating": 5,
        "consent": True,
        "channel": "counter",
        "citizen_phone": "081311112222",
        "tracking_ids": sorted(targets),
        "topic_id": n.roads.pk,
        "region_code": "13.74.02",
    }
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            key = f"{method.upper()} {path}"
            for concrete, query in _op_combos(crawler, op, path):
                tid = re.search(r"/reports/([A-Z0-9-]{9})(?:/|$)", concrete)
                if method == "get":
                    for role in FORBIDDEN:
                        if role in ("public", "owner_a", "owner_b") and query.get("scope"):
                            continue  # scope is a staff parameter
                        crawler.get(role, key, concrete, query, api=True)
                    continue
                if tid and tid.group(1) not in targets:
                    continue
                for role in FORBIDDEN:
                    _write(crawler, role, key, method, concrete, query, schema, op, body_values)
            ledger.crawled_operations.add(key)


def _write(crawler: Crawler, role, key, method, path, query, schema, op, values) -> None:
    """A write, in a savepoint that is rolled back: the fixtures stay as planted. What the answer
    shows is checked; and what the public then sees of the report (a privacy switch turned off)."""
    from lapor.agencies.refcache import refcache_clear

    client = crawler.clients[role]
    extra = {"HTTP_ACCEPT_LANGUAGE": "id"}
    if role in crawler.world.tokens:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {crawler.world.tokens[role]}"
    body = cy.body_for(schema, op, values)
    url = path + (("?" + "&".join(f"{k}={v}" for k, v in query.items())) if query else "")
    with transaction.atomic():
        before = _changes() if role == "overseer" else None
        if body and body[0].startswith("multipart"):
            files = {"file": SimpleUploadedFile("foto.jpg", cy.PHOTO, content_type="image/jpeg")}
            res = client.post(url, {**body[1], **files}, **extra)
        else:
            res = client.generic(
                method.upper(), url, json.dumps(body[1] if body else {}), content_type="application/json", **extra
            )
        crawler.scan(role, key, res, url)
        if (
            before is not None
            and not path.startswith(OWN_ACCOUNT_PATHS)
            and not overseer_allowed(method.upper(), path)  # its own exemptions, each with a reason
            and path not in OPEN_TO_EVERYONE
            and _changes() != before
        ):
            crawler.ledger.leaks.setdefault((role, key, "overseer-write-accepted"), f"{url} -> {res.status_code}")
        tid = re.search(r"/reports/([A-Z0-9-]{9})(?:/|$)", path)
        # The reporter may make their own report named and public (only they may turn Anonim off):
        # what the public then sees is their choice, not a leak.
        own_choice = role == "owner_a" and path.endswith("/privacy")
        if tid and res.status_code < 300 and not own_choice:
            # What the write newly shows the public (a privacy switch turned off, for instance).
            for view in (f"/api/public/reports/{tid.group(1)}", f"/lacak/{tid.group(1)}/"):
                res = Client().get(view, HTTP_ACCEPT_LANGUAGE="id")
                crawler.ledger.requests += 1
                found = set(cy.hits(cy.response_text(res), FORBIDDEN["public"])) - crawler.public_baseline(view)
                for label in sorted(found):
                    crawler.ledger.leaks.setdefault(("public", f"public view after {key} by {role}", label), view)
        transaction.set_rollback(True)
    refcache_clear()


def _changes() -> tuple:
    """Row counts of what a write leaves behind (the overseer must leave nothing)."""
    from lapor.accounts.models import AuditLog
    from lapor.reports.models import Message

    return (
        Report.objects.count(),
        ReportEvent.objects.count(),
        Message.objects.count(),
        Attachment.objects.count(),
        AuditLog.objects.count(),
    )


def crawl_searches(crawler: Crawler) -> None:
    """Each canary as the query: a hit on an anonymous report confirms who filed it."""
    anon = crawler.world.anonymous_tids()
    queries = [cy.A_NAME, cy.A_NIK, cy.A_PHONE_08, cy.A_PHONE_PLUS, cy.A_EMAIL, "Kanarisari"]
    surfaces = [
        ("laporan/?q=", "/laporan/", False),
        ("/api/public/reports?q=", "/api/public/reports", True),
        ("/api/reports?q=", "/api/reports", True),
        ("petugas/?q=", "/petugas/", False),
        ("/open311/v2/requests.json?q=", "/open311/v2/requests.json", False),
    ]
    for role in FORBIDDEN:
        if role in ("owner_a", "platform"):
            continue  # the reporter finds her own; platform operators may search everything
        for surface, path, api in surfaces:
            # A surface that lists a report whatever the query (Open311 has no q; an empty search
            # may list everything) does not confirm a guess: only what the canary query adds counts.
            control = crawler.get(role, f"search {surface}", path, {"q": "Qwzxkanari"}, api=api)
            for q in queries:
                text = crawler.get(role, f"search {surface}", path, {"q": q}, api=api)
                for tid in sorted(t for t in anon if t not in control):
                    if tid in text:
                        crawler.ledger.leaks.setdefault(
                            (role, f"search {surface}", f"search-hit:{q}"), f"{path}?q={q} returns {tid}"
                        )


def check_reveal(crawler: Crawler) -> None:
    """The platform admin's reveal shows the identity, and leaves an audit event each time."""
    report = crawler.world.reports["api-citizen-anon-conf"]
    before = ReportEvent.objects.filter(report=report, kind=ReportEvent.Kind.IDENTITY_VIEWED).count()
    res = _api(
        crawler.clients["platform"],
        "GET",
        f"/api/reports/{report.tracking_id}/reporter",
        {"reason": "Permintaan aparat penegak hukum"},
        token=crawler.world.tokens["platform"],
    )
    after = ReportEvent.objects.filter(report=report, kind=ReportEvent.Kind.IDENTITY_VIEWED).count()
    if res.status_code == 200 and after != before + 1:
        crawler.ledger.leaks[("platform", "reveal /api/reports/{tracking_id}/reporter", "reveal-not-audited")] = (
            report.tracking_id
        )
    res = crawler.clients["platform"].post(
        f"/petugas/laporan/{report.tracking_id}/identitas/", {"reason": "Permintaan aparat penegak hukum"}
    )
    if (
        res.status_code == 200
        and ReportEvent.objects.filter(report=report, kind=ReportEvent.Kind.IDENTITY_VIEWED).count() != after + 1
    ):
        crawler.ledger.leaks[("platform", "reveal petugas/laporan/…/identitas/", "reveal-not-audited")] = (
            report.tracking_id
        )
    crawler.ledger.crawled_patterns.add("petugas/laporan/<str:tracking_id>/identitas/")


def check_channels(crawler: Crawler, transport, settings) -> None:
    """Outbox rows and files, web notifications, webhooks sent to the peer, the open-data file."""
    from pathlib import Path

    from lapor.analytics import tasks as analytics_tasks
    from lapor.analytics.opendata import opendata_path
    from lapor.notifications.models import OutboxMessage, WebNotification

    ledger, w = crawler.ledger, crawler.world
    a = w.users["owner_a"]
    reporter_contacts = {cy.A_EMAIL, cy.A_PHONE_PLUS, str(a.pk), w.users["owner_b"].email, str(w.users["owner_b"].pk)}
    partner_hooks = {"http://partner.test/hook"}
    staff_rules = FORBIDDEN["agency_admin"]
    by_delivery = {}
    for m in OutboxMessage.objects.exclude(channel="fanout"):
        by_delivery[str(m.delivery_id)] = m
        if m.recipient in reporter_contacts or m.recipient in partner_hooks or cy.A_IDENTITY["phone"] in m.recipient:
            continue
        ledger.check(
            f"outbox:{m.channel}",
            "outbox message (not to the reporter)",
            json.dumps(m.payload, ensure_ascii=False),
            staff_rules,
            f"{m.recipient}",
        )
    folder = Path(settings.DATA_DIR) / "outbox"
    for path in folder.rglob("*") if folder.exists() else []:
        if not path.is_file():
            continue
        message = by_delivery.get(path.name.split(".")[0])
        if message is None or message.recipient in reporter_contacts or cy.A_IDENTITY["phone"] in message.recipient:
            continue
        ledger.check(
            f"outbox:{message.channel}",
            "outbox file (not to the reporter)",
            cy.text_of(path.read_bytes()),
            staff_rules,
            str(path.relative_to(folder)),
        )
    for n in WebNotification.objects.select_related("user"):
        role = next((r for r, u in w.users.items() if u is not None and u.pk == n.user_id), "staff")
        if role in ("owner_a",):
            continue
        ledger.check(
            role if role in FORBIDDEN else "agency_admin",
            "web notification",
            f"{n.title}\n{n.body}\n{n.url}",
            FORBIDDEN.get(role, staff_rules),
            n.url,
        )
    for sent in transport.sent:
        if sent["host"] == "partner.test":
            continue
        ledger.check(
            f"peer:{sent['host']}", f"webhook {sent['path']}", cy.text_of(sent["body"]), staff_rules, sent["url"]
        )
    analytics_tasks.opendata()
    ledger.check(
        "public",
        "open-data file",
        cy.text_of(opendata_path().read_bytes()),
        FORBIDDEN["public"],
        str(opendata_path().name),
    )
    ledger.requests += 1


@pytest.fixture
def whatsapp_cloud(settings):
    """The WhatsApp door answers through a local fake of the Cloud API (intake/tests/fake_cloud_api.py)."""
    from lapor.intake.tests import fake_cloud_api as wa

    with wa.cloud_api() as cloud:
        wa.configure(settings, cloud)
        yield cloud


def test_no_canary_reaches_a_viewer_who_may_not_see_it(
    net, settings, monkeypatch, caplog, whatsapp_cloud, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    settings.LAPOR_RATES = {name: "1000000/60" for name in ("submit", "login", "track", "webhook", "federation")}
    settings.LAPOR_SMS_SECRET = settings.LAPOR_EMAIL_SECRET = settings.LAPOR_SOCIAL_SECRET = SECRET
    settings.LAPOR_FEDERATION_ID = "padangpanjang"
    settings.CELERY_BROKER_URL = ""
    from lapor.partners.tests.conftest import Transport

    transport = Transport(
        routes={
            PROVINCE: {"LAPOR_FEDERATION_ID": "sumbar"},
            "padangpanjang.test": {"LAPOR_FEDERATION_ID": "padangpanjang"},
        }
    )
    monkeypatch.setattr("lapor.notifications.senders.http_post", transport)
    caplog.set_level(logging.INFO)  # every line the server would write at its default level
    caplog.set_level(logging.DEBUG, logger="lapor")  # and the project's own debug lines

    world, ledger = World(), cy.Ledger()
    with django_capture_on_commit_callbacks(execute=True):
        plant(net, world, transport, whatsapp_cloud)
    from lapor.partners.models import FederationLink

    inbound = FederationLink.objects.filter(direction="inbound").select_related("report").first()
    assert inbound is not None, "the federation door filed nothing at the peer"
    world.reports["federation"] = inbound.report
    plant_jobs(world)
    from lapor.analytics import tasks as analytics_tasks

    analytics_tasks.refresh(full=True)
    crawler = Crawler(world, ledger, net)

    # Positive controls: the crawl sees what it looks for where it may be seen.
    conf = world.reports["api-citizen-anon-conf"].tracking_id
    assert "Xerokanari" in crawler.get("agency_admin", "control", f"/petugas/laporan/{conf}/", forbidden={})
    assert "Xerokanari" in crawler.get("owner_a", "control", "/saya/", forbidden={})
    assert "Yakokanari" in crawler.get(
        "owner_b", "control", f"/api/reports/{world.reports['api-citizen-conf'].tracking_id}", api=True, forbidden={}
    )

    from lapor.api.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    schema_paths = set(schema["paths"])
    phases = {"plant": time.monotonic() - started}
    for name, phase in (
        ("urls", lambda: crawl_urls(crawler, schema_paths)),
        ("operations", lambda: crawl_operations(crawler, schema)),
        ("searches", lambda: crawl_searches(crawler)),
        ("reveal", lambda: check_reveal(crawler)),
        ("channels", lambda: check_channels(crawler, transport, settings)),
    ):
        t0, n0 = time.monotonic(), ledger.requests
        phase()
        phases[name] = (round(time.monotonic() - t0, 1), ledger.requests - n0)

    for record in caplog.records:
        try:
            line = record.getMessage()
        except Exception:  # a malformed record is not ours to judge
            line = str(record.msg)
        ledger.check(
            "server",
            f"log {record.name}",
            line + " " + (record.exc_text or ""),
            LOG_FORBIDDEN,
            f"{record.levelname} {record.name}",
        )

    # Self-check: every URL pattern and API operation was crawled or is allowlisted with a reason.
    uncovered = [
        p.route for p in cy.url_patterns() if p.route not in ledger.crawled_patterns and p.route not in ALLOWLIST
    ]
    uncovered += [
        f"{m.upper()} {p}"
        for p, ops in schema["paths"].items()
        for m in ops
        if f"{m.upper()} {p}" not in ledger.crawled_operations
    ]
    elapsed = time.monotonic() - started
    summary = (
        f"canary crawl: {ledger.requests} requests, {dict(ledger.statuses)}, {len(ledger.crawled_patterns)} URL "
        f"patterns, {len(ledger.crawled_operations)} API operations, {elapsed:.0f} s; phases (s, requests): {phases}"
    )
    busiest = sorted(ledger.per_surface.items(), key=lambda kv: -kv[1])[:8]
    summary += f"; busiest surfaces: {busiest}"
    print(summary)
    problems = ledger.report(doors={r.tracking_id: door for door, r in world.reports.items()})
    # Positive control: the export files themselves were scanned (inside the request and as jobs).
    files = (
        "GET /api/analytics/export",
        "GET /api/analytics/exports/{job_id}/file",
        "analytics/laporan",
        "analytics/ekspor/<uuid:job_id>/unduh",
    )
    for surface in files:
        for kind in ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
            if f"{surface} [{kind}]" not in crawler.files:
                problems += f"\nNo {kind} file downloaded through {surface}: {sorted(crawler.files)[:20]}"
    if uncovered:
        problems += "\nNeither crawled nor allowlisted:\n" + "\n".join(f"    {u}" for u in uncovered)
    assert not problems, summary + "\n" + problems
