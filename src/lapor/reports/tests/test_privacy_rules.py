"""An anonymous reporter's identity never reaches agency staff; a confidential report never
reaches the public."""

from lapor.accounts.testing import submission_data
from lapor.reports import services as s
from lapor.reports.models import Report

NAME, EMAIL, PHONE = "Rahmat Hidayat", "rahmat.rahasia@warga.example", "081299998888"


def _anonymous_guest_report(net, api, **extra) -> tuple[str, str]:
    res = api.post(
        "/api/reports",
        submission_data(is_anonymous=True, guest_name=NAME, guest_email=EMAIL, guest_phone=PHONE, **extra),
    )
    assert res.status_code == 201, res.content
    body = res.json()
    report = Report.objects.get(tracking_id=body["tracking_id"])
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=net.dept)
    return body["tracking_id"], body["guest_secret"]


def _leaks(content: bytes) -> list[str]:
    text = content.decode()
    return [v for v in (NAME, EMAIL, "1299998888", "Rahmat") if v in text]


def test_agency_staff_never_see_an_anonymous_reporter(net, api):
    tid, secret = _anonymous_guest_report(net, api)
    api.post(f"/api/reports/{tid}/follow-up", {"body": "Terima kasih, sedang kami cek."}, user=net.user("liaison"))
    api.post(f"/api/reports/{tid}/replies", {"body": "Lokasinya di dekat masjid."}, secret=secret)
    for key in ("city_admin", "dept_admin", "liaison", "overseer", "platform"):
        user = net.user(key)
        for path in (f"/api/reports/{tid}", f"/api/reports/{tid}/timeline", "/api/reports"):
            res = api.get(path, user=user)
            assert res.status_code == 200
            assert _leaks(res.content) == [], (key, path)
    detail = api.get(f"/api/reports/{tid}", user=net.user("liaison")).json()
    assert detail["reporter"] == {"name": "Anonim", "contact": None, "is_anonymous": True}


def test_the_anonymous_reporter_still_sees_their_own_identity(net, api):
    tid, secret = _anonymous_guest_report(net, api)
    detail = api.get(f"/api/reports/{tid}", secret=secret).json()
    assert detail["reporter"]["name"] == NAME


def test_staff_see_a_named_reporter_when_not_anonymous(net, api):
    res = api.post("/api/reports", submission_data(), user=net.user("reporter"))
    tid = res.json()["tracking_id"]
    s.report_route(
        report=Report.objects.get(tracking_id=tid), actor=s.Actor(user=net.user("platform")), agency=net.dept
    )
    assert api.get(f"/api/reports/{tid}", user=net.user("liaison")).json()["reporter"]["name"] == "Budi Santoso"


def test_confidential_reports_never_reach_the_public(net, api):
    secret_tid, _ = _anonymous_guest_report(net, api, is_confidential=True, title="Rahasia: pungli di kantor")
    open_tid, _ = _anonymous_guest_report(net, api, title="Sampah menumpuk di pasar")
    listing = api.get("/api/public/reports").json()["items"]
    assert [r["tracking_id"] for r in listing] == [open_tid]
    assert listing[0]["reporter_name"] == "Anonim"
    assert api.get(f"/api/public/reports/{secret_tid}").status_code == 404
    assert api.get("/api/public/reports", {"q": "pungli"}).json()["items"] == []
    assert b"pungli" not in api.get("/api/public/reports", {"q": "Rahasia"}).content


def test_unverified_reports_are_not_public(net, api):
    res = api.post("/api/reports", submission_data(title="Belum diverifikasi"), user=net.user("reporter"))
    tid = res.json()["tracking_id"]
    assert api.get(f"/api/public/reports/{tid}").status_code == 404


def test_guests_need_the_secret(net, api):
    tid, secret = _anonymous_guest_report(net, api)
    assert api.get(f"/api/reports/{tid}").status_code == 404
    assert api.get(f"/api/reports/{tid}", secret="salah").status_code == 404
    assert api.get(f"/api/reports/{tid}", secret=secret).status_code == 200


def test_internal_notes_never_reach_the_reporter(net, api):
    tid, secret = _anonymous_guest_report(net, api)
    api.post(
        f"/api/reports/{tid}/notes", {"body": "Catatan internal: pelapor sering mengadu"}, user=net.user("liaison")
    )
    timeline = api.get(f"/api/reports/{tid}/timeline", secret=secret)
    assert b"Catatan internal" not in timeline.content
    staff_view = api.get(f"/api/reports/{tid}/timeline", user=net.user("liaison"))
    assert b"Catatan internal" in staff_view.content


def test_platform_admin_reveal_is_explicit_and_audited(net, api):
    tid, secret = _anonymous_guest_report(net, api)
    res = api.get(f"/api/reports/{tid}/reporter", {"reason": "verifikasi identitas"}, user=net.user("platform"))
    assert res.json()["email"] == EMAIL
    timeline = api.get(f"/api/reports/{tid}/timeline", user=net.user("platform")).json()
    assert any(e["kind"] == "identity_viewed" for e in timeline["events"])
    guest_timeline = api.get(f"/api/reports/{tid}/timeline", secret=secret).json()
    assert not any(e["kind"] == "identity_viewed" for e in guest_timeline["events"])


def test_personal_data_in_the_text_is_masked_for_staff_and_public(net, api):
    tid, secret = _anonymous_guest_report(
        net, api, title="Pungli KTP", body="Saya Rahmat dimintai uang, NIK 3578 0123 4567 0001, hubungi 0812-3456-7890."
    )
    staff = api.get(f"/api/reports/{tid}", user=net.user("liaison")).json()["body"]
    assert "Rahmat" not in staff and "0001" not in staff and "3456" not in staff
    own = api.get(f"/api/reports/{tid}", secret=secret).json()["body"]
    assert "Rahmat" in own and "3578 0123 4567 0001" in own  # the reporter sees the original
    public = api.get(f"/api/public/reports/{tid}").json()["body"]
    assert "Rahmat" not in public and "0001" not in public and "[NIK disamarkan]" in public


def test_anonymous_reporters_replies_are_masked_for_staff(net, api):
    tid, secret = _anonymous_guest_report(net, api)
    api.post(f"/api/reports/{tid}/follow-up", {"body": "Mohon detail lokasi."}, user=net.user("liaison"))
    api.post(f"/api/reports/{tid}/replies", {"body": "Rumah Rahmat Hidayat, telp 081299998888"}, secret=secret)
    timeline = api.get(f"/api/reports/{tid}/timeline", user=net.user("liaison"))
    assert _leaks(timeline.content) == []
