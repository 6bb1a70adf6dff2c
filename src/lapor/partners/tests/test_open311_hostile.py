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
        # a lone surrogate in a key (only values were checked: 201)
        '{"service_code": "jalan-jembatan", "description": "ok ok ok", "email": "a@example.com", "address_string": "Jl. A", "x\\ud800": "y"}',
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


@pytest.mark.parametrize("extra", [{"lat": "\uff11", "long": "\uff11\uff10\uff10"}, {"lat": "\u0663", "long": "100"}])
def test_digits_of_other_scripts_are_not_numbers(net, client, extra):
    """``\\d`` and float() take fullwidth and Arabic-Indic digits: "１" was stored as latitude 1.0."""
    res = client.post(f"{BASE}/requests.json", _form(net, **extra))
    assert res.status_code == 400, res.content
    assert res.json()[0]["code"] == 400
    assert not Report.objects.exists()


def test_a_yes_no_attribute_takes_only_yes_or_no(net, client):
    """ "on" (an HTML checkbox) was read as "no": a citizen who asked for anonymity was shown."""
    for value in ("on", "y", "anonim"):
        res = client.post(f"{BASE}/requests.json", _form(net, **{"attribute[is_anonymous]": value}))
        assert res.status_code == 400, (value, res.content)
        assert "is_anonymous" in res.json()[0]["description"]
    res = client.post(f"{BASE}/requests.xml", _form(net, **{"attribute[is_confidential]": "on"}))
    assert res.status_code == 400 and ET.fromstring(res.content).find("error").findtext("code") == "400"
    assert not Report.objects.exists()
    res = client.post(f"{BASE}/requests.json", _form(net, **{"attribute[is_anonymous]": "True"}))
    assert res.status_code == 201, res.content
    res = client.post(f"{BASE}/requests.json", _form(net, **{"attribute[is_anonymous]": "false"}))
    assert res.status_code == 201, res.content
    assert sorted(Report.objects.values_list("is_anonymous", flat=True)) == [False, True]


def test_the_years_named_in_the_range_are_accepted_at_both_ends(net, client):
    """A bare 1900-01-01 is midnight WIB, 1899 in UTC: it was refused as outside 1900-2999."""
    for query in ("start_date=1900-01-01", "end_date=1900-03-01", "end_date=2999-12-31", "start_date=2999-12-31"):
        assert client.get(f"{BASE}/requests.json?{query}").status_code == 200, query
    for query in ("start_date=1899-12-31", "end_date=3000-01-01"):
        res = client.get(f"{BASE}/requests.json?{query}")
        assert res.status_code == 400 and "1900-2999" in res.json()[0]["description"], query


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


def _multipart(fields: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = "lapor-boundary-7"
    parts = b"".join(
        b"--"
        + boundary.encode()
        + b'\r\nContent-Disposition: form-data; name="'
        + name.encode()
        + b'"\r\n\r\n'
        + value
        + b"\r\n"
        for name, value in fields.items()
    )
    return parts + b"--" + boundary.encode() + b"--\r\n", f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_form_body_that_is_not_utf8_is_400_and_nothing_is_stored(net, client, fmt):
    """Django reads raw bytes that are not UTF-8 as Latin-1 and ``%FF`` as U+FFFD: such reports were
    stored garbled ("ÿþ", "��"). A form that declares another charset was a 500 (Django's BadRequest)."""
    form = _form(net)
    fields = "&".join(f"{k}={v}" for k, v in form.items() if k != "description").encode()
    multipart, multipart_type = _multipart(
        {k: v.encode() for k, v in form.items() if k != "description"} | {"description": b"Jalan \xff\xfe rusak"}
    )
    cases = [
        (fields + b"&description=Jalan \xff\xfe rusak", "application/x-www-form-urlencoded"),
        (fields + b"&description=Jalan%FF%FE%20rusak", "application/x-www-form-urlencoded"),
        (fields + b"&description=Jalan%ED%A0%80rusak", "application/x-www-form-urlencoded"),  # a surrogate in UTF-8
        (fields + b"&description=Caf\xe9 rusak", "application/x-www-form-urlencoded; charset=iso-8859-1"),
        (multipart, multipart_type),
    ]
    for body, content_type in cases:
        res = client.generic(
            "POST", f"{BASE}/requests.{fmt}", body, content_type=content_type, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert res.status_code == 400, (body[-40:], res.content[:300])
        if fmt == "json":
            assert res.json()[0]["code"] == 400 and res.json()[0]["description"]
        else:
            assert ET.fromstring(res.content).find("error").findtext("code") == "400"
    assert not Report.objects.exists()
    # UTF-8, raw or escaped, in a form or a multipart body, is taken as written
    for body, content_type in (
        (fields + "&description=Jalan rusak ✓ é".encode(), "application/x-www-form-urlencoded"),
        (fields + b"&description=Jalan%20rusak%20%E2%9C%93", "application/x-www-form-urlencoded"),
        (_multipart({k: v.encode() for k, v in form.items()} | {"description": "Jalan rusak ✓".encode()})),
    ):
        res = client.generic("POST", f"{BASE}/requests.{fmt}", body, content_type=content_type)
        assert res.status_code == 201, res.content[:300]
    assert sorted(Report.objects.values_list("body", flat=True)) == [
        "Jalan rusak ✓",
        "Jalan rusak ✓",
        "Jalan rusak ✓ é",
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_bug_and_a_lost_database_are_500_and_503_in_the_spec_shape(net, monkeypatch, fmt):
    from django.db import OperationalError
    from django.test import Client

    client = Client(raise_request_exception=False)
    for exc, status in ((RuntimeError("a bug"), 500), (OperationalError("connection lost"), 503)):

        def fail(*args, exc=exc, **kwargs):
            raise exc

        monkeypatch.setattr("lapor.partners.open311.report_public_qs", fail)
        res = client.get(f"{BASE}/requests.{fmt}", HTTP_ACCEPT_LANGUAGE="en")
        assert res.status_code == status, res.content[:300]
        if fmt == "json":
            assert res["Content-Type"].startswith("application/json") and res.json()[0]["code"] == status
        else:
            assert res["Content-Type"].startswith("text/xml")
            assert ET.fromstring(res.content).find("error").findtext("code") == str(status)
        if status == 503:
            assert res["Retry-After"]
