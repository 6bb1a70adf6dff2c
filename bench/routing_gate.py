#!/usr/bin/env python
"""Round 6: the auto-route gate (docs/routing-ml.md, "Round 6").

    nice -n 19 .venv/bin/python bench/routing_gate.py dump --csv CSV --start 2022-04-01 --end 2022-07-01 \
        [--holdout 0.15] --out /tmp/F.pkl
    nice -n 19 .venv/bin/python bench/routing_gate.py eval /tmp/F.pkl GATE [GATE ...] [--versus [DUMP:]GATE]

``dump`` walks the test period as ``routing_prequential.py`` does (monthly retraining, text, place
and channel only) and keeps, for each retrain, numeric features of its held-out slice (scored by
the held-out twin) and of the month it then predicts (scored by the model itself): top-1 and
top-2 probability, entropy, template / place-known flags, text length, the top-1 class and its
training count, whether the top-1 was right; kNN features over the last 4 / 8 weeks or all of
the history (``_knn``); whether a model trained 30 / 60 days less recently agrees (``_older``).
No report text is kept, but the top-1 agency names are: write the dump outside the repository.
``eval`` applies auto-route gates to those features: each gate is fitted (and its threshold
chosen) on the retrain's held-out slice only, then applied to the month. Prints one JSON line
per gate, aggregate figures only (``oracle_by_month``: coverage at 95 % with the month's own
best threshold on the gate's score, i.e. how well the score ranks).

Gates (``+NAME`` adds a dumped feature, e.g. ``lr1@0.97+sub_8w``):

* ``p1@T``: the product, the top-1 probability, threshold for precision T on the slice;
* ``lr@T[/C]``: a logistic "is the top-1 right?" model (L2, C=1 by default) over log-odds, margin,
  entropy, template, place known, log text length, log class count and the class's held-out
  precision (smoothed, left-one-out); threshold for T on its cross-fitted scores (5 time blocks
  of the slice); ``lrnc`` without the class precision; ``lr1`` / ``lr1c`` log-odds and margin only
  (without / with the class precision);
* ``cls@T/K``: per-predicted-class thresholds on the top-1 probability, shrunk toward the global
  one with weight K (K held-out predictions);
* ``agreeD@T``: route only when the model trained D days less recently has the same top-1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import pickle
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from lapor.routing.ml.model import (  # noqa: E402
    RoutingModel,
    _compact,
    _is_template,
    _softmax,
    _threshold_from,
    normalise_text,
    oracle_coverage_at_precision,
    read_csv,
)
from lapor.routing.ml.prequential import _day, period_start, split_at  # noqa: E402

DEFAULT_CSV = REPO.parent / "shared" / "data" / "routing" / "surabaya-2022.csv"


def _features(model: RoutingModel, records: list[dict], P: np.ndarray, counts: np.ndarray, label: str) -> dict:
    n = len(records)
    out = {k: np.zeros(n) for k in ("p1", "p2", "ent", "tmpl", "alias", "ntok", "count")}
    out["cls"] = np.full(n, -1)
    out["ok"] = np.zeros(n, dtype=bool)
    out["lab"] = np.full(n, "", dtype=object)
    K = P.shape[1]
    aliases = getattr(model, "aliases_", {}) or {}
    for i, rec in enumerate(records):
        top = model._expanded(rec, P[i], 2)
        p = P[i]
        out["ent"][i] = float(-(p * np.log(np.clip(p, 1e-12, None))).sum() / math.log(K))
        out["ntok"][i] = len(normalise_text(rec.get("text")).split())
        if not top:
            continue
        lab, p1, c = top[0]
        out["p1"][i] = p1
        out["p2"][i] = top[1][1] if len(top) > 1 else 0.0
        out["cls"][i] = c
        out["lab"][i] = lab
        out["count"][i] = counts[c]
        name = model._label_of(c)
        if _is_template(name):
            out["tmpl"][i] = 1.0
            key = "subdistrict" if name.endswith("{subdistrict}") else "district"
            out["alias"][i] = float((name, _compact(rec.get(key))) in aliases)
        out["ok"][i] = lab == str(rec.get(label)).strip()
    return out


WINDOWS = (4, 8, None)  # weeks of recent history the kNN features look at (None: all of it)


def _knn(model, queries, q_cls, refs, ref_y, q_day0, ref_days, label, k=10) -> dict:
    """kNN features of each query against the reference reports received in the last W weeks
    before ``q_day0``: cosine of the nearest one, does its class agree with the top-1, the
    similarity-weighted share of the top-1 class among the k nearest, and the smoothed share of
    the top-1 class among the window's reports of the same subdistrict."""
    Xq = model._transform(queries).astype(np.float64)
    Xr = model._transform(refs).astype(np.float64)
    nq = np.sqrt(np.asarray(Xq.multiply(Xq).sum(axis=1)).ravel()) + 1e-12
    nr = np.sqrt(np.asarray(Xr.multiply(Xr).sum(axis=1)).ravel()) + 1e-12
    sub_q = [_compact(r.get("subdistrict")) for r in queries]
    sub_r = np.array([_compact(r.get("subdistrict")) for r in refs], dtype=object)
    out = {}
    for w in WINDOWS:
        sel = np.ones(len(refs), bool) if w is None else ref_days >= q_day0 - 7 * w
        idx = np.nonzero(sel)[0]
        tag = "all" if w is None else f"{w}w"
        f = {k2: np.zeros(len(queries)) for k2 in ("sim", "agree", "vote", "sub")}
        if len(idx):
            S = (Xq @ Xr[idx].T).toarray() / nq[:, None] / nr[idx][None, :]
            ys = ref_y[idx]
            share = np.bincount(ys, minlength=len(model.classes_)) / len(idx)
            for i in range(len(queries)):
                top = np.argsort(-S[i])[:k]
                f["sim"][i] = S[i, top[0]]
                f["agree"][i] = float(ys[top[0]] == q_cls[i])
                s = S[i, top]
                f["vote"][i] = float(s[ys[top] == q_cls[i]].sum() / max(s.sum(), 1e-12))
                same = ys[sub_r[idx] == sub_q[i]] if sub_q[i] else ys[:0]
                prior = share[q_cls[i]] if q_cls[i] >= 0 else 0.0
                f["sub"][i] = ((same == q_cls[i]).sum() + 2 * prior) / (len(same) + 2)
        for k2, v in f.items():
            out[f"{k2}_{tag}"] = v
    return out


AGES = (30, 60)  # days: the older model's training ends this long before the newest report's


def _older(refs, ref_days, cutoff, queries, q_lab, label) -> dict:
    """Does a model trained only on the references older than ``cutoff`` agree with the top-1?
    (and its own top-1 probability)."""
    old = [r for r, d in zip(refs, ref_days) if d < cutoff]
    agree, p = np.zeros(len(queries)), np.zeros(len(queries))
    if len({str(r.get(label)) for r in old}) >= 2:
        m = RoutingModel(use_topic=False, holdout_fraction=0.0, n_jobs=1).fit(old, label=label)
        for i, top in enumerate(m.predict_labels(queries, k=1)):
            if top:
                agree[i] = float(top[0][0] == q_lab[i])
                p[i] = top[0][1]
    return {"agree": agree, "p": p}


def _days(records) -> np.ndarray:
    return np.array([dt.datetime.fromisoformat(str(r["received_at"])).timestamp() / 86400 for r in records])


def dump(args) -> int:
    records = read_csv(args.csv)
    history, test = split_at(records, dt.date.fromisoformat(args.start))
    if args.end:
        test = [r for r in test if str(r.get("received_at")) < args.end]
    label = "agency"
    past = [r for r in history if str(r.get(label) or "").strip()]
    todo = sorted(
        (r for r in test if str(r.get(label) or "").strip() and _day(r) is not None),
        key=lambda r: str(r.get("received_at")),
    )
    groups: dict = {}
    for r in todo:
        groups.setdefault(period_start(_day(r), "monthly"), []).append(r)
    months = []
    for start in sorted(groups):
        batch = groups[start]
        t0, c0 = time.perf_counter(), time.process_time()
        model = RoutingModel(use_topic=False, holdout_fraction=args.holdout).fit(past, label=label)
        fit_s, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
        ev = model._holdout_eval
        train = [r for r in past if str(r.get(label) or "").strip()]
        hold = [train[i] for i in ev["idx"]]
        n_cls = len(model.classes_)
        hold_f = _features(model, hold, ev["P"], np.bincount(ev["fit_y"], minlength=n_cls), label)
        assert np.allclose(hold_f["p1"], ev["conf"]) and (hold_f["ok"] == ev["ok"]).all()
        # counts over the whole training set: the final model's classes
        y_all = np.unique(np.asarray(model._targets(train, label), dtype=object), return_inverse=True)[1]
        t1, c1 = time.perf_counter(), time.process_time()
        P = _softmax(model._scores(model._transform(batch)) / model.temperature_)
        test_f = _features(model, batch, P, np.bincount(y_all, minlength=n_cls), label)
        feat_ms = (time.process_time() - c1) * 1000 / len(batch)
        c2 = time.process_time()
        days = _days(train)
        test_f.update(_knn(model, batch, test_f["cls"], train, y_all, _days(batch).min(), days, label))
        knn_ms = (time.process_time() - c2) * 1000 / len(batch)
        fit_idx = np.setdiff1d(np.arange(len(train)), ev["idx"])
        hold_f.update(
            _knn(
                model,
                hold,
                hold_f["cls"],
                [train[i] for i in fit_idx],
                y_all[fit_idx],
                days[ev["idx"]].min(),
                days[fit_idx],
                label,
            )
        )
        c3 = time.process_time()
        for age in AGES:
            for f, refs, rdays, cut, qs in (
                (test_f, train, days, days.max() - age, batch),
                (hold_f, [train[i] for i in fit_idx], days[fit_idx], days[ev["idx"]].min() - age, hold),
            ):
                o = _older(refs, rdays, cut, qs, f["lab"], label)
                f[f"old{age}_agree"], f[f"old{age}_p"] = o["agree"], o["p"]
        older_cpu = time.process_time() - c3
        months.append(
            {
                "period": start.isoformat(),
                "older_cpu_seconds": round(older_cpu, 1),
                "n_train": len(past),
                "threshold_97": model.threshold_95_,
                "hold": hold_f,
                "test": test_f,
                "fit_seconds": round(fit_s, 1),
                "fit_cpu_seconds": round(fit_cpu, 1),
                "score_cpu_ms_per_report": round(feat_ms, 3),
                "knn_cpu_ms_per_report": round(knn_ms, 3),
                "wall_per_report_ms": round((time.perf_counter() - t1) * 1000 / len(batch), 3),
            }
        )
        print(json.dumps({k: v for k, v in months[-1].items() if k not in ("hold", "test")}), flush=True)
        past = past + batch
    with open(args.out, "wb") as fh:
        pickle.dump({"start": args.start, "end": args.end, "holdout": args.holdout, "months": months}, fh)
    return 0


# --------------------------------------------------------------------------- gates


def _class_precision(cls_fit, ok_fit, cls_apply, prior: float, m: float = 10.0) -> np.ndarray:
    """Smoothed precision of each predicted class, estimated on (cls_fit, ok_fit)."""
    hits, n = {}, {}
    for c, o in zip(cls_fit, ok_fit):
        n[c] = n.get(c, 0) + 1
        hits[c] = hits.get(c, 0) + int(o)
    return np.array([(hits.get(c, 0) + m * prior) / (n.get(c, 0) + m) for c in cls_apply])


BASE = ("logit", "margin", "ent", "tmpl", "alias", "ntok", "count")


def _matrix(f: dict, cls_prec: np.ndarray | None, extra: tuple[str, ...] = (), base=BASE) -> np.ndarray:
    p1 = np.clip(f["p1"], 1e-6, 1 - 1e-6)
    cols_of = {
        "logit": lambda: np.log(p1 / (1 - p1)),
        "margin": lambda: f["p1"] - f["p2"],
        "ent": lambda: f["ent"],
        "tmpl": lambda: f["tmpl"],
        "alias": lambda: f["alias"],
        "ntok": lambda: np.log1p(f["ntok"]),
        "count": lambda: np.log1p(f["count"]),
    }
    cols = [cols_of[c]() for c in base] + [f[e] for e in extra]
    if cls_prec is not None:
        p = np.clip(cls_prec, 1e-3, 1 - 1e-3)
        cols.append(np.log(p / (1 - p)))
    return np.column_stack(cols)


def _lr(X, y, C):
    from sklearn.linear_model import LogisticRegression  # bench only: the gate's learner
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000)).fit(X, y)


def _gate_lr(hold: dict, test: dict, target: float, use_cls: bool, C: float = 1.0, folds: int = 5, extra=(), base=BASE):
    """Fit on the slice; threshold from cross-fitted (time-blocked) slice scores; apply to test."""
    n = len(hold["ok"])
    prior = float(hold["ok"].mean())
    blocks = np.array_split(np.arange(n), folds)  # the slice is in time order
    cf = np.zeros(n)
    for b in blocks:
        rest = np.setdiff1d(np.arange(n), b)
        # inside the gate's training part the class precision is itself left-one-out
        cp_rest = _loo_class_precision(hold["cls"][rest], hold["ok"][rest], prior) if use_cls else None
        cp_b = _class_precision(hold["cls"][rest], hold["ok"][rest], hold["cls"][b], prior) if use_cls else None
        g = _lr(_matrix(_sub(hold, rest), cp_rest, extra, base), hold["ok"][rest], C)
        cf[b] = g.predict_proba(_matrix(_sub(hold, b), cp_b, extra, base))[:, 1]
    thr = _threshold_from(cf, hold["ok"], target)
    cp_all = _loo_class_precision(hold["cls"], hold["ok"], prior) if use_cls else None
    g = _lr(_matrix(hold, cp_all, extra, base), hold["ok"], C)
    cp_t = _class_precision(hold["cls"], hold["ok"], test["cls"], prior) if use_cls else None
    score = g.predict_proba(_matrix(test, cp_t, extra, base))[:, 1]
    return score >= thr, score


def _loo_class_precision(cls, ok, prior, m: float = 10.0) -> np.ndarray:
    hits, n = {}, {}
    for c, o in zip(cls, ok):
        n[c] = n.get(c, 0) + 1
        hits[c] = hits.get(c, 0) + int(o)
    return np.array([(hits[c] - int(o) + m * prior) / (n[c] - 1 + m) for c, o in zip(cls, ok)])


def _sub(f: dict, idx) -> dict:
    return {k: v[idx] for k, v in f.items()}


def _gate_cls(hold: dict, test: dict, target: float, k: float):
    t_g = _threshold_from(hold["p1"], hold["ok"], target)
    thr = {}
    for c in np.unique(hold["cls"]):
        sel = hold["cls"] == c
        t_c = min(_threshold_from(hold["p1"][sel], hold["ok"][sel], target), 1.0)
        thr[c] = (sel.sum() * t_c + k * t_g) / (sel.sum() + k)
    t = np.array([thr.get(c, t_g) for c in test["cls"]])
    return test["p1"] >= t, test["p1"] - t


def apply_gate(name: str, hold: dict, test: dict):
    """(auto-route?, score) for the test reports. Name: KIND@TARGET[/C or K][+feature...]."""
    name, *extra = name.split("+")
    kind, _, rest = name.partition("@")
    target, _, c = rest.partition("/")
    if kind == "p1":
        return test["p1"] >= _threshold_from(hold["p1"], hold["ok"], float(target)), test["p1"]
    if kind in ("lr", "lrnc"):
        return _gate_lr(hold, test, float(target), use_cls=kind == "lr", C=float(c or 1.0), extra=tuple(extra))
    if kind in ("lr1", "lr1c"):  # logit and margin only, + extras
        return _gate_lr(
            hold,
            test,
            float(target),
            use_cls=kind == "lr1c",
            C=float(c or 1.0),
            extra=tuple(extra),
            base=("logit", "margin"),
        )
    if kind == "cls":
        return _gate_cls(hold, test, float(target), float(c))
    if kind.startswith("agree"):  # agreeD@T: route only if the model D days older agrees, threshold among those
        a_h, a_t = hold[f"old{kind[5:]}_agree"] > 0, test[f"old{kind[5:]}_agree"] > 0
        thr = _threshold_from(np.where(a_h, hold["p1"], -1.0), hold["ok"], float(target))
        return a_t & (test["p1"] >= thr), np.where(a_t, test["p1"], test["p1"] - 1.0)
    raise SystemExit(f"unknown gate {name}")


def _run(d: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    autos, oks = [], []
    for m in d["months"]:
        autos.append(apply_gate(name, m["hold"], m["test"])[0])
        oks.append(m["test"]["ok"])
    return np.concatenate(autos), np.concatenate(oks)


def _versus(auto, base, ok, n_boot: int = 2000, seed: int = 0) -> dict:
    """Paired bootstrap over the test reports: coverage and precision minus the base gate's,
    with 95 % intervals (the sampling of the test months only, not the choice of gate)."""
    rng = np.random.default_rng(seed)
    dc, dp = [], []
    for _ in range(n_boot):
        i = rng.integers(0, len(ok), len(ok))
        dc.append(auto[i].mean() - base[i].mean())
        dp.append(ok[i][auto[i]].mean() - ok[i][base[i]].mean())
    return {
        "d_coverage": [round(float(auto.mean() - base.mean()), 4), *np.round(np.percentile(dc, [2.5, 97.5]), 4)],
        "d_precision": [
            round(float(ok[auto].mean() - ok[base].mean()), 4),
            *np.round(np.percentile(dp, [2.5, 97.5]), 4),
        ],
    }


def evaluate(args) -> int:
    with open(args.dump, "rb") as fh:
        d = pickle.load(fh)
    base = None
    if args.versus:
        path, _, gate = args.versus.rpartition(":")
        with open(path or args.dump, "rb") as fh:
            base, base_ok = _run(pickle.load(fh), gate)
    for name in args.gates:
        autos, oks, per, oracle = [], [], [], []
        for m in d["months"]:
            auto, score = apply_gate(name, m["hold"], m["test"])
            oracle.append(oracle_coverage_at_precision(score, m["test"]["ok"], 0.95))
            ok = m["test"]["ok"]
            autos.append(auto)
            oks.append(ok)
            per.append((round(float(auto.mean()), 3), round(float(ok[auto].mean()), 3) if auto.any() else None))
        auto, ok = np.concatenate(autos), np.concatenate(oks)
        vs = {}
        if base is not None:
            assert (base_ok == ok).all(), "the base gate's dump scores other reports"
            vs = {"versus": args.versus, **_versus(auto, base, ok)}
        print(
            json.dumps(
                {
                    "gate": name,
                    "start": d["start"],
                    "end": d["end"],
                    "top1": round(float(ok.mean()), 4),
                    "coverage": round(float(auto.mean()), 4),
                    "precision": round(float(ok[auto].mean()), 4) if auto.any() else None,
                    "periods": per,
                    "oracle_by_month": [round(o, 3) for o in oracle],
                    **vs,
                }
            ),
            flush=True,
        )
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("dump")
    a.add_argument("--csv", default=str(DEFAULT_CSV))
    a.add_argument("--start", default="2022-04-01")
    a.add_argument("--end", default="2022-07-01")
    a.add_argument("--out", required=True)
    a.add_argument("--holdout", type=float, default=0.15, help="held-out slice (fraction of the history)")
    b = sub.add_parser("eval")
    b.add_argument("dump")
    b.add_argument("gates", nargs="+")
    b.add_argument("--versus", help="[DUMP:]GATE: paired bootstrap of the difference from this gate")
    args = ap.parse_args(argv)
    return dump(args) if args.cmd == "dump" else evaluate(args)


if __name__ == "__main__":
    raise SystemExit(main())
