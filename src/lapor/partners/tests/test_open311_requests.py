"""Open311 GeoReport v2 through the Django test client, in XML and JSON."""

import datetime as dt
from xml.etree import ElementTree as ET

from django.utils import timezone

from lapor.accounts.testing import token_make
from lapor.reports import services
from lapor.reports.models import Report, ReportEvent
from lapor.reports.services import Actor

from .helpers import report_make, xml_items

BASE = "/open311/v2"


def test_services_are_topics_with_group_and_keywords(net, client):
    net.roads.keywords = "jalan,lubang,aspal"
    net.roads.save()
    res = client.get(f"{BASE}/services.json")
    assert res.status_code == 200 and res["Content-Type"] == "application/json"
    roads = next(s for s in res.json() if s["service_code"] == "jalan-jembatan")
    assert roads["service_name"] == "Jalan dan Jembatan" and roads["group"] == "Infrastruktur"
    assert roads["keywords"] == "jalan,lubang,aspal" and roads["metadata"] is True and roads["type"] == "realtime"

    res = client.get(f"{BASE}/services.xml")
    assert res.status_code == 200 and res["Content-Type"].startswith("text/xml")
    codes = {s["service_code"]: s for s in xml_items(res.content, "service")}
    assert set(codes) == {"infrastruktur", "jalan-jembatan", "kesehatan"}
    assert codes["jalan-jembatan"]["group"] == "Infrastruktur" and codes["infrastruktur"]["group"] == ""


def test_service_definition_lists_attributes_and_unknown_code_is_spec_404(net, client):
    res = client.get(f"{BASE}/services/jalan-jembatan.json")
    assert res.status_code == 200
    attributes = {a["code"]: a for a in res.json()["attributes"]}
    assert {v["key"] for v in attributes["type"]["values"]} == {"complaint", "suggestion", "information"}
    assert attributes["is_anonymous"]["datatype"] == "singlevaluelist"

    root = ET.fromstring(client.get(f"{BASE}/services/jalan-jembatan.xml").content)
    assert root.tag == "service_definition"
    assert [a.findtext("code") for a in root.iter("attribute")][:2] == ["title", "type"]
    assert {v.findtext("key") for v in root.find("attributes/attribute[code='type']/values")} >= {"complaint"}

    res = client.get(f"{BASE}/services/tidak-ada.xml")
    assert res.status_code == 404
    error = ET.fromstring(res.content).find("error")
    assert error.findtext("code") == "404" and "service_code" in error.findtext("description")
    res = client.get(f"{BASE}/services/tidak-ada.json")
    assert res.status_code == 404 and res.json()[0]["code"] == 404


def test_post_request_with_api_key_files_an_open311_report(net, client):
    key = token_make(net.user("stranger"))
    form = {
        "api_key": key,
        "service_code": "jalan-jembatan",
        "lat": "-0.4631",
        "long": "100.4003",
        "description": "Lubang besar di Jalan Sudirman dekat sekolah.",
        "email": "warga@example.com",
        "first_name": "Siti",
        "last_name": "Aminah",
        "attribute[type]": "complaint",
    }
    res = client.post(f"{BASE}/requests.json", form)
    assert res.status_code == 201, res.content
    body = res.json()[0]
    report = Report.objects.get(tracking_id=body["service_request_id"])
    assert body["token"] == report.tracking_id
    assert report.channel == "open311" and report.topic == net.roads and report.reporter is None
    assert report.guest_name == "Siti Aminah" and report.guest_email == "warga@example.com"
    assert report.title.startswith("Lubang besar") and float(report.latitude) == -0.4631

    res = client.post(f"{BASE}/requests.xml", {**form, "email": "", "description": "Jembatan retak."})
    assert res.status_code == 201
    tid = xml_items(res.content, "request")[0]["service_request_id"]
    assert Report.objects.get(tracking_id=tid).reporter == net.user("stranger")  # no contact: the key's owner


def test_post_request_is_refused_with_reasons(net, client):
    key = token_make(net.user("stranger"))
    ok = {
        "api_key": key,
        "service_code": "jalan-jembatan",
        "address_string": "Jl. Sudirman 1",
        "description": "Lampu jalan mati.",
    }
    cases = [
        ({**ok, "api_key": ""}, 403, "api_key"),
        ({**ok, "api_key": "lpr_bogus_bogus"}, 403, "api_key"),
        ({**ok, "service_code": "tidak-ada"}, 400, "service_code"),
        ({**ok, "address_string": ""}, 400, "Lokasi"),
        ({**ok, "description": ""}, 400, "description"),
        ({**ok, "lat": "utara", "long": "1"}, 400, "lat"),
        ({**ok, "attribute[type]": "gosip"}, 400, "Jenis"),
    ]
    for form, status, words in cases:
        res = client.post(f"{BASE}/requests.json", form)
        assert res.status_code == status, (form, res.content)
        assert words in res.json()[0]["description"]
    assert not Report.objects.exists()
    res = client.post(f"{BASE}/requests.xml", {**ok, "api_key": ""})
    assert res.status_code == 403 and ET.fromstring(res.content).tag == "errors"


def test_post_request_retry_with_idempotency_key_files_one_report(net, client):
    form = {
        "api_key": token_make(net.user("stranger")),
        "service_code": "kesehatan",
        "address_string": "Puskesmas Bukit Surungan",
        "description": "Antrean obat terlalu lama.",
    }
    first = client.post(f"{BASE}/requests.json", form, headers={"Idempotency-Key": "abc-1"})
    again = client.post(f"{BASE}/requests.json", form, headers={"Idempotency-Key": "abc-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert Report.objects.count() == 1


def test_get_requests_shows_public_reports_only_with_status_mapping(net, client):
    public = report_make(net, title="Jalan rusak", topic_id=net.health_topic.pk, address="Jl. Merdeka 5")
    confidential = report_make(net, is_confidential=True, body="Rahasia: nomor rumah saya 12")
    unverified = report_make(net, routed=False)
    done = report_make(net)
    services.report_follow_up(report=done, actor=Actor(user=net.user("city_admin")), body="Sudah diperbaiki.")
    services.report_complete(report=done, actor=Actor(user=net.user("reporter")))

    res = client.get(f"{BASE}/requests.json")
    assert res.status_code == 200
    by_id = {r["service_request_id"]: r for r in res.json()}
    assert set(by_id) == {public.tracking_id, done.tracking_id}
    assert confidential.tracking_id not in res.content.decode() and unverified.tracking_id not in by_id
    assert "nomor rumah" not in res.content.decode()
    row = by_id[public.tracking_id]
    assert row["status"] == "open" and row["agency_responsible"] == net.city.name
    assert row["service_code"] == "kesehatan" and row["address"] == "Jl. Merdeka 5" and row["media_url"] is None
    assert row["expected_datetime"] == timezone.localtime(public.completion_due_at).isoformat(timespec="seconds")
    assert by_id[done.tracking_id]["status"] == "closed" and by_id[done.tracking_id]["expected_datetime"] is None
    assert by_id[done.tracking_id]["status_notes"] == "Sudah diperbaiki."

    closed = client.get(f"{BASE}/requests.xml", {"status": "closed"})
    assert [r["service_request_id"] for r in xml_items(closed.content, "request")] == [done.tracking_id]
    opened = client.get(f"{BASE}/requests.json", {"status": "open", "service_code": "kesehatan"})
    assert [r["service_request_id"] for r in opened.json()] == [public.tracking_id]
    assert client.get(f"{BASE}/requests.json", {"status": "maybe"}).status_code == 400


def test_status_notes_are_masked_like_the_description(net, client):
    """An answer can quote the reporter's phone or NIK; Open311 GET is public, so it masks them."""
    report = report_make(net)
    services.report_follow_up(
        report=report,
        actor=Actor(user=net.user("city_admin")),
        body="Sudah kami hubungi di 0812-3456-7890 (NIK 3578012345670001).",
    )
    row = client.get(f"{BASE}/requests/{report.tracking_id}.json").json()[0]
    assert row["status_notes"].startswith("Sudah kami hubungi di ")
    assert "3456" not in row["status_notes"] and "3578012345670001" not in row["status_notes"]


def test_get_request_by_id_and_confidential_is_not_found(net, client):
    report = report_make(net)
    services.report_follow_up(report=report, actor=Actor(user=net.user("city_admin")), body="Jawaban pertama.")
    services.report_reply(report=report, actor=Actor(user=net.user("reporter")), body="Belum beres.")
    services.report_follow_up(report=report, actor=Actor(user=net.user("city_admin")), body="Jawaban kedua.")
    services.report_note(report=report, actor=Actor(user=net.user("city_admin")), body="catatan internal")
    res = client.get(f"{BASE}/requests/{report.tracking_id}.xml")
    assert res.status_code == 200
    row = xml_items(res.content, "request")[0]
    assert row["status_notes"] == "Jawaban kedua." and row["status"] == "open"
    assert "catatan internal" not in res.content.decode() and "Budi" not in res.content.decode()
    assert row["requested_datetime"] and row["updated_datetime"]

    hidden = report_make(net, is_confidential=True)
    for fmt in ("xml", "json"):
        assert client.get(f"{BASE}/requests/{hidden.tracking_id}.{fmt}").status_code == 404
    assert client.get(f"{BASE}/requests.json", {"service_request_id": hidden.tracking_id}).json() == []
    assert client.get(f"{BASE}/tokens/{hidden.tracking_id}.json").status_code == 404


def test_anonymous_report_shows_no_identity_and_a_coarse_location(net, client):
    report = report_make(
        net,
        is_anonymous=True,
        latitude=-0.463123,
        longitude=100.400321,
        address="Rumah saya, Jl. Anggrek 7",
        region_code="13.74.02",
    )
    text = client.get(f"{BASE}/requests/{report.tracking_id}.json").content.decode()
    row = client.get(f"{BASE}/requests/{report.tracking_id}.json").json()[0]
    assert "Budi" not in text and "budi@" not in text and "Anggrek" not in text
    assert row["lat"] == -0.463 and row["long"] == 100.4 and row["address"] == "Padang Panjang Barat"


def test_date_window_defaults_to_90_days_and_rejects_longer_or_bad_ranges(net, client):
    recent, old = report_make(net), report_make(net)
    Report.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - dt.timedelta(days=120))
    ids = [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()]
    assert ids == [recent.tracking_id]
    start = (timezone.now() - dt.timedelta(days=125)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ids = [r["service_request_id"] for r in client.get(f"{BASE}/requests.json", {"start_date": start}).json()]
    assert ids == [old.tracking_id]
    res = client.get(
        f"{BASE}/requests.json", {"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-06-01T00:00:00Z"}
    )
    assert res.status_code == 400 and "90" in res.json()[0]["description"]
    assert client.get(f"{BASE}/requests.json", {"start_date": "kemarin"}).status_code == 400
    assert (
        client.get(f"{BASE}/requests.json", {"start_date": "2024-02-01", "end_date": "2024-01-01"}).status_code == 400
    )


def test_jurisdiction_is_checked_when_given(net, client, settings):
    settings.LAPOR_OPEN311_JURISDICTION = "padangpanjang.go.id"
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "padangpanjang.go.id"}).status_code == 200
    res = client.get(f"{BASE}/services.xml", {"jurisdiction_id": "jakarta.go.id"})
    assert res.status_code == 404 and "jurisdiction_id" in ET.fromstring(res.content).findtext("error/description")
    res = client.post(f"{BASE}/requests.json", {"jurisdiction_id": "x", "api_key": token_make(net.user("stranger"))})
    assert res.status_code == 404 and not Report.objects.exists()


def test_tokens_and_unknown_formats(net, client):
    report = report_make(net)
    res = client.get(f"{BASE}/tokens/{report.tracking_id}.json")
    assert res.json() == [{"service_request_id": report.tracking_id, "token": report.tracking_id}]
    res = client.get(f"{BASE}/services.csv")
    assert res.status_code == 400 and ET.fromstring(res.content).tag == "errors"
    assert client.delete(f"{BASE}/services.json").status_code == 405
    assert ReportEvent.objects.filter(report=report).exists()


def test_a_token_answers_only_for_a_report_its_request_would_show(net, client):
    """tokens/<id> must not confirm what requests/<id> hides: unverified, archived, confidential."""
    unverified = report_make(net, routed=False, title="Belum diverifikasi", body="Laporan baru, belum diverifikasi.")
    archived = report_make(net)
    services.report_archive(report=archived, actor=Actor(user=net.user("platform")), reason="spam")
    confidential = report_make(net, is_confidential=True)
    shown = report_make(net)
    for report in (unverified, archived, confidential, shown):
        request = client.get(f"{BASE}/requests/{report.tracking_id}.json").status_code
        for fmt in ("json", "xml"):
            assert client.get(f"{BASE}/tokens/{report.tracking_id}.{fmt}").status_code == request, (report.state, fmt)
    assert client.get(f"{BASE}/tokens/{unverified.tracking_id}.json").status_code == 404
    assert client.get(f"{BASE}/tokens/{shown.tracking_id}.json").status_code == 200
