#!/usr/bin/env python
"""Prequential variants of the routing model (docs/routing-ml.md, "Round 5").

    nice -n 10 .venv/bin/python bench/routing_prequential.py VARIANT [VARIANT ...]
        [--start 2022-07-01] [--end YYYY-MM-DD] [--retrain monthly|weekly] [CSV]

Each variant walks the test period (``--start`` up to ``--end``, exclusive) in time order and
retrains before each period on every earlier report, as ``lapor routing evaluate --prequential``
does; text, place and channel only (the topic is never read). Tuning fold: ``--start 2022-04-01
--end 2022-07-01`` (the second quarter); the issue's period: ``--start 2022-07-01`` (second half).

Round 6 adds ``recent{4,8,26}w{0.25,0.5,1.0,2.0}``: a time-aware feature block (the class shares
among the same subdistrict's reports of the last N weeks, weight W; see ``RecentBlockModel``).
The auto-route gates of round 6 are in ``routing_gate.py``.

Prints one JSON line per variant of aggregate figures only (the CSV holds real citizens' words).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

from lapor.routing.ml.model import RoutingModel, _compact, _days_of, read_csv  # noqa: E402
from lapor.routing.ml.prequential import prequential, split_at  # noqa: E402

DEFAULT_CSV = REPO.parent / "shared" / "data" / "routing" / "surabaya-2022.csv"

VARIANTS: dict[str, dict] = {"current": {}}
for h in (30, 60, 90, 120, 180, 365):
    VARIANTS[f"hl{h}"] = {"half_life_days": h}
for w in (0.25, 0.5, 1.0, 2.0):
    VARIANTS[f"level{w}"] = {"level_weight": w}
for c in (0.2, 0.5):
    VARIANTS[f"C{c}"] = {"C": c}
for t in (0.95, 0.96, 0.97, 0.98):
    VARIANTS[f"target{t}"] = {"threshold_target": t}
VARIANTS["meta0"] = {"meta_weight": 0.0}
VARIANTS["hold10"] = {"holdout_fraction": 0.10}
VARIANTS["hold25"] = {"holdout_fraction": 0.25}


class RecentBlockModel(RoutingModel):
    """Round 6 (c), bench only: a time-aware feature block, the class shares among the reports of
    the same subdistrict received in the ``weeks`` weeks before (training rows: before the report,
    ``lag_days`` earlier, about the staleness a monthly retrain has; prediction: before the newest
    training report), weight ``block_weight``. Not a vote: the SVM learns each class's weight on it."""

    def __init__(self, *, weeks: int = 8, block_weight: float = 0.5, lag_days: float = 14.0, **kw):
        super().__init__(**kw)
        self.weeks, self.block_weight, self.lag_days = weeks, block_weight, lag_days

    def _block(self, subs, days, ref_subs, ref_days, ref_y, lag):
        n_cls = len(self.classes_)
        rows, cols, vals = [], [], []
        by_sub: dict = {}
        for j, s in enumerate(ref_subs):
            by_sub.setdefault(s, []).append(j)
        by_sub = {s: np.asarray(js) for s, js in by_sub.items()}
        for i, (s, d) in enumerate(zip(subs, days)):
            js = by_sub.get(s)
            if not s or js is None:
                continue
            rd = ref_days[js]
            sel = js[(rd < d - lag) & (rd >= d - lag - 7 * self.weeks)]
            if not len(sel):
                continue
            cnt = np.bincount(ref_y[sel], minlength=n_cls)
            nz = np.nonzero(cnt)[0]
            rows += [i] * len(nz)
            cols += list(nz)
            vals += list(cnt[nz] / len(sel) * self.block_weight)
        return sp.csr_matrix((vals, (rows, cols)), shape=(len(subs), n_cls), dtype=np.float64)

    def fit(self, records, label="agency"):
        records = [r for r in records if str(r.get(label) or "").strip()]
        y_str = self._targets(records, label)
        self.classes_, y = np.unique(np.asarray(y_str, dtype=object), return_inverse=True)
        subs = [_compact(r.get("subdistrict")) for r in records]
        days = _days_of(records)
        self._pending = self._block(subs, days, subs, days, y, self.lag_days)
        self._ref = (subs, days, y)
        super().fit(records, label)
        del self._pending
        return self

    def _new_features(self):
        feats = super()._new_features()
        pending = self._pending

        class _F(type(feats)):
            def fit_transform(self, *a, **k):
                return sp.hstack([super().fit_transform(*a, **k), pending], format="csr")

        feats.__class__ = _F
        return feats

    def _transform(self, records):
        X = super()._transform(records)
        subs, days, y = self._ref
        now = np.nanmax(days) + 1e-6
        block = self._block(
            [_compact(r.get("subdistrict")) for r in records], np.full(len(records), now), subs, days, y, 0.0
        )
        return sp.hstack([X, block.astype(X.dtype)], format="csr")


FACTORIES: dict = {}
for wk in (4, 8, 26):
    for bw in (0.25, 0.5, 1.0, 2.0):
        FACTORIES[f"recent{wk}w{bw}"] = {"weeks": wk, "block_weight": bw}


def parse_variant(name: str) -> dict:
    """A named variant, or several joined by "+" ("hl180+level0.5")."""
    kw: dict = {}
    for part in name.split("+"):
        kw.update(VARIANTS[part])
    return kw


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("variants", nargs="+")
    ap.add_argument("--csv", default=str(DEFAULT_CSV))
    ap.add_argument("--start", default="2022-07-01")
    ap.add_argument("--end", default=None)
    ap.add_argument("--retrain", choices=("monthly", "weekly"), default="monthly")
    args = ap.parse_args(argv)
    records = read_csv(args.csv)
    history, test = split_at(records, dt.date.fromisoformat(args.start))
    if args.end:
        test = [r for r in test if str(r.get("received_at")) < args.end]
    for name in args.variants:
        if name in FACTORIES:
            fk = FACTORIES[name]
            make = lambda fk=fk: RecentBlockModel(use_topic=False, **fk)  # noqa: E731
        else:
            kw = parse_variant(name)
            make = lambda kw=kw: RoutingModel(use_topic=False, **kw)  # noqa: E731
        t0, c0 = time.perf_counter(), time.process_time()
        out = prequential(history, test, retrain=args.retrain, make_model=make)
        periods = out.pop("periods")
        out.update(
            {
                "variant": name,
                "start": args.start,
                "end": args.end,
                "period_top1": [p["top1"] for p in periods],
                "period_precision_95": [p["precision_95"] for p in periods],
                "fit_seconds_each": [p["fit_seconds"] for p in periods],
                "wall_seconds": round(time.perf_counter() - t0, 1),
                "cpu_seconds": round(time.process_time() - c0, 1),
            }
        )
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
