"""A staff or reporter form that comes back opens on itself (autofocus, no JavaScript) and says
at the top what did not happen; a page shown normally opens at the top."""

import re

from lapor.reports import services

from .helpers import routed_to_dept


def _autofocus(html: str) -> list[str]:
    return re.findall(r'id="([\w-]+)" tabindex="-1" autofocus', html)


def test_starting_from_an_earlier_answer_opens_on_the_answer_form(net, client):
    report, _ = routed_to_dept(net)
    client.force_login(net.user("liaison"))
    assert _autofocus(client.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()) == []
    res = client.post(f"/petugas/laporan/{report.tracking_id}/follow_up/", {"use_suggestion": "0"})
    html = res.content.decode()
    assert _autofocus(html) == ["aksi-follow_up"]
    assert 'data-testid="not-done"' not in html  # nothing was attempted, nothing to warn about


def test_an_invalid_staff_action_says_it_did_not_run_and_links_to_the_field(net, client):
    report, _ = routed_to_dept(net)
    client.force_login(net.user("liaison"))
    res = client.post(f"/petugas/laporan/{report.tracking_id}/note/", {"note-body": ""})
    html = res.content.decode()
    assert res.status_code == 400
    assert _autofocus(html) == ["aksi-note"]
    assert "Catatan belum tersimpan." in html and 'href="#id_note-body"' in html


def test_a_reply_that_fails_says_it_was_not_sent(net, client):
    report, secret = routed_to_dept(net)
    client.get(f"/lacak/{report.tracking_id}/k/{secret}/")
    res = client.post(f"/lacak/{report.tracking_id}/balas/", {"body": ""})
    html = res.content.decode()
    assert res.status_code == 400
    assert _autofocus(html) == ["reply"]
    assert "Tanggapan Anda belum terkirim." in html and 'href="#id_body"' in html


def test_complete_refused_says_it_was_not_completed(net, client):
    report, secret = routed_to_dept(net)
    services.report_follow_up(report=report, actor=services.Actor(user=net.user("liaison")), body="Sudah diganti.")
    client.get(f"/lacak/{report.tracking_id}/k/{secret}/")
    services.report_complete(report=report, actor=services.Actor(is_reporter=True))  # done in another tab
    res = client.post(f"/lacak/{report.tracking_id}/selesai/")
    assert res.status_code >= 400
    assert "Laporan belum ditandai selesai." in res.content.decode()
