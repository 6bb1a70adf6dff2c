"""Routing in real use: weekly retraining that keeps the better model, Bukan Wewenang returns
(never suggested again; each model version's live precision), and people's own routing choices
measured against the suggestions they saw (live top-1 / top-3)."""

import datetime as dt
import random

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from lapor.accounts.models import AuditLog
from lapor.reports import services as s
from lapor.reports.models import Report
from lapor.routing import suggest

from .test_suggest_train import TEXTS


def handled_reports(net, n_each: int, *, start: dt.datetime, seed: int = 3) -> list[Report]:
    """n_each handled reports per agency, a text of its own kind each, submitted an hour apart
    from ``start`` on (oldest first)."""
    rng = random.Random(seed)
    platform, reporter = s.Actor(user=net.user("platform")), net.user("reporter")
    agencies = {"dept": net.dept, "health": net.health, "city": net.city}
    out = []
    for i in range(n_each):
        for key, agency in agencies.items():
            text = f"{rng.choice(TEXTS[key])} di lingkungan nomor {i} {key}"
            report, _ = s.report_submit(
                submission=s.Submission(
                    title=text[:60], body=text, region_code="13.74.02", target_agency_id=net.city.pk
                ),  # never auto-routed
                reporter=reporter,
            )
            s.report_route(report=report, actor=platform, agency=agency)
            s.report_follow_up(report=report, actor=s.Actor(user=net.user("city_admin")), body="Sudah ditangani.")
            s.report_complete(report=report, actor=s.Actor(user=reporter))
            Report.objects.filter(pk=report.pk).update(submitted_at=start + dt.timedelta(hours=len(out)))
            out.append(report)
    return out


@pytest.fixture
def quiet(net, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.LAPOR_ROUTING_MIN_HISTORY = 30
    settings.LAPOR_ROUTING_MIN_COMPARE = 5
    settings.LAPOR_FLOOD_PER_HOUR = 10_000
    return net


def test_retraining_is_weekly_by_default_and_registered_with_the_periodic_jobs():
    assert django_settings.LAPOR_ROUTING_RETRAIN_SECONDS == 7 * 86400
    job = django_settings.CELERY_BEAT_SCHEDULE["routing-retrain"]
    assert job == {"task": "lapor.routing.tasks.retrain", "schedule": django_settings.LAPOR_ROUTING_RETRAIN_SECONDS}


@pytest.mark.slow
def test_a_retrain_keeps_the_current_model_when_the_new_one_is_worse_on_the_newest_reports(quiet):
    net = quiet
    now = timezone.now()
    old = handled_reports(net, 12, start=now - dt.timedelta(days=60))
    first = suggest.routing_train(label="agency")
    assert first["status"] == "trained" and first["comparison"]["why"] == "no_current_model"
    new = handled_reports(net, 12, start=now - dt.timedelta(days=5), seed=4)
    # the older history is now mislabelled (every report under another agency): a model learnt
    # from it is worse on the newest reports than the current one, which learnt the right labels
    rotate = {net.dept.pk: net.health, net.health.pk: net.city, net.city.pk: net.dept}
    for report in Report.objects.filter(pk__in=[r.pk for r in old + new[:24]]):
        Report.objects.filter(pk=report.pk).update(agency=rotate[report.agency_id])
    second = suggest.routing_train(label="agency")
    comparison = second["comparison"]
    assert second["status"] == "kept_previous" and second["version"] == first["version"]
    assert comparison["kept"] and comparison["n"] >= 5 and comparison["new_top1"] < comparison["current_top1"]
    assert (suggest.models_root("agency") / "CURRENT").read_text() == first["version"]
    audit = AuditLog.objects.filter(action="routing_retrain").order_by("pk").last()
    assert audit.detail["status"] == "kept_previous" and audit.target_id == first["version"]


@pytest.mark.slow
def test_a_retrain_at_least_as_good_on_the_newest_reports_replaces_the_model(quiet):
    net = quiet
    now = timezone.now()
    handled_reports(net, 12, start=now - dt.timedelta(days=60))
    first = suggest.routing_train(label="agency")
    handled_reports(net, 12, start=now - dt.timedelta(days=5), seed=4)
    second = suggest.routing_train(label="agency")
    assert second["status"] == "trained" and second["version"] != first["version"]
    assert second["comparison"]["n"] >= 5 and second["comparison"]["new_top1"] >= second["comparison"]["current_top1"]
    assert (suggest.models_root("agency") / "CURRENT").read_text() == second["version"]
    until = [suggest.RoutingModel.read_metadata(r["path"])["trained_until"] for r in (first, second)]
    assert until[0] < until[1]


@pytest.mark.slow
def test_people_choices_give_live_top1_and_top3_and_returns_give_live_precision(quiet, client, api):
    net = quiet
    handled_reports(net, 12, start=timezone.now() - dt.timedelta(days=30))
    version = suggest.routing_train(label="agency")["version"]
    platform = net.user("platform")

    def submitted(text):
        report, _ = s.report_submit(
            submission=s.Submission(
                title=text[:60], body=text, region_code="13.74.02", target_agency_id=net.city.pk
            ),  # waits for a person
            reporter=net.user("stranger"),
        )
        return report

    # a tap on the first suggestion
    tapped = submitted("obat habis di puskesmas, antre lama sekali")
    client.force_login(platform)
    html = client.get(f"/petugas/laporan/{tapped.tracking_id}/").content.decode()
    assert 'name="route-tapped_rank" value="1"' in html and 'name="route-tapped_rank" value="3"' in html
    top = suggest.routing_suggest(tapped)["suggestions"][0]
    res = client.post(
        f"/petugas/laporan/{tapped.tracking_id}/route/",
        {"route-agency": str(top["agency_id"]), "route-tapped_rank": "1"},
    )
    assert res.status_code == 302
    event = tapped.events.get(action="route")
    assert event.data["suggestion"] == {
        "model_version": version,
        "rank": 1,
        "source": "model",
        "tapped": True,
        "guess": False,
        "floor": django_settings.LAPOR_ROUTING_SUGGEST_FLOOR,
    }
    # a person's own pick, not among the suggestions
    own = submitted("obat habis di puskesmas, antre lama")
    shown = {x["agency_id"] for x in suggest.routing_suggest(own)["suggestions"]}
    elsewhere = next(a for a in (net.dept, net.health, net.city, net.other_dept) if a.pk not in shown)
    s.report_route(report=own, actor=s.Actor(user=platform), agency=elsewhere)
    assert own.events.get(action="route").data["suggestion"]["rank"] is None

    # automatic routes by this model version; the first one comes back as not the agency's
    _v, model = suggest.routing_model_get("agency")
    model.threshold_95_ = 0.0
    autos = []
    for text in ("obat habis di puskesmas kami", "jalan berlubang aspal rusak di gang"):
        report, _ = s.report_submit(
            submission=s.Submission(title=text, body=text, region_code="13.74.02"), reporter=net.user("stranger")
        )
        report.refresh_from_db()
        assert report.auto_routed
        autos.append(report)
    admin = {net.health.pk: "health_admin", net.dept.pk: "dept_admin", net.city.pk: "city_admin"}[autos[0].agency_id]
    s.report_not_authority(report=autos[0], actor=s.Actor(user=net.user(admin)), reason="Bukan wewenang kami")

    stats = api.get("/api/routing/stats", user=platform).json()
    row = next(m for m in stats["models"] if m["version"] == version)
    assert stats["current_version"] == version and row["current"]
    assert row["auto_routed"] == 2 and row["returned"] == 1 and row["live_precision"] == 0.5
    assert row["decisions"] >= 2 and row["tapped"] == 1
    # the history's own routes were made before any model: only the two decisions above count
    assert row["decisions"] == 2 and row["live_top1"] == 0.5 and row["live_top3"] == 0.5
    page = client.get("/petugas/disposisi-otomatis/")
    assert page.status_code == 200 and f'title="{version}"' in page.content.decode()
    assert f">{version}<" not in page.content.decode()  # shown as its training time in words


def test_a_model_version_reads_as_its_training_time(settings):
    from django.utils import translation

    from lapor.web.templatetags.lapor_web import version_time

    settings.TIME_ZONE = "Asia/Jakarta"
    with translation.override("id"):
        assert version_time("20261207T115556634988") == "7 Des 2026, 18:55"
    with translation.override("en"):
        assert version_time("20261207T115556634988") == "7 Dec 2026, 18:55"
    assert version_time("v-custom") == "v-custom"


def test_the_routing_stats_page_is_for_platform_admins_only(net, client, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client.force_login(net.user("dept_admin"))
    assert client.get("/petugas/disposisi-otomatis/").status_code == 403
    client.force_login(net.user("platform"))
    res = client.get("/petugas/disposisi-otomatis/")
    assert res.status_code == 200 and "Belum ada model yang dilatih." in res.content.decode()


@pytest.mark.slow
def test_an_agency_that_returned_a_report_is_never_suggested_for_it_again(quiet):
    net = quiet
    handled_reports(net, 12, start=timezone.now() - dt.timedelta(days=30))
    suggest.routing_train(label="agency")
    report, _ = s.report_submit(
        submission=s.Submission(
            title="Obat habis",
            body="obat habis di puskesmas, antre lama",
            region_code="13.74.02",
            target_agency_id=net.city.pk,
        ),
        reporter=net.user("stranger"),
    )
    assert suggest.routing_suggest(report)["suggestions"][0]["agency_id"] == net.health.pk
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=net.health)
    s.report_not_authority(report=report, actor=s.Actor(user=net.user("health_admin")), reason="Bukan wewenang kami")
    report.refresh_from_db()
    assert report.state == "submitted"
    after = suggest.routing_suggest(report)
    assert after["status"] == "ok" and after["suggestions"]
    assert net.health.pk not in {x["agency_id"] for x in after["suggestions"]}
    # the return is remembered for training: the report carries the agency that returned it
    assert suggest.returned_by([report.pk]) == {report.pk: [net.health.name]}


@pytest.mark.slow
def test_old_model_versions_give_up_their_artefacts_but_keep_their_history(quiet, monkeypatch):
    """A weekly retrain writes a new version of tens of MB: only the three newest keep their
    pickle (the current one always), the older ones their metadata, so the stats page still lists
    them (the round 19 walk found every version kept whole: 39 MB a week on the demo)."""
    net = quiet
    reports = handled_reports(net, 12, start=timezone.now() - dt.timedelta(days=30))
    versions = []
    for i in range(5):  # a report re-routed before each retrain: new training data, a new version
        # handled_reports goes dept, health, city, dept, ...: each one to the next agency
        Report.objects.filter(pk=reports[i].pk).update(agency=(net.health, net.city, net.dept)[i % 3])
        versions.append(suggest.routing_train(label="agency")["version"])
    assert len(set(versions)) == 5
    root = suggest.models_root("agency")
    whole = {v for v in versions if (root / v / "model.pkl").exists()}
    assert whole == set(versions[-3:])
    for old in versions[:2]:
        assert sorted(f.name for f in (root / old).iterdir()) == ["metadata.json"]
    assert (root / "CURRENT").read_text() == versions[-1] and suggest.routing_model_get("agency")[0] == versions[-1]
    rows = {row["version"]: row for row in suggest.routing_stats()["models"]}
    assert set(versions) <= set(rows) and all(rows[v]["n_train"] == 36 for v in versions)
    # an operator points CURRENT back at an older version: it is never pruned
    (root / "CURRENT").write_text(versions[2])
    monkeypatch.setattr(suggest, "ARTEFACTS_KEPT", 1)
    assert suggest._artefacts_prune(root) == [versions[3]]
    assert (root / versions[2] / "model.pkl").exists() and (root / versions[4] / "model.pkl").exists()


@pytest.mark.slow
def test_a_retrain_with_nothing_newly_handled_writes_no_new_version(quiet):
    """The same training data would give the same model: the retrain records "unchanged" (audit
    log, stats page) instead of saving an identical version; one more handled report, and it trains."""
    net = quiet
    now = timezone.now()
    handled_reports(net, 12, start=now - dt.timedelta(days=30))
    first = suggest.routing_train(label="agency")
    root = suggest.models_root("agency")
    again = suggest.routing_train(label="agency")
    assert again == {"status": "unchanged", "version": first["version"], "reports": 36}
    assert sorted(d.name for d in root.iterdir() if d.is_dir()) == [first["version"]]
    assert (root / "CURRENT").read_text() == first["version"]
    audit = AuditLog.objects.filter(action="routing_retrain").order_by("pk").last()
    assert audit.detail["status"] == "unchanged" and audit.target_id == first["version"]
    assert suggest.routing_stats()["retrains"][0]["status"] == "unchanged"
    # a re-routed report changes the training data too (the answer is the agency that finally handled it)
    report = Report.objects.filter(agency=net.dept).first()
    Report.objects.filter(pk=report.pk).update(agency=net.health)
    assert suggest.routing_train(label="agency")["status"] in ("trained", "kept_previous")
    handled_reports(net, 1, start=now - dt.timedelta(days=1), seed=5)
    latest = suggest.routing_train(label="agency")
    assert latest["status"] == "trained" and latest["reports"] == 39 and latest["version"] != first["version"]
