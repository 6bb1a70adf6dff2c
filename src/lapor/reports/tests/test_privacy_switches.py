"""The privacy switches (issue 14, "Privacy switches"): agency roles may only make a report stricter,
with a reason; only the reporter turns Anonim off; the reporter, or a platform operator with a reason,
turns Rahasia off. Every change is audited and the reporter is told, in their language."""

import pytest

from lapor.core.errors import PermissionDenied, TransitionNotAllowed
from lapor.accounts.testing import submission_data
from lapor.notifications.models import OutboxMessage
from lapor.reports import services as s
from lapor.reports.models import Report, ReportEvent

NAME, EMAIL = "Zubaidah Rahmi", "zubaidah.rahasia@warga.example"


def _report(net, api, **flags) -> tuple[Report, str]:
    res = api.post("/api/reports", submission_data(guest_name=NAME, guest_email=EMAIL, **flags))
    assert res.status_code == 201, res.content
    report = Report.objects.get(tracking_id=res.json()["tracking_id"])
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=net.dept)
    return report, res.json()["guest_secret"]


def _put(api, report, *, anonymous, confidential, reason="", **kw):
    return api.put(
        f"/api/reports/{report.tracking_id}/privacy",
        {"is_anonymous": anonymous, "is_confidential": confidential, "reason": reason},
        **kw,
    )


def _privacy_mails(report) -> list[OutboxMessage]:
    return [
        m
        for m in OutboxMessage.objects.filter(report=report, channel="email", recipient=EMAIL)
        if "privasi" in m.payload["subject"].lower()
    ]


@pytest.mark.parametrize("key", ["liaison", "dept_admin", "city_admin", "platform"])
def test_staff_cannot_name_an_anonymous_reporter(net, api, key):
    report, _ = _report(net, api, is_anonymous=True)
    res = _put(api, report, anonymous=False, confidential=False, reason="perlu konfirmasi", user=net.user(key))
    assert res.status_code == 403, res.content
    assert res.json()["code"] == "privacy_reporter_only" and NAME not in res.content.decode()
    report.refresh_from_db()
    assert report.is_anonymous and not ReportEvent.objects.filter(report=report, kind="privacy").exists()
    detail = api.get(f"/api/reports/{report.tracking_id}", user=net.user(key)).json()
    assert detail["reporter"]["name"] == "Anonim" and EMAIL not in str(detail)


@pytest.mark.parametrize("key", ["liaison", "dept_admin"])
def test_agency_staff_cannot_make_a_confidential_report_public(net, api, key):
    report, _ = _report(net, api, is_confidential=True)
    res = _put(api, report, anonymous=False, confidential=False, reason="untuk transparansi", user=net.user(key))
    assert res.status_code == 403 and res.json()["code"] == "privacy_downgrade"
    assert api.get(f"/api/public/reports/{report.tracking_id}").status_code == 404


def test_a_platform_operator_opens_a_confidential_report_only_with_a_reason(net, api):
    report, _ = _report(net, api, is_confidential=True)
    res = _put(api, report, anonymous=False, confidential=False, reason="  ", user=net.user("platform"))
    assert res.status_code == 409 and res.json()["code"] == "reason_required"
    assert api.get(f"/api/public/reports/{report.tracking_id}").status_code == 404
    res = _put(
        api,
        report,
        anonymous=False,
        confidential=False,
        reason="Permintaan pelapor lewat telepon",
        user=net.user("platform"),
    )
    assert res.status_code == 200, res.content
    assert api.get(f"/api/public/reports/{report.tracking_id}").status_code == 200
    event = ReportEvent.objects.get(report=report, kind="privacy")
    assert (event.actor, event.actor_role, event.reason, event.is_public) == (
        net.user("platform"),
        "platform_admin",
        "Permintaan pelapor lewat telepon",
        False,
    )
    assert event.data["before"]["is_confidential"] is True and event.data["after"]["is_confidential"] is False
    [mail] = _privacy_mails(report)
    assert "Rahasia nonaktif" in mail.payload["body"] and "Permintaan pelapor lewat telepon" in mail.payload["body"]


@pytest.mark.parametrize("switch", ["is_anonymous", "is_confidential"])
def test_agency_staff_make_a_report_stricter_with_a_reason_and_the_reporter_is_told(net, api, switch):
    report, _ = _report(net, api)
    flags = {"anonymous": switch == "is_anonymous", "confidential": switch == "is_confidential"}
    res = _put(api, report, **flags, user=net.user("liaison"))
    assert res.status_code == 409 and res.json()["code"] == "reason_required"
    res = _put(api, report, **flags, reason="Pelapor diancam oknum", user=net.user("liaison"))
    assert res.status_code == 200, res.content
    report.refresh_from_db()
    assert getattr(report, switch) is True
    event = ReportEvent.objects.get(report=report, kind="privacy")
    assert (event.actor, event.actor_role, event.reason, event.agency) == (
        net.user("liaison"),
        "liaison",
        "Pelapor diancam oknum",
        net.dept,
    )
    assert event.data["changed"] == [switch] and event.created_at
    [mail] = _privacy_mails(report)
    assert report.tracking_id in mail.payload["subject"] and "Dinas PUPR" in mail.payload["body"]
    assert ("Anonim aktif" if switch == "is_anonymous" else "Rahasia aktif") in mail.payload["body"]
    assert "Pelapor diancam oknum" in mail.payload["body"] and "Penghubung PUPR" not in mail.payload["body"]


def test_unit_staff_and_overseers_cannot_change_privacy(net, api):
    report, _ = _report(net, api)
    for key in ("unit_staff", "overseer", "other_admin"):
        res = _put(api, report, anonymous=True, confidential=False, reason="x", user=net.user(key))
        assert res.status_code in (403, 404), (key, res.content)
    assert not ReportEvent.objects.filter(report=report, kind="privacy").exists()


def test_only_the_reporter_turns_anonim_off_and_is_told(net, api):
    report, secret = _report(net, api, is_anonymous=True, is_confidential=True)
    res = _put(api, report, anonymous=False, confidential=False, secret=secret)
    assert res.status_code == 200, res.content
    report.refresh_from_db()
    assert not report.is_anonymous and not report.is_confidential
    event = ReportEvent.objects.get(report=report, kind="privacy")
    assert event.actor_role == "reporter" and sorted(event.data["changed"]) == ["is_anonymous", "is_confidential"]
    [mail] = _privacy_mails(report)
    assert "Anonim nonaktif" in mail.payload["body"] and "Rahasia nonaktif" in mail.payload["body"]


def test_the_reporter_is_told_in_english_too(net, api):
    user = net.user("reporter")
    user.language, user.notify_by = "en", ["email"]
    user.save()
    res = api.post("/api/reports", submission_data(), user=user)
    report = Report.objects.get(tracking_id=res.json()["tracking_id"])
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=net.dept)
    s.report_privacy_set(
        report=report,
        actor=s.Actor(user=net.user("dept_admin")),
        is_anonymous=True,
        is_confidential=False,
        reason="Risiko pembalasan",
    )
    [mail] = [
        m
        for m in OutboxMessage.objects.filter(report=report, channel="email")
        if "privacy" in m.payload["subject"].lower()
    ]
    assert "Anonymous on" in mail.payload["body"] and "Risiko pembalasan" in mail.payload["body"]


def test_no_change_records_nothing(net):
    report, _ = s.report_submit(
        submission=s.Submission(title="Lampu mati", body="Lampu jalan mati."), reporter=net.user("reporter")
    )
    s.report_privacy_set(
        report=report, actor=s.Actor(user=net.user("reporter")), is_anonymous=False, is_confidential=False
    )
    assert not ReportEvent.objects.filter(report=report, kind="privacy").exists()


def test_the_rules_in_the_service(net):
    report, _ = s.report_submit(
        submission=s.Submission(title="Lampu mati", body="Lampu jalan mati.", is_anonymous=True),
        reporter=net.user("reporter"),
    )
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=net.dept)
    with pytest.raises(PermissionDenied):
        s.report_privacy_set(
            report=report,
            actor=s.Actor(user=net.user("platform")),
            is_anonymous=False,
            is_confidential=False,
            reason="audit",
        )
    with pytest.raises(TransitionNotAllowed):
        s.report_privacy_set(
            report=report, actor=s.Actor(user=net.user("dept_admin")), is_anonymous=True, is_confidential=True
        )
    s.report_privacy_set(
        report=report, actor=s.Actor(user=net.user("reporter")), is_anonymous=True, is_confidential=True
    )
    s.report_privacy_set(
        report=report, actor=s.Actor(user=net.user("reporter")), is_anonymous=False, is_confidential=False
    )
    report.refresh_from_db()
    assert not report.is_anonymous and not report.is_confidential
    assert ReportEvent.objects.filter(report=report, kind="privacy", actor_role="reporter").count() == 2
