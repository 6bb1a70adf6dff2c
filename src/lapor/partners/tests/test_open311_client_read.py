"""A third-party Open311 client from PyPI (``georeport``) reads our endpoint over real HTTP.

georeport only reads (services, service definitions, requests); POST is covered with the Django
test client in test_open311_requests.py.
"""

import pytest

from .helpers import report_make

georeport = pytest.importorskip("georeport")
pytestmark = pytest.mark.slow  # a live server per test


@pytest.fixture
def jurisdiction(settings):
    settings.LAPOR_OPEN311_JURISDICTION = "padangpanjang.go.id"
    return "padangpanjang.go.id"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_reads_services_and_requests(net, live_server, jurisdiction, fmt):
    public = report_make(net, topic_id=net.health_topic.pk)
    hidden = report_make(net, is_confidential=True)
    client = georeport.GeoReport(f"{live_server.url}/open311/v2", jurisdiction=jurisdiction, output_format=fmt)

    services = client.get_service_list()
    assert {s["service_code"] for s in services} == {"infrastruktur", "jalan-jembatan", "kesehatan"}
    definition = client.get_service_definition("jalan-jembatan")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert "type" in {a["code"] for a in attributes}

    requests = client.get_service_requests()
    requests = [requests] if isinstance(requests, dict) else requests  # xmltodict: one item is a dict
    assert [r["service_request_id"] for r in requests] == [public.tracking_id]
    one = client.get_service_request(public.tracking_id)
    assert one["service_code"] == "kesehatan" and one["status"] == "open"
    assert one["agency_responsible"] == net.city.name
    if fmt == "json":
        assert client.get_service_requests(service_request_id=hidden.tracking_id) == []
    else:  # georeport 0.3.1 cannot parse an empty XML list (xmltodict gives None): ask directly
        import requests

        res = requests.get(
            f"{live_server.url}/open311/v2/requests.xml", params={"service_request_id": hidden.tracking_id}, timeout=10
        )
        assert res.status_code == 200 and b"<request>" not in res.content and hidden.tracking_id not in res.text


def test_georeport_client_sees_unknown_jurisdiction_as_http_404(net, live_server, jurisdiction):
    import requests

    client = georeport.GeoReport(f"{live_server.url}/open311/v2", jurisdiction="jakarta.go.id")
    with pytest.raises(requests.HTTPError) as exc:
        client.get_service_list()
    assert exc.value.response.status_code == 404
