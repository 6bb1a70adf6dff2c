"""Routing suggestions trained on the deployment's own history; auto-routing above the
precision threshold; tampered artefacts refused."""

import csv
import io
import json
import random

import pytest
from django.core.management import call_command

from lapor.reports import services as s
from lapor.routing import suggest

TEXTS = {
    "dept": [
        "jalan berlubang aspal rusak parah",
        "jembatan retak dan miring",
        "drainase tersumbat air meluap ke jalan",
        "aspal jalan mengelupas banyak lubang",
        "gorong gorong ambrol di tepi jalan",
    ],
    "health": [
        "puskesmas antre lama dokter tidak ada",
        "obat habis di puskesmas",
        "pelayanan bidan puskesmas kasar",
        "ambulans puskesmas terlambat datang",
        "imunisasi anak di posyandu dibatalkan",
    ],
    "city": [
        "izin usaha lama sekali diproses",
        "pelayanan kantor wali kota lambat",
        "pegawai kantor pemerintah kota tidak ramah",
        "perizinan bangunan berbelit",
        "pengumuman seleksi pegawai kota tidak jelas",
    ],
}


@pytest.fixture
def history(net, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.LAPOR_ROUTING_MIN_HISTORY = 30
    settings.LAPOR_FLOOD_PER_HOUR = 10_000
    rng = random.Random(3)
    platform, reporter = s.Actor(user=net.user("platform")), net.user("reporter")
    agencies = {"dept": net.dept, "health": net.health, "city": net.city}
    for key, agency in agencies.items():
        for i in range(14):
            text = f"{rng.choice(TEXTS[key])} di lingkungan nomor {i} {key}"
            report, _ = s.report_submit(
                submission=s.Submission(title=text[:60], body=text, region_code="13.74.02"), reporter=reporter
            )
            s.report_route(report=report, actor=platform, agency=agency)
            s.report_follow_up(report=report, actor=s.Actor(user=net.user("city_admin")), body="Sudah ditangani.")
            s.report_complete(report=report, actor=s.Actor(user=reporter))
    return agencies


def test_too_little_history_says_so(net, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    assert suggest.routing_train(label="agency")["status"] == "insufficient_history"
    report, _ = s.report_submit(
        submission=s.Submission(title="Jalan rusak", body="Jalan rusak parah"), reporter=net.user("reporter")
    )
    assert suggest.routing_suggest(report) == {
        "status": "insufficient_history",
        "model_version": None,
        "threshold": None,
        "floor": settings.LAPOR_ROUTING_SUGGEST_FLOOR,
        "suggestions": [],
    }


@pytest.mark.slow
def test_trained_model_suggests_the_agency_that_handles_such_reports(net, api, history):
    result = suggest.routing_train(label="agency")
    assert result["status"] == "trained" and result["reports"] == 42
    report, _ = s.report_submit(
        submission=s.Submission(
            title="Aspal berlubang",
            body="jalan berlubang aspal rusak di depan pasar",
            region_code="13.74.02",
            target_agency_id=net.city.pk,
        ),
        reporter=net.user("stranger"),
    )
    res = api.get(f"/api/routing/reports/{report.tracking_id}/suggestions", user=net.user("platform"))
    body = res.json()
    assert body["status"] == "ok" and body["model_version"] == result["version"]
    top = body["suggestions"][0]
    assert top["agency_id"] == net.dept.pk and top["source"] == "model" and 0 < top["confidence"] <= 1
    assert "kata:" in top["reason"]
    assert [x["confidence"] for x in body["suggestions"]] == sorted(
        (x["confidence"] for x in body["suggestions"]), reverse=True
    )


@pytest.mark.slow
def test_auto_routing_only_above_the_threshold_and_bounces_are_counted(net, api, history):
    suggest.routing_train(label="agency")
    version, model = suggest.routing_model_get("agency")
    model.threshold_95_ = 1.01  # nothing is confident enough
    low, _ = s.report_submit(
        submission=s.Submission(title="Obat habis", body="obat habis di puskesmas kami"), reporter=net.user("stranger")
    )
    assert low.state == "submitted"
    model.threshold_95_ = 0.0
    high, _ = s.report_submit(
        submission=s.Submission(title="Obat habis lagi", body="obat habis di puskesmas, antre lama"),
        reporter=net.user("stranger"),
    )
    high.refresh_from_db()
    assert high.state == "routed" and high.agency == net.health and high.auto_routed
    event = high.events.get(action="route")
    assert event.actor_role == "system" and event.data["model_version"] == version
    s.report_not_authority(report=high, actor=s.Actor(user=net.user("health_admin")), reason="Salah instansi")
    stats = api.get("/api/routing/stats", user=net.user("platform")).json()
    assert stats["by_model"] == 1 and stats["bounced_back"] == 1


@pytest.mark.slow
def test_a_loaded_model_is_known_by_its_directory_not_only_its_version(net, history, settings, tmp_path_factory):
    """Two data directories (two tests in one process, or a restore) may hold models of the same
    version name: each directory's own model is served."""
    import shutil

    result = suggest.routing_train(label="agency")
    _version, first = suggest.routing_model_get("agency")
    settings.DATA_DIR = tmp_path_factory.mktemp("restored")
    root = suggest.models_root("agency")
    shutil.copytree(result["path"], root / result["version"])
    (root / "CURRENT").write_text(result["version"])
    version, second = suggest.routing_model_get("agency")
    assert version == result["version"] and second is not first


@pytest.mark.slow
def test_a_tampered_model_is_never_loaded(net, history):
    result = suggest.routing_train(label="agency")
    suggest._cache.clear()
    pickle_path = suggest.models_root("agency") / result["version"] / "model.pkl"
    data = bytearray(pickle_path.read_bytes())
    data[-10] ^= 0xFF
    pickle_path.write_bytes(bytes(data))
    assert suggest.routing_model_get("agency") is None


@pytest.fixture
def refused_model(settings, tmp_path, monkeypatch):
    """A current model pointer whose artefact every load refuses; yields (models root, the paths
    loads were asked for)."""
    from lapor.routing.ml.model import ArtefactError

    settings.DATA_DIR = tmp_path
    root = suggest.models_root("agency")
    (root / "20220101T000000").mkdir(parents=True)
    (root / "CURRENT").write_text("20220101T000000")
    calls = []

    def load(path, key):
        calls.append(path)
        raise ArtefactError("artefact version 1 != supported 2: written by another release, retrain")

    monkeypatch.setattr(suggest.RoutingModel, "load", load)
    monkeypatch.setattr(suggest, "POINTER_SECONDS", 0)
    return root, calls


def test_a_model_of_an_older_release_is_refused_once_until_retrained(net, refused_model, caplog):
    """After an upgrade that changed the artefact version, the old model stays out of the way (no
    suggestion, no auto-routing), is read and logged once, not on every submission, and the next
    training replaces it."""
    root, calls = refused_model
    report, _ = s.report_submit(
        submission=s.Submission(title="Jalan rusak", body="Jalan rusak parah"), reporter=net.user("reporter")
    )
    assert report.state == "submitted"  # not auto-routed
    assert suggest.routing_suggest(report)["status"] == "insufficient_history"
    assert suggest.routing_model_get("agency") is None
    assert len(calls) == 1
    assert [r.getMessage() for r in caplog.records if "refused" in r.getMessage()] == [
        "routing model agency/20220101T000000 refused: artefact version 1 != supported 2: written by another release, "
        "retrain; run `lapor routing train --label agency`"
    ]
    (root / "20220102T000000").mkdir()
    (root / "CURRENT").write_text("20220102T000000")  # what a retrain does
    assert suggest.routing_model_get("agency") is None and len(calls) == 2


def test_a_refused_model_is_read_again_after_a_while(refused_model, monkeypatch):
    """A refusal may come from a passing read error: it is remembered for REFUSED_RETRY_SECONDS only."""
    _root, calls = refused_model
    assert suggest.routing_model_get("agency") is None and suggest.routing_model_get("agency") is None
    assert len(calls) == 1  # remembered
    monkeypatch.setattr(suggest, "REFUSED_RETRY_SECONDS", 0)
    assert suggest.routing_model_get("agency") is None
    assert len(calls) == 2  # the interval is over: read again


@pytest.mark.slow
def test_a_model_without_a_threshold_suggests_but_never_routes_alone(net, api, history):
    """Trained on too little history for a held-out slice, a model has no precision threshold: it
    still suggests, submissions are never routed by it, and nothing fails."""
    suggest.routing_train(label="agency")
    _version, model = suggest.routing_model_get("agency")
    model.threshold_95_ = None
    report, _ = s.report_submit(
        submission=s.Submission(title="Obat habis", body="obat habis di puskesmas, antre lama"),
        reporter=net.user("stranger"),
    )
    report.refresh_from_db()
    assert report.state == "submitted" and not report.auto_routed
    body = api.get(f"/api/routing/reports/{report.tracking_id}/suggestions", user=net.user("platform")).json()
    assert body["status"] == "ok" and body["threshold"] is None
    assert body["suggestions"][0]["agency_id"] == net.health.pk


def test_topic_suggestions_from_keywords_without_a_model(net, api, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    net.roads.keywords = "jalan rusak,berlubang,aspal"
    net.roads.save()
    net.health_topic.keywords = "puskesmas,dokter"
    net.health_topic.save()
    res = api.post("/api/routing/topic-suggestions", {"text": "Jalan berlubang dan aspal mengelupas"})
    assert res.status_code == 200
    assert [t["topic_id"] for t in res.json()][:1] == [net.roads.pk]


def test_topics_of_one_name_are_all_suggested_by_their_keywords(net, api, settings, tmp_path):
    """Topic names repeat under different parents ("Lainnya"): each is its own suggestion."""
    from lapor.agencies.models import Topic

    settings.DATA_DIR = tmp_path
    other_roads = Topic.objects.create(
        name="Lainnya", slug="infrastruktur-lainnya", parent=net.roads.parent, keywords="trotoar"
    )
    other_health = Topic.objects.create(
        name="Lainnya", slug="kesehatan-lainnya", parent=net.health_topic, keywords="trotoar,posyandu"
    )
    res = api.post("/api/routing/topic-suggestions", {"text": "Trotoar depan posyandu rusak"})
    assert [t["topic_id"] for t in res.json()] == [other_health.pk, other_roads.pk]


def test_evaluate_command_prints_the_agreed_keys(tmp_path):
    rng = random.Random(1)
    rows = []
    for key, texts in TEXTS.items():
        for i in range(12):
            rows.append(
                {
                    "text": f"{rng.choice(texts)} {i}",
                    "agency": key,
                    "topic": key,
                    "district": "Wonocolo",
                    "subdistrict": "Jemur",
                    "received_at": f"2022-0{1 + i % 9}-01",
                    "extra": "ignored",
                }
            )
    for name, part in (("a.csv", rows[::2]), ("b.csv", rows[1::2])):
        with open(tmp_path / name, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(part)

    def evaluate(*flags):
        out = io.StringIO()
        call_command(
            "routing",
            "evaluate",
            "--train",
            str(tmp_path / "a.csv"),
            "--test",
            str(tmp_path / "b.csv"),
            *flags,
            stdout=out,
        )
        return json.loads(out.getvalue())

    result = evaluate()
    assert set(result) == {
        "top1",
        "top3",
        "macro_f1",
        "coverage_at_precision_95",
        "classes",
        "fit_seconds",
        "predict_ms_per_report",
        "inputs",
    }
    assert result["classes"] == 3 and result["top3"] >= result["top1"] > 0.5
    assert result["inputs"] == ["text", "district", "subdistrict", "channel", "topic"]
    assert evaluate("--without-topic")["inputs"] == ["text", "district", "subdistrict", "channel"]
    topic = evaluate("--label", "topic")
    assert topic["inputs"] == ["text", "district", "subdistrict", "channel"] and topic["classes"] == 3


@pytest.mark.slow
def test_the_live_suggestion_reads_the_reports_topic(net, api, settings, tmp_path):
    """Two agencies get reports in the same words; only the topic the reporter picked at
    submission tells them apart. Training from the database and the suggestion for a new
    report both read it."""
    from lapor.agencies.models import Topic

    settings.DATA_DIR = tmp_path
    settings.LAPOR_ROUTING_MIN_HISTORY = 30
    settings.LAPOR_FLOOD_PER_HOUR = 10_000
    aid = Topic.objects.create(name="Bantuan Sosial", slug="bansos")  # no routing rule for either
    permit = Topic.objects.create(name="Perizinan Usaha", slug="izin-usaha")
    rng = random.Random(5)
    words = [
        "permohonan belum ditanggapi",
        "berkas sudah lengkap",
        "mohon kejelasan",
        "sudah menunggu lama",
        "petugas tidak memberi jawaban",
    ]
    platform, reporter = s.Actor(user=net.user("platform")), net.user("reporter")
    for i in range(36):
        topic, agency = (aid, net.health) if i % 2 else (permit, net.city)
        text = " ".join(rng.sample(words, 3)) + f" nomor {i}"
        report, _ = s.report_submit(
            submission=s.Submission(title=text[:60], body=text, topic_id=topic.pk, region_code="13.74.02"),
            reporter=reporter,
        )
        s.report_route(report=report, actor=platform, agency=agency)
        s.report_follow_up(report=report, actor=s.Actor(user=net.user("city_admin")), body="Sudah ditangani.")
        s.report_complete(report=report, actor=s.Actor(user=reporter))
    result = suggest.routing_train(label="agency")
    assert result["status"] == "trained" and result["inputs"][-1] == "topic"
    meta = suggest.RoutingModel.read_metadata(result["path"])
    assert meta["inputs"] == result["inputs"] and meta["use_topic"] is True
    assert "topic" not in suggest.routing_train(label="topic")["inputs"]
    # the topic model answers with topics by id, learnt by slug
    suggested = api.post("/api/routing/topic-suggestions", {"text": "permohonan belum ditanggapi"}).json()
    assert {t["topic_id"] for t in suggested} == {aid.pk, permit.pk}
    assert {t["name"] for t in suggested} == {"Bantuan Sosial", "Perizinan Usaha"}

    text = "permohonan belum ditanggapi, mohon kejelasan"
    for topic, agency in ((aid, net.health), (permit, net.city)):
        report, _ = s.report_submit(
            submission=s.Submission(
                title=text, body=text, topic_id=topic.pk, region_code="13.74.02", target_agency_id=net.dept.pk
            ),
            reporter=net.user("stranger"),
        )
        body = api.get(f"/api/routing/reports/{report.tracking_id}/suggestions", user=net.user("platform")).json()
        top = body["suggestions"][0]
        assert body["status"] == "ok" and top["agency_id"] == agency.pk and top["source"] == "model"
        assert f"topik: {topic.name}" in top["reason"]
