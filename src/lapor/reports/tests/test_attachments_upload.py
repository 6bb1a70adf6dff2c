"""Attachments: type from content, size limit, EXIF stripped, served only after a permission check."""

import io

from PIL import Image

from lapor.accounts.testing import submission_data
from lapor.reports import services as s
from lapor.reports.models import Attachment, Report


def jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "KameraRahasia"  # Make
    exif[0x8825] = {1: "S", 2: (0.0, 27.0, 6.0)}  # GPS latitude
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(client, tid, name, data, *, secret=None, token=None):
    headers = {}
    if secret:
        headers["HTTP_X_REPORT_SECRET"] = secret
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(f"/api/reports/{tid}/attachments", {"file": _named(data, name)}, **headers)


def _named(data, name):
    f = io.BytesIO(data)
    f.name = name
    return f


def guest_report(api):
    res = api.post("/api/reports", submission_data(guest_email="warga@example.com"))
    return res.json()["tracking_id"], res.json()["guest_secret"]


def test_photo_is_stored_without_exif_and_served_safely(client, api, net):
    tid, secret = guest_report(api)
    original = jpeg_with_gps()
    assert b"KameraRahasia" in original
    res = upload(client, tid, "foto jalan.jpg", original, secret=secret)
    assert res.status_code == 201, res.content
    att = Attachment.objects.get()
    assert att.content_type == "image/jpeg" and att.original_name == "foto jalan.jpg"
    got = client.get(res.json()["url"], HTTP_X_REPORT_SECRET=secret)
    assert got.status_code == 200
    data = b"".join(got.streaming_content)
    assert b"KameraRahasia" not in data and not Image.open(io.BytesIO(data)).getexif()
    assert got["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in got["Content-Disposition"]
    assert "sandbox" in got["Content-Security-Policy"]


def test_a_script_named_jpg_is_refused(client, api, net):
    tid, secret = guest_report(api)
    res = upload(client, tid, "foto.jpg", b"<script>alert(1)</script>" * 10, secret=secret)
    assert res.status_code == 400 and res.json()["code"] == "file_type_not_allowed"
    assert Attachment.objects.count() == 0


def test_svg_is_refused(client, api, net):
    tid, secret = guest_report(api)
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert upload(client, tid, "peta.svg", svg, secret=secret).status_code == 400


def test_oversized_upload_is_refused(client, api, net, settings):
    settings.LAPOR_MAX_UPLOAD_BYTES = 1000
    tid, secret = guest_report(api)
    res = upload(client, tid, "besar.jpg", jpeg_with_gps() + b"\0" * 2000, secret=secret)
    assert res.status_code == 400 and res.json()["code"] == "file_too_large"


def test_decompression_bomb_is_refused(client, api, net):
    tid, secret = guest_report(api)
    img = Image.new("1", (10000, 10000))  # 100 megapixels, tiny PNG
    out = io.BytesIO()
    img.save(out, format="PNG")
    res = upload(client, tid, "bom.png", out.getvalue(), secret=secret)
    assert res.status_code == 400 and res.json()["code"] == "image_too_large"


def test_path_traversal_names_are_neutralised(client, api, net):
    tid, secret = guest_report(api)
    res = upload(client, tid, "../../etc/passwd.jpg", jpeg_with_gps(), secret=secret)
    assert res.status_code == 201
    att = Attachment.objects.get()
    assert att.original_name == "passwd.jpg" and "/" not in att.storage_name


def test_outsiders_cannot_download(client, api, net):
    from lapor.accounts.testing import token_make

    tid, secret = guest_report(api)
    url = upload(client, tid, "foto.jpg", jpeg_with_gps(), secret=secret).json()["url"]
    report = Report.objects.get(tracking_id=tid)
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=net.dept)
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token_make(net.user('other_admin'))}").status_code == 404
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token_make(net.user('liaison'))}").status_code == 200
