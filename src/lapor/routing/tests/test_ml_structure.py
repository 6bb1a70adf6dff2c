"""Round-5 knobs of the routing model (no Django): the agency tree as output structure, the
region hierarchy as input, Bukan Wewenang returns, the auto-routing precision margin."""

import numpy as np
import pytest

from lapor.routing.ml.model import RoutingModel, _meta_tokens

from .test_ml_model import make_records


@pytest.fixture(scope="module")
def train():
    return make_records(480)


def test_the_level_classifier_folds_into_one_linear_model(train):
    plain = RoutingModel(use_topic=False, n_jobs=1).fit(train)
    tree = RoutingModel(use_topic=False, n_jobs=1, level_weight=1.0).fit(train)
    assert tree._clf.coef_.shape == plain._clf.coef_.shape  # same prediction cost
    assert not np.allclose(tree._clf.coef_, plain._clf.coef_)
    top = tree.predict_one("sampah menumpuk bau truk sampah tidak datang", district="Utara", subdistrict="Sukamaju")
    assert top[0][0] == "Dinas Kebersihan"
    assert tree.predict_one("surat pengantar kelurahan", subdistrict="Melati")[0][0] == "Kelurahan Melati"


def test_a_returning_agency_is_never_suggested_again(train):
    model = RoutingModel(use_topic=False, n_jobs=1).fit(train)
    rec = {"text": "jalan rusak berlubang aspal jalan mengelupas"}
    assert model.predict_top([rec])[0][0][0] == "Dinas Pekerjaan Umum"
    for returned in (["Dinas Pekerjaan Umum"], "Dinas Pekerjaan Umum|Dinas Kebersihan"):
        labels = [lab for lab, _p, _r in model.predict_top([{**rec, "returned_by": returned}], k=3)[0]]
        assert len(labels) == 3 and "Dinas Pekerjaan Umum" not in labels


def test_returned_reports_can_weigh_more_in_training(train):
    marked = [dict(r, returned_by="Dinas Lain" if i % 4 == 0 else "") for i, r in enumerate(train)]
    model = RoutingModel(use_topic=False, n_jobs=1, return_weight=3.0)
    model.fit(marked)
    w = model._weights(np.arange(len(marked)))
    assert w[0] == pytest.approx(3 * w[1])


def test_region_hierarchy_tokens():
    assert _meta_tokens(
        {
            "province": "Jawa Timur",
            "regency": "Kota Surabaya",
            "district": "Rungkut",
            "subdistrict": "",
            "channel": "web",
        }
    ) == ["p=jawa_timur", "r=kota_surabaya", "d=rungkut", "c=web"]


def test_a_higher_threshold_target_never_routes_more(train):
    base = RoutingModel(use_topic=False, n_jobs=1).fit(train)
    strict = RoutingModel(use_topic=False, n_jobs=1, threshold_target=0.99).fit(train)
    assert strict.threshold_95_ >= base.threshold_95_
    assert "trained_until" in strict.metadata() and strict.metadata()["trained_until"] == max(
        r["received_at"] for r in train
    )


def test_the_held_out_probabilities_stay_fit_time_only(train, tmp_path):
    """Round 6's gate study (bench/routing_gate.py) reads the held-out slice's probabilities from
    the fit; they agree with the slice's top-1 confidences and never reach the artefact."""
    model = RoutingModel(use_topic=False, n_jobs=1).fit(train)
    ev = model._holdout_eval
    assert ev["P"].shape == (len(ev["idx"]), len(model.classes_))
    assert len(ev["fit_y"]) == len(train) - len(ev["idx"])
    hold = [train[i] for i in ev["idx"]]
    firsts = [model._expanded(rec, ev["P"][j], 1)[0][1] for j, rec in enumerate(hold)]
    assert np.allclose(firsts, ev["conf"])
    model.save(tmp_path / "m", key="k")
    assert not hasattr(RoutingModel.load(tmp_path / "m", key="k"), "_holdout_eval")
