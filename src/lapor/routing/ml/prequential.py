"""Prequential evaluation: score a routing model the way the product runs it.

The test period is walked in time order, one period (calendar month or ISO week) at a time.
Before each period a new model is trained on everything received before the period starts
(the history grows, as the weekly retraining job does in production); that model then scores
the period.  Auto-routing coverage uses each retrain's own threshold, the one it chose on its
own held-out slice (the newest part of its training data), never the test period's: the figure
a deployment would really get, with the precision it really kept.

Pure Python + scikit-learn, no Django (see docs/routing-ml.md, "Prequential evaluation").
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

import numpy as np

from .model import RoutingModel, _macro_f1, oracle_coverage_at_precision

__all__ = ["PERIODS", "period_start", "prequential", "split_at"]

PERIODS = ("monthly", "weekly")


def _day(record: dict) -> date | None:
    raw = str(record.get("received_at") or "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def period_start(day: date, retrain: str) -> date:
    """First day of the period holding ``day``: the calendar month, or the ISO week (Monday)."""
    if retrain == "monthly":
        return day.replace(day=1)
    if retrain == "weekly":
        return day - timedelta(days=day.weekday())
    raise ValueError(f"retrain must be one of {PERIODS}")


def split_at(records: Sequence[dict], start: date | None = None) -> tuple[list[dict], list[dict]]:
    """(history, test): the test part starts at ``start`` or, without one, at the median
    received_at (the second half of the file). Records without a date stay in the history."""
    dated = sorted((r for r in records if _day(r) is not None), key=lambda r: str(r.get("received_at")))
    undated = [r for r in records if _day(r) is None]
    if start is None:
        if not dated:
            return undated, []
        start = _day(dated[len(dated) // 2])
    return undated + [r for r in dated if _day(r) < start], [r for r in dated if _day(r) >= start]


def _score(model: RoutingModel, records: list[dict], label: str) -> dict:
    t0, c0 = time.perf_counter(), time.process_time()
    preds = model.predict_top(records, k=3)  # with reasons, as the staff form shows them
    ms, cpu_ms = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
    y = [str(r.get(label)).strip() for r in records]
    top1 = [p[0][0] if p else "" for p in preds]
    conf = np.array([p[0][1] if p else 0.0 for p in preds])
    ok = np.array([a == b for a, b in zip(top1, y)], dtype=bool)
    in3 = np.array([yy in {lab for lab, _, _ in p} for yy, p in zip(y, preds)], dtype=bool)
    return {"y": y, "top1": top1, "conf": conf, "ok": ok, "in3": in3, "ms": ms, "cpu_ms": cpu_ms}


def prequential(
    history: Sequence[dict],
    test: Sequence[dict],
    *,
    label: str = "agency",
    retrain: str = "monthly",
    make_model: Callable[[], RoutingModel] | None = None,
) -> dict:
    """Walk ``test`` period by period; before each one, fit ``make_model()`` on ``history`` plus
    the test reports of earlier periods.  Returns the figures of :func:`model.evaluate` over the
    whole test period (``coverage_at_precision_95`` with the oracle threshold on it, for
    comparison), the honest auto-routing figures (``heldout_coverage_95`` and the realised
    ``heldout_precision_95``, each period with its own retrain's threshold) and ``periods``."""
    if retrain not in PERIODS:
        raise ValueError(f"retrain must be one of {PERIODS}")
    make_model = make_model or (lambda: RoutingModel(use_topic=False))
    past = [r for r in history if str(r.get(label) or "").strip()]
    todo = sorted(
        (r for r in test if str(r.get(label) or "").strip() and _day(r) is not None),
        key=lambda r: str(r.get("received_at")),
    )
    groups: dict[date, list[dict]] = {}
    for r in todo:
        groups.setdefault(period_start(_day(r), retrain), []).append(r)
    periods, scored, fits, fits_cpu, model = [], [], [], [], None
    for start in sorted(groups):
        batch = groups[start]
        model = make_model()
        t0, c0 = time.perf_counter(), time.process_time()
        model.fit(past, label=label)
        fits.append(time.perf_counter() - t0)
        fits_cpu.append(time.process_time() - c0)
        s = _score(model, batch, label)
        thr = model.threshold_95_ if model.threshold_95_ is not None else 1.0 + 1e-9
        s["auto"] = s["conf"] >= thr
        scored.append(s)
        n_auto = int(s["auto"].sum())
        periods.append(
            {
                "period": start.isoformat(),
                "n_train": len(past),
                "n": len(batch),
                "top1": round(float(s["ok"].mean()), 4),
                "top3": round(float(s["in3"].mean()), 4),
                "threshold_95": round(float(thr), 6),
                "coverage_95": round(n_auto / len(batch), 4),
                "precision_95": round(float(s["ok"][s["auto"]].mean()), 4) if n_auto else None,
                "fit_seconds": round(fits[-1], 2),
                "fit_cpu_seconds": round(fits_cpu[-1], 2),
            }
        )
        past = past + batch
    if not scored:
        raise ValueError("the test period holds no dated, labelled records")
    ok, in3 = np.concatenate([s["ok"] for s in scored]), np.concatenate([s["in3"] for s in scored])
    conf, auto = np.concatenate([s["conf"] for s in scored]), np.concatenate([s["auto"] for s in scored])
    y = [v for s in scored for v in s["y"]]
    top1 = [v for s in scored for v in s["top1"]]
    n, n_auto = len(ok), int(auto.sum())
    return {
        "top1": round(float(ok.mean()), 4),
        "top3": round(float(in3.mean()), 4),
        "macro_f1": round(_macro_f1(y, top1), 4),
        "coverage_at_precision_95": round(oracle_coverage_at_precision(conf, ok, 0.95), 4),
        "classes": len(model.label_set_),
        "fit_seconds": round(max(fits), 4),
        "predict_ms_per_report": round(sum(s["ms"] for s in scored) / n, 4),
        # CPU time (load-independent on a shared machine): the fits' over all threads, prediction's
        "fit_cpu_seconds": round(max(fits_cpu), 4),
        "predict_cpu_ms_per_report": round(sum(s["cpu_ms"] for s in scored) / n, 4),
        "heldout_coverage_95": round(n_auto / n, 4),
        "heldout_precision_95": round(float(ok[auto].mean()), 4) if n_auto else None,
        "retrain": retrain,
        "n_history": len(history),
        "n_test": n,
        "periods": periods,
    }
