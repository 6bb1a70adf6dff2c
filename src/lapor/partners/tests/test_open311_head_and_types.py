"""Issue 16: HEAD on an Open311 GET answered 405, and a POST body of a type the server does not read
(text/json, text/plain) was read as an empty form and answered a misleading "403 api_key missing"."""

import json

import pytest

from lapor.accounts.testing import token_make

BASE = "/open311/v2"


def test_head_on_an_open311_get_is_the_get_without_a_body(net, client):
    get = client.get(f"{BASE}/services.json")
    head = client.head(f"{BASE}/services.json")
    assert head.status_code == 200 == get.status_code and head.content == b""
    assert head["Content-Type"] == get["Content-Type"] == "application/json"
    head = client.head(f"{BASE}/services.xml")
    assert head.status_code == 200 and head["Content-Type"].startswith("text/xml") and head.content == b""


def test_methods_really_not_allowed_keep_405_and_allow_lists_head(net, client):
    res = client.put(f"{BASE}/services.json")
    assert res.status_code == 405 and res["Allow"] == "GET, HEAD"
    assert json.loads(res.content)[0]["code"] == 405
    res = client.delete(f"{BASE}/requests.xml")
    assert res.status_code == 405 and "HEAD" in res["Allow"] and "POST" in res["Allow"]
    assert b"<errors><error><code>405</code>" in res.content


@pytest.mark.parametrize("content_type", ["text/json", "text/plain", "application/xml"])
def test_a_body_type_not_read_is_415_naming_the_accepted_types(net, client, content_type):
    key = token_make(net.user("stranger"))
    body = json.dumps({"api_key": key, "service_code": "jalan-jembatan", "description": "x", "lat": "-6.2"})
    res = client.post(f"{BASE}/requests.json", body, content_type=content_type)
    assert res.status_code == 415, res.content
    error = json.loads(res.content)
    assert error[0]["code"] == 415 and "application/json" in error[0]["description"]
    assert "application/x-www-form-urlencoded" in error[0]["description"]
    res = client.post(f"{BASE}/requests.xml", body, content_type=content_type)
    assert res.status_code == 415 and b"<errors><error><code>415</code>" in res.content


def test_the_types_read_still_work(net, client):
    key = token_make(net.user("stranger"))
    fields = {
        "api_key": key,
        "service_code": "jalan-jembatan",
        "description": "Lubang besar di jalan",
        "lat": "-6.2",
        "long": "106.8",
        "email": "warga@example.com",
    }
    res = client.post(f"{BASE}/requests.json", json.dumps(fields), content_type="application/json")
    assert res.status_code == 201, res.content
    res = client.post(f"{BASE}/requests.json", fields)  # multipart
    assert res.status_code == 201, res.content
