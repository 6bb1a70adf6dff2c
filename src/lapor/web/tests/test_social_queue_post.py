"""The social-media triage queue from the web (issue 20): platform operators make a report of a
post or set it aside; nobody else may."""

from __future__ import annotations

from lapor.intake.models import SocialDraft
from lapor.reports.models import Report


def _draft(text="@LAPOR1708 jalan di depan SDN 3 Padang Panjang berlubang, mohon diperbaiki #lapor", **over):
    fields = {
        "network": "x",
        "kind": "mention",
        "post_id": "1801",
        "author_handle": "@warga_pp",
        "text": text,
        "url": "https://x.com/warga_pp/status/1801",
        **over,
    }
    return SocialDraft.objects.create(**fields)


def test_an_operator_makes_a_report_of_a_post(net, client):
    draft = _draft()
    client.force_login(net.user("platform"))
    html = client.get("/petugas/media-sosial/").content.decode()
    assert "jalan di depan SDN 3" in html and "@warga_pp" in html
    res = client.post(
        f"/petugas/media-sosial/{draft.pk}/convert/",
        {"title": "Jalan berlubang depan SDN 3", "type": "complaint", "topic": str(net.roads.pk)},
    )
    assert res.status_code == 302
    draft.refresh_from_db()
    report = Report.objects.get(pk=draft.report_id)
    assert (draft.status, report.channel, report.title, report.topic_id) == (
        "converted",
        "social",
        "Jalan berlubang depan SDN 3",
        net.roads.pk,
    )
    html = client.get("/petugas/media-sosial/").content.decode()
    assert f"Pesan dijadikan laporan {report.tracking_id}" in html and "jalan di depan SDN 3" not in html
    # a second tap on the same post is refused in words, never a second report
    res = client.post(f"/petugas/media-sosial/{draft.pk}/convert/", {"title": "lagi"})
    assert res.status_code == 409 and Report.objects.count() == 1


def test_an_operator_sets_a_post_aside_with_a_reason(net, client):
    draft = _draft(post_id="1802", text="Selamat pagi admin")
    client.force_login(net.user("platform"))
    assert client.post(f"/petugas/media-sosial/{draft.pk}/dismiss/", {"reason": "Bukan pengaduan"}).status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.dismiss_reason) == ("dismissed", "Bukan pengaduan")


def test_agency_staff_and_citizens_cannot_triage(net, client):
    draft = _draft(post_id="1803")
    for who in ("dept_admin", "liaison", "reporter"):
        client.force_login(net.user(who))
        assert client.get("/petugas/media-sosial/").status_code == 403
        assert client.post(f"/petugas/media-sosial/{draft.pk}/dismiss/", {"reason": "x"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "new"


def test_the_queue_names_the_network_and_the_kind_and_guesses_a_title_without_mentions(net, client):
    _draft(post_id="1804", kind="dm", text="@LAPOR1708 @pemkot_pp Lampu jalan di Jl. Sudirman mati")
    client.force_login(net.user("platform"))
    html = client.get("/petugas/media-sosial/").content.decode()
    assert "X (Twitter) · Pesan langsung · @warga_pp" in html and "x · dm" not in html
    assert 'value="Lampu jalan di Jl. Sudirman mati"' in html


def test_setting_a_post_aside_needs_a_reason(net, client):
    draft = _draft(post_id="1805", text="Selamat pagi admin")
    client.force_login(net.user("platform"))
    res = client.post(f"/petugas/media-sosial/{draft.pk}/dismiss/", {"reason": "  "})
    html = res.content.decode()
    assert res.status_code == 400 and "Tulis alasan mengabaikan pesan ini." in html
    assert f'id="dismiss-{draft.pk}" tabindex="-1" autofocus' in html  # the page opens on the reason
    draft.refresh_from_db()
    assert draft.status == "new"
