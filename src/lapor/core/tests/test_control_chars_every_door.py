"""Issue 16: no input from any door can make a public output unparseable.

A report carrying every control character, U+0000–U+001F and U+007F–U+009F, is filed through every
intake door (web form, API, SMS, e-mail, WhatsApp, social media, counter, Open311, partner API,
federation), made public; the reporter's reply relayed by a partner system and by the origin of a
forwarded report (``/federation/reporter``) carries them too, and so does a decree's name in the
public working calendar. Then every XML and JSON output that shows them must parse (Open311 XML and
JSON, also read by the third-party ``georeport`` client over HTTP, the public and staff API, the
timeline, the calendar) and the open data CSV and the XLSX export must read back, with none of those
characters in the stored text (tab and line breaks aside).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import uuid
from email.message import EmailMessage
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from lapor.accounts.testing import token_make
from lapor.intake.tests import fake_cloud_api as wa
from lapor.intake.tests.helpers import signed_post
from lapor.reports import services
from lapor.reports.models import Report
from lapor.reports.services import Actor

CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)])
KEPT = "\t\n\r"  # the line breaks and tab a text may hold
SECRET = "door-secret"
PEER_SECRET = "door-peer-secret"


def _text(word: str) -> str:
    return f"Lampu {word}{CONTROLS} jalan mati di gang {word}"


def _api(client, path, data, token=None):
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(path, json.dumps(data), content_type="application/json", **extra)


def _doors(net) -> dict[str, str]:
    """door -> tracking id of the report it filed."""
    from lapor.intake.models import SocialDraft
    from lapor.partners.models import Partner, Peer
    from lapor.partners.signing import signed_headers

    tids, c = {}, Client()
    form = {"type": "complaint", "title": _text("web"), "body": _text("web"), "guest_email": "warga@example.com"}
    assert Client().post("/lapor/", form).status_code == 400  # Django's form fields refuse NUL outright
    res = Client().post(
        "/lapor/", {**form, "title": _text("web").replace("\x00", ""), "body": _text("web").replace("\x00", "")}
    )
    assert res.status_code == 302, res.content[:2000]
    tids["web"] = Report.objects.order_by("-pk").first().tracking_id
    res = _api(c, "/api/reports", {"title": _text("api"), "body": _text("api"), "guest_email": "warga@example.com"})
    assert res.status_code == 201, res.content
    tids["api"] = res.json()["tracking_id"]
    res = signed_post(
        c,
        "/intake/sms",
        json.dumps({"sender": "6281234567890", "message_id": "door-1", "text": "LAPOR " + _text("sms")}).encode(),
        secret=SECRET,
    )
    assert res.status_code == 200, res.content
    tids["sms"] = res.json()["tracking_id"]
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Warga <warga@example.com>", "lapor@lapor.go.id", "Lampu surel mati"
    msg["Message-ID"] = "<door-1@example.com>"
    msg.set_content(_text("surel"))
    res = signed_post(c, "/intake/email", msg.as_bytes(), secret=SECRET, content_type="message/rfc822")
    assert res.status_code == 200, res.content
    tids["email"] = res.json()["tracking_id"]
    res = wa.signed(c, wa.webhook("6281298765432", wa.text_message("wamid.door-1", "LAPOR " + _text("whatsapp"))))
    assert res.status_code == 200, res.content
    tids["whatsapp"] = res.json()["messages"][0]["tracking_id"]
    post = {
        "for_user_id": "1708",
        "tweet_create_events": [
            {
                "id_str": "1899000000000000099",
                "created_at": "Mon Jun 03 02:10:00 +0000 2024",
                "text": "@LAPOR1708 " + _text("sosial"),
                "user": {"id_str": "99", "screen_name": "warga_99"},
            }
        ],
    }
    assert signed_post(c, "/intake/social/x", json.dumps(post).encode(), secret=SECRET).status_code == 200
    draft = SocialDraft.objects.get(author_handle="warga_99")
    res = _api(
        c, f"/api/intake/social/{draft.pk}/convert", {"title": _text("sosial")[:200]}, token_make(net.user("platform"))
    )
    assert res.status_code == 201, res.content
    tids["social"] = res.json()["tracking_id"]
    res = _api(
        c,
        "/api/intake/assisted",
        {
            "channel": "counter",
            "consent": True,
            "title": _text("loket"),
            "body": _text("loket"),
            "citizen_email": "warga@example.com",
        },
        token_make(net.user("liaison")),
    )
    assert res.status_code == 201, res.content
    tids["counter"] = res.json()["tracking_id"]
    res = c.post(
        "/open311/v2/requests.json",
        {
            "api_key": token_make(net.user("stranger")),
            "service_code": net.roads.slug,
            "lat": "-0.4631",
            "long": "100.4003",
            "description": _text("open311"),
            "attribute[title]": _text("open311"),
            "email": "warga@example.com",
        },
    )
    assert res.status_code == 201, res.content
    tids["open311"] = res.json()[0]["service_request_id"]
    from django.contrib.auth import get_user_model

    partner_user = get_user_model().objects.create_user(full_name="Aplikasi Mitra")
    Partner.objects.create(name="Aplikasi Mitra", user=partner_user, webhook_url="http://partner.test/hook")
    res = _api(
        c,
        "/api/partners/reports",
        {"title": _text("mitra"), "body": _text("mitra"), "external_ref": "M-1"},
        token_make(partner_user),
    )
    assert res.status_code == 201, res.content
    tids["partner"] = res.json()["tracking_id"]
    Peer.objects.create(
        name="Kota A", slug="kota-a", base_url="http://a.test", secret=PEER_SECRET, direction=Peer.Direction.INBOUND
    )
    body = json.dumps(
        {
            "type": "report.forward",
            "origin": "kota-a",
            "tracking_id": "ABCD-EFGH",
            "reason": "wewenang",
            "report": {
                "type": "complaint",
                "title": _text("federasi"),
                "body": _text("federasi"),
                "is_anonymous": False,
                "is_confidential": False,
                "reporter_name": "Warga" + CONTROLS,
            },
        }
    ).encode()
    headers = signed_headers(PEER_SECRET, body, str(uuid.uuid4()), 1_700_000_000)
    res = c.post("/federation/inbound", data=body, content_type="application/json", headers=headers)
    assert res.status_code == 202, res.content
    tids["federation"] = Report.objects.get(channel="federation").tracking_id
    return tids


def _relayed_replies(net, tids) -> None:
    """The reporter's reply as a partner system and a forwarding origin relay it."""
    from lapor.partners.models import Partner
    from lapor.partners.signing import signed_headers

    c = Client()
    partner = Partner.objects.get(name="Aplikasi Mitra")
    res = _api(
        c,
        f"/api/partners/reports/{tids['partner']}/replies",
        {"body": _text("balasan mitra")},
        token_make(partner.user),
    )
    assert res.status_code in (200, 201), res.content
    body = json.dumps(
        {
            "type": "report.reporter",
            "origin": "kota-a",
            "tracking_id": "ABCD-EFGH",
            "relay_id": "door-relay-1",
            "action": "reply",
            "body": _text("balasan federasi"),
        }
    ).encode()
    headers = signed_headers(PEER_SECRET, body, str(uuid.uuid4()), 1_700_000_000)
    res = c.post("/federation/reporter", data=body, content_type="application/json", headers=headers)
    assert res.status_code == 202, res.content
    res = _api(
        c,
        "/api/calendar/days",
        {"date": "2027-06-10", "name": "SKB" + CONTROLS + " cuti bersama", "working": False},
        token_make(net.user("platform")),
    )
    assert res.status_code == 201, res.content


@pytest.fixture
def doors(net, settings, monkeypatch):
    settings.LAPOR_SMS_SECRET = settings.LAPOR_EMAIL_SECRET = settings.LAPOR_SOCIAL_SECRET = SECRET
    settings.LAPOR_RATES = {name: "1000000/60" for name in ("submit", "login", "track", "webhook", "federation")}
    monkeypatch.setattr("lapor.analytics.jobs._submit_here", lambda job_id: None)
    with wa.cloud_api() as cloud:
        wa.configure(settings, cloud)
        cloud.customer_wrote("6281298765432")
        tids = _doors(net)
    platform = Actor(user=net.user("platform"))
    for report in Report.objects.filter(tracking_id__in=tids.values()):
        if report.state == "submitted":
            services.report_route(report=report, actor=platform, agency=net.city)
    Report.objects.filter(tracking_id__in=tids.values()).update(is_confidential=False)  # all public
    _relayed_replies(net, tids)
    return tids


def _clean(value: str) -> bool:
    return not any(ch in value for ch in CONTROLS if ch not in KEPT)


def test_every_door_stores_no_control_character_and_every_output_parses(net, doors):
    from lapor.reports.models import CalendarDay, Message

    assert set(doors) == {
        *("web", "api", "sms", "email", "whatsapp", "social", "counter", "open311", "partner", "federation"),
    }
    for door, tid in doors.items():
        report = Report.objects.get(tracking_id=tid)
        assert _clean(report.title) and _clean(report.body) and _clean(report.guest_name), door
    replies = Message.objects.filter(report__tracking_id__in=[doors["partner"], doors["federation"]], kind="reply")
    assert replies.count() == 2 and all(_clean(m.body) and "balasan" in m.body for m in replies)
    assert _clean(CalendarDay.objects.get(date="2027-06-10").name)
    c, token = Client(), token_make(net.user("platform"))
    staff = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    feed_xml = ET.fromstring(c.get("/open311/v2/requests.xml").content)  # raises if not well-formed
    assert set(doors.values()) <= {e.findtext("service_request_id") for e in feed_xml.iter("request")}
    feed_json = json.loads(c.get("/open311/v2/requests.json").content)
    assert set(doors.values()) <= {r["service_request_id"] for r in feed_json}
    public = json.loads(c.get("/api/public/reports", {"limit": 100}).content)
    assert set(doors.values()) <= {r["tracking_id"] for r in public["items"]}
    for door, tid in doors.items():
        one = ET.fromstring(c.get(f"/open311/v2/requests/{tid}.xml").content)
        assert _clean(one.find("request").findtext("description") or ""), door
        for url, headers in (
            (f"/open311/v2/requests/{tid}.json", {}),
            (f"/api/public/reports/{tid}", {}),
            (f"/api/reports/{tid}", staff),
            (f"/api/reports/{tid}/timeline", staff),
        ):
            res = c.get(url, **headers)
            assert res.status_code == 200, (door, url, res.status_code)
            text = json.dumps(json.loads(res.content), ensure_ascii=False)  # raises if not JSON
            assert _clean(text.replace("\\n", "").replace("\\t", "").replace("\\r", "")), (door, url)

    calendar = c.get("/api/calendar", {"year": 2027}, HTTP_ACCEPT_LANGUAGE="en")
    assert calendar.status_code == 200
    text = json.dumps(json.loads(calendar.content), ensure_ascii=False)
    assert "SKB cuti bersama" in text and _clean(text)

    from lapor.analytics.opendata import opendata_build

    opendata_build()
    res = c.get("/api/analytics/public/dataset.csv.gz")
    assert res.status_code == 200
    rows = list(
        csv.DictReader(
            io.StringIO(
                gzip.decompress(b"".join(res.streaming_content if res.streaming else [res.content])).decode("utf-8-sig")
            )
        )
    )
    assert set(doors.values()) <= {r.get("tracking_id") for r in rows}
    assert all(_clean("".join(str(v) for v in r.values())) for r in rows)

    import zipfile

    res = c.get("/api/analytics/export", {"format": "xlsx", "scope": "n"}, **staff)
    assert res.status_code == 200, res.content[:300]
    content = b"".join(res.streaming_content) if res.streaming else res.content
    with zipfile.ZipFile(io.BytesIO(content)) as book:  # every part of the workbook is well-formed XML
        texts = [
            "".join(ET.fromstring(book.read(name)).itertext()) for name in book.namelist() if name.endswith(".xml")
        ]
    assert any(tid in "".join(texts) for tid in doors.values()) and _clean("".join(texts))
    res = c.get("/api/analytics/export", {"format": "csv", "scope": "n"}, **staff)
    content = b"".join(res.streaming_content) if res.streaming else res.content
    assert res.status_code == 200 and _clean(content.decode("utf-8-sig"))


@pytest.mark.slow  # a live server
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_the_georeport_client_reads_the_feed_of_every_door(net, doors, live_server, fmt):
    """A third-party Open311 client (PyPI ``georeport``) reads, over HTTP, the feed holding the
    report of every door and each of those reports on its own."""
    georeport = pytest.importorskip("georeport")
    client = georeport.GeoReport(f"{live_server.url}/open311/v2", output_format=fmt)
    feed = client.get_service_requests()
    feed = [feed] if isinstance(feed, dict) else feed
    by_id = {r["service_request_id"]: r for r in feed}
    assert set(doors.values()) <= set(by_id), sorted(set(doors.values()) - set(by_id))
    for door, tid in doors.items():
        one = client.get_service_request(tid)
        one = one[0] if isinstance(one, list) else one
        for item in (by_id[tid], one):
            assert _clean(item["description"] or "") and "jalan mati" in item["description"], (door, fmt)
