"""What an official meets on the staff pages (issue 20): a report found by its number, the agency
picker that knows everyday names, the report page that a phone can work with, and no Indonesian
left in the English pages (nor a wrong word in the Indonesian ones)."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.utils import translation
from PIL import Image

from lapor.agencies.models import Agency
from lapor.agencies.selectors import agency_labels, agency_search
from lapor.accounts.testing import agency_make
from lapor.reports import lifecycle as lc
from lapor.reports import services
from lapor.reports.attachments import attachment_add
from lapor.reports.models import ReportEvent
from lapor.reports.projection import lens_for
from lapor.routing.models import ReportFlag


def _submitted(net, **fields):
    sub = services.Submission(
        **{
            "title": "Lampu jalan mati di Jalan Sudirman",
            "body": "Sudah dua minggu lampu mati.",
            "guest_name": "Rina Wulandari",
            "guest_email": "rina@warga.example",
            **fields,
        }
    )
    report, _secret = services.report_submit(submission=sub)
    return report


def _routed(net, **fields):
    report = _submitted(net, **fields)
    services.report_route(report=report, actor=services.Actor(user=net.user("platform")), agency=net.dept)
    report.refresh_from_db()
    return report


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (120, 90, 60)).save(out, format="JPEG")
    return out.getvalue()


# --- Finding a report ----------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["{tid}", "{raw}", "{lower}", " {lower_dash} "])
def test_staff_search_goes_straight_to_a_report_by_its_number(net, client, typed):
    report = _routed(net)
    tid = report.tracking_id
    q = typed.format(tid=tid, raw=tid.replace("-", ""), lower=tid.replace("-", "").lower(), lower_dash=tid.lower())
    client.force_login(net.user("liaison"))
    res = client.get("/petugas/", {"q": q})
    assert res.status_code == 302 and res["Location"] == f"/petugas/laporan/{tid}/"


def test_a_number_outside_the_viewers_scope_is_not_revealed(net, client):
    report = _routed(net)
    client.force_login(net.user("other_liaison"))
    res = client.get("/petugas/", {"q": report.tracking_id.replace("-", "").lower()})
    assert res.status_code == 200 and report.tracking_id not in res.content.decode()


def test_the_all_tab_does_not_claim_a_deadline_order(net, client):
    client.force_login(net.user("platform"))
    html = client.get("/petugas/", {"tab": "all"}).content.decode()
    assert "Laporan, terbaru lebih dulu" in html and "diurutkan menurut batas waktu" not in html
    html = client.get("/petugas/", {"tab": "verify"}).content.decode()
    assert "Laporan, diurutkan menurut batas waktu" in html


# --- The agency picker ---------------------------------------------------------------------


@pytest.fixture
def departments(net):
    pupr = agency_make("Dinas Pekerjaan Umum dan Penataan Ruang", parent=net.city, region=net.city_region)
    Agency.objects.filter(pk=pupr.pk).update(short_name="Dinas PUPR")
    dishub = agency_make("Dinas Perhubungan", parent=net.city, region=net.city_region)
    Agency.objects.filter(pk=dishub.pk).update(short_name="Dishub")
    elsewhere = agency_make("Dinas Pekerjaan Umum dan Penataan Ruang", parent=net.other_city)
    Agency.objects.filter(pk=elsewhere.pk).update(short_name="Dinas PUPR")
    return {"pupr": pupr, "dishub": dishub, "elsewhere": elsewhere}


@pytest.mark.parametrize(
    "q, want",
    [("PUPR", "pupr"), ("Dinas PUPR", "pupr"), ("dishub", "dishub"), ("Pekerjaan Umum Padang Panjang", "pupr")],
)
def test_the_agency_picker_finds_everyday_names(net, departments, q, want):
    found = list(agency_search(q=q, limit=20))
    assert departments[want].pk in {a.pk for a in found}, q
    if q == "Pekerjaan Umum Padang Panjang":  # the place narrows it: not the one in Kota Padang
        assert departments["elsewhere"].pk not in {a.pk for a in found}


def test_each_picker_result_names_its_government(net, departments, client):
    labels = agency_labels(agency_search(q="PUPR", limit=20))
    assert (
        labels[departments["pupr"].pk]
        == "Dinas Pekerjaan Umum dan Penataan Ruang (Dinas PUPR) — Pemerintah Kota Padang Panjang"
    )
    assert labels[departments["elsewhere"].pk].endswith("— Pemerintah Kota Padang")
    unit = agency_labels([net.unit])[net.unit.pk]
    assert unit == "Bidang Bina Marga — Dinas PUPR, Pemerintah Kota Padang Panjang"
    rows = client.get("/api/agencies", {"q": "dishub"}).json()
    assert rows[0]["label"] == "Dinas Perhubungan (Dishub) — Pemerintah Kota Padang Panjang"


def test_the_no_js_picker_offers_matches_without_choosing_one(net, departments, client):
    """Both forms keep their "— choose —" option first and selected: nothing is chosen silently."""
    html = client.post("/lapor/", {"agency_q": "PUPR", "search_agency": "1"}).content.decode()
    select = re.search(r'<select name="target_agency".*?</select>', html, re.DOTALL)
    if select:  # the citizen form's own markup belongs to the submit page
        assert "selected" not in select.group(0).split("</option>", 1)[1]
    report = _submitted(net)
    client.force_login(net.user("platform"))
    html = client.post(
        f"/petugas/laporan/{report.tracking_id}/route/", {"route-agency_q": "PUPR", "search": "1"}
    ).content.decode()
    select = re.search(r'<select name="route-agency".*?</select>', html, re.DOTALL).group(0)
    assert "Pemerintah Kota Padang Panjang" in select
    assert select.count("selected") == 1 and '<option value="" selected>' in select  # only "— choose —"


# --- The report page on a phone ------------------------------------------------------------


def test_actions_are_collapsed_and_the_archive_reason_is_not_chosen(net, client):
    report = _submitted(net)
    client.force_login(net.user("platform"))
    html = client.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    panels = re.findall(r'<details class="action" name="aksi" data-action-panel="(\w+)"([^>]*)>', html)
    assert {name for name, _attrs in panels} >= {"route", "archive", "note"}
    assert all("open" not in attrs for _name, attrs in panels)  # one opens at a time, by the official's tap
    archive = re.search(r'<select name="archive-archive_reason".*?</select>', html, re.DOTALL).group(0)
    assert re.search(r'<option value=""[^>]*selected', archive) and archive.count("selected") == 1


def test_a_refused_action_reopens_its_own_panel(net, client):
    report = _submitted(net)
    client.force_login(net.user("platform"))
    res = client.post(f"/petugas/laporan/{report.tracking_id}/archive/", {"archive-archive_reason": ""})
    html = res.content.decode()
    assert res.status_code == 400
    assert re.search(r'data-action-panel="archive" open>', html)
    assert not re.search(r'data-action-panel="route" open>', html)


def test_photos_place_and_flags_are_shown_in_words(net, client):
    report = _routed(net, region_code="13.74.02.1001", latitude=-0.4712, longitude=100.4011, address="Jl. Sudirman 5")
    attachment_add(report=report, actor=services.Actor(is_reporter=True), name="lubang.jpg", data=_jpeg())
    ReportFlag.objects.create(report=report, kind=ReportFlag.Kind.ABUSIVE, detail="kata kasar")
    client.force_login(net.user("liaison"))
    html = client.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    assert re.search(
        r'<img src="/lampiran/[^"]+" alt="Foto: lubang.jpg" loading="lazy" class="preview">', html
    ) or re.search(r'<img src="[^"]+" alt="Foto: lubang\.jpg"', html)
    place = re.search(r'data-testid="place">(.*?)</dd>', html, re.DOTALL).group(1)
    assert (
        "Jl. Sudirman 5, Bukit Surungan, Kecamatan Padang Panjang Barat, Kota Padang Panjang, Sumatera Barat" in place
    )
    assert "openstreetmap.org/?mlat=-0.471200&amp;mlon=100.401100" in place
    assert "13.74" not in place and "Koordinat" not in html
    flags = re.search(r'data-testid="flags">(.*?)</dd>', html, re.DOTALL).group(1)
    assert "Bahasa kasar" in flags and "kata kasar" not in flags


def test_a_photo_is_previewed_only_where_the_file_may_be_opened(net, client):
    report = _routed(net)
    attachment_add(report=report, actor=services.Actor(is_reporter=True), name="lubang.jpg", data=_jpeg())
    client.force_login(net.user("liaison"))
    html = client.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    src = re.search(r'<img src="([^"]+)" alt="Foto:', html).group(1)
    assert client.get(src).status_code == 200
    client.force_login(net.user("other_liaison"))
    assert client.get(src).status_code == 404


# --- Language ------------------------------------------------------------------------------


def test_the_english_staff_page_has_no_indonesian_person_labels(net, client):
    report = _routed(net, is_anonymous=True)
    client.force_login(net.user("liaison"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    assert '<html lang="en">' in html
    reporter = re.search(r'data-testid="reporter">(.*?)</dd>', html, re.DOTALL).group(1)
    assert "Anonymous" in reporter and "Anonim" not in reporter
    assert "Pelapor" not in html and "Petugas" not in html


def test_the_system_and_its_reasons_speak_the_viewers_language(net):
    report = _routed(net)
    event = ReportEvent(
        report=report,
        kind=ReportEvent.Kind.TRANSITION,
        action=lc.Action.AUTO_COMPLETE,
        actor_role=lc.SYSTEM,
        from_state=report.state,
        to_state=lc.State.DONE,
        reason="Selesai otomatis: tidak ada tanggapan pelapor",
    )
    lens = lens_for(report, net.user("liaison"))
    with translation.override("en"):
        out = lens.event(event)
        assert out["actor"] == "System" and out["reason"] == "Closed automatically: no response from the reporter"
        assert lens_for(_routed(net, is_anonymous=True), None).reporter["name"] == "Anonymous"
    with translation.override("id"):
        assert lens.event(event)["actor"] == "Sistem"


def test_the_two_step_sign_in_says_aktifkan():
    """The Indonesian catalogue once turned "Aktifkan" into "Aktif" on the enrolment button (and
    three more words; test_catalogue_complete now refuses any id entry that is not its source)."""
    with translation.override("id"):
        for word in ("Aktifkan", "Verifikasi dua langkah", "Alamat otpauth", "Lanjut"):
            assert translation.gettext(word) == word
