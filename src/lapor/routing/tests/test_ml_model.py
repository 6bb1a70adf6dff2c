"""Tests of the routing ML core on small synthetic data (no Django needed).

Run: .venv/bin/python -m pytest src/lapor/routing/tests/test_ml_model.py -p no:django
"""

from __future__ import annotations

import json
import random

import pytest

from lapor.routing.ml.model import (
    ArtefactError,
    RoutingModel,
    evaluate,
    normalise_text,
    read_csv,
)

# Synthetic, invented vocabulary: topic -> (agency, phrases)
TOPICS = {
    "jalan": (
        "Dinas Pekerjaan Umum",
        [
            "jalan rusak berlubang",
            "aspal jalan mengelupas",
            "jalan berlubang bahaya",
            "perbaikan aspal jalan",
            "trotoar rusak parah",
            "lubang besar di jalan raya",
        ],
    ),
    "sampah": (
        "Dinas Kebersihan",
        [
            "sampah menumpuk bau",
            "truk sampah tidak datang",
            "tempat sampah penuh",
            "pengangkutan sampah terlambat",
            "sampah dibuang sembarangan",
            "bau sampah menyengat",
        ],
    ),
    "air": (
        "Perusahaan Air Minum",
        [
            "air pdam mati",
            "air keruh dan bau",
            "pipa air bocor",
            "aliran air kecil sekali",
            "tagihan air naik",
            "air tidak mengalir tiga hari",
        ],
    ),
    "ktp": (
        "Dinas Kependudukan",
        [
            "ktp elektronik belum jadi",
            "cetak ktp lama sekali",
            "kartu keluarga salah nama",
            "blanko ktp habis",
            "pindah domisili kartu keluarga",
            "akta kelahiran belum terbit",
        ],
    ),
    "sekolah": (
        "Dinas Pendidikan",
        [
            "pendaftaran sekolah zonasi",
            "guru sering tidak masuk",
            "biaya seragam sekolah mahal",
            "ppdb sekolah negeri ditolak",
            "bantuan siswa belum cair",
            "gedung sekolah bocor",
        ],
    ),
    "surat": (
        "Kelurahan {subdistrict}",
        [
            "surat keterangan domisili lama",
            "surat pengantar kelurahan",
            "legalisir surat keterangan usaha",
            "surat keterangan tidak mampu",
            "pelayanan surat di kantor lurah",
            "tanda tangan lurah surat pindah",
        ],
    ),
}
FILLERS = [
    "mohon segera ditindaklanjuti",
    "sudah lapor berkali kali",
    "tolong pak",
    "warga resah",
    "sejak minggu lalu",
    "di depan rumah saya",
    "hubungi [TELEPON]",
    "nik [NOMOR-ID]",
]
PLACES = [
    ("Utara", "Sukamaju"),
    ("Utara", "Sukadamai"),
    ("Selatan", "Mekarsari"),
    ("Selatan", "Cempaka"),
    ("Timur", "Melati"),
    ("Timur", "Kenanga"),
]


def make_records(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    keys = sorted(TOPICS)
    out = []
    for i in range(n):
        topic = keys[i % len(keys)]
        agency, phrases = TOPICS[topic]
        district, sub = rng.choice(PLACES)
        text = " ".join(rng.sample(phrases, 2) + rng.sample(FILLERS, 2))
        out.append(
            {
                "id": str(i),
                "text": text.capitalize(),
                "agency": agency.replace("{subdistrict}", sub),
                "topic": topic,
                "district": district,
                "subdistrict": sub,
                "received_at": f"2022-01-{1 + i % 28:02d} {i % 24:02d}:00:00",
                "channel": rng.choice(["web", "sms", ""]),
            }
        )
    return out


@pytest.fixture(scope="module")
def train():
    return make_records(240, seed=1)


@pytest.fixture(scope="module")
def model(train):
    return RoutingModel(n_jobs=1).fit(train, label="agency")


def test_normalise_text_strips_masks_and_whitespace():
    assert normalise_text("  Jalan   RUSAK [TELEPON]\n[NOMOR-ID] tolong ") == "jalan rusak tolong"
    assert normalise_text(None) == ""


def test_fit_predict_top(model):
    recs = make_records(30, seed=7)
    preds = model.predict_top(recs, k=3)
    assert len(preds) == len(recs)
    correct = 0
    for rec, top in zip(recs, preds):
        assert 1 <= len(top) <= 3
        probs = [p for _, p, _ in top]
        assert probs == sorted(probs, reverse=True)
        assert all(0.0 <= p <= 1.0 for p in probs)
        assert sum(probs) <= 1.0 + 1e-6
        assert all(isinstance(reason, str) and reason for _, _, reason in top)
        correct += top[0][0] == rec["agency"]
    assert correct / len(recs) >= 0.9


def test_predict_one_reason_names_words(model):
    top = model.predict_one("Jalan rusak berlubang, aspal mengelupas", district="Utara", subdistrict="Sukamaju")
    label, prob, reason = top[0]
    assert label == "Dinas Pekerjaan Umum"
    assert prob > 0.3
    assert reason.startswith("kata: ")
    assert any(w in reason for w in ("jalan", "aspal", "rusak", "berlubang"))


def test_location_template_fills_in_unseen_office(model):
    # a subdistrict never seen in training still gets its own office
    top = model.predict_one("Minta surat keterangan domisili dari kelurahan", district="Barat", subdistrict="Anggrek")
    assert top[0][0] == "Kelurahan Anggrek"
    assert "lokasi: Anggrek" in top[0][2]


def test_threshold_for_precision_holds_on_its_data(model):
    hold = make_records(60, seed=3)
    # add label noise so the threshold has to do some work
    for r in hold[::7]:
        r["agency"] = "Dinas Kebersihan"
    t = model.threshold_for_precision(hold, target=0.95)
    res = model.coverage_at_precision(hold, threshold=t)
    assert res["precision"] >= 0.95
    assert 0.0 <= res["coverage"] <= 1.0
    oracle = model.coverage_at_precision(hold, target=0.95)
    assert oracle["coverage"] == res["coverage"]


def test_threshold_unreachable_routes_nothing(model):
    hold = make_records(12, seed=4)
    for r in hold:
        r["agency"] = "Badan Lain"  # never right
    t = model.threshold_for_precision(hold, target=0.95)
    assert model.coverage_at_precision(hold, threshold=t)["coverage"] == 0.0


def test_save_load_roundtrip_and_metadata(model, tmp_path):
    d = model.save(tmp_path / "agency-v1", key="s3cret")
    meta = json.loads((d / "metadata.json").read_text())
    for key in ("version", "trained_at", "label", "metrics", "n_train", "classes"):
        assert key in meta
    assert meta["label"] == "agency" and meta["n_train"] == 240
    assert "Dinas Pendidikan" in meta["classes"]
    loaded = RoutingModel.load(d, key="s3cret")
    recs = make_records(5, seed=9)
    assert loaded.predict_top(recs) == model.predict_top(recs)


@pytest.mark.parametrize("what", ["pickle", "metadata", "key", "signature"])
def test_tampered_artefact_refused(model, tmp_path, what):
    d = model.save(tmp_path / "m", key="s3cret")
    key = "s3cret"
    if what == "pickle":
        blob = bytearray((d / "model.pkl").read_bytes())
        blob[len(blob) // 2] ^= 0x01
        (d / "model.pkl").write_bytes(bytes(blob))
    elif what == "metadata":
        meta = json.loads((d / "metadata.json").read_text())
        meta["version"] = 99
        (d / "metadata.json").write_text(json.dumps(meta))
    elif what == "key":
        key = "another-deployment"
    else:
        (d / "model.pkl.sig").unlink()
    with pytest.raises(ArtefactError):
        RoutingModel.load(d, key=key)


def test_evaluate_exact_keys():
    res = evaluate(make_records(120, seed=5), make_records(30, seed=6), label="agency", model=RoutingModel(n_jobs=1))
    assert set(res) == {
        "top1",
        "top3",
        "macro_f1",
        "coverage_at_precision_95",
        "classes",
        "fit_seconds",
        "predict_ms_per_report",
    }
    assert isinstance(res["classes"], int)
    assert res["top1"] <= res["top3"] <= 1.0
    for k, v in res.items():
        if k != "classes":
            assert isinstance(v, float) and round(v, 4) == v


def test_topic_label(train):
    m = RoutingModel(n_jobs=1).fit(train, label="topic")
    assert m.predict_one("sampah menumpuk tidak diangkut")[0][0] == "sampah"


def test_read_csv_tolerant(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text(
        "id,text,agency,extra_col\n1,jalan rusak,Dinas Pekerjaan Umum,x\n2,,Dinas Kebersihan,\n", encoding="utf-8"
    )
    rows = read_csv(p)
    assert len(rows) == 2
    assert rows[0]["text"] == "jalan rusak" and rows[0]["district"] == "" and rows[0]["extra_col"] == "x"
    assert rows[1]["text"] == "" and rows[1]["received_at"] == ""


def test_fit_needs_two_labels():
    recs = make_records(10)
    for r in recs:
        r["agency"] = "Satu"
    with pytest.raises(ValueError):
        RoutingModel().fit(recs)


@pytest.mark.parametrize("use_topic", [True, False])
def test_fast_transform_matches_sklearn(train, use_topic):
    import numpy as np

    from lapor.routing.ml.model import _meta_tokens, _topic_tokens

    m = RoutingModel(n_jobs=1, use_topic=use_topic, topic_weight=0.7).fit(train, label="agency")
    recs = make_records(20, seed=11) + [
        {"text": "", "district": ""},
        {"text": "zzz qqq", "topic": "tak dikenal"},
        {"text": "jalan rusak", "topic": ""},
    ]
    texts = [normalise_text(r.get("text")) for r in recs]
    metas = [_meta_tokens(r) for r in recs]
    topics = [_topic_tokens(r) for r in recs] if use_topic else None
    fast = m._features.transform(texts, metas, topics)
    ref = m._features.transform_sklearn(texts, metas, topics)
    assert fast.shape == ref.shape
    assert np.allclose(fast.toarray(), ref.toarray(), atol=1e-6)
    assert np.allclose(m._scores(fast), m._clf.decision_function(ref), atol=1e-5)
    off = m._features.topic_offset
    if use_topic:
        # one column per training topic, last; a known topic sets exactly its own column, at the weight
        assert fast.shape[1] - off == len(TOPICS)
        block = fast[:, off:].toarray()
        assert np.allclose(block[:20].sum(axis=1), 0.7) and (np.count_nonzero(block[:20], axis=1) == 1).all()
        assert not block[20:].any()  # no topic, an unknown topic, an empty topic: no token
    else:
        assert off is None
        assert fast.shape == m._features.transform(texts, metas).shape


def test_local_office_names_match_places_spelt_without_spaces():
    """An office named "<kind> Suka Damai" for a report from "Sukadamai" is the report's own
    office: it trains the template, and predictions give back the office's own spelling."""
    from lapor.routing.ml.model import _template_of

    assert _template_of("Kantor Desa Suka Damai", {"subdistrict": "Sukadamai"}) == "Kantor Desa {subdistrict}"
    assert _template_of("Kantor Desa Melati - Timur", {"subdistrict": "Melati Timur"}) == "Kantor Desa {subdistrict}"
    # only at a word boundary, and something must precede the place
    assert _template_of("Kantor Sukamelati", {"subdistrict": "Melati"}) == "Kantor Sukamelati"
    assert _template_of("Melati", {"subdistrict": "Melati"}) == "Melati"

    recs = make_records(240, seed=1)
    for r in recs:
        if r["agency"] == "Kelurahan Sukadamai":
            r["agency"] = "Kelurahan Suka Damai"  # the deployment writes the office name with a space
    m = RoutingModel(n_jobs=1).fit(recs, label="agency")
    assert "Kelurahan {subdistrict}" in set(m.classes_)
    assert not any("Damai" in str(c) for c in m.classes_)
    text = "Minta surat keterangan domisili dari kelurahan"
    assert m.predict_one(text, district="Utara", subdistrict="Sukadamai")[0][0] == "Kelurahan Suka Damai"
    assert m.predict_one(text, district="Barat", subdistrict="Anggrek")[0][0] == "Kelurahan Anggrek"


def test_office_of_a_place_whose_subdistrict_and_district_share_a_name():
    """ "Camat Mawar" for a report from subdistrict Mawar in district Mawar is read as the
    district office when district offices are the commoner reading."""
    recs = []
    for i, (sub, dist) in enumerate(
        [("Anyelir", "Mawar"), ("Dahlia", "Tulip"), ("Kamboja", "Tulip")] * 5 + [("Mawar", "Mawar")]
    ):
        recs.append(
            {
                "text": f"camat tidak hadir rapat warga {i}",
                "agency": f"Camat {dist}",
                "subdistrict": sub,
                "district": dist,
                "received_at": f"2022-02-{1 + i:02d}",
            }
        )
        recs.append(
            {
                "text": f"sampah menumpuk di pasar {i}",
                "agency": "Dinas Kebersihan",
                "subdistrict": sub,
                "district": dist,
                "received_at": f"2022-02-{1 + i:02d}",
            }
        )
    m = RoutingModel(n_jobs=1, holdout_fraction=0).fit(recs, label="agency")
    assert set(m.classes_) == {"Camat {district}", "Dinas Kebersihan"}


def test_recency_weights_favour_newer_reports():
    recs = make_records(60, seed=2)
    m = RoutingModel(n_jobs=1, half_life_days=7).fit(recs, label="agency")
    import numpy as np

    from lapor.routing.ml.model import _days_of

    m._days = _days_of(recs)
    w = m._weights(np.arange(len(recs)))
    days = m._days
    assert abs(w.mean() - 1.0) < 1e-9
    newest, oldest = int(np.argmax(days)), int(np.argmin(days))
    assert w[newest] > w[oldest]
    assert w[newest] / w[oldest] == pytest.approx(0.5 ** ((days[oldest] - days[newest]) / 7))
    assert "_days" not in m.__getstate__()


# --------------------------------------------------------------------------- the topic as an input

AMBIGUOUS = [
    "permohonan bantuan belum ditanggapi",
    "pengajuan belum ada kabar",
    "mohon informasi tindak lanjut",
    "berkas sudah diserahkan bulan lalu",
    "belum ada jawaban dari petugas",
    "pelayanan lambat sekali",
]


def topic_only_records(n: int, seed: int = 0) -> list[dict]:
    """Two agencies whose reports share the same words, places and channels: only the topic
    tells them apart."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        topic, agency = ("bansos", "Dinas Sosial") if i % 2 else ("usaha mikro", "Dinas Koperasi")
        district, sub = rng.choice(PLACES)
        out.append(
            {
                "text": " ".join(rng.sample(AMBIGUOUS, 3)),
                "agency": agency,
                "topic": topic,
                "district": district,
                "subdistrict": sub,
                "channel": rng.choice(["web", "sms"]),
                "received_at": f"2022-03-{1 + i % 28:02d} {i % 24:02d}:00:00",
            }
        )
    return out


def test_topic_token_is_learned_and_used():
    train, test = topic_only_records(200, seed=1), topic_only_records(60, seed=2)
    with_topic = RoutingModel(n_jobs=1).fit(train, label="agency")
    without = RoutingModel(n_jobs=1, use_topic=False).fit(train, label="agency")
    assert with_topic.inputs_ == ["text", "district", "subdistrict", "channel", "topic"]
    assert without.inputs_ == ["text", "district", "subdistrict", "channel"]

    def top1(m):
        return sum(p[0][0] == r["agency"] for p, r in zip(m.predict_top(test, k=1), test)) / len(test)

    assert top1(with_topic) == 1.0
    assert top1(without) <= 0.75  # the words alone cannot separate them
    text = "permohonan bantuan belum ditanggapi, belum ada jawaban dari petugas"
    for topic, agency in (("bansos", "Dinas Sosial"), ("Usaha  Mikro", "Dinas Koperasi")):
        label, prob, reason = with_topic.predict_one(text, district="Utara", subdistrict="Sukamaju", topic=topic)[0]
        assert label == agency and prob > 0.6
        assert f"topik: {' '.join(topic.split())}" in reason
    # predict_one without a topic: the model still answers, from the words (no topik reason)
    top = with_topic.predict_one(text, district="Utara", subdistrict="Sukamaju")
    assert len(top) == 2 and "topik:" not in top[0][2]


def test_two_topics_of_one_name_are_told_apart_by_their_key():
    """Topic names repeat under different parents ("Lainnya"): the product passes the topic's slug
    as ``topic_key``, and the model keys its input on it."""
    train = topic_only_records(200, seed=1)
    for r in train:
        r["topic_key"], r["topic"] = r["topic"].replace(" ", "-"), "Lainnya"
    model = RoutingModel(n_jobs=1).fit(train, label="agency")
    text = "permohonan bantuan belum ditanggapi, belum ada jawaban dari petugas"
    for key, agency in (("bansos", "Dinas Sosial"), ("usaha-mikro", "Dinas Koperasi")):
        label, _prob, reason = model.predict_one(
            text, district="Utara", subdistrict="Sukamaju", topic="Lainnya", topic_key=key
        )[0]
        assert label == agency and "topik: Lainnya" in reason  # the reason shows the name people read


def test_no_topic_column_or_empty_topics(tmp_path):
    import csv as csv_mod

    recs = make_records(120, seed=4)
    p = tmp_path / "no-topic.csv"
    with open(p, "w", newline="", encoding="utf-8") as fh:
        cols = ["text", "agency", "district", "subdistrict", "received_at"]
        w = csv_mod.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(recs)
    rows = read_csv(p)
    m = RoutingModel(n_jobs=1).fit(rows, label="agency")  # use_topic by default, but no record has one
    assert "topic" not in m.inputs_ and m._features.topic_offset is None
    assert m.predict_one("jalan rusak berlubang aspal mengelupas", topic="jalan")[0][0] == "Dinas Pekerjaan Umum"

    # some training reports without a topic, predictions for reports without one
    mixed = make_records(240, seed=1)
    for r in mixed[::3]:
        r["topic"] = ""
    for r in mixed[1::3]:
        del r["topic"]
    m = RoutingModel(n_jobs=1).fit(mixed, label="agency")
    assert "topic" in m.inputs_
    test = make_records(30, seed=7)
    for r in test:
        r["topic"] = ""
    assert sum(p[0][0] == r["agency"] for p, r in zip(m.predict_top(test), test)) / len(test) >= 0.9


def test_label_topic_never_reads_the_topic(train):
    m = RoutingModel(n_jobs=1, use_topic=True, topic_weight=5.0).fit(train, label="topic")
    assert "topic" not in m.inputs_ and m._features.topic is None
    recs = make_records(20, seed=8)
    wrong = [dict(r, topic="sampah") for r in recs]  # a topic in the record changes nothing
    assert m.predict_top(recs) == m.predict_top(wrong)
    assert m.predict_one("truk sampah tidak datang", topic="jalan")[0][0] == "sampah"


@pytest.mark.parametrize("use_topic", [True, False])
def test_save_load_keeps_the_inputs(train, tmp_path, use_topic):
    m = RoutingModel(n_jobs=1, use_topic=use_topic, topic_weight=0.8).fit(train, label="agency")
    d = m.save(tmp_path / "m", key="s3cret")
    meta = RoutingModel.read_metadata(d)
    assert meta["use_topic"] is use_topic and meta["topic_weight"] == 0.8
    assert meta["inputs"] == m.inputs_ and ("topic" in meta["inputs"]) is use_topic
    loaded = RoutingModel.load(d, key="s3cret")
    assert loaded.inputs_ == m.inputs_ and loaded.use_topic is use_topic
    recs = [dict(r, topic="ktp") for r in make_records(6, seed=9)]  # a topic that disagrees with the words
    assert loaded.predict_top(recs) == m.predict_top(recs)


def test_artefact_of_another_version_is_refused_with_a_clear_error(model, tmp_path):
    """A version-1 artefact (before the topic input) has a valid signature but is refused."""
    from lapor.routing.ml.model import ARTEFACT_VERSION, _key_bytes, _sign

    assert ARTEFACT_VERSION == 2
    d = model.save(tmp_path / "old", key="s3cret")
    meta = json.loads((d / "metadata.json").read_text())
    meta["version"] = 1
    meta_bytes = json.dumps(meta).encode()
    (d / "metadata.json").write_bytes(meta_bytes)
    (d / "model.pkl.sig").write_text(_sign(_key_bytes("s3cret"), (d / "model.pkl").read_bytes(), meta_bytes))
    with pytest.raises(ArtefactError, match="version 1 != supported 2.*retrain"):
        RoutingModel.load(d, key="s3cret")
