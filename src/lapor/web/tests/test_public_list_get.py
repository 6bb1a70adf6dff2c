"""The public list: only what the public may see, search and filters, "dukung" once per account."""

from lapor.web.models import Support

from .helpers import report_make, routed_to_dept


def test_public_list_hides_unverified_and_confidential_and_masks_anonymous(net, client):
    public, _ = routed_to_dept(net, title="Lampu jalan mati", is_anonymous=True)
    confidential, _ = routed_to_dept(net, title="Pungutan liar", is_confidential=True)
    fresh, _ = report_make(net, title="Belum diverifikasi")
    html = client.get("/laporan/").content.decode()
    assert public.tracking_id in html and confidential.tracking_id not in html and fresh.tracking_id not in html
    assert 'data-testid="reporter">Anonim<' in html


def test_search_and_status_filter(net, client):
    lamp, _ = routed_to_dept(net, title="Lampu jalan mati")
    road, _ = routed_to_dept(net, title="Jalan berlubang", body="Lubang besar di depan pasar.")
    html = client.get("/laporan/", {"q": "lampu"}).content.decode()
    assert lamp.tracking_id in html and road.tracking_id not in html
    html = client.get("/laporan/", {"status": "done"}).content.decode()
    assert lamp.tracking_id not in html
    assert client.get("/laporan/", {"status": "bogus", "topic": "x", "cursor": "!!"}).status_code == 400


def test_support_once_per_account(net, client):
    report, _ = routed_to_dept(net)
    assert client.post(f"/laporan/{report.tracking_id}/dukung/").status_code == 302  # to sign in
    assert not Support.objects.exists()
    client.force_login(net.user("stranger"))
    client.post(f"/laporan/{report.tracking_id}/dukung/")
    client.post(f"/laporan/{report.tracking_id}/dukung/")
    assert Support.objects.filter(report=report).count() == 1
    html = client.get("/laporan/").content.decode()
    assert "Didukung (1)" in html


def test_confidential_report_cannot_be_supported(net, client):
    report, _ = routed_to_dept(net, is_confidential=True)
    client.force_login(net.user("stranger"))
    assert client.post(f"/laporan/{report.tracking_id}/dukung/").status_code == 404
    assert not Support.objects.exists()
