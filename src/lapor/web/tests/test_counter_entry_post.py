"""Counter and call-centre entry from the web (issue 20): staff file a report for a citizen with
the citizen's consent, through lapor.intake.assisted."""

from __future__ import annotations

import re

from lapor.reports.models import Report, ReportEvent


def _form(**over):
    return {
        "channel": "call_centre",
        "guest_name": "Pak Darmawan",
        "guest_phone": "081234567890",
        "type": "complaint",
        "title": "Air PDAM tidak mengalir tiga hari",
        "body": "Warga RT 03 tidak mendapat air sejak Senin.",
        "consent": "on",
        **over,
    }


def test_staff_enter_a_citizens_report_and_hand_over_its_link(net, client):
    client.force_login(net.user("liaison"))
    assert client.get("/petugas/loket/").status_code == 200
    res = client.post("/petugas/loket/", _form())
    html = res.content.decode()
    assert res.status_code == 200 and res["Cache-Control"] == "private, no-store"
    tid = re.search(r'data-testid="tracking-id">([0-9A-Z]{4}-[0-9A-Z]{4})<', html).group(1)
    report = Report.objects.get(tracking_id=tid)
    assert (report.channel, report.guest_name, report.reporter_id) == ("call_centre", "Pak Darmawan", None)
    event = ReportEvent.objects.filter(report=report).order_by("id").first()
    assert event.data["assisted"] and event.data["entered_by"] == net.user("liaison").pk and event.data["consent"]
    assert f"/lacak/{tid}/k/" in html  # the citizen's private link, shown this once


def test_without_consent_nothing_is_filed(net, client):
    client.force_login(net.user("liaison"))
    form = _form()
    del form["consent"]
    res = client.post("/petugas/loket/", form)
    assert res.status_code == 400 and Report.objects.count() == 0
    assert "errorlist" in res.content.decode() or 'role="alert"' in res.content.decode()


def test_citizens_cannot_use_the_counter(net, client):
    client.force_login(net.user("reporter"))
    assert client.post("/petugas/loket/", _form()).status_code == 403
    assert Report.objects.count() == 0
