"""Hostile tracking numbers never reach a 500: the lookup form answers 400 with a message in the
visitor's language, the track page and the API answer 404 (or 400), on SQLite and PostgreSQL."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .helpers import routed_to_dept

HOSTILE = [
    "\\",  # the reported one: /lacak/?tracking_id=%5C was a 500 (NoReverseMatch on an empty id)
    "\\\\\\",
    "%",
    "%%32",
    "-",
    " ",
    "\x00",
    "ABCD\x00EFGH",
    "\t\n",
    "'; DROP TABLE reports_report; --",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "ABCD-123",  # one character short
    "ABCD-12345",  # one too many
    "١٢٣٤٥٦٧٨",  # Arabic-Indic digits: str.isalnum() is true for them
    "ＡＢＣＤ１２３４",  # full-width letters and digits
    "😀😀😀😀",
    "A" * 5000,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_lookup_form_answers_400_not_500(net, client, value):
    res = client.get("/lacak/", {"tracking_id": value})
    assert res.status_code == 400, (value, res.status_code)
    html = res.content.decode()
    assert 'name="tracking_id"' in html  # the form again, to try once more
    if value.strip() and len(value) <= 20 and "\x00" not in value:  # else Django's own field message
        assert "Nomor pelacakan terdiri dari 8 huruf dan angka" in html


def test_lookup_form_message_in_english(net, client):
    client.cookies["django_language"] = "en"
    res = client.get("/lacak/", {"tracking_id": "\\"})
    assert res.status_code == 400
    assert "A tracking number is 8 letters and digits, for example ABCD-1234." in res.content.decode()


def test_lookup_form_still_finds_a_real_report(net, client):
    # What normalises to a well-formed but unknown number: the lookup says so, keeping what was typed.
    res = client.get("/lacak/", {"tracking_id": "ßßßß"})  # upper() makes it SSSS-SSSS
    assert res.status_code == 404 and 'value="ßßßß"' in res.content.decode()
    report, _secret = routed_to_dept(net)
    typed = report.tracking_id.lower().replace("-", " ")
    res = client.get("/lacak/", {"tracking_id": typed})
    assert res.status_code == 302 and res["Location"] == f"/lacak/{report.tracking_id}/"
    assert client.get("/lacak/").status_code == 200  # the empty form is not an error


@pytest.mark.parametrize("value", [v for v in HOSTILE + ["ßßßß"] if "/" not in v])
def test_track_page_and_api_answer_404_not_500(net, client, value):
    encoded = quote(value, safe="")
    for url in (
        f"/lacak/{encoded}/",
        f"/lacak/{encoded}/k/x/",
        f"/api/reports/{encoded}",
        f"/api/reports/{encoded}/timeline",
        f"/api/public/reports/{encoded}",
    ):
        res = client.get(url)
        assert res.status_code in (400, 404), (url, res.status_code)
        if url.startswith("/api/"):
            assert res["Content-Type"].startswith("application/json"), url
