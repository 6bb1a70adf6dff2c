#!/usr/bin/env python
"""Benchmark the routing model on a time split of a routing CSV.

    .venv/bin/python bench/routing_eval.py [CSV] [--label agency|topic] [--baseline]
        [--end-fraction F] [--without-topic] [--topic-weight W]

Sorts by received_at, trains on the oldest 80 %, evaluates on the newest 20 %,
prints one JSON object.  ``--end-fraction 0.8 --test-fraction 0.25`` gives an
earlier time fold (train on the oldest 60 %, test on the next 20 %, the newest
20 % unused): a change to the method should help on both folds before it is
kept, since one 1,700-report test slice moves by ±1 point between variants
that are equally good.  Besides the metrics of ``evaluate`` (whose
coverage_at_precision_95 uses an oracle threshold on the test set), it reports
the honest figure: the threshold the model chose while fitting, on the newest
15 % of the training part (scored by a twin fitted on the older 85 %), applied
to the model fitted on the whole training part and measured on the test part.

Inputs: the issue's (text, topic, district, subdistrict, channel) by default; the topic
counts only when the CSV has it and the label is not the topic itself.  ``--without-topic``
leaves it out (the round-3 model); ``inputs`` in the output says what the model read.
``topic_majority_top1`` is the accuracy of "the majority agency of the report's topic in
the training part" alone (local offices filled in with the report's place, as the model's
templates; ``_raw``: office names as written), for context.

The CSV holds real citizens' words: this script prints only aggregate figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from lapor.routing.ml.model import TOPIC_WEIGHT, RoutingModel, _expand, evaluate, read_csv  # noqa: E402
from routing_baseline import BaselineModel  # noqa: E402  (bench/, beside this script)

DEFAULT_CSV = REPO.parent / "shared" / "data" / "routing" / "surabaya-2022.csv"


def topic_noise(train: list[dict], test: list[dict], fraction: float, seed: int = 0):
    """Copies of the records where ``fraction`` of them carry another topic, drawn uniformly
    from the training part's topics: a crude stand-in for topics picked by citizens."""
    import random

    rng = random.Random(seed)
    topics = sorted({(r.get("topic") or "").strip() for r in train} - {""})

    def noisy(rec: dict) -> dict:
        if rng.random() >= fraction:
            return rec
        own = (rec.get("topic") or "").strip()
        return dict(rec, topic=rng.choice([t for t in topics if t != own]))

    return [noisy(r) for r in train], [noisy(r) for r in test]


def topic_majority(train: list[dict], test: list[dict], label: str) -> dict:
    """Top-1 of "the commonest label of the report's topic in training" (the commonest
    label overall for a topic not seen in training): with local offices as templates
    filled in with the test report's place, and with the labels as written."""
    from collections import Counter, defaultdict

    templ = RoutingModel()
    targets = templ._targets(train, label)  # "<office kind> {subdistrict}" for local offices
    by_topic, by_topic_raw = defaultdict(Counter), defaultdict(Counter)
    for rec, y in zip(train, targets):
        t = (rec.get("topic") or "").strip()
        by_topic[t][y] += 1
        by_topic_raw[t][str(rec.get(label)).strip()] += 1
    overall = Counter(targets).most_common(1)[0][0]
    overall_raw = Counter(str(r.get(label)).strip() for r in train).most_common(1)[0][0]
    ok = ok_raw = 0
    for rec in test:
        t, y = (rec.get("topic") or "").strip(), str(rec.get(label)).strip()
        guess = by_topic[t].most_common(1)[0][0] if t in by_topic else overall
        ok += _expand(guess, rec, templ.aliases_) == y
        ok_raw += (by_topic_raw[t].most_common(1)[0][0] if t in by_topic_raw else overall_raw) == y
    n = max(len(test), 1)
    return {"topic_majority_top1": round(ok / n, 4), "topic_majority_top1_raw": round(ok_raw / n, 4)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", nargs="?", default=str(DEFAULT_CSV))
    ap.add_argument("--label", choices=("agency", "topic"), default="agency")
    ap.add_argument("--baseline", action="store_true", help="plain TF-IDF + LinearSVC")
    ap.add_argument("--test-fraction", type=float, default=0.2)
    ap.add_argument(
        "--holdout-fraction",
        type=float,
        default=0.15,
        help="newest part of the training data used to calibrate and choose the 95%% threshold",
    )
    ap.add_argument(
        "--end-fraction",
        type=float,
        default=1.0,
        help="use only the oldest part of the data (e.g. 0.8 for an earlier time fold)",
    )
    ap.add_argument(
        "--scale-to",
        type=int,
        default=0,
        help="also time a fit on this many reports (training data repeated), e.g. 10000",
    )
    ap.add_argument("--without-topic", action="store_true", help="leave the topic out of the inputs")
    ap.add_argument(
        "--topic-weight",
        type=float,
        default=TOPIC_WEIGHT,
        help="weight of the topic's one-hot token (default %(default)s)",
    )
    ap.add_argument(
        "--topic-noise",
        type=float,
        default=0.0,
        help="sensitivity check, not the issue's protocol: give this fraction of the reports "
        "(train and test, seeded) another topic drawn at random from the training topics",
    )
    args = ap.parse_args(argv)

    if not os.path.exists(args.csv):
        print(json.dumps({"error": f"not found: {args.csv}"}))
        return 2
    records = [r for r in read_csv(args.csv) if (r.get(args.label) or "").strip()]
    records.sort(key=lambda r: r.get("received_at") or "")
    if not 0.0 < args.end_fraction <= 1.0:
        ap.error("--end-fraction must be in (0, 1]")
    records = records[: int(round(len(records) * args.end_fraction))]
    cut = int(round(len(records) * (1 - args.test_fraction)))
    train, test = records[:cut], records[cut:]
    if args.topic_noise:
        train, test = topic_noise(train, test, args.topic_noise)

    def make(**kw):
        if args.baseline:
            return BaselineModel(**kw)
        return RoutingModel(use_topic=not args.without_topic, topic_weight=args.topic_weight, **kw)

    model = make(holdout_fraction=args.holdout_fraction)
    out: dict = {
        "model": type(model).__name__,
        "label": args.label,
        "end_fraction": args.end_fraction,
        "n_train": len(train),
        "n_test": len(test),
    }
    if args.topic_noise:
        out["topic_noise"] = args.topic_noise
    out.update(evaluate(train, test, label=args.label, model=model))
    out["inputs"] = model.inputs_
    if "topic" in model.inputs_:
        out["topic_weight"] = args.topic_weight

    out["fit_cpu_seconds"] = model.metrics_.get("fit_cpu_seconds")
    out["predict_cpu_ms_per_report"] = model.metrics_.get("predict_cpu_ms_per_report")
    # single-report latency, as the web app calls it
    sample = test[:200]
    t0, c0 = time.perf_counter(), time.process_time()
    for r in sample:
        model.predict_one(
            r.get("text", ""),
            district=r.get("district", ""),
            subdistrict=r.get("subdistrict", ""),
            channel=r.get("channel", ""),
            topic=r.get("topic", ""),
        )
    out["predict_one_ms"] = round((time.perf_counter() - t0) * 1000 / max(len(sample), 1), 3)
    out["predict_one_cpu_ms"] = round((time.process_time() - c0) * 1000 / max(len(sample), 1), 3)

    # honest figure: threshold chosen during fit on the newest slice of the training part
    thr = model.threshold_95_
    if thr is not None:
        honest = model.coverage_at_precision(test, threshold=thr)
        out["heldout_threshold_95"] = round(thr, 4)
        out["heldout_coverage_95"] = honest["coverage"]
        out["heldout_precision_95"] = honest["precision"]
    out["temperature"] = round(model.temperature_, 4)
    if args.label != "topic" and any((r.get("topic") or "").strip() for r in train):
        out.update(topic_majority(train, test, args.label))

    if args.scale_to:
        big = (train * (args.scale_to // len(train) + 1))[: args.scale_to]
        t0, c0 = time.perf_counter(), time.process_time()
        make(holdout_fraction=args.holdout_fraction).fit(big, label=args.label)
        out[f"fit_seconds_{args.scale_to}"] = round(time.perf_counter() - t0, 2)
        out[f"fit_cpu_seconds_{args.scale_to}"] = round(time.process_time() - c0, 2)

    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
