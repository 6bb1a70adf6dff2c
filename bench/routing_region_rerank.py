"""Routing suggestions with and without the region rule (lapor.routing.regionrank), and the
calibration behind LAPOR_ROUTING_SUGGEST_FLOOR, on the handled reports of this database.

The CSV evaluations (`lapor routing evaluate`) know no agency tree, so the rule cannot run there:
this trains the product's model (suggest.record_of, RoutingModel) on the oldest handled reports
and scores the newest ones through the product's own mapping to agencies (suggest.model_candidates),
once as the model ranks them, once re-ranked by region. Reads only; the model stays in memory.

    DATABASE_URL=... PYTHONPATH=src python bench/routing_region_rerank.py [--test-fraction 0.3]

With ``--csv FILE`` (the format of `lapor routing evaluate`): only the model's calibration, the
top-1 precision by confidence band on the newest ``--test-fraction`` of the file (no agency tree).
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.settings")

import django  # noqa: E402

django.setup()

from lapor.routing import suggest  # noqa: E402
from lapor.routing.ml import RoutingModel  # noqa: E402
from lapor.routing.regionrank import region_rerank  # noqa: E402

BANDS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.01)


def _band_table(confs, oks) -> dict:
    out = {}
    for lo, hi in zip(BANDS, BANDS[1:]):
        sel = [ok for c, ok in zip(confs, oks) if lo <= c < hi]
        out[f"{lo}-{hi}"] = [len(sel), round(sum(sel) / len(sel), 3) if sel else None]
    return out


def csv_calibration(path: str, test_fraction: float) -> None:
    from lapor.routing.ml import read_csv

    rows = sorted((r for r in read_csv(path) if str(r.get("agency") or "").strip()), key=lambda r: r["received_at"])
    cut = int(len(rows) * (1 - test_fraction))
    model = RoutingModel(use_topic=False).fit(rows[:cut], label="agency")
    preds = model.predict_top(rows[cut:], k=1)
    confs = [p[0][1] if p else 0.0 for p in preds]
    oks = [bool(p) and p[0][0] == str(r["agency"]).strip() for p, r in zip(preds, rows[cut:])]
    print(json.dumps({"train": cut, "test": len(oks), "model_top1_precision_by_confidence": _band_table(confs, oks)}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--test-fraction", type=float, default=0.3)
    parser.add_argument("--candidates", type=int, default=suggest.MODEL_CANDIDATES, help="guesses read from the model")
    parser.add_argument("--csv", help="only the model's calibration, on this CSV file")
    opts = parser.parse_args()
    if opts.csv:
        csv_calibration(opts.csv, opts.test_fraction)
        return
    reports = list(suggest.training_reports("agency").order_by("submitted_at", "pk"))
    cut = int(len(reports) * (1 - opts.test_fraction))
    train, test = reports[:cut], reports[cut:]
    names = suggest._region_names(train)
    model = RoutingModel().fit([suggest.record_of(r, names) for r in train], label="agency")
    scores = {"model": [0, 0], "region": [0, 0]}
    bands = {b: [0, 0] for b in BANDS[:-1]}
    plain = {b: [0, 0] for b in BANDS[:-1]}
    floor = suggest.suggest_floor()
    sure = [0, 0]
    for report in test:
        cands = suggest.model_candidates(report, model, [], k=opts.candidates)
        ranked = {"model": cands[:3], "region": region_rerank(list(cands), suggest.report_region_code(report))[:3]}
        for key, top in ranked.items():
            ids = [c.agency.pk for c in top]
            scores[key][0] += bool(ids) and ids[0] == report.agency_id
            scores[key][1] += report.agency_id in ids
        if cands:  # the model's own calibration, before the region rule
            band = max(b for b in BANDS[:-1] if cands[0].confidence >= b)
            plain[band][0] += cands[0].agency.pk == report.agency_id
            plain[band][1] += 1
        top = ranked["region"][0] if ranked["region"] else None
        if top is not None:
            ok = top.agency.pk == report.agency_id
            band = max(b for b in BANDS[:-1] if top.confidence >= b)
            bands[band][0] += ok
            bands[band][1] += 1
            if top.confidence >= floor and not top.foreign:
                sure[0] += ok
                sure[1] += 1
    n = len(test)
    print(
        json.dumps(
            {
                "train": len(train),
                "test": n,
                "model_top1": round(scores["model"][0] / n, 4),
                "model_top3": round(scores["model"][1] / n, 4),
                "region_top1": round(scores["region"][0] / n, 4),
                "region_top3": round(scores["region"][1] / n, 4),
                "candidates": opts.candidates,
                "model_top1_precision_by_confidence": {
                    f"{lo}-{hi}": [v[1], round(v[0] / v[1], 3) if v[1] else None]
                    for (lo, v), hi in zip(plain.items(), BANDS[1:])
                },
                "region_top1_precision_by_confidence": {
                    f"{lo}-{hi}": [v[1], round(v[0] / v[1], 3) if v[1] else None]
                    for (lo, v), hi in zip(bands.items(), BANDS[1:])
                },
                "floor": floor,
                "sure_top1_share": round(sure[1] / n, 4),
                "sure_top1_precision": round(sure[0] / sure[1], 4) if sure[1] else None,
            }
        )
    )


if __name__ == "__main__":
    main()
