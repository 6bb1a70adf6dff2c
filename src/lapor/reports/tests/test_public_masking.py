"""Every public surface masks personal data the same way: the public list and tracking page,
Open311 GET and the open-data file; the reporter's own name too when the report is anonymous."""

import gzip
import re

from lapor.reports import services as s

SECRET_BITS = ("0001", "3456", "Rahmat")


def public_report(net, *, anonymous: bool):
    report, _ = s.report_submit(
        submission=s.Submission(
            title="Pungutan liar saat urus KTP",
            body="Saya Rahmat Hidayat dimintai uang. NIK 3578 0123 4567 0001, telp 0812-3456-7890.",
            is_anonymous=anonymous,
            guest_name="Rahmat Hidayat",
            guest_email="r@warga.example",
        )
    )
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=net.city)
    return report


def leaks(text: str) -> list[str]:
    # a bit standing alone, as it does in "0812-3456-7890": a random token on the page (CSP nonce, CSRF
    # token, private-link key) holds "3456" now and then inside a run of letters and digits
    return [bit for bit in SECRET_BITS if re.search(rf"(?<![0-9A-Za-z]){bit}(?![0-9A-Za-z])", text)]


def test_public_pages_mask_personal_data(net, client):
    report = public_report(net, anonymous=True)
    assert leaks(client.get("/laporan/").content.decode()) == []
    assert leaks(client.get(f"/lacak/{report.tracking_id}/").content.decode()) == []


def test_open311_get_masks_personal_data(net, client):
    report = public_report(net, anonymous=True)
    body = client.get(f"/open311/v2/requests/{report.tracking_id}.json").content.decode()
    assert report.tracking_id in body and leaks(body) == []


def test_open_data_masks_personal_data(net):
    from lapor.analytics.opendata import opendata_build

    public_report(net, anonymous=True)
    named = public_report(net, anonymous=False)
    path = opendata_build()["path"]
    text = gzip.open(path, "rt").read()
    assert named.tracking_id in text
    assert "0001" not in text and "3456" not in text
    assert text.count("Rahmat") == 1  # only in the report that is not anonymous


def test_a_name_word_shared_with_the_report_place_is_not_masked_inside_the_place(net, client, api):
    """The reporter "Zubaidah Panjang" writes from Koto Panjang: the public sees the place whole, not
    "di [nama disamarkan] Panjang" (which would say that "Koto" is in the name) nor "Koto [nama
    disamarkan]"; the name itself is masked, as a name."""
    from lapor.core.masking import NAME_MASK
    from lapor.accounts.testing import region_make

    village = region_make("13.74.02.1002", "Koto Panjang")
    report, _ = s.report_submit(
        submission=s.Submission(
            title="Pungli di kantor wali nagari Koto Panjang",
            body="Saya Zubaidah Panjang, warga Koto Panjang. Antrean panjang, petugas minta uang. zubaidah",
            region_code=village.code,
            is_anonymous=True,
            guest_name="Zubaidah Panjang",
            guest_email="z@warga.example",
        )
    )
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=net.city)
    public = api.get(f"/api/public/reports/{report.tracking_id}").json()
    assert public["title"] == "Pungli di kantor wali nagari Koto Panjang"
    assert public["body"] == (f"Saya {NAME_MASK}, warga Koto Panjang. Antrean panjang, petugas minta uang. {NAME_MASK}")
    staff = api.get(f"/api/reports/{report.tracking_id}", user=net.user("city_admin")).json()
    assert staff["body"] == public["body"]
    page = client.get(f"/lacak/{report.tracking_id}/").content.decode()
    assert "Koto Panjang" in page and "Zubaidah" not in page
