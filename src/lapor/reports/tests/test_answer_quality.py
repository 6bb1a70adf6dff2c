"""Answers that answer: a follow-up is rated before it is sent; the liaison sees why and may still
send; the rating is recorded with the answer; well-rated earlier answers are offered."""

import io
import pytest

from lapor.core.errors import DomainError
from lapor.accounts.testing import signin_staff, submission_data
from lapor.reports import services
from lapor.reports.answers import BOILERPLATE, NOT_CONCRETE, OFF_TOPIC, SHORT, answer_rate
from lapor.reports.models import AnswerRating, Message, Report, ReportEvent

from .answer_cases import CASES

GOOD = (
    "Tim Bidang Bina Marga telah meninjau lubang di depan pasar pada Senin dan menjadwalkan penambalan aspal "
    "pada Kamis pagi. Bila lubang belum ditambal sampai Jumat, silakan tanggapi laporan ini."
)
VAGUE = (
    "Terima kasih atas laporan Anda. Laporan Anda sudah kami terima dan akan segera kami tindaklanjuti sesuai "
    "ketentuan yang berlaku. Mohon bersabar dan terus pantau perkembangan laporan Anda."
)


@pytest.mark.parametrize("name,report_text,answer,expected,earlier", CASES, ids=[c[0] for c in CASES])
def test_each_labelled_answer_gets_its_flags(settings, name, report_text, answer, expected, earlier):
    settings.LAPOR_ANSWER_BOILERPLATE_MIN = 5
    assert set(answer_rate(body=answer, report_text=report_text, earlier=earlier).flags) == expected


def test_an_answer_with_a_concrete_action_in_a_verb_passes_and_a_noun_does_not():
    report = "Lampu jalan mati di Gang Mawar sejak dua minggu, gelap pada malam hari."
    done = "Lampu penerangan jalan yang mati sudah diganti petugas dan kini menyala normal kembali seperti semula."
    noun = "Penggantian lampu penerangan jalan yang mati menjadi perhatian kami dan masuk daftar usulan ke depan."
    assert NOT_CONCRETE not in answer_rate(body=done, report_text=report, earlier=[]).flags
    assert NOT_CONCRETE in answer_rate(body=noun, report_text=report, earlier=[]).flags


SEQ = iter(range(1_000_000))


def _routed(api, net, **extra) -> Report:
    i = next(SEQ)
    data = submission_data(
        topic_id=net.roads.pk,
        region_code="13.74.02.1001",
        title=f"Jalan berlubang di gang {i}",
        guest_email=f"warga{i}@example.com",
        **extra,
    )
    tid = api.post("/api/reports", data).json()["tracking_id"]
    report = Report.objects.get(tracking_id=tid)
    assert report.agency_id == net.dept.pk
    return report


def test_a_follow_up_records_its_flags_and_is_sent_all_the_same(net, api):
    report = _routed(api, net)
    message = services.report_follow_up(
        report=report, actor=services.Actor(user=net.user("liaison")), body="Sedang diproses."
    )
    event = ReportEvent.objects.get(report=report, action="follow_up")
    assert event.data["message_id"] == message.pk
    assert set(event.data["answer_flags"]) == {SHORT, NOT_CONCRETE, OFF_TOPIC}  # the audit: what the liaison was told
    assert message.answer_rating.flagged is True
    assert set(message.answer_rating.flags) == {SHORT, NOT_CONCRETE, OFF_TOPIC}
    assert Report.objects.get(pk=report.pk).state == "followed_up"


def test_the_same_text_sent_to_many_reports_is_flagged_as_boilerplate(net, api, settings):
    settings.LAPOR_ANSWER_BOILERPLATE_MIN = 3
    liaison = services.Actor(user=net.user("liaison"))
    for _ in range(3):
        services.report_follow_up(report=_routed(api, net), actor=liaison, body=VAGUE.replace("Anda", "Saudara", 1))
    review = services.report_answer_review(report=_routed(api, net), actor=liaison, body=VAGUE)
    assert BOILERPLATE in review.flags
    other = services.report_answer_review(report=_routed(api, net), actor=liaison, body=GOOD)
    assert other.ok


def test_the_review_refuses_whoever_may_not_follow_up(net, api):
    report = _routed(api, net)
    with pytest.raises(DomainError):  # the same refusal report_follow_up gives (the state machine's 409)
        services.report_answer_review(report=report, actor=services.Actor(user=net.user("other_liaison")), body=GOOD)
    res = api.post(
        f"/api/reports/{report.tracking_id}/follow-up/review", {"body": GOOD}, user=net.user("other_liaison")
    )
    assert res.status_code == 404  # out of scope through the API: not even its existence


def test_the_api_review_answers_flags_and_reasons_in_the_callers_language(net, api):
    report = _routed(api, net)
    res = api.post(
        f"/api/reports/{report.tracking_id}/follow-up/review",
        {"body": "Sedang diproses."},
        user=net.user("liaison"),
        lang="en",
    )
    assert res.status_code == 200, res.content
    flags = {f["code"]: f["reason"] for f in res.json()["flags"]}
    assert set(flags) == {SHORT, NOT_CONCRETE, OFF_TOPIC}
    assert all(reason and "Jawaban" not in reason for reason in flags.values())  # English reasons
    assert not Message.objects.filter(report=report).exists()  # the review writes nothing
    assert api.post(f"/api/reports/{report.tracking_id}/follow-up/review", {"body": "x"}).status_code == 401


def test_the_staff_page_shows_the_reasons_keeps_the_text_and_sends_on_request(net, api, client):
    report = _routed(api, net)
    signin_staff(client, net.user("liaison"))
    url = f"/petugas/laporan/{report.tracking_id}/follow_up/"
    page = client.post(url, {"follow_up-body": "Sedang diproses."}, HTTP_ACCEPT_LANGUAGE="id")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-flag="short"' in html and 'data-flag="not_concrete"' in html
    assert "Sedang diproses." in html and 'name="send_anyway"' in html
    assert not Message.objects.filter(report=report).exists()
    sent = client.post(url, {"follow_up-body": "Sedang diproses.", "send_anyway": "1"})
    assert sent.status_code == 302
    assert Message.objects.get(report=report).body == "Sedang diproses."


def test_a_good_answer_is_sent_at_once(net, api, client):
    report = _routed(api, net)
    signin_staff(client, net.user("liaison"))
    res = client.post(f"/petugas/laporan/{report.tracking_id}/follow_up/", {"follow_up-body": GOOD})
    assert res.status_code == 302
    assert Message.objects.get(report=report).answer_rating.flagged is False


def test_the_best_rated_unflagged_answers_of_the_agency_and_topic_are_offered(net, api, client):
    liaison = services.Actor(user=net.user("liaison"))
    rated = []
    for body, rating in ((GOOD, 5), (GOOD.replace("Kamis", "Rabu"), 4), ("Sedang diproses.", 5), (GOOD + " Salam.", 2)):
        r = _routed(api, net, guest_name="Warga")
        services.report_follow_up(report=r, actor=liaison, body=body)
        rated.append((r, rating))
    for r, rating in rated:
        r.refresh_from_db()
        r.rating = rating
        r.save(update_fields=["rating"])
    from lapor.reports.selectors import answer_suggestions

    report = _routed(api, net)
    offered = answer_suggestions(report=report)
    assert [s["rating"] for s in offered] == [5, 4]  # the flagged 5 and the poorly rated 2 are left out
    assert offered[0]["body"] == GOOD
    signin_staff(client, net.user("liaison"))
    page = client.post(f"/petugas/laporan/{report.tracking_id}/follow_up/", {"use_suggestion": "0"})
    assert page.status_code == 200 and "Mulai dari jawaban ini" in page.content.decode()
    assert GOOD.split(".")[0] in page.content.decode()


def test_analytics_set_flagged_answers_beside_their_ratings_and_reopens(net, api, client):
    liaison = services.Actor(user=net.user("liaison"))
    outcomes = [
        (GOOD, 5, False),
        (GOOD.replace("Senin", "Selasa"), 4, False),
        ("Sedang diproses.", 1, True),
        ("Sudah kami terima.", None, False),
    ]
    for body, rating, reopen in outcomes:
        r = _routed(api, net)
        services.report_follow_up(report=r, actor=liaison, body=body)
        Report.objects.filter(pk=r.pk).update(rating=rating, reopen_count=int(reopen))
    res = api.get("/api/analytics/answers", user=net.user("dept_admin"))
    assert res.status_code == 200, res.content
    d = res.json()
    assert d["answers"] == 4
    assert d["flagged"] == {"answers": 2, "rated": 1, "mean_rating": 1.0, "reopen_rate": 0.5}
    assert d["unflagged"] == {"answers": 2, "rated": 2, "mean_rating": 4.5, "reopen_rate": 0.0}
    [row] = d["agencies"]
    assert row["name"] == "Dinas PUPR" and row["flagged_share"] == 0.5
    assert {f["code"]: f["answers"] for f in d["flags"]}[SHORT] == 2
    # another city's admin sees none of it
    assert api.get("/api/analytics/answers", user=net.user("other_admin")).json()["answers"] == 0
    assert api.get("/api/analytics/answers", {"from": "2024-13"}, user=net.user("dept_admin")).status_code in (400, 422)
    signin_staff(client, net.user("dept_admin"))
    page = client.get("/analytics/jawaban", HTTP_ACCEPT_LANGUAGE="id")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1.0 dari 5" in html or "1,0 dari 5" in html
    assert "Dinas PUPR" in html and "50%" in html


def test_the_backfill_rates_past_answers_as_the_checker_would_have(net, api, settings):
    settings.LAPOR_ANSWER_BOILERPLATE_MIN = 2
    liaison = services.Actor(user=net.user("liaison"))
    for _ in range(3):
        services.report_follow_up(report=_routed(api, net), actor=liaison, body=VAGUE)
    AnswerRating.objects.all().delete()  # as if sent before the checker existed
    from lapor.reports.answers import answer_flags_backfill

    out = io.StringIO()  # a plain stream (the demo's progress goes to one): the count ends its line
    assert answer_flags_backfill(stdout=out) == 3
    out.write("reports 0009: next line")
    assert out.getvalue().splitlines() == ["Answers rated: 3", "reports 0009: next line"]
    flags = [set(r.flags) for r in AnswerRating.objects.order_by("message__created_at", "message_id")]
    assert BOILERPLATE not in flags[0] and BOILERPLATE not in flags[1]  # only one / two earlier copies
    assert BOILERPLATE in flags[2] and NOT_CONCRETE in flags[2]
    assert answer_flags_backfill() == 0  # idempotent


def test_one_answer_to_a_cluster_of_reports_about_one_problem_is_not_boilerplate(net, api, settings):
    settings.LAPOR_ANSWER_BOILERPLATE_MIN = 2
    reports = [_routed(api, net) for _ in range(4)]
    res = api.post(
        "/api/routing/clusters",
        {"title": "Lubang di depan pasar", "tracking_ids": [r.tracking_id for r in reports]},
        user=net.user("liaison"),
    )
    assert res.status_code == 201, res.content
    api.post(f"/api/routing/clusters/{res.json()['id']}/follow-up", {"body": GOOD}, user=net.user("liaison"))
    ratings = AnswerRating.objects.filter(message__report__in=reports)
    assert ratings.count() == 4 and not any(BOILERPLATE in r.flags for r in ratings)
    AnswerRating.objects.all().delete()
    from lapor.reports.answers import answer_flags_backfill

    assert answer_flags_backfill() == 4
    assert not any(BOILERPLATE in r.flags for r in AnswerRating.objects.all())
    # the same text to a fifth, unrelated report is a copy
    assert (
        BOILERPLATE
        in services.report_answer_review(
            report=_routed(api, net), body=GOOD, actor=services.Actor(user=net.user("liaison"))
        ).flags
    )


def test_on_answers_written_after_tuning_no_flag_is_raised_wrongly_often(settings):
    """The held-out set (answer_cases.HELDOUT) was written after the rules were tuned; its misses are
    documented in docs/answer-quality.md. A flag the liaison learns to ignore is worse than none:
    precision must stay at 0.9 or more for every flag."""
    from .answer_cases import HELDOUT

    settings.LAPOR_ANSWER_BOILERPLATE_MIN = 5
    for flag in (SHORT, BOILERPLATE, NOT_CONCRETE, OFF_TOPIC):
        raised = [(set(answer_rate(body=a, report_text=r, earlier=e).flags), want) for _, r, a, want, e in HELDOUT]
        hits = [flag in want for got, want in raised if flag in got]
        assert hits and sum(hits) / len(hits) >= 0.9, flag
