#!/usr/bin/env python
"""Prequential variants of the routing model (docs/routing-ml.md, "Round 5").

    nice -n 10 .venv/bin/python bench/routing_prequential.py VARIANT [VARIANT ...]
        [--start 2022-07-01] [--end YYYY-MM-DD] [--retrain monthly|weekly] [CSV]

Each variant walks the test period (``--start`` up to ``--end``, exclusive) in time order and
retrains before each period on every earlier report, as ``lapor routing evaluate --prequential``
does; text, place and channel only (the topic is never read). Tuning fold: ``--start 2022-04-01
--end 2022-07-01`` (the second quarter); the issue's period: ``--start 2022-07-01`` (second half).

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

from lapor.routing.ml.model import RoutingModel, read_csv  # noqa: E402
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
        kw = parse_variant(name)
        t0, c0 = time.perf_counter(), time.process_time()
        out = prequential(
            history, test, retrain=args.retrain, make_model=lambda kw=kw: RoutingModel(use_topic=False, **kw)
        )
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
