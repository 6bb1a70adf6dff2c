"""The public timeline tells the truth: who did each step, each step once, the answer on top, and
every deadline says whose it is and what happens when it passes (issue #20, citizens)."""

import re

from django.test import Client

from lapor.accounts.testing import ApiClient
from lapor.reports import services
from lapor.reports.attachments import attachment_add
from lapor.reports.models import Report
from lapor.reports.sweep import reports_sweep

from .helpers import png_bytes, report_make, routed_to_dept


def _actors(html: str) -> list[str]:
    return re.findall(r'<span class="tl-actor">([^<]*)</span>', html)


def _page(report, secret=None) -> str:
    client = Client()
    if secret:
        assert client.get(f"/lacak/{report.tracking_id}/k/{secret}/").status_code == 302
    return client.get(f"/lacak/{report.tracking_id}/").content.decode()


def test_each_step_is_signed_by_whoever_did_it_not_by_where_the_report_went(net):
    report, _secret = routed_to_dept(net)  # the platform admin routes to Dinas PUPR
    services.report_dispose(report=report, actor=services.Actor(user=net.user("dept_admin")), unit=net.unit)
    actors = _actors(_page(report))
    assert actors[0] == "Pelapor"
    assert actors[1] == "Admin Nasional LAPOR!"  # not "Dinas PUPR", where the report went
    assert actors[2] == "Dinas PUPR"  # the disposition was made by PUPR, not "Bidang Bina Marga"
    html = _page(report)
    assert "Laporan diverifikasi dan diteruskan ke Dinas PUPR" in html and "Kepada: Bidang Bina Marga" in html


def test_a_forward_is_signed_by_the_agency_that_forwarded(net):
    report, _ = routed_to_dept(net)
    services.report_forward(
        report=report,
        actor=services.Actor(user=net.user("dept_admin")),
        agency=net.health,
        reason="Urusan kesehatan lingkungan.",
    )
    actors = _actors(_page(report))
    assert actors[-1] == "Dinas PUPR"


def test_the_answer_is_on_top_and_shown_once_with_its_status(net):
    report, secret = routed_to_dept(net)
    services.report_follow_up(
        report=report, actor=services.Actor(user=net.user("liaison")), body="Lubang sudah ditambal."
    )
    html = _page(report, secret)
    assert html.count("Lubang sudah ditambal.") == 2  # the answer card on top and its one line in the history
    assert html.index('data-testid="answer"') < html.index("Isi laporan") < html.index("Riwayat")
    assert "Kirim tindak lanjut" not in html  # no second line for the same step
    assert "Tindak lanjut → Ditindaklanjuti" in html or "Tindak lanjut →" in html
    # the deadline after an answer: whose, and what silence does
    deadline = re.search(r'data-testid="deadline">(.*?)</dd>', html, re.DOTALL).group(1)
    assert "Anda (pelapor)" in deadline and "10 hari kerja" in deadline and "ditutup otomatis" in deadline


def test_auto_completion_is_one_plain_line(net):
    report, _ = routed_to_dept(net)
    services.report_follow_up(report=report, actor=services.Actor(user=net.user("liaison")), body="Sudah.")
    report.refresh_from_db()
    import datetime as dt

    reports_sweep(now=report.due_at + dt.timedelta(days=1))
    html = _page(report)
    assert html.count("Laporan selesai otomatis") == 1 and "Selesai otomatis" not in html
    assert "Tidak ada tanggapan dari pelapor" in html


def test_files_added_at_submission_are_one_line_never_an_empty_lampiran(net):
    report, _secret = report_make(net)
    for i in range(2):
        attachment_add(
            report=report, actor=services.Actor(user=None, is_reporter=True), name=f"foto{i}.png", data=png_bytes()
        )
    services.report_route(report=report, actor=services.Actor(user=net.user("platform")), agency=net.dept)
    html = _page(report)
    assert "Lampiran ditambahkan (2 berkas)" in html
    assert not re.search(r'<p class="tl-title">Lampiran</p>', html)


def test_submitted_page_names_the_agency_deadline_for_an_auto_routed_report(net, client):
    res = client.post(
        "/lapor/",
        {
            "type": "complaint",
            "title": "Jalan berlubang",
            "body": "Lubang besar di jalan.",
            "topic": net.roads.pk,
            "province": "13",
            "regency": "13.74",
            "guest_email": "warga@example.com",
        },
        follow=True,
    )
    html = res.content.decode()
    report = Report.objects.get()
    if report.state == "routed":
        assert "akan diverifikasi" not in html
        assert "Dinas PUPR wajib mengirim tindak lanjut paling lambat" in html
    else:
        assert "Admin Nasional LAPOR! memverifikasi" in html
    assert "Bila terlewat" in html


def test_an_internal_note_on_a_step_stays_with_staff_and_the_form_says_who_reads_the_reason(net):
    from lapor.accounts.testing import signin_staff

    report, secret = report_make(net)
    staff = Client()
    signin_staff(staff, net.user("platform"))
    form = staff.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    assert "Alasan (dibaca pelapor dan publik)" in form and "Catatan internal (hanya petugas)" in form
    res = staff.post(
        f"/petugas/laporan/{report.tracking_id}/route/",
        {
            "route-agency": net.dept.pk,
            "route-reason": "Jalan kota: wewenang PUPR.",
            "route-note": "Pelapor ini sering melapor, cek dulu.",
        },
    )
    assert res.status_code == 302
    for html in (_page(report, secret), _page(report)):
        assert "Jalan kota: wewenang PUPR." in html
        assert "sering melapor" not in html
    staff_html = staff.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    assert "sering melapor" in staff_html


def _titles(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", t).strip() for t in re.findall(r'<p class="tl-title">(.*?)</p>', html, re.S)]


def test_steps_read_as_statements_and_the_rating_is_the_reporters_to_everyone_else(net):
    """Not the buttons' verbs ("Beri penilaian", "Selesaikan → Selesai"): what happened, in both
    languages, the same words in the API's timeline; a visitor reads the reporter's rating as such."""
    report, secret = routed_to_dept(net)
    services.report_follow_up(report=report, actor=services.Actor(user=net.user("liaison")), body="Sudah ditambal.")
    reporter = services.Actor(user=net.user("reporter"), is_reporter=True)
    services.report_complete(report=report, actor=reporter)
    services.report_rate(report=report, actor=reporter, rating=4)

    html = _page(report)
    titles = _titles(html)
    assert titles[0] == "Laporan diterima"
    assert "Laporan diverifikasi dan diteruskan ke Dinas PUPR" in titles
    assert "Laporan dinyatakan selesai" in titles and "Pelapor memberi nilai 4 dari 5" in titles
    assert not any(t.startswith(("Beri penilaian", "Selesaikan", "Verifikasi dan")) for t in titles)
    assert "Penilaian pelapor: 4 dari 5." in html and "Penilaian Anda" not in html
    assert "Penilaian Anda: 4 dari 5." in _page(report, secret)  # the reporter's own page

    english = Client()
    english.cookies["django_language"] = "en"
    html = english.get(f"/lacak/{report.tracking_id}/").content.decode()
    titles = _titles(html)
    assert titles[0] == "Report received"
    assert "The report was verified and forwarded to Dinas PUPR" in titles
    assert "The report was marked as done" in titles and "The reporter gave a rating of 4 out of 5" in titles
    assert "The reporter's rating: 4 out of 5." in html and "Your rating" not in html

    res = ApiClient(Client()).get(f"/api/reports/{report.tracking_id}/timeline", secret=secret, lang="en")
    assert res.status_code == 200, res.content
    api = res.json()
    assert [e["title"] for e in api["events"]][:2] == ["Report received", titles[1]]


def test_the_english_page_shows_masking_tags_the_topic_and_the_deadline_in_english(net):
    report, _ = routed_to_dept(net)
    services.report_follow_up(
        report=report, actor=services.Actor(user=net.user("liaison")), body="Hubungi kami di 0812 3456 7890."
    )
    english = Client()
    english.cookies["django_language"] = "en"
    html = english.get(f"/lacak/{report.tracking_id}/").content.decode()
    assert "[phone hidden]" in html and "disamarkan" not in html
    assert "[telepon disamarkan]" in _page(report)
    from lapor.agencies.models import Topic

    topic = Topic.objects.create(name="Jalan rusak uji", name_en="Damaged road test", slug="jalan-rusak-uji")
    Report.objects.filter(pk=report.pk).update(topic=topic)
    html = english.get(f"/lacak/{report.tracking_id}/").content.decode()
    assert f"<dd>{topic.name_en}</dd>" in html  # as the staff page names it
    waiting, _ = routed_to_dept(net)
    deadline = re.search(r'data-testid="deadline">(.*?)</dd>', _page(waiting), re.S).group(1)
    assert deadline.count("Dinas PUPR") == 1  # not "Dinas PUPR: Dinas PUPR harus …"
