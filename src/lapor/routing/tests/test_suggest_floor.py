"""The suggestion floor: a model suggestion under LAPOR_ROUTING_SUGGEST_FLOOR is a guess. It is not
offered as a one-tap button, and a person taking it is no top-1 success of the model."""

import datetime as dt

import pytest
from django.utils import timezone

from lapor.agencies.models import Agency
from lapor.reports import services as s
from lapor.routing import suggest

from .test_routing_live import handled_reports, quiet  # noqa: F401 (fixture)


def submitted(net, text):
    report, _ = s.report_submit(
        submission=s.Submission(title=text[:60], body=text, region_code="13.74.02", target_agency_id=net.city.pk),
        reporter=net.user("stranger"),
    )
    return report


def live_row(api, platform, version):
    stats = api.get("/api/routing/stats", user=platform).json()
    return next(m for m in stats["models"] if m["version"] == version)


def test_the_floor_is_a_setting_with_a_calibrated_default(settings):
    assert settings.LAPOR_ROUTING_SUGGEST_FLOOR == 0.2


@pytest.mark.slow
def test_guesses_under_the_floor_are_collapsed_and_a_tap_on_one_is_not_a_top1(quiet, client, api, settings):  # noqa: F811
    net = quiet
    handled_reports(net, 12, start=timezone.now() - dt.timedelta(days=30))
    version = suggest.routing_train(label="agency")["version"]
    platform = net.user("platform")
    client.force_login(platform)

    settings.LAPOR_ROUTING_SUGGEST_FLOOR = 1.01  # nothing the model says passes
    report = submitted(net, "obat habis di puskesmas, antre lama sekali")
    result = suggest.routing_suggest(report)
    assert result["floor"] == 1.01 and result["suggestions"]
    assert not any(sug["sure"] for sug in result["suggestions"])
    html = client.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    block = html[html.index('id="saran"') : html.index('data-action="route"')]
    assert "Sistem tidak yakin: pilih instansi sendiri" in block
    guesses = block[block.index('<details class="suggestion-guesses">') :]
    assert block.count('name="route-tapped_rank"') == guesses.count('name="route-tapped_rank"') == 2
    assert "tidak yakin" in guesses and '<details class="suggestion-guesses" open' not in block
    picker = html[html.index('name="route-agency_q"') - 200 : html.index('name="route-agency_q"') + 200]
    assert "autofocus" in picker

    top = result["suggestions"][0]
    res = client.post(
        f"/petugas/laporan/{report.tracking_id}/route/",
        {"route-agency": str(top["agency_id"]), "route-tapped_rank": "1"},
    )
    assert res.status_code == 302
    taken = report.events.get(action="route").data["suggestion"]
    assert taken["rank"] is None and taken["guess"] and taken["tapped"]
    row = live_row(api, platform, version)
    assert row["decisions"] == 1 and row["tapped"] == 1 and row["live_top1"] == 0.0 and row["live_top3"] == 0.0

    settings.LAPOR_ROUTING_SUGGEST_FLOOR = 0.0  # everything passes: the first suggestion is a top-1
    other = submitted(net, "obat habis di puskesmas, antre lama")
    html = client.get(f"/petugas/laporan/{other.tracking_id}/").content.decode()
    assert "Sistem tidak yakin" not in html and "autofocus" not in html
    assert 'name="route-tapped_rank" value="1"' in html and "suggestion-guesses" not in html
    top = suggest.routing_suggest(other)["suggestions"][0]
    client.post(
        f"/petugas/laporan/{other.tracking_id}/route/",
        {"route-agency": str(top["agency_id"]), "route-tapped_rank": "1"},
    )
    taken = other.events.get(action="route").data["suggestion"]
    assert taken["rank"] == 1 and not taken["guess"] and taken["tapped"]
    row = live_row(api, platform, version)
    assert row["decisions"] == 2 and row["live_top1"] == 0.5


@pytest.mark.slow
def test_only_suggestions_at_or_above_the_floor_are_sure_and_they_come_first(quiet, settings):  # noqa: F811
    net = quiet
    handled_reports(net, 12, start=timezone.now() - dt.timedelta(days=30))
    suggest.routing_train(label="agency")
    report = submitted(net, "jalan berlubang aspal rusak di depan pasar")
    confidences = [sug["confidence"] for sug in suggest.routing_suggest(report)["suggestions"]]
    assert len(confidences) == 3 and confidences[0] > confidences[-1]
    settings.LAPOR_ROUTING_SUGGEST_FLOOR = (confidences[0] + confidences[1]) / 2  # the best one passes, no other
    result = suggest.routing_suggest(report)
    assert [sug["sure"] for sug in result["suggestions"]] == [True, False, False]
    second = Agency.objects.get(pk=result["suggestions"][1]["agency_id"])
    decision = suggest.routing_decision(report, second, tapped_rank=2)
    assert decision["rank"] is None and decision["guess"] and decision["tapped"]
    first = Agency.objects.get(pk=result["suggestions"][0]["agency_id"])
    assert suggest.routing_decision(report, first)["rank"] == 1
