"""Issue 16: an over-long URI (414) or header (431) is refused before any view, in the door's shape
(the Django side; a real ``lapor serve`` is in test_serve_request_head.py)."""

import json

LONG = "x" * 8100


def test_open311_gets_its_error_list_in_the_format_of_the_path(net, client):
    res = client.get("/open311/v2/requests.json", {"service_request_id": LONG})
    assert res.status_code == 414 and json.loads(res.content)[0]["code"] == 414
    res = client.get("/open311/v2/requests.xml", {"service_request_id": LONG})
    assert res.status_code == 414 and b"<errors><error><code>414</code><description>" in res.content
    res = client.get("/open311/v2/services.xml", HTTP_COOKIE="a=" + "b" * 9000)
    assert res.status_code == 431 and b"<errors><error><code>431</code>" in res.content


def test_machine_doors_get_json_and_the_site_its_page(net, client):
    for path in ("/federation/inbound", "/intake/sms"):
        res = client.get(path, {"q": LONG})
        assert res.status_code == 414 and res.json()["code"] == "uri_too_long", path
    res = client.get("/", {"q": LONG})
    assert res.status_code == 414 and res["Content-Type"].startswith("text/html")
    assert 'name="viewport"' in res.content.decode()
    res = client.get("/", HTTP_COOKIE="a=" + "b" * 9000, HTTP_ACCEPT_LANGUAGE="en")
    assert res.status_code == 431 and res["Content-Type"].startswith("text/html")
