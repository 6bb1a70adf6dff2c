#!/usr/bin/env python
"""Round-3 experiments on routing variants (docs/routing-ml.md, "Round 3").

    nice -n 10 .venv/bin/python bench/routing_variants.py VARIANT [VARIANT ...] [--fold B|A|Bv]

Folds (all by received_at, oldest -> newest):

* ``Bv``: train on the oldest 45 %, test on the next 15 %  (a validation fold inside
  fold B's training part, for choosing hyper-parameters before fold B is looked at);
* ``B``: train on the oldest 60 %, test on the next 20 % (fold B of bench/routing_eval.py);
* ``A``: train on the oldest 80 %, test on the newest 20 % (the issue's split; report once).

Each variant prints one JSON line of aggregate figures only (the CSV holds real citizens'
words): top1, top3, cov95 (oracle threshold on the test slice), the honest coverage and
precision at the threshold the model chose on its own held-out slice, and fit CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from lapor.routing.ml import model as M  # noqa: E402
from routing_baseline import BaselineModel  # noqa: E402  (bench/, beside this script)

DEFAULT_CSV = REPO.parent / "shared" / "data" / "routing" / "surabaya-2022.csv"
FOLDS = {"Bv": (0.6, 0.25), "B": (0.8, 0.25), "A": (1.0, 0.2)}


def split(records, fold):
    end, test_fraction = FOLDS[fold]
    records = records[: int(round(len(records) * end))]
    cut = int(round(len(records) * (1 - test_fraction)))
    return records[:cut], records[cut:]


# --------------------------------------------------------------------------- variants
# name -> kwargs for RoutingModel (the knobs live in the production class, so the
# winner needs no port)

VARIANTS: dict[str, dict] = {
    "current": dict(half_life_days=None),
    "baseline": dict(),  # BaselineModel, see make()
}
for h in (30, 45, 60, 90, 120, 180, 365):
    VARIANTS[f"hl{h}"] = dict(half_life_days=h)
VARIANTS["fine"] = dict(x_sublabel="topic")
for c in (0.2, 0.5, 1.0):
    VARIANTS[f"C{c}"] = dict(C=c)


# NOT a usable method on this file: the city's own topic label, which the dispatcher sets
# together with the agency, as an input (measures the leak, see docs/routing-ml.md)
VARIANTS["topicleak"] = {}
# Round 4: the topic as the model's own input (its one-hot block); every other variant, as
# measured in round 3, leaves the topic out
VARIANTS["topic"] = dict(use_topic=True)
VARIANTS["char35"] = dict(x_char_range=(3, 5))
VARIANTS["nochar"] = dict(x_char_range=None)
VARIANTS["meta1"] = dict(meta_weight=1.0)
VARIANTS["meta0"] = dict(meta_weight=0.0)
for a in (0.5, 1.0, 2.0):
    VARIANTS[f"lsa{a}"] = dict(x_lsa=a)
    VARIANTS[f"sgd{a}"] = dict(x_sgd=a)
    VARIANTS[f"cent{a}"] = dict(x_centroid=a)


class _Combo:
    """Sum of linear models: scores = sum_k w_k (X @ W_k.T + b_k) (still one linear model)."""

    def __init__(self, parts):
        self.classes_ = parts[0][1].classes_
        self.coef_ = sum(w * np.asarray(c.coef_) for w, c in parts)
        self.intercept_ = sum(w * np.asarray(c.intercept_) for w, c in parts)

    def decision_function(self, X):
        return np.asarray(X @ self.coef_.T) + self.intercept_


class _Centroid:
    """Nearest class centroid by cosine (Rocchio), as a linear model."""

    def fit(self, X, y, sample_weight=None):
        import scipy.sparse as sp

        self.classes_ = np.unique(y)
        Y = sp.csr_matrix(
            (np.ones(len(y)), (np.searchsorted(self.classes_, y), np.arange(len(y)))),
            shape=(len(self.classes_), len(y)),
        )
        C = np.asarray((Y @ X).todense())
        C /= np.maximum(np.linalg.norm(C, axis=1, keepdims=True), 1e-9)
        self.coef_, self.intercept_ = C, np.zeros(len(self.classes_))
        return self


class ExperimentModel(M.RoutingModel):
    """RoutingModel with experimental knobs (x_*); not used in production."""

    def __init__(
        self, *, x_char_range=(2, 5), x_sgd=0.0, x_centroid=0.0, x_sublabel=None, x_lsa=0.0, x_lsa_dim=300, **kw
    ):
        super().__init__(**kw)
        self.x_lsa, self.x_lsa_dim = x_lsa, x_lsa_dim
        self.x_sublabel = x_sublabel
        self.x_char_range = x_char_range
        self.x_sgd, self.x_centroid = x_sgd, x_centroid

    def _targets(self, records, label):
        """x_sublabel: train on (label, sub-label) pairs, e.g. agency x topic; predictions
        sum the pairs' probabilities per label (in _expanded)."""
        ys = super()._targets(records, label)
        if not self.x_sublabel:
            return ys
        subs = [str(r.get(self.x_sublabel) or "").strip() for r in records]
        return [f"{y}\x1f{s}" if s else y for y, s in zip(ys, subs)]

    def _label_of(self, class_idx):
        return str(self.classes_[class_idx]).split("\x1f")[0]

    def _new_features(self):
        f = super()._new_features()
        if self.x_char_range is None:
            f.char = None
        else:
            f.char.set_params(ngram_range=tuple(self.x_char_range))
        return f

    def _fit_clf(self, X, y, idx):
        if idx is None:
            idx = np.arange(X.shape[0])
        Xi, yi = X[idx], y[idx]
        if self.x_lsa:
            # LSA: fit the SVM on [X, a * X V] (V: top singular vectors of X); the projection
            # is linear, so the weights fold back into X's space: w = w1 + a * V w2
            import scipy.sparse as sp
            from sklearn.decomposition import TruncatedSVD

            V = (
                TruncatedSVD(self.x_lsa_dim, algorithm="randomized", n_iter=4, random_state=0).fit(Xi).components_.T
            )  # (n_features, k)
            Z = sp.hstack([Xi, sp.csr_matrix(self.x_lsa * (Xi @ V))], format="csr")
            svm = self._new_clf().fit(Z, yi, sample_weight=self._weights(idx))
            nf = Xi.shape[1]
            svm.coef_ = svm.coef_[:, :nf] + self.x_lsa * (svm.coef_[:, nf:] @ V.T)
            return _Combo([(1.0, svm)])
        parts = [(1.0, self._new_clf().fit(Xi, yi, sample_weight=self._weights(idx)))]
        if self.x_sgd:
            from sklearn.linear_model import SGDClassifier

            parts.append(
                (
                    self.x_sgd,
                    SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=15, tol=None, random_state=0).fit(Xi, yi),
                )
            )
        if self.x_centroid:
            parts.append((self.x_centroid, _Centroid().fit(Xi, yi)))
        return parts[0][1] if len(parts) == 1 else _Combo(parts)


def make(name: str):
    if name == "baseline":
        return BaselineModel()
    if name == "round2":  # the model as committed before round 3 (path in ROUND2_MODEL)
        import importlib.util
        import os

        spec = importlib.util.spec_from_file_location("round2_model", os.environ["ROUND2_MODEL"])
        mod = importlib.util.module_from_spec(spec)
        sys.modules["round2_model"] = mod
        spec.loader.exec_module(mod)
        return mod.RoutingModel()
    kw: dict = {"use_topic": False}
    for part in name.split("+"):
        if part not in VARIANTS:
            raise SystemExit(f"unknown variant part {part!r}; known: {sorted(VARIANTS)}")
        kw.update(VARIANTS[part])
    if any(k.startswith("x_") for k in kw):
        return ExperimentModel(**kw)
    return M.RoutingModel(**kw)


def run(name: str, train, test, label: str = "agency") -> dict:
    if "topicleak" in name.split("+"):
        train = [dict(r, channel="topic:" + str(r.get("topic") or "")) for r in train]
        test = [dict(r, channel="topic:" + str(r.get("topic") or "")) for r in test]
    model = make(name)
    c0, t0 = time.process_time(), time.perf_counter()
    model.fit(train, label=label)
    fit_cpu, fit_wall = time.process_time() - c0, time.perf_counter() - t0
    c1 = time.process_time()
    preds = model.predict_labels(test, k=3)
    pred_ms = (time.process_time() - c1) * 1000 / max(len(test), 1)
    y = [str(r.get(label)).strip() for r in test]
    top1 = np.array([bool(p) and p[0][0] == t for p, t in zip(preds, y)])
    top3 = np.array([t in {lab for lab, _ in p} for p, t in zip(preds, y)])
    conf = np.array([p[0][1] if p else 0.0 for p in preds])
    out = {
        "variant": name,
        "top1": round(float(top1.mean()), 4),
        "top3": round(float(top3.mean()), 4),
        "cov95_oracle": round(M.oracle_coverage_at_precision(conf, top1, 0.95), 4),
    }
    thr = model.threshold_95_
    if thr is not None:
        sel = conf >= thr
        out["cov95_heldout"] = round(float(sel.mean()), 4)
        out["prec_heldout"] = round(float(top1[sel].mean()), 4) if sel.any() else None
    hv = getattr(model, "_holdout_eval", None)
    if hv is not None and thr is not None:
        # per-predicted-class thresholds chosen on the held-out slice (classes predicted
        # at least PER_CLASS_MIN times there; the global threshold for the rest)
        Pi = model.predict_proba_internal(test)
        tcls = np.array([(model._expanded(r, Pi[i], 1) or [(None, 0, -1)])[0][2] for i, r in enumerate(test)])
        for m_min in (20, 50):
            t_of = {}
            for c in np.unique(hv["cls"]):
                sel_c = hv["cls"] == c
                if sel_c.sum() >= m_min:
                    t_of[int(c)] = M._threshold_from(hv["conf"][sel_c], hv["ok"][sel_c], 0.95)
            t_vec = np.array([t_of.get(int(c), thr) for c in tcls])
            sel = conf >= t_vec
            out[f"cov95_perclass{m_min}"] = round(float(sel.mean()), 4)
            out[f"prec_perclass{m_min}"] = round(float(top1[sel].mean()), 4) if sel.any() else None
    out.update(
        fit_cpu=round(fit_cpu, 1),
        fit_wall=round(fit_wall, 1),
        pred_cpu_ms=round(pred_ms, 2),
        holdout=model.calibration_,
    )
    return out


def prequential(name: str, train, test, days: float, label: str = "agency") -> dict:
    """Deployment-like figure (NOT the issue's protocol): retrain every ``days`` days on
    everything received before the window, predict the window."""
    from datetime import timedelta

    def ts(r):
        return datetime.fromisoformat(str(r["received_at"]))

    t_end = ts(test[-1])
    start = ts(test[0])
    known = list(train)
    ok1, ok3, confs, hthr, fits = [], [], [], [], 0
    i = 0
    while start <= t_end:
        stop = start + timedelta(days=days)
        window = [r for r in test[i:] if ts(r) < stop]
        if window:
            model = make(name).fit(known, label=label)
            fits += 1
            preds = model.predict_labels(window, k=3)
            for p, r in zip(preds, window):
                y = str(r.get(label)).strip()
                ok1.append(bool(p) and p[0][0] == y)
                ok3.append(y in {lab for lab, _ in p})
                confs.append(p[0][1] if p else 0.0)
                hthr.append(model.threshold_95_ if model.threshold_95_ is not None else 2.0)
            known += window
            i += len(window)
        start = stop
    ok1, conf, hthr = np.array(ok1), np.array(confs), np.array(hthr)
    sel = conf >= hthr
    return {
        "variant": name,
        "retrain_days": days,
        "fits": fits,
        "top1": round(float(ok1.mean()), 4),
        "top3": round(float(np.mean(ok3)), 4),
        "cov95_oracle": round(M.oracle_coverage_at_precision(conf, ok1, 0.95), 4),
        "cov95_heldout": round(float(sel.mean()), 4),
        "prec_heldout": round(float(ok1[sel].mean()), 4) if sel.any() else None,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("variants", nargs="+")
    ap.add_argument("--fold", choices=sorted(FOLDS), default="B")
    ap.add_argument("--csv", default=str(DEFAULT_CSV))
    ap.add_argument("--label", default="agency")
    ap.add_argument(
        "--retrain-days",
        type=float,
        default=0,
        help="prequential figure: retrain every N days inside the test period (not the issue's protocol)",
    )
    args = ap.parse_args(argv)
    records = [r for r in M.read_csv(args.csv) if (r.get(args.label) or "").strip()]
    records.sort(key=lambda r: r.get("received_at") or "")
    train, test = split(records, args.fold)
    for name in args.variants:
        if args.retrain_days:
            res = prequential(name, train, test, args.retrain_days, args.label)
        else:
            res = run(name, train, test, args.label)
        res = {
            "fold": args.fold,
            "n_train": len(train),
            "n_test": len(test),
            **res,
            "at": datetime.now().isoformat(timespec="seconds"),
        }
        print(json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
