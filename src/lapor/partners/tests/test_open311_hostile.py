"""Issue 16: valid-looking but impossible input answered 500; each is a 400 in the spec's error shape."""

import json
from xml.etree import ElementTree as ET

import pytest

from lapor.accounts.testing import token_make
from lapor.reports.models import Report

BASE = "/open311/v2"


@pytest.mark.parametrize(
    "query",
    [
        "start_date=2024-02-30T00:00:00Z",
        "start_date=2024-13-01",
        "start_date=2024-01-01T00:00:00%2B25:00",
        "start_date=9999-12-31T00:00:00Z",
        "end_date=0001-01-01T00:00:00Z",
        "start_date=0001-01-01",
        "end_date=9999-12-31",
    ],
)
def test_impossible_dates_are_400_in_both_formats(net, client, query):
    res = client.get(f"{BASE}/requests.json?{query}")
    assert res.status_code == 400, res.content
    assert res.json()[0]["code"] == 400 and res.json()[0]["description"]
    res = client.get(f"{BASE}/requests.xml?{query}")
    assert res.status_code == 400
    assert ET.fromstring(res.content).find("error").findtext("code") == "400"


def _form(net, **extra):
    return {
        "api_key": token_make(net.user("stranger")),
        "service_code": "jalan-jembatan",
        "lat": "-0.4631",
        "long": "100.4003",
        "email": "warga@example.com",
        "description": "Jalan berlubang besar.",
        **extra,
    }


def test_impossible_incident_date_and_odd_numbers_are_400(net, client):
    for extra in ({"attribute[incident_date]": "2024-02-30"}, {"lat": "1_0"}, {"lat": "nan"}, {"long": "inf"}):
        res = client.post(f"{BASE}/requests.json", _form(net, **extra))
        assert res.status_code == 400, (extra, res.content)
        assert res.json()[0]["code"] == 400
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        '{"service_code": "jalan-jembatan", "description": "\\ud800 rusak", "email": "a@example.com"}',
        "[" * 100_000 + "]" * 100_000,
        '{"service_code": "jalan-jembatan", "description": {"a": 1}, "email": "a@example.com"}',
        '{"service_code": "jalan-jembatan", "description": true, "email": "a@example.com"}',
        '{"service_code": "jalan-jembatan", "description": ["x"], "email": "a@example.com"}',
        '{"service_code": "jalan-jembatan", "description": "ok ok ok", "email": "a@example.com", "lat": "1_0"}',
    ],
)
def test_hostile_json_bodies_are_400(net, client, body):
    key = token_make(net.user("stranger"))
    if body.startswith("{"):
        body = body.replace("{", f'{{"api_key": "{key}", ', 1)
    res = client.post(f"{BASE}/requests.json?api_key={key}", body, content_type="application/json")
    assert res.status_code == 400, res.content[:300]
    assert res.json()[0]["code"] == 400
    assert not Report.objects.exists()


def test_jurisdiction_is_checked_in_every_body_form(net, client):
    form = _form(net, jurisdiction_id="bukan-kita")
    res = client.post(f"{BASE}/requests.json", form)
    assert res.status_code == 404 and res.json()[0]["code"] == 404
    res = client.post(
        f"{BASE}/requests.json?api_key={form['api_key']}", json.dumps(form), content_type="application/json"
    )
    assert res.status_code == 404 and res.json()[0]["code"] == 404
    res = client.post(f"{BASE}/requests.xml?jurisdiction_id=bukan-kita", _form(net))
    assert res.status_code == 404 and ET.fromstring(res.content).find("error").findtext("code") == "404"
    assert not Report.objects.exists()


def test_wrong_method_is_405_in_the_spec_shape(net, client):
    res = client.delete(f"{BASE}/requests.xml")
    assert res.status_code == 405 and "GET" in res["Allow"]
    assert ET.fromstring(res.content).find("error").findtext("code") == "405"
    res = client.put(f"{BASE}/services.json")
    assert res.status_code == 405 and res.json()[0]["code"] == 405


def test_error_descriptions_follow_accept_language(net, client):
    id_ = client.get(f"{BASE}/services/tidak-ada.json", HTTP_ACCEPT_LANGUAGE="id").json()[0]["description"]
    en = client.get(f"{BASE}/services/tidak-ada.json", HTTP_ACCEPT_LANGUAGE="en").json()[0]["description"]
    assert id_ != en and "tidak ditemukan" in id_ and "not found" in en.lower()


def test_discovery_lists_formats_as_elements_and_its_changeset_follows_the_services(net, client):
    root = ET.fromstring(client.get(f"{BASE}/discovery.xml").content)
    assert [f.text for f in root.iter("format")] == ["text/xml", "application/json"]
    before = client.get(f"{BASE}/discovery.json").json()
    assert before["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert client.get(f"{BASE}/discovery.json").json()["changeset"] == before["changeset"]  # stable
    import time

    time.sleep(1.1)
    net.roads.name = "Jalan, Jembatan dan Trotoar"
    net.roads.save()
    after = client.get(f"{BASE}/discovery.json").json()
    assert after["changeset"] > before["changeset"] and after["endpoints"][0]["changeset"] == after["changeset"]
